#!/usr/bin/env bash
# make cluster: the production shape on this machine, all on 127.0.0.1, in the foreground.
#
#   PostgreSQL  CLUSTER_PG_PORT (25433)      leaders, helpdesk tables, conversations (PG_DURABLE: fsync on)
#   Redis       CLUSTER_REDIS_PORT (26379)   Rasa's lock store, socket.io rooms, Teams' offered buttons
#   Rasa        CLUSTER_RASA_PORT+i (5105+i)  CLUSTER_REPLICAS replicas (default 2), i = 1..replicas
#   actions     CLUSTER_ACTIONS_PORT+i (5155+i)  one action server per replica (stateless)
#   helpdesk    CLUSTER_WORKERS (2) outbox workers sharing the rows through leases
#   nginx       CLUSTER_PORT (8000)          the page (web/), /webhooks/ and /socket.io/ to the replicas
#
# Everything but PostgreSQL runs under supervisord (scripts/supervise.sh): a process that crashes is
# restarted. Redis and nginx are installed from Debian packages when missing, PostgreSQL by
# scripts/postgres.sh. State lives in CLUSTER_DIR (default var/cluster): `make cluster` again
# continues every conversation. Ctrl-C stops it all, PostgreSQL included. See docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
started=$(date +%s)
CLUSTER_PORT="${CLUSTER_PORT:-8000}"
CLUSTER_REPLICAS="${CLUSTER_REPLICAS:-2}"
CLUSTER_WORKERS="${CLUSTER_WORKERS:-2}"
CLUSTER_DIR="$(mkdir -p "${CLUSTER_DIR:-var/cluster}" && cd "${CLUSTER_DIR:-var/cluster}" && pwd)"
CLUSTER_PG_PORT="${CLUSTER_PG_PORT:-25433}"
CLUSTER_REDIS_PORT="${CLUSTER_REDIS_PORT:-26379}"
CLUSTER_RASA_PORT="${CLUSTER_RASA_PORT:-5105}"
CLUSTER_ACTIONS_PORT="${CLUSTER_ACTIONS_PORT:-5155}"
# Requests per second per client address on /webhooks/ (nginx limit_req), with a burst on top.
CLUSTER_RATE="${CLUSTER_RATE:-10}"
CLUSTER_BURST="${CLUSTER_BURST:-40}"
for name in CLUSTER_PORT CLUSTER_REPLICAS CLUSTER_WORKERS CLUSTER_PG_PORT CLUSTER_REDIS_PORT CLUSTER_RASA_PORT \
    CLUSTER_ACTIONS_PORT CLUSTER_RATE CLUSTER_BURST; do
  if ! [[ "${!name}" =~ ^[1-9][0-9]*$ ]]; then
    echo "[cluster] $name must be a positive whole number, not '${!name}'" >&2
    exit 2
  fi
done
WEB_ORIGIN_PORT=$CLUSTER_PORT
# shellcheck source=scripts/env.sh
source scripts/env.sh
say() { echo "[cluster] $*"; }

bash scripts/packages.sh redis-server:redis-server nginx:nginx-light
NGINX=$(command -v nginx)

ports=("$CLUSTER_PORT" "$CLUSTER_REDIS_PORT")
for ((i = 1; i <= CLUSTER_REPLICAS; i++)); do
  ports+=("$((CLUSTER_RASA_PORT + i))" "$((CLUSTER_ACTIONS_PORT + i))")
done
for port in "${ports[@]}"; do
  port_free "$port" && continue
  say "port $port is already in use (Address already in use); see the CLUSTER_* settings in scripts/cluster.sh" >&2
  exit 1
done

# PostgreSQL: its own server, durable, kept in CLUSTER_DIR/pg across runs.
export PG_PORT=$CLUSTER_PG_PORT PG_DIR="$CLUSTER_DIR/pg" PG_DURABLE=1
DATABASE_URL=$(bash scripts/postgres.sh start)
export DATABASE_URL
export REDIS_URL="redis://127.0.0.1:$CLUSTER_REDIS_PORT/0"
# nginx is the edge: it limits requests per address and sets X-Forwarded-For to the client's address,
# which Sanic trusts from exactly one proxy (so tickets per address count real clients). The app's own
# per-address limit is off here by default (each replica would count only its share); per identity stays.
export SANIC_PROXIES_COUNT=1 RATE_LIMIT_PER_ADDRESS="${RATE_LIMIT_PER_ADDRESS:-0}"
.venv/bin/python -m bot db upgrade

# shellcheck source=scripts/supervise.sh
source scripts/supervise.sh
# supervisorctl -c $CLUSTER_DIR/run/supervisord.conf status|restart NAME|... while it runs.
run_dir="$CLUSTER_DIR/run"
rm -rf "$run_dir"
trap 'rm -rf "$run_dir"; bash scripts/postgres.sh stop || true' EXIT
supervise_init "$run_dir" "$RUN_STOP_GRACE"

# Redis: nothing in it must outlive a restart (locks expire, rooms and offers are rebuilt), so no disk.
mkdir -p "$CLUSTER_DIR/redis"
supervise_program redis 2 redis-server --bind 127.0.0.1 --port "$CLUSTER_REDIS_PORT" --dir "$CLUSTER_DIR/redis" \
  --save "" --appendonly no --protected-mode yes --daemonize no --loglevel warning

for ((i = 1; i <= CLUSTER_REPLICAS; i++)); do
  rasa_port=$((CLUSTER_RASA_PORT + i))
  actions_port=$((CLUSTER_ACTIONS_PORT + i))
  supervise_program "actions-$i" 5 .venv/bin/python -m actions.server --actions actions --port "$actions_port" --quiet
  endpoints=$(endpoints_for "http://127.0.0.1:$actions_port/webhook" "$run_dir/rasa-$i")
  supervise_program "rasa-$i" 20 .venv/bin/rasa run --interface 127.0.0.1 --port "$rasa_port" \
    --model models/registerwijzer.tar.gz --credentials credentials.yml --endpoints "$endpoints" --quiet
done
for ((i = 1; i <= CLUSTER_WORKERS; i++)); do
  # Only the first worker reads the mailbox (HELPDESK_IMAP_HOST): one model loaded for it, not one per
  # worker. Two pollers would still make one ticket per message (its Message-ID is unique).
  if ((i == 1)); then
    supervise_program "helpdesk-worker-$i" 5 .venv/bin/python -m bot helpdesk worker
  else
    supervise_program "helpdesk-worker-$i" 5 env -u HELPDESK_IMAP_HOST .venv/bin/python -m bot helpdesk worker
  fi
done

# nginx: the page from the same source as `make run` (channels/web.py --export), same headers.
.venv/bin/python -m channels.web --export "$CLUSTER_DIR/www" --socket-url "http://127.0.0.1:$CLUSTER_PORT"
mkdir -p "$CLUSTER_DIR/nginx"
# As root, nginx's workers would run as nobody and could not read a checkout under a private folder.
nginx_user=""
[ "$(id -u)" = 0 ] && nginx_user="user root;"
upstream="" sticky=""
for ((i = 1; i <= CLUSTER_REPLICAS; i++)); do
  upstream+="    server 127.0.0.1:$((CLUSTER_RASA_PORT + i)) max_fails=1 fail_timeout=10s;"$'\n'
  sticky+="    server 127.0.0.1:$((CLUSTER_RASA_PORT + i));"$'\n'
done
errors="$CLUSTER_DIR/www/errors"
mkdir -p "$errors"
printf '%s\n' '{"error":"te_groot","message":"Dit bericht is te groot. Stel je vraag korter."}' >"$errors/413.json"
printf '%s\n' '{"error":"te_veel_verzoeken","message":"Je stuurt te veel berichten tegelijk. Wacht even en probeer het dan opnieuw."}' >"$errors/429.json"
printf '%s\n' '{"error":"tijdelijk_niet_beschikbaar","message":"Registerwijzer is even niet bereikbaar. Probeer het over een minuut opnieuw."}' >"$errors/503.json"
cat >"$CLUSTER_DIR/nginx/nginx.conf" <<CONF
# Written by scripts/cluster.sh on every start; edit the script, not this file.
$nginx_user
worker_processes 1;
pid $CLUSTER_DIR/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;  # the URLs and addresses of school leaders are not logged here
  server_tokens off;
  client_body_temp_path $CLUSTER_DIR/nginx/body;
  proxy_temp_path $CLUSTER_DIR/nginx/proxy;
  fastcgi_temp_path $CLUSTER_DIR/nginx/fastcgi;
  uwsgi_temp_path $CLUSTER_DIR/nginx/uwsgi;
  scgi_temp_path $CLUSTER_DIR/nginx/scgi;
  types { text/html html; text/javascript js; text/css css; image/svg+xml svg; application/json json; }
  default_type application/octet-stream;
  # As the app (channels/limits.py): bodies up to 2 MB, messages cut to 5,000 characters.
  client_max_body_size 2m;
  client_body_buffer_size 256k;
  limit_req_zone \$binary_remote_addr zone=per_address:10m rate=${CLUSTER_RATE}r/s;
  limit_req_status 429;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }

  upstream rasa {
$upstream  }
  # socket.io's polling requests of one client must reach the replica that holds its session.
  upstream rasa_sticky {
    ip_hash;
$sticky  }

  server {
    listen 127.0.0.1:$CLUSTER_PORT;
    root $CLUSTER_DIR/www;
    error_page 413 /errors/413.json;
    error_page 429 /errors/429.json;
    error_page 502 503 504 /errors/503.json;

    location = / { include $CLUSTER_DIR/www/headers.conf; try_files /index.html =404; }
    location ~ ^/(index\.html|app\.js|style\.css|favicon\.svg|config\.json|vendor/webchat\.js)$ {
      include $CLUSTER_DIR/www/headers.conf;
    }
    location /errors/ { internal; include $CLUSTER_DIR/www/headers.conf; default_type application/json; }
    location /webhooks/ {
      limit_req zone=per_address burst=$CLUSTER_BURST nodelay;
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      # A replica that is down or restarting: the request goes to the next one.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
      proxy_intercept_errors on;
    }
    # The helpdesk system's triage (channels/helpdesk_api.py): its own Dutch JSON errors pass through
    # (401, 400, 413, 503 "niet ingesteld"); it stores nothing, so a replica that is down is skipped also
    # for this POST.
    location = /helpdesk/triage {
      limit_req zone=per_address burst=$CLUSTER_BURST nodelay;
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_next_upstream error timeout http_502 non_idempotent;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }
    location /socket.io/ {
      limit_req zone=per_address burst=$CLUSTER_BURST nodelay;
      proxy_pass http://rasa_sticky;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_read_timeout 3600s;
    }
    location / { include $CLUSTER_DIR/www/headers.conf; return 404; }
  }
}
CONF
"$NGINX" -t -q -e stderr -p "$CLUSTER_DIR/nginx" -c "$CLUSTER_DIR/nginx/nginx.conf"
supervise_program nginx 2 "$NGINX" -e stderr -p "$CLUSTER_DIR/nginx" -c "$CLUSTER_DIR/nginx/nginx.conf" -g "daemon off;"

cat <<MSG
[cluster] PostgreSQL:  127.0.0.1:$CLUSTER_PG_PORT (data in $CLUSTER_DIR/pg)
[cluster] Redis:       127.0.0.1:$CLUSTER_REDIS_PORT
[cluster] Rasa:        $CLUSTER_REPLICAS replicas from 127.0.0.1:$((CLUSTER_RASA_PORT + 1)), each with its action server from 127.0.0.1:$((CLUSTER_ACTIONS_PORT + 1))
[cluster] Helpdesk:    $CLUSTER_WORKERS outbox workers (HELPDESK_WEBHOOK_URL: ${HELPDESK_WEBHOOK_URL:-not set, tickets wait in the outbox})
[cluster] nginx:       http://127.0.0.1:$CLUSTER_PORT/  (the widget; REST at /webhooks/rest/webhook; loading the model takes ~1 min, then "ready")
[cluster] Processes:   .venv/bin/supervisorctl -c $run_dir/supervisord.conf status
[cluster] Ctrl-C stops them all; a process that crashes is restarted; make cluster again continues every conversation.
MSG
# One line once nginx and every replica and action server answer (scripts/ready.py).
ready_urls=("http://127.0.0.1:$CLUSTER_PORT/")
for ((i = 1; i <= CLUSTER_REPLICAS; i++)); do
  ready_urls+=("http://127.0.0.1:$((CLUSTER_RASA_PORT + i))/" "http://127.0.0.1:$((CLUSTER_ACTIONS_PORT + i))/health")
done
.venv/bin/python scripts/ready.py --label cluster --started "$started" "${ready_urls[@]}" -- \
  "open http://127.0.0.1:$CLUSTER_PORT/ in your browser; $CLUSTER_REPLICAS replicas behind nginx" &
ready_pid=$!
trap 'kill "$ready_pid" 2>/dev/null || true; wait "$ready_pid" 2>/dev/null || true; rm -rf "$run_dir"; bash scripts/postgres.sh stop || true' EXIT
code=0
supervise_run || code=$?
say "stopped"
exit "$code"
