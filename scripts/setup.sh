#!/usr/bin/env bash
# Idempotent set-up: Python 3.10 virtualenv in .venv, pinned dependencies, the Dutch spaCy pipeline.
# A second run skips every step that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
SHARED_DIR="${SHARED_DIR:-$ROOT/../shared}"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"

say() { printf '[setup] %s\n' "$*"; }

# shellcheck source=scripts/find_python.sh
source scripts/find_python.sh

# 1. Virtualenv with Python 3.10 ------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ] || ! is_py310 "$VENV/bin/python"; then
  if ! PY=$(find_python); then
    cat >&2 <<'MSG'
[setup] Python 3.10 is nodig (Rasa 3.6 werkt niet met een nieuwere Python), maar ik vind hem niet.
[setup] Python 3.10 is required (Rasa Open Source 3.6 supports no newer Python) and none was found
[setup] on PATH (python3.10) or under pyenv. Install it, for example:
[setup]   pyenv install 3.10.13        (then run make again)
[setup]   apt-get install python3.10 python3.10-venv   (where your distribution has it)
[setup] or point PYTHON=/path/to/python3.10 at one.
MSG
    exit 1
  fi
  say "Python 3.10: $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

# 2. Dependencies, pinned by requirements.lock ------------------------------------------------
stamp="$VENV/.deps-$(cat requirements.lock scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing dependencies from requirements.lock (a few minutes the first time)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock
  rm -f "$VENV"/.deps-*
  touch "$stamp"
else
  say "dependencies up to date"
fi
# The project itself is importable from the venv (bot/, actions/) wherever it is cloned.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$ROOT" > "$site/registerwijzer.pth"

# 3. Dutch spaCy pipeline ---------------------------------------------------------------------
"$VENV/bin/python" scripts/spacy_model.py --shared "$SHARED_DIR" --link "$VENV/spacy-nl"

# 4. The website widget (rasa-webchat from npm, pinned by web/package-lock.json; no CDN) ------
if ! command -v npm >/dev/null 2>&1; then
  say "npm not found: the website widget needs Node.js and npm (apt-get install nodejs npm)"
  exit 1
fi
web_stamp="web/node_modules/.stamp-$(cat web/package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$web_stamp" ]; then
  say "installing the website widget (npm ci in web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$web_stamp"
else
  say "website widget up to date"
fi
