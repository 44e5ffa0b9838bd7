#!/usr/bin/env bash
# Print the path of Debian's Chromium for the browser tests, installing it (apt-get) when missing.
# Never downloads a browser of its own. CHROMIUM=/path overrides.
set -euo pipefail
say() { echo "[chromium] $*" >&2; }
for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then
  say "Chromium not found and not root: install it (apt-get install chromium) or set CHROMIUM=/path"
  exit 1
fi
say "installing Debian's chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
exec 9>/tmp/registerwijzer-apt.lock
flock -w 600 9
[ -x /usr/bin/chromium ] || { apt-get update -qq >&2; apt-get install -y -qq chromium >&2; }
[ -x /usr/bin/chromium ] || { say "apt-get did not install /usr/bin/chromium"; exit 1; }
echo /usr/bin/chromium
