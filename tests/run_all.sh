#!/usr/bin/env bash
# Runs the test stages of `make test` in order and prints every stage's ctest summary.
# Usage: tests/run_all.sh [asan|tsan|integration]...   (default: all three)
set -u
cd "$(dirname "$0")/.."
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan tsan integration)
jobs=$(nproc)
summary=()
failed=0

run_stage() {  # name, build dir, cmake args, ninja targets, ctest label
  local name=$1 dir=$2 args=$3 targets=$4 label=$5
  echo "=== $name: configure and build ($dir)"
  local start=$SECONDS
  if ! cmake -S . -B "$dir" -G Ninja $args >/dev/null || ! ninja -C "$dir" $targets; then
    summary+=("$name: BUILD FAILED")
    failed=1
    return
  fi
  echo "=== $name: ctest -L '$label'"
  local log
  log=$(mktemp)
  ctest --test-dir "$dir" -L "$label" --no-tests=error --output-on-failure -j "$jobs" --timeout 900 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E 'tests passed' "$log" | tail -n 1)
  rm -f "$log"
  summary+=("$name: ${line:-no tests ran} ($((SECONDS - start)) s)")
  [ "$rc" = 0 ] || failed=1
}

for stage in "${stages[@]}"; do
  case $stage in
    asan)
      ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run_stage "asan+ubsan unit and fuzz replay" build-asan \
        "-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTETHER_SANITIZE=address -DTETHER_FUZZ=ON" \
        "" "unit|fuzz|concurrency" ;;
    tsan)
      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
      run_stage "tsan concurrency" build-tsan \
        "-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTETHER_SANITIZE=thread" \
        "concurrency_tests api_test" "concurrency" ;;
    integration)
      run_stage "release integration" build \
        "-DCMAKE_BUILD_TYPE=Release" "" "integration" ;;
    *) echo "unknown stage $stage"; exit 2 ;;
  esac
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $failed
