# Sourced by scripts: find a Python 3.10 interpreter (PYTHON, then PATH, then pyenv).
# Rasa Open Source 3.6 supports no newer Python.
is_py310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.10 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && is_py310 "$(command -v "$candidate")"; then
      command -v "$candidate"; return 0
    fi
  done
  local root=""
  if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root 2>/dev/null || true); fi
  for dir in "$root" "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
    [ -n "$dir" ] || continue
    for candidate in "$dir"/versions/3.10*/bin/python3.10; do
      if [ -x "$candidate" ] && is_py310 "$candidate"; then echo "$candidate"; return 0; fi
    done
  done
  return 1
}

