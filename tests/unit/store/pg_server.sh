#!/usr/bin/env bash
# pg_server.sh start|stop STATE_DIR: the PostgreSQL server the store tests share under ctest
# (a FIXTURES_SETUP / FIXTURES_CLEANUP pair, tests/unit/CMakeLists.txt). `start` makes a
# fresh cluster in a new directory under /tmp (the postgres user must reach it, which a build
# tree under /root would not allow), starts it on 127.0.0.1 on a free port (its unix socket
# in that directory) and writes the conninfo to STATE_DIR/conninfo, which pg_server.h reads
# (TETHER_TEST_PG_FILE), and the directory to STATE_DIR/dir. Debian's initdb and pg_ctl
# refuse to run as root, so as root they run as `postgres` (runuser).
# Exits non-zero if the server cannot be started: the store tests then fail, never skip.
set -euo pipefail
action=$1
state=$2
bin=${TETHER_PG_BIN:-/usr/lib/postgresql/15/bin}
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop() {
  [ -f "$state/dir" ] || return 0
  local dir
  dir=$(cat "$state/dir")
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  fi
  rm -rf "$dir"
}

case $action in
  start)
    stop  # a server a killed run left behind
    rm -rf "$state"
    mkdir -p "$state"
    dir=$(mktemp -d /tmp/tether-pg-XXXXXX)
    echo "$dir" >"$state/dir"
    [ "$(id -u)" != 0 ] || chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U tether -E UTF8 --no-sync >"$state/initdb.log" 2>&1 ||
      { cat "$state/initdb.log"; exit 1; }
    for attempt in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/server.log" \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start >/dev/null; then
        echo "host=127.0.0.1 port=$port user=tether" >"$state/conninfo"
        echo "PostgreSQL test server on 127.0.0.1:$port ($dir)"
        exit 0
      fi
    done
    cat "$dir/server.log"
    exit 1 ;;
  stop)
    stop
    rm -rf "$state" ;;
  *) echo "usage: $0 start|stop STATE_DIR" >&2; exit 2 ;;
esac
