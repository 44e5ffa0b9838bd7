#!/usr/bin/env bash
# Start, in the foreground: the action server (127.0.0.1:5055), Rasa (127.0.0.1:5005: REST, the
# widget's socket.io and Teams channels), the helpdesk outbox worker and the page with the chat widget
# (127.0.0.1:8080). Ctrl-C stops them all. `run.sh shell` chats in the terminal instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 SANIC_HOST=127.0.0.1
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
# glibc gives every thread that allocates its own malloc arena; TensorFlow's many threads then hold
# hundreds of MB of resident memory they no longer use. Two arenas keep Rasa's memory to what it needs.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
mode="${1:-server}"
RUN_STOP_GRACE="${RUN_STOP_GRACE:-20}"
if ! [[ "$RUN_STOP_GRACE" =~ ^[0-9]+$ ]]; then
  echo "[run] RUN_STOP_GRACE must be a whole number of seconds, not '$RUN_STOP_GRACE'" >&2
  exit 2
fi
WEB_PORT="${WEB_PORT:-8080}"
export WEB_PORT
# Channel settings expanded by Rasa in credentials.yml: every one has a default here.
export WEBCHAT_ALLOWED_ORIGINS="${WEBCHAT_ALLOWED_ORIGINS:-http://127.0.0.1:$WEB_PORT,http://localhost:$WEB_PORT}"
export TEAMS_APP_ID="${TEAMS_APP_ID:-}" TEAMS_APP_PASSWORD="${TEAMS_APP_PASSWORD:-}"
export TEAMS_TENANT_ID="${TEAMS_TENANT_ID:-}" TEAMS_ALLOWED_SERVICE_URLS="${TEAMS_ALLOWED_SERVICE_URLS:-https://smba.trafficmanager.net/}"
export TEAMS_TOKEN_ENDPOINT="${TEAMS_TOKEN_ENDPOINT:-}"
export TEAMS_OPENID_METADATA_URL="${TEAMS_OPENID_METADATA_URL:-https://login.botframework.com/v1/.well-known/openidconfiguration}"

mkdir -p var
# The back-office token for the REST channel: from the environment, else a random local one.
if [ -z "${REST_CHANNEL_TOKEN:-}" ]; then
  [ -s var/rest-token ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/rest-token
  REST_CHANNEL_TOKEN=$(cat var/rest-token)
  export REST_CHANNEL_TOKEN
fi
# The leaders' store: upgrade the schema (SQLite file by default, DATABASE_URL overrides).
.venv/bin/python -m bot db upgrade

# Ctrl-C, SIGTERM or one server exiting stops them all: SIGTERM first, then, after RUN_STOP_GRACE
# seconds (default 20), SIGKILL for any server that has not stopped, named in the log.
pids=()
names=()
start() {  # start NAME COMMAND...: one server in the background
  local name=$1
  shift
  "$@" &
  pids+=($!)
  names+=("$name")
}
cleanup() {
  trap - INT TERM EXIT
  local grace="$RUN_STOP_GRACE" i pid alive
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < grace * 10; i++)); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "[run] ${names[$i]} did not stop within ${grace} s of SIGTERM: SIGKILL" >&2
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  echo "[run] stopped"
}
trap cleanup INT TERM EXIT

# Rasa SDK's action server with the slot helpdesk_offered kept up to date (actions/server.py).
start "action server" .venv/bin/python -m actions.server --actions actions --port "$ACTIONS_PORT" --quiet

if [ "$mode" = "shell" ]; then
  .venv/bin/rasa shell --model models/registerwijzer.tar.gz --endpoints endpoints.yml --quiet
  exit 0
fi

# The helpdesk outbox worker: delivers tickets (signed webhook, optional e-mail) with retries.
# All its state is in the database, so a restart loses nothing.
start "helpdesk worker" .venv/bin/python -m bot helpdesk worker

# The website page with the chat widget (web/).
start "web page" .venv/bin/python -m channels.web --port "$WEB_PORT"

# The banner prints commands, never runs them: no backticks or $( ) in this here-document (it expands
# variables), so nothing a reader is told to type is executed by make run.
cat <<MSG
[run] action server: http://127.0.0.1:$ACTIONS_PORT  (Rasa SDK)
[run] Rasa:          http://127.0.0.1:$RASA_PORT  (REST, socket.io for the widget, Teams; loading the model takes ~30 s)
[run] Helpdesk:      outbox worker (HELPDESK_WEBHOOK_URL: ${HELPDESK_WEBHOOK_URL:-not set, tickets wait in the outbox})
[run] Chat widget:   http://127.0.0.1:$WEB_PORT/  (log in with a portal token: http://127.0.0.1:$WEB_PORT/#token=TOKEN)
[run] Talk to it:
[run]   curl -s 127.0.0.1:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"ik","message":"hallo"}'
[run] Personal answers need a verified identity: demo leaders with '.venv/bin/python -m bot demo',
[run]   a portal token with '.venv/bin/python -m bot token 100234', then
[run]   curl -s 127.0.0.1:$RASA_PORT/webhooks/rest/webhook -H "Authorization: Bearer TOKEN" -d '{"sender":"ik","message":"hoeveel punten heb ik al?"}'
[run] Or chat in the terminal with: make shell.  Ctrl-C stops them all.
MSG
start Rasa .venv/bin/rasa run --interface 127.0.0.1 --port "$RASA_PORT" --model models/registerwijzer.tar.gz \
  --credentials credentials.yml --endpoints endpoints.yml --quiet
wait -n "${pids[@]}"
