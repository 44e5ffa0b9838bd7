#!/usr/bin/env bash
# Install Debian packages for commands that are missing: scripts/packages.sh COMMAND:PACKAGE ...
# (make cluster and its tests: redis-server, nginx; the helpdesk inbox tests: dovecot-imapd, checked by
# its absolute path /usr/lib/dovecot/imap since /usr/sbin is not on every user's PATH). Progress on stderr;
# a no-op when all are there.
set -euo pipefail
updated=0
for pair in "$@"; do
  command="${pair%%:*}" package="${pair#*:}"
  command -v "$command" >/dev/null 2>&1 && continue
  if [ "$(id -u)" != 0 ]; then
    echo "[packages] $command not found and not root: apt-get install $package" >&2
    exit 1
  fi
  echo "[packages] $command not found: installing Debian's $package (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq "$package" >/dev/null 2>&1; then
    [ "$updated" = 1 ] || { apt-get update -qq >&2; updated=1; }
    apt-get install -y -qq "$package" >&2
  fi
  # Debian starts a packaged service on its default port; ours run under supervisord instead.
  # The service is named after the package without its variant (nginx-light → nginx, dovecot-imapd → dovecot).
  service="${package%-light}" service="${service%-imapd}"
  if command -v service >/dev/null 2>&1; then service "$service" stop >/dev/null 2>&1 || true; fi
done
