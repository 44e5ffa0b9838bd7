#!/usr/bin/env bash
# Start, in the foreground: the action server (127.0.0.1:5055), Rasa (127.0.0.1:5005: REST, the
# widget's socket.io and Teams channels), the helpdesk outbox worker and the page with the chat widget
# (127.0.0.1:8080). Ctrl-C stops them all. `run.sh shell` chats in the terminal instead.
set -euo pipefail
cd "$(dirname "$0")/.."
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}"
mode="${1:-server}"
WEB_PORT="${WEB_PORT:-8080}"
export WEB_PORT
WEB_ORIGIN_PORT=$WEB_PORT
# shellcheck source=scripts/env.sh
source scripts/env.sh
started=$(date +%s)
# The leaders' store: upgrade the schema (SQLite file by default, DATABASE_URL overrides).
.venv/bin/python -m bot db upgrade
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/registerwijzer-run.XXXXXX")
trap 'rm -rf "$run_dir"' EXIT
# endpoints.yml sends Rasa to 127.0.0.1:5055; another ACTIONS_PORT or ACTION_SERVER_URL gets a copy.
ENDPOINTS=$(endpoints_for "$ACTION_SERVER_URL" "$run_dir")

if [ "$mode" = "shell" ]; then
  # A terminal chat: the action server in the background, rasa shell in the foreground.
  .venv/bin/python -m actions.server --actions actions --port "$ACTIONS_PORT" --quiet &
  actions_pid=$!
  trap 'kill -TERM "$actions_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$run_dir"' EXIT
  echo "[run] loading the model (about 30 s), then type a question; /stop ends the chat"
  .venv/bin/rasa shell --model models/registerwijzer.tar.gz --endpoints "$ENDPOINTS" --quiet
  exit 0
fi

# Every server under supervisord (scripts/supervise.sh): one that crashes is restarted; Ctrl-C or
# SIGTERM stops them all, SIGKILL after RUN_STOP_GRACE seconds (default 20) for one that hangs.
for port in "$RASA_PORT" "$ACTIONS_PORT" "$WEB_PORT"; do
  port_free "$port" && continue
  echo "[run] port $port is already in use (Address already in use); RASA_PORT, ACTIONS_PORT and WEB_PORT choose others" >&2
  exit 1
done
# shellcheck source=scripts/supervise.sh
source scripts/supervise.sh
ROOT=$(pwd)
supervise_init "$run_dir/supervisor" "$RUN_STOP_GRACE"

# Rasa SDK's action server with the slot helpdesk_offered kept up to date (actions/server.py).
supervise_program action-server 5 .venv/bin/python -m actions.server --actions actions --port "$ACTIONS_PORT" --quiet

# The helpdesk outbox worker: delivers tickets (signed webhook, optional e-mail) with retries.
# All its state is in the database, so a restart loses nothing.
supervise_program helpdesk-worker 5 .venv/bin/python -m bot helpdesk worker

# The website page with the chat widget (web/).
supervise_program web-page 2 .venv/bin/python -m channels.web --port "$WEB_PORT"

# The banner prints commands, never runs them: no backticks or $( ) in this here-document (it expands
# variables), so nothing a reader is told to type is executed by make run.
cat <<MSG
[run] action server: http://127.0.0.1:$ACTIONS_PORT  (Rasa SDK)
[run] Rasa:          http://127.0.0.1:$RASA_PORT  (REST, socket.io for the widget, Teams; loading the model takes ~30 s, then "ready")
[run] Helpdesk:      outbox worker (HELPDESK_WEBHOOK_URL: ${HELPDESK_WEBHOOK_URL:-not set, tickets wait in the outbox})
[run] Chat widget:   http://127.0.0.1:$WEB_PORT/  (log in with a portal token: http://127.0.0.1:$WEB_PORT/#token=TOKEN)
[run] Talk to it:
[run]   curl -s 127.0.0.1:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"ik","message":"hallo"}'
[run] Personal answers need a verified identity: demo leaders with '.venv/bin/python -m bot demo',
[run]   a portal token with '.venv/bin/python -m bot token 100234', then
[run]   curl -s 127.0.0.1:$RASA_PORT/webhooks/rest/webhook -H "Authorization: Bearer TOKEN" -d '{"sender":"ik","message":"hoeveel punten heb ik al?"}'
[run] Or chat in the terminal with: make shell.  Ctrl-C stops them all; a server that crashes is restarted.
MSG
# Rasa counts as started once it has run 20 s (loading the model); exiting sooner, three times, stops all.
supervise_program rasa 20 .venv/bin/rasa run --interface 127.0.0.1 --port "$RASA_PORT" \
  --model models/registerwijzer.tar.gz --credentials credentials.yml --endpoints "$ENDPOINTS" --quiet
# One line once everything answers (scripts/ready.py); it never stops the servers.
.venv/bin/python scripts/ready.py --label run --started "$started" "http://127.0.0.1:$RASA_PORT/" \
  "http://127.0.0.1:$ACTIONS_PORT/health" "http://127.0.0.1:$WEB_PORT/" -- \
  "open http://127.0.0.1:$WEB_PORT/ in your browser and ask a question, for example: hoeveel punten heb ik nodig?" &
ready_pid=$!
trap 'kill "$ready_pid" 2>/dev/null || true; wait "$ready_pid" 2>/dev/null || true; rm -rf "$run_dir"' EXIT
code=0
supervise_run || code=$?
echo "[run] stopped"
exit "$code"
