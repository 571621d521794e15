#!/usr/bin/env bash
# Installs what is missing (redis-server as the test oracle, clang for the sanitizers),
# then proves the code (README.md, "Tests"):
#   1. build-asan/: everything built by clang with AddressSanitizer + UndefinedBehavior-
#      Sanitizer (and libFuzzer coverage); every test runs there, then each fuzz target
#      for FUZZ_SECONDS (default 60) from its seed corpus;
#      then GCC -O2 is checked to keep the look ahead's prefetches (scripts/check-prefetch.sh),
#      and the Debian packages made from that build are checked (scripts/check-package.sh);
#   2. build-tsan/: minired-server and the client library's tests built by GCC with
#      ThreadSanitizer; the integration tests that drive the server from many clients
#      and threads (TSAN_TESTS), and the client library's, run against it.
# A sanitizer report from any process, a test or a server it started, fails the run.
# The release build (scripts/build.sh, build/) runs the same tests with
# `ctest --test-dir build`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error

reports=$(mktemp -d)  # every process writes its sanitizer reports here
trap 'rm -rf "$reports" "$reports.tsan-build.log"' EXIT
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:halt_on_error=1:print_stacktrace=1"
# detect_deadlocks=0: its lock-order detector holds at most 64 locks per thread, and a
# snapshot locks all 128 shards at once (in order, so never a deadlock).
export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:detect_deadlocks=0:suppressions=$PWD/tests/tsan.supp"

check_reports() {
  if compgen -G "$reports/*" >/dev/null; then
    echo "sanitizer reports ($1):" >&2
    for f in "$reports"/*; do echo "== $f" >&2; head -n 80 "$f" >&2; done
    exit 1
  fi
  echo "no sanitizer reports ($1)"
}

# 1. AddressSanitizer + UndefinedBehaviorSanitizer: the whole suite, then the fuzzers.
# The ThreadSanitizer server builds meanwhile (the suite waits on sockets and timers
# often enough to leave it a core).
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DMINIRED_SANITIZE=address,undefined -DMINIRED_FUZZ=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DMINIRED_SANITIZE=thread \
  -DMINIRED_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan -j1 --target minired-server client_tests >"$reports.tsan-build.log" 2>&1 &
tsan_build=$!
ctest --test-dir build-asan --output-on-failure -j2 --timeout 600
check_reports "ASan+UBSan test suite"
# The release build is GCC's, whose optimizer the look ahead's prefetches must survive.
scripts/check-prefetch.sh
scripts/fuzz.sh build-asan "${FUZZ_SECONDS:-60}"
check_reports "fuzzers"
# The Debian packages, made from this build so the packaging cannot rot: their contents
# and dependencies, the unit's ExecStart reporting READY=1, the installed client library
# used by another project (scripts/check-package.sh).
scripts/check-package.sh build-asan
check_reports "packages"

# 2. ThreadSanitizer: the server's threads (I/O, log writer, snapshots, replication,
# eviction, lazy free) under the tests that exercise them together, in two shards at
# once. Left out: the tests whose point is volume (1 GB, a million keys), ten times
# slower under TSan, whose threads the smaller tests already drive.
wait "$tsan_build" || { cat "$reports.tsan-build.log" >&2; exit 1; }
volume=Eviction.WritingOneGigabyteKeepsUsedMemoryAtTheLimit:Eviction.ALongEvictionStepIsALatencyEvent
volume+=:Eviction.MemoryUsageOfEveryTypeMatchesTheMeasuredGrowth:Persistence.ClientsGetLoadingWhileTheDataSetLoads
volume+=:Replication.AFullSyncOfAMillionKeysCompletesUnderWriteLoad:*ServerTest.ExpiredKeysAreReclaimedWithoutBeingTouched/*
filter="${TSAN_TESTS:-*/ServerTest.*:ServerStartup.*:Tls.*:MessagingTest.*:ClientControls.*:Persistence.*:Replication.*:Eviction.*:ClientLimits.*:AccessLimits.*:Scripting*:ScriptAtomicity.*:BusyScript*:Function*:StreamsInUse.*:Streams.Blocked*:SortAtomicity.*:Tracking.*:Notifications.Expired*:Notifications.Evicted*:Notifications.Transactions*:RdbImport.*:MixedReplication.RedisCli*:MixedReplication.AStream*:-$volume}"
shards=()
for i in 0 1; do
  MINIRED_SERVER="$PWD/build-tsan/server/minired-server" GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$i \
    build-asan/tests/integration_tests --gtest_filter="$filter" --gtest_brief=1 &
  shards+=($!)
done
failed=0
for pid in "${shards[@]}"; do wait "$pid" || failed=1; done
check_reports "ThreadSanitizer server"
# The client library's threads (I/O thread, pool, pipelines, pub/sub) under TSan too,
# against the TSan server and redis-server.
MINIRED_SERVER="$PWD/build-tsan/server/minired-server" build-tsan/tests/client_tests --gtest_brief=1 || failed=1
check_reports "ThreadSanitizer client library"
exit "$failed"
