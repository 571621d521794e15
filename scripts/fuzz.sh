#!/usr/bin/env bash
# Runs the libFuzzer targets of a -DMINIRED_FUZZ=ON build for a bounded time, side by
# side (each uses one core).
#   scripts/fuzz.sh [build-dir] [seconds per target]     (defaults: build-asan 60)
# Each target starts from its checked-in seed corpus (tests/fuzz/corpus/<target>), with
# its dictionary (tests/fuzz/<target>.dict) where there is one, and writes what it finds
# to a scratch corpus. A crash leaves crash-* in the current folder and fails the run:
# once it is fixed, add that input to the seed corpus (every build replays the corpus
# as a test).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
seconds=${2:-60}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
targets=(request_parser command rdb_payload script snapshot_entry hyperloglog log_segment)

run() {
  local target=$1 bin="$build/tests/${1}_fuzz" dict=()
  [[ -f "tests/fuzz/$target.dict" ]] && dict=(-dict="tests/fuzz/$target.dict")
  mkdir -p "$scratch/$target"
  # -rss_limit_mb: a command may legitimately build a 512 MB string (SETRANGE).
  "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=4096 \
    -print_final_stats=1 "${dict[@]}" "$scratch/$target" "tests/fuzz/corpus/$target" \
    >"$scratch/$target.log" 2>&1
}

pids=()
for target in "${targets[@]}"; do
  [[ -x "$build/tests/${target}_fuzz" ]] ||
    { echo "fuzz.sh: $build/tests/${target}_fuzz is missing (configure with -DMINIRED_FUZZ=ON)" >&2; exit 2; }
  echo "fuzzing $target for ${seconds}s"
  run "$target" &
  pids+=($!)
done
failed=0
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  if ! wait "${pids[$i]}"; then
    failed=1
    echo "fuzz.sh: $target failed:" >&2
    grep -v '^"' "$scratch/$target.log" | tail -n 60 >&2
  fi
  grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)" "$scratch/$target.log" |
    sed "s/^/  $target /" || true
done
exit "$failed"
