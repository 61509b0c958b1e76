#!/usr/bin/env bash
# Runs a command in a new, private network namespace whose only interface is loopback.
# Usage: netns.sh COMMAND [ARGS...]
# Clients' automatic source ports come from 40000-60999 there; the servers the tests start
# take ports below that (tetherlib.free_port), so a client never shares a server's port.
set -eu
if [ "${TETHER_IN_NETNS:-}" = 1 ]; then exec "$@"; fi
export TETHER_IN_NETNS=1
exec unshare --net -- bash -c \
  'ip link set lo up && { sysctl -qw net.ipv4.ip_local_port_range="40000 60999" || true; } && exec "$@"' \
  netns "$@"
