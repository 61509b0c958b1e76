#!/usr/bin/env bash
# pg_server.sh start|stop DIR: the PostgreSQL server the store tests share under ctest (a
# FIXTURES_SETUP / FIXTURES_CLEANUP pair, tests/unit/CMakeLists.txt). `start` makes a fresh
# cluster in DIR, starts it on 127.0.0.1 on a free port (its unix socket in DIR) and writes
# the conninfo to DIR/conninfo, which pg_server.h reads (TETHER_TEST_PG_FILE). Debian's
# initdb and pg_ctl refuse to run as root, so as root they run as `postgres` (runuser).
# Exits non-zero if the server cannot be started: the store tests then fail, never skip.
set -euo pipefail
action=$1
dir=$2
bin=${TETHER_PG_BIN:-/usr/lib/postgresql/15/bin}
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $action in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" != 0 ] || chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U tether -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log"; exit 1; }
    for attempt in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/server.log" \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start >/dev/null; then
        echo "host=127.0.0.1 port=$port user=tether" >"$dir/conninfo"
        echo "PostgreSQL test server on 127.0.0.1:$port ($dir)"
        exit 0
      fi
    done
    cat "$dir/server.log"
    exit 1 ;;
  stop)
    [ ! -f "$dir/data/postmaster.pid" ] || as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    rm -rf "$dir" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
