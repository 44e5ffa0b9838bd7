# Shared by scripts/run.sh and scripts/cluster.sh: the environment every server gets. Defaults only;
# anything already set in the environment wins. Needs WEB_ORIGIN_PORT (where the page is served).
# shellcheck shell=bash
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 SANIC_HOST=127.0.0.1 RASA_TELEMETRY_ENABLED=false
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
# The widget's page is served on WEB_ORIGIN_PORT: only it may open the socket (credentials.yml holds
# the default for port 8080; the Teams settings default there too and secrets come from TEAMS_*).
export WEBCHAT_ALLOWED_ORIGINS="${WEBCHAT_ALLOWED_ORIGINS:-http://127.0.0.1:$WEB_ORIGIN_PORT,http://localhost:$WEB_ORIGIN_PORT}"

mkdir -p var
# What the servers write under var/ (the database, keys, tokens) is for this user only.
umask 077
chmod 600 var/rest-token var/helpdesk-token var/jwt-dev.key var/*.db 2>/dev/null || true
# The back-office token for the REST channel: from the environment, else a random local one.
if [ -z "${REST_CHANNEL_TOKEN:-}" ]; then
  [ -s var/rest-token ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/rest-token
  REST_CHANNEL_TOKEN=$(cat var/rest-token)
  export REST_CHANNEL_TOKEN
fi
# The helpdesk system's token for POST /helpdesk/triage (docs/helpdesk.md): the same, in var/helpdesk-token.
if [ -z "${HELPDESK_API_TOKEN:-}" ]; then
  [ -s var/helpdesk-token ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/helpdesk-token
  HELPDESK_API_TOKEN=$(cat var/helpdesk-token)
  export HELPDESK_API_TOKEN
fi

port_free() {  # port_free PORT: exit status 0 when nothing listens on 127.0.0.1:PORT
  # SO_REUSEADDR as the servers use it: connections in TIME-WAIT from a previous run do not count.
  .venv/bin/python -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

endpoints_for() {  # endpoints_for URL DIR: prints the endpoints file that sends Rasa to the action server at URL
  # endpoints.yml itself when URL is the one written there, else a copy in DIR with only that URL changed.
  .venv/bin/python - "$1" "$2" <<'PY'
import pathlib, sys, yaml
url, folder = sys.argv[1], pathlib.Path(sys.argv[2])
endpoints = yaml.safe_load(pathlib.Path("endpoints.yml").read_text(encoding="utf-8"))
if endpoints["action_endpoint"]["url"] == url:
    print("endpoints.yml")
else:
    endpoints["action_endpoint"]["url"] = url
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "endpoints.yml"
    out.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    print(out)
PY
}
