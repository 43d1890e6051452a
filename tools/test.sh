#!/bin/sh
# The whole test suite, as CI runs it: set up, then
#   1. a normal build and every ctest (unit, protocol suites, end-to-end, fuzz seeds);
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer (leaks are errors);
#   3. the libFuzzer targets, built with clang, each run briefly.
# Set WFRUN_QUICK=1 to run only stage 1.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh
jobs=$(nproc)

echo "== build and test" >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null
ctest --test-dir build --output-on-failure -j"$jobs"
[ "${WFRUN_QUICK:-0}" = 1 ] && exit 0

echo "== AddressSanitizer + UndefinedBehaviorSanitizer" >&2
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWFRUN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzz targets (libFuzzer, ${WFRUN_FUZZ_SECONDS:-10}s each)" >&2
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWFRUN_FUZZ=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-fuzz -j"$jobs" >/dev/null
for target in build-fuzz/tests/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus=$(mktemp -d)
    cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
    echo "-- $name" >&2
    "$target" -max_total_time="${WFRUN_FUZZ_SECONDS:-10}" -rss_limit_mb=2048 "$corpus" 2>fuzz.log || {
        tail -n 40 fuzz.log >&2; rm -rf "$corpus"; exit 1; }
    tail -n 1 fuzz.log >&2
    rm -rf "$corpus"
done
rm -f fuzz.log
echo "all stages passed" >&2
