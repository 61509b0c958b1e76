#!/usr/bin/env bash
# `make run`: starts tetherd with its SQLite store in var/tether: DNS on
# 127.0.0.1:${DNS_PORT:-5353}, the HTTP update API on 127.0.0.1:${HTTP_PORT:-8080} and HTTPS on
# 127.0.0.1:${HTTPS_PORT:-8443} (a self-signed certificate made on first start). On first
# start it loads the demo zone as a service zone, makes a TSIG key for nsupdate, an account
# `demo` and its host router.dyn.example.net.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DNS_PORT:-5353}
http_port=${HTTP_PORT:-8080}
https_port=${HTTPS_PORT:-8443}
data=var/tether
mkdir -p "$data"

if [ ! -s "$data/demo-tls.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$data/demo-tls.key" -out "$data/demo-tls.crt" 2>/dev/null
  chmod 600 "$data/demo-tls.key"
fi

build/tetherd --data-dir "$data" --dns "127.0.0.1:$port" --dns "[::1]:$port" \
  --http "127.0.0.1:$http_port" --https "127.0.0.1:$https_port" \
  --tls-cert "$data/demo-tls.crt" --tls-key "$data/demo-tls.key" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM

tether() { build/tether --data-dir "$data" "$@"; }
for _ in $(seq 1 100); do [ -S "$data/control.sock" ] && break; sleep 0.1; done
if ! tether zone list | grep -q '^dyn\.example\.net\.'; then
  tether zone add dyn.example.net --service --import demo/dyn.example.net.zone >/dev/null
  tether key add demo-key | sed -n '/^key /,$p' > "$data/demo-key.conf"
  tether key grant demo-key dyn.example.net --subtree home.dyn.example.net
  echo "demo: service zone dyn.example.net and TSIG key demo-key ($data/demo-key.conf) created"
fi
# (A data directory from before the HTTP API has the zone but no account: add it then.)
if ! tether user list | grep -q '^demo\b'; then
  tether user add demo --password demo-password >/dev/null
  tether host add router.dyn.example.net --user demo >/dev/null
  tether token add --user demo | sed -n 's/^token: //p' > "$data/demo-token"
  chmod 600 "$data/demo-token"
  echo "demo: account demo (password demo-password) with host router.dyn.example.net," \
       "API token in $data/demo-token"
fi

cat <<TXT

tetherd is running (pid $pid); Ctrl-C stops it. Try:

  dig @127.0.0.1 -p $port home.dyn.example.net A
  printf 'server 127.0.0.1 $port\nupdate delete home.dyn.example.net A\nupdate add home.dyn.example.net 60 A 198.51.100.23\nsend\n' \\
    | nsupdate -k $data/demo-key.conf
  dig @127.0.0.1 -p $port home.dyn.example.net A +short

  # what a router sends (dyndns2), over HTTP and HTTPS:
  curl -u demo:demo-password 'http://127.0.0.1:$http_port/nic/update?hostname=router.dyn.example.net&myip=192.0.2.77'
  curl --cacert $data/demo-tls.crt -u demo:demo-password \\
    'https://127.0.0.1:$https_port/nic/update?hostname=router.dyn.example.net&myip=2001:db8::77'
  dig @127.0.0.1 -p $port router.dyn.example.net A +short; dig @127.0.0.1 -p $port router.dyn.example.net AAAA +short
  # the REST API with the demo token:
  curl -H "Authorization: Bearer \$(cat $data/demo-token)" http://127.0.0.1:$http_port/api/v1/hosts

  build/tether --data-dir $data zone list
  build/tether --data-dir $data host list

TXT
wait $pid
