#!/usr/bin/env bash
# `make run`: starts tetherd on 127.0.0.1:${DNS_PORT:-5353} with its SQLite store in var/tether,
# and on first start loads the demo zone and makes a demo TSIG key for nsupdate.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DNS_PORT:-5353}
data=var/tether
mkdir -p "$data"

build/tetherd --data-dir "$data" --dns "127.0.0.1:$port" --dns "[::1]:$port" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM

tether() { build/tether --data-dir "$data" "$@"; }
if ! tether zone list | grep -q '^dyn\.example\.net\.'; then
  tether zone add dyn.example.net --import demo/dyn.example.net.zone >/dev/null
  tether key add demo-key | sed -n '/^key /,$p' > "$data/demo-key.conf"
  tether key grant demo-key dyn.example.net --subtree home.dyn.example.net
  echo "demo: zone dyn.example.net and TSIG key demo-key ($data/demo-key.conf) created"
fi

cat <<TXT

tetherd is running (pid $pid); Ctrl-C stops it. Try:

  dig @127.0.0.1 -p $port home.dyn.example.net A
  printf 'server 127.0.0.1 $port\nupdate delete home.dyn.example.net A\nupdate add home.dyn.example.net 60 A 198.51.100.23\nsend\n' \\
    | nsupdate -k $data/demo-key.conf
  dig @127.0.0.1 -p $port home.dyn.example.net A +short
  build/tether --data-dir $data zone list

TXT
wait $pid
