#!/usr/bin/env bash
# Fuzzes one target briefly from a copy of its seed corpus (the corpus in git is unchanged).
# Usage: fuzz_brief.sh FUZZER CORPUS_DIR SECONDS
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$2/." "$work/"
exec "$1" -max_total_time="$3" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "$work"
