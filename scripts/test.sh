#!/usr/bin/env bash
# README command 2: the whole test suite, as CI runs it (.ci/run calls this).
#   1. Release build: unit, interop (DuckDB, Polars, pandas as references) and e2e tests
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build (clang): the same tests, then
#   3. the libFuzzer targets of that build, each for EDGEPIPE_FUZZ_SECONDS (default 20) on its seed corpus
# Missing reference engines fail the interop tests here (EDGEPIPE_REQUIRE_PEERS=1) instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
export EDGEPIPE_REQUIRE_PEERS=1
start=$(date +%s)

scripts/deps.sh
echo "== release build" >&2
scripts/build.sh release
echo "== release tests" >&2
ctest --test-dir build --output-on-failure -j2 --timeout 900

echo "== asan+ubsan build" >&2
scripts/build.sh sanitize
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== fuzz runs (${EDGEPIPE_FUZZ_SECONDS:-20} s each)" >&2
ctest --test-dir build-sanitize --output-on-failure -L fuzz --timeout 600
echo "== asan+ubsan tests" >&2
ctest --test-dir build-sanitize --output-on-failure -j2 -LE fuzz --timeout 1800

echo "== all suites passed in $(( $(date +%s) - start )) s" >&2
