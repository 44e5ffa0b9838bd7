#!/usr/bin/env bash
# Idempotent set-up in four steps: Python 3.10 virtualenv in .venv; the pinned, hash-checked dependencies
# (requirements.lock) and the project itself (editable, pyproject.toml); the Dutch spaCy pipeline; the
# website widget. A second run skips every step that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
SHARED_DIR="${SHARED_DIR:-$ROOT/../shared}"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}" PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '[setup] %s\n' "$*"; }
STEPS=4
step_start() { STEP=$1; STEP_T0=$SECONDS; say "$STEP/$STEPS $2"; }
step_done() { say "$STEP/$STEPS ${1:-done} in $((SECONDS - STEP_T0)) s"; }

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
  step_start 1 "creating the virtualenv .venv with $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  step_done
else
  say "1/$STEPS virtualenv .venv up to date ($("$VENV/bin/python" --version))"
fi

# 2. Dependencies, pinned and hash-checked by requirements.lock; then the project, editable -----
# pip's own output goes to .venv/pip-install.log; the console gets a line per 25 packages, each download
# of 20 MB or more, and the install phase: readable in CI logs too, where stdout is no terminal.
pip_progress() {
  local total=$1 n=0 line name size
  while IFS= read -r line; do
    case $line in
      "Collecting "* | "Processing "* | "Requirement already satisfied: "*)
        n=$((n + 1)); name=${line#Requirement already satisfied: }; name=${name#Collecting }; name=${name#Processing }
        name=${name%% *}; name=${name##*/}
        case $name in *.whl) name=${name%%-py*}; name=${name%%-cp*}; name=${name/-/==} ;; esac
        if [ $((n % 25)) -eq 0 ] || [ "$n" -eq "$total" ]; then say "    $n/$total packages checked ($name)"; fi ;;
      *"  Downloading "*" MB)")
        size=${line##*(}; size=${size%% MB)}; name=${line#*Downloading }; name=${name%% *}; name=${name##*/}
        if [ "${size%%.*}" -ge 20 ] 2>/dev/null; then say "    downloading $name ($size MB)"; fi ;;
      "Installing collected packages: "*)
        name=${line//[^,]/}; say "    installing $(( ${#name} + 1 )) packages (unpacking TensorFlow takes a minute or two)" ;;
      "Successfully installed "*)
        say "    installed" ;;
    esac
  done
}
stamp="$VENV/.deps-$(cat requirements.lock scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  total=$(grep -c '^[A-Za-z0-9].*==' requirements.lock)
  first=""; ls "$VENV"/.deps-* >/dev/null 2>&1 || first=" (first time: about 5 minutes, most of it TensorFlow)"
  step_start 2 "installing the $total Python packages of requirements.lock, hash-checked$first"
  log="$VENV/pip-install.log"
  if ! "$VENV/bin/python" -m pip install --require-hashes --progress-bar off -r requirements.lock \
      2> >(grep -v -E '^DEPRECATION:|^WARNING: Location .* is ignored' >&2) | tee "$log" | pip_progress "$total"; then
    say "pip failed; its full output is in $log" >&2
    exit 1
  fi
  rm -f "$VENV"/.deps-*
  touch "$stamp"
  step_done
else
  say "2/$STEPS Python packages up to date (requirements.lock)"
fi
# The project itself, editable: bot/, actions/, channels/ and components/ import from this checkout
# wherever it is cloned, and an edit takes effect without a reinstall. Its dependencies are the lock's.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ -f "$site/registerwijzer.pth" ]; then
  rm -f "$site/registerwijzer.pth"   # the path file of earlier set-ups, replaced by the editable install
fi
project_stamp="$VENV/.project-$(cat pyproject.toml | sha256sum | cut -c1-16)"
installed_here() {  # from another folder, so that only the installed package can answer
  (cd / && "$VENV/bin/python" -c 'import bot, pathlib, sys
sys.exit(pathlib.Path(bot.__file__).resolve().parent != pathlib.Path(sys.argv[1], "bot"))' "$ROOT") 2>/dev/null
}
if [ ! -f "$project_stamp" ] || ! installed_here; then
  T0=$SECONDS
  say "2/$STEPS installing the project (editable, pyproject.toml)"
  "$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e . \
    2> >(grep -v -E '^DEPRECATION:|^WARNING: Location .* is ignored' >&2)
  rm -f "$VENV"/.project-*
  touch "$project_stamp"
  say "2/$STEPS project installed in $((SECONDS - T0)) s"
fi

# 3. Dutch spaCy pipeline ---------------------------------------------------------------------
T0=$SECONDS
PYTHONUNBUFFERED=1 "$VENV/bin/python" scripts/spacy_model.py --shared "$SHARED_DIR" --link "$VENV/spacy-nl" | sed "s/^\[setup\] /[setup] 3\/$STEPS /"
[ $((SECONDS - T0)) -lt 10 ] || say "3/$STEPS done in $((SECONDS - T0)) s"

# 4. The website widget (rasa-webchat from npm, pinned by web/package-lock.json; no CDN) ------
if ! command -v npm >/dev/null 2>&1; then
  say "npm not found: the website widget needs Node.js and npm (apt-get install nodejs npm)"
  exit 1
fi
web_stamp="web/node_modules/.stamp-$(cat web/package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$web_stamp" ]; then
  step_start 4 "installing the website widget (npm ci in web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$web_stamp"
  step_done
else
  say "4/$STEPS website widget up to date"
fi
