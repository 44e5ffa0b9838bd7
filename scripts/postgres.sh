#!/usr/bin/env bash
# A local PostgreSQL server for tests and development: scripts/postgres.sh start|stop|status|url
#
#   start   install Debian's postgresql when initdb is missing, create the cluster in var/pg (once),
#           start it on 127.0.0.1:${PG_PORT:-25432} only (trust auth on loopback), create the database
#           `registerwijzer`, and print its URL. Starting a running server is a no-op (prints the URL).
#   stop    stop the server (fast shutdown); a no-op when it is not running.
#   status  exit 0 when running, 3 when not.
#   url     print postgresql+psycopg2://postgres@127.0.0.1:${PG_PORT:-25432}/registerwijzer
#
# PG_DIR chooses the cluster's folder (default var/pg); PG_DURABLE=1 keeps fsync on (make cluster's
# store; the test server trades durability for speed).
# Only the URL goes to stdout (URL=$(scripts/postgres.sh start)); progress and errors go to stderr.
# Run as root, the server runs as the `postgres` user (runuser); as another user, as that user.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# Below Linux's ephemeral range (32768-60999): a port in it can be held by a client connection in
# TIME-WAIT, and the server then cannot bind it ("Address already in use" with nothing listening).
PORT="${PG_PORT:-25432}"
DB="registerwijzer"
PGDIR="${PG_DIR:-$ROOT/var/pg}"
LOG="$PGDIR/server.log"
LOCK="$ROOT/var/pg.lock"
URL="postgresql+psycopg2://postgres@127.0.0.1:$PORT/$DB"

say() { echo "[postgres] $*" >&2; }
die() { say "$*"; exit 1; }

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return 0; fi
  return 1
}

install_postgres() {
  [ "$(id -u)" = 0 ] || die "initdb not found and not root: install PostgreSQL (apt-get install postgresql)"
  say "initdb not found: installing Debian's postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
}

if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || NEED_INSTALL=1
  as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
  as_pg() { "$@"; }
fi

# Run as root in a checkout the postgres user cannot reach (a clone under `mktemp -d`, mode 700), the
# cluster lives in /var/tmp instead, one per checkout; everywhere else in var/pg as before.
choose_pgdir() {
  mkdir -p "$ROOT/var" "$(dirname "$PGDIR")"
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$(dirname "$PGDIR")"; then
    PGDIR="/var/tmp/registerwijzer-pg-$(printf '%s' "${PG_DIR:-$ROOT}" | sha256sum | cut -c1-12)"
    LOG="$PGDIR/server.log"
  fi
}

running() { [ -f "$PGDIR/PG_VERSION" ] && as_pg "$BIN/pg_ctl" status -D "$PGDIR" >/dev/null 2>&1; }

ensure_bin() {
  BIN=$(find_bin || true)
  if [ -z "$BIN" ] || [ "${NEED_INSTALL:-0}" = 1 ]; then
    install_postgres
    BIN=$(find_bin) || die "postgresql installed, but initdb still not found"
  fi
}

init_cluster() {
  [ -f "$PGDIR/PG_VERSION" ] && return 0
  say "creating the cluster in $PGDIR"
  mkdir -p "$PGDIR"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PGDIR"; fi
  chmod 700 "$PGDIR"
  as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth-local=trust --auth-host=trust -E UTF8 --locale=C.UTF-8 \
    >"$ROOT/var/pg-initdb.log" 2>&1 || { cat "$ROOT/var/pg-initdb.log" >&2; die "initdb failed"; }
  # Loopback only; the socket stays inside the cluster folder (no /var/run/postgresql needed).
  cat >>"$PGDIR/postgresql.conf" <<CONF

# scripts/postgres.sh: local test server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDIR'
max_connections = 100
CONF
  if [ "${PG_DURABLE:-0}" != 1 ]; then
    printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$PGDIR/postgresql.conf"
  fi
}

start() {
  ensure_bin
  choose_pgdir
  exec 9>"$LOCK"
  flock -w 120 9 || die "another postgres.sh holds $LOCK"
  init_cluster
  if running; then
    say "already running ($PGDIR)"
  else
    say "starting on 127.0.0.1:$PORT (log: $LOG)"
    # 9>&-: the server must not inherit the lock's file descriptor (it would hold the lock forever).
    as_pg "$BIN/pg_ctl" start -D "$PGDIR" -w -t 60 -l "$LOG" -o "-p $PORT" >/dev/null 9>&- \
      || { tail -n 20 "$LOG" >&2 || true; die "the server did not start (is port $PORT taken? PG_PORT overrides)"; }
  fi
  local have
  have=$(as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'") \
    || die "cannot connect to 127.0.0.1:$PORT (a server started with another PG_PORT? run: $0 stop)"
  if [ "$have" != 1 ]; then
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
    say "created database $DB"
  fi
  echo "$URL"
}

stop() {
  BIN=$(find_bin || true)
  choose_pgdir
  exec 9>"$LOCK"
  flock -w 120 9 || die "another postgres.sh holds $LOCK"
  if [ -z "$BIN" ] || ! running; then say "not running"; return 0; fi
  as_pg "$BIN/pg_ctl" stop -D "$PGDIR" -m fast -w >/dev/null
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) BIN=$(find_bin || true); choose_pgdir; if [ -n "$BIN" ] && running; then say "running"; else say "not running"; exit 3; fi ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
