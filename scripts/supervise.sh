# Shared by scripts/run.sh and scripts/cluster.sh: every long-running process under supervisord
# (Supervisor from PyPI, pinned in requirements.lock). A process that exits is restarted; one that
# cannot be started at all (it exits within its start time, three times over) stops everything
# (scripts/supervise_fatal.py), so a broken set-up ends `make run` with the reason instead of hanging.
# Ctrl-C (or SIGTERM) stops every process: SIGTERM to its process group, SIGKILL after the grace.
#
#   supervise_init DIR GRACE         start a configuration in DIR (a fresh directory per run)
#   supervise_program NAME STARTSECS COMMAND...   add a program; its output goes to our stdout
#   supervise_run                    run supervisord in the foreground; returns 1 after a fatal stop
#   supervise_ctl ARGS...            supervisorctl against this run (status, restart NAME, ...)
# shellcheck shell=bash

SUPERVISE_DIR=""
SUPERVISE_GRACE=20

supervise_init() {
  SUPERVISE_DIR=$1
  SUPERVISE_GRACE=$2
  mkdir -p "$SUPERVISE_DIR"
  chmod 700 "$SUPERVISE_DIR"
  rm -f "$SUPERVISE_DIR/fatal"
  local secret user=""
  secret=$("$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
  [ "$(id -u)" = 0 ] && user="user=root"
  (umask 077 && : >"$SUPERVISE_DIR/supervisord.conf")
  cat >"$SUPERVISE_DIR/supervisord.conf" <<CONF
; Written by scripts/supervise.sh for this run; edit the script, not this file.
[supervisord]
nodaemon=true
logfile=/dev/null
logfile_maxbytes=0
pidfile=$SUPERVISE_DIR/supervisord.pid
childlogdir=$SUPERVISE_DIR
loglevel=info
silent=false
$user

[unix_http_server]
file=$SUPERVISE_DIR/supervisor.sock
chmod=0700
username=supervisor
password=$secret

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SUPERVISE_DIR/supervisor.sock
username=supervisor
password=$secret

[eventlistener:fatal]
command=$ROOT/.venv/bin/python $ROOT/scripts/supervise_fatal.py $SUPERVISE_DIR/fatal
events=PROCESS_STATE_FATAL
stdout_logfile=NONE
stderr_logfile=/dev/stdout
stderr_logfile_maxbytes=0
CONF
}

supervise_program() {  # NAME STARTSECS COMMAND...
  local name=$1 startsecs=$2 command="" arg
  shift 2
  for arg in "$@"; do command+="$(printf '%q' "$arg") "; done
  cat >>"$SUPERVISE_DIR/supervisord.conf" <<CONF

[program:$name]
command=$command
directory=$ROOT
autostart=true
autorestart=true
startsecs=$startsecs
startretries=3
stopsignal=TERM
stopwaitsecs=$SUPERVISE_GRACE
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
CONF
}

supervise_run() {
  local code=0 pid filter
  # Its output (every program's) without library deprecation warnings (scripts/console_filter.py),
  # through a FIFO so this function can wait for the filter's last line before it returns.
  rm -f "$SUPERVISE_DIR/console"
  mkfifo -m 600 "$SUPERVISE_DIR/console"
  "$ROOT/.venv/bin/python" -u "$ROOT/scripts/console_filter.py" <"$SUPERVISE_DIR/console" &
  filter=$!
  # In the background and waited for, so a SIGTERM to this script reaches supervisord at once too.
  "$ROOT/.venv/bin/supervisord" -c "$SUPERVISE_DIR/supervisord.conf" >"$SUPERVISE_DIR/console" 2>&1 &
  pid=$!
  # shellcheck disable=SC2064
  trap "kill -TERM $pid 2>/dev/null || true" INT TERM
  while :; do
    code=0
    wait "$pid" || code=$?
    kill -0 "$pid" 2>/dev/null || break
  done
  trap - INT TERM
  wait "$filter" 2>/dev/null || true  # the filter ends when supervisord's output does
  if [ -f "$SUPERVISE_DIR/fatal" ]; then
    echo "[run] stopped: $(cat "$SUPERVISE_DIR/fatal") could not be started (see above)" >&2
    return 1
  fi
  return "$code"
}

supervise_ctl() {
  "$ROOT/.venv/bin/supervisorctl" -c "$SUPERVISE_DIR/supervisord.conf" "$@"
}
