# Shared by scripts/run.sh and scripts/cluster.sh: the environment every server gets. Defaults only;
# anything already set in the environment wins. Needs WEB_ORIGIN_PORT (where the page is served).
# shellcheck shell=bash
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 SANIC_HOST=127.0.0.1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
# Sanic's own hard limit on a request body (channels/limits.py answers 413 in Dutch from 2 MB).
export SANIC_REQUEST_MAX_SIZE="${SANIC_REQUEST_MAX_SIZE:-4194304}"
# glibc gives every thread that allocates its own malloc arena; TensorFlow's many threads then hold
# hundreds of MB of resident memory they no longer use. Two arenas keep Rasa's memory to what it needs.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
RUN_STOP_GRACE="${RUN_STOP_GRACE:-20}"
if ! [[ "$RUN_STOP_GRACE" =~ ^[0-9]+$ ]]; then
  echo "[run] RUN_STOP_GRACE must be a whole number of seconds, not '$RUN_STOP_GRACE'" >&2
  exit 2
fi
# Channel settings expanded by Rasa in credentials.yml: every one has a default here.
export WEBCHAT_ALLOWED_ORIGINS="${WEBCHAT_ALLOWED_ORIGINS:-http://127.0.0.1:$WEB_ORIGIN_PORT,http://localhost:$WEB_ORIGIN_PORT}"
export TEAMS_APP_ID="${TEAMS_APP_ID:-}" TEAMS_APP_PASSWORD="${TEAMS_APP_PASSWORD:-}"
export TEAMS_TENANT_ID="${TEAMS_TENANT_ID:-}" TEAMS_ALLOWED_SERVICE_URLS="${TEAMS_ALLOWED_SERVICE_URLS:-https://smba.trafficmanager.net/}"
export TEAMS_TOKEN_ENDPOINT="${TEAMS_TOKEN_ENDPOINT:-}"
export TEAMS_OPENID_METADATA_URL="${TEAMS_OPENID_METADATA_URL:-https://login.botframework.com/v1/.well-known/openidconfiguration}"

mkdir -p var
# What the servers write under var/ (the database, keys, tokens) is for this user only.
umask 077
chmod 600 var/rest-token var/jwt-dev.key var/*.db 2>/dev/null || true
# The back-office token for the REST channel: from the environment, else a random local one.
if [ -z "${REST_CHANNEL_TOKEN:-}" ]; then
  [ -s var/rest-token ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/rest-token
  REST_CHANNEL_TOKEN=$(cat var/rest-token)
  export REST_CHANNEL_TOKEN
fi

port_free() {  # port_free PORT: exit status 0 when nothing listens on 127.0.0.1:PORT
  # SO_REUSEADDR as the servers use it: connections in TIME-WAIT from a previous run do not count.
  .venv/bin/python -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
