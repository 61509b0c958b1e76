#!/usr/bin/env bash
# Runs a command in a new, private network namespace whose only interface is loopback.
# Usage: netns.sh COMMAND [ARGS...]
set -eu
if [ "${TETHER_IN_NETNS:-}" = 1 ]; then exec "$@"; fi
export TETHER_IN_NETNS=1
exec unshare --net -- bash -c 'ip link set lo up && exec "$@"' netns "$@"
