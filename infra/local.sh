#!/usr/bin/env bash
# Local infrastructure for Clientele, as plain processes (no Docker):
#   Apache Kafka 4.1 (KRaft, one combined broker+controller node) and
#   FerretDB 1.24 (MongoDB wire protocol on SQLite), both on 127.0.0.1 only.
#
# Usage: infra/local.sh up | down [--purge] | purge | status | env | restart-kafka | restart-store
#        | stop-kafka | stop-store | up-store
#
# Environment:
#   CLIENTELE_CACHE      binaries (Kafka jars, ferretdb), shared by all clones  [~/.cache/clientele]
#   CLIENTELE_INFRA_DIR  state: data, logs, pid files                           [$CLIENTELE_CACHE/run]
#   KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]  MONGO_PORT [27017]
set -euo pipefail

INFRA_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${CLIENTELE_CACHE:-$HOME/.cache/clientele}
STATE=${CLIENTELE_INFRA_DIR:-$CACHE/run}
HOST=127.0.0.1
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
MONGO_PORT=${MONGO_PORT:-27017}

say() { printf '%s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Wall-clock timing: now_us, then since START -> "7.1s".
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
since() {
  local tenths=$((($(now_us) - $1) / 100000))
  echo "$((tenths / 10)).$((tenths % 10))s"
}

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# probe kafka|mongo PORT: a real protocol round trip (see infra/probe.py).
probe() { python3 "$INFRA_SRC/probe.py" "$1" "$HOST:$2"; }

# running_pid NAME PATTERN: print the pid recorded in $STATE/NAME.pid if that process is
# alive and its command line contains PATTERN (guards against recycled pids).
running_pid() {
  local pidfile=$STATE/$1.pid pid cmdline
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) && [[ $cmdline == *"$2"* ]] || return 1
  echo "$pid"
}

# start_detached NAME PORT WORKDIR LOGFILE CMD...: run CMD in its own session, immune to
# the terminal going away, output appended to LOGFILE; its pid goes to $STATE/NAME.pid
# and the port it serves to $STATE/NAME.port.
start_detached() {
  local name=$1 port=$2 workdir=$3 log=$4
  shift 4
  (cd "$workdir" && exec setsid nohup "$@") >>"$log" 2>&1 </dev/null 9>&- &
  echo "$!" >"$STATE/$name.pid"
  echo "$port" >"$STATE/$name.port"
}

forget() { rm -f "$STATE/$1.pid" "$STATE/$1.port"; }
our_port() { cat "$STATE/$1.port" 2>/dev/null || echo "?"; }

# started_alive NAME: the process we have just started still exists. Right after the fork
# its command line is not the service's yet, so running_pid would report it dead.
started_alive() { kill -0 "$(<"$STATE/$1.pid")" 2>/dev/null; }

# stop_service NAME PATTERN: SIGTERM, up to 20 s grace, then SIGKILL. Only touches a
# process we started (pid file + command line match).
stop_service() {
  local name=$1 pid i
  if ! pid=$(running_pid "$1" "$2"); then
    forget "$name"
    say "$name: not running (nothing started by us)"
    return 0
  fi
  say "$name: stopping pid $pid…"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    running_pid "$1" "$2" >/dev/null || break
    sleep 0.1
  done
  if running_pid "$1" "$2" >/dev/null; then
    say "$name: still alive after 20s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  forget "$name"
  say "$name: stopped"
}

# already_up NAME PATTERN PORT KIND PORT_VAR: succeeds when nothing needs starting,
# fails when the service must be started, exits on a port conflict.
already_up() {
  local name=$1 port=$3 kind=$4 pid
  if pid=$(running_pid "$1" "$2"); then
    [[ $(our_port "$name") == "$port" ]] ||
      die "$name: we already run it (pid $pid) on port $(our_port "$name"), not $port; run 'down' first or use another CLIENTELE_INFRA_DIR"
    probe "$kind" "$port" ||
      die "$name: pid $pid is running but $HOST:$port does not answer (still starting, or started with other ports?); see $STATE/$name/$name.log or run 'down'"
    say "$name: already running (pid $pid) on $HOST:$port"
    return 0
  fi
  forget "$name"
  port_open "$port" || return 1
  probe "$kind" "$port" ||
    die "$name: port $HOST:$port is taken by a process that is not a working $kind server; free it or set $5"
  say "$name: already available on $HOST:$port, not started by us"
}

# startup_failed NAME PATTERN LOGFILE REASON: show the log tail, stop the leftover, exit 1.
startup_failed() {
  printf '%s: %s; last 30 lines of %s:\n' "$1" "$4" "$3" >&2
  tail -n 30 "$3" >&2 || true
  if started_alive "$1"; then stop_service "$1" "$2" >&2; else forget "$1"; fi
  die "$1 did not start"
}

# wait_started NAME PATTERN LOGFILE DEADLINE TIMEOUT_S PAUSE CHECK...: run CHECK every
# PAUSE seconds until it succeeds; startup_failed if the process exits or SECONDS passes
# DEADLINE (TIMEOUT_S is only for the message).
wait_started() {
  local name=$1 pattern=$2 log=$3 deadline=$4 timeout_s=$5 pause=$6
  shift 6
  until "$@"; do
    started_alive "$name" || startup_failed "$name" "$pattern" "$log" "exited during startup"
    ((SECONDS < deadline)) || startup_failed "$name" "$pattern" "$log" "not ready after ${timeout_s}s"
    sleep "$pause"
  done
}

status_line() { # NAME PATTERN PORT KIND DATA_DIR
  local pid port
  if pid=$(running_pid "$1" "$2"); then
    port=$(our_port "$1")
    if probe "$4" "$port"; then
      printf '%-8s running  pid %-7s %s:%s  data %s\n' "$1" "$pid" "$HOST" "$port" "$5"
    else
      printf '%-8s starting pid %-7s %s:%s  data %s (not answering)\n' "$1" "$pid" "$HOST" "$port" "$5"
      return 1
    fi
  elif probe "$4" "$3"; then
    printf '%-8s running  pid -       %s:%s  (not started by us)\n' "$1" "$HOST" "$3"
  else
    printf '%-8s stopped  pid -       %s:%s  data %s\n' "$1" "$HOST" "$3" "$5"
    return 1
  fi
}

# shellcheck source=SCRIPTDIR/kafka.sh
source "$INFRA_SRC/kafka.sh"
# shellcheck source=SCRIPTDIR/ferretdb.sh
source "$INFRA_SRC/ferretdb.sh"

usage() {
  cat >&2 <<EOF
usage: infra/local.sh COMMAND
  up              start Kafka and FerretDB (installs binaries into $CACHE if missing)
  down [--purge]  stop what we started; --purge also deletes their data and logs
  purge           same as down --purge
  status          one line per component; exit 3 if something is not running
  env             print KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL
  restart-kafka   stop + start Kafka, keeping its data
  restart-store   stop + start FerretDB, keeping its data
  stop-kafka      stop Kafka only, keeping its data (an outage; 'up' ends it)
  stop-store      stop FerretDB only, keeping its data (an outage; 'up' ends it)
  up-store        start FerretDB only (a private store for a test of the store itself)
EOF
  exit 2
}

purge() {
  say "purging data and logs in $KAFKA_DIR and $FERRETDB_DIR"
  rm -rf "$KAFKA_DIR" "$FERRETDB_DIR"
}

main() {
  local cmd=${1:-}
  [[ -n $cmd ]] || usage
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock" # one invocation at a time per state dir
  flock 9
  case $cmd in
  up)
    kafka_up
    ferretdb_up
    ;;
  down)
    kafka_stop
    ferretdb_stop
    if [[ ${2:-} == --purge ]]; then purge; fi
    ;;
  purge)
    kafka_stop
    ferretdb_stop
    purge
    ;;
  status)
    local rc=0
    kafka_status || rc=3
    ferretdb_status || rc=3
    return "$rc"
    ;;
  env)
    say "KAFKA_BOOTSTRAP_SERVERS=$HOST:$KAFKA_PORT"
    say "MONGODB_URL=mongodb://$HOST:$MONGO_PORT"
    ;;
  restart-kafka)
    kafka_stop
    kafka_up
    ;;
  restart-store)
    ferretdb_stop
    ferretdb_up
    ;;
  stop-kafka) kafka_stop ;;
  stop-store) ferretdb_stop ;;
  up-store) ferretdb_up ;;
  *) usage ;;
  esac
}

main "$@"
