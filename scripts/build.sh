#!/usr/bin/env bash
# Configures and builds edgepipe. Usage: scripts/build.sh [release|debug|sanitize] (default release).
#   release   build/           GCC, -O2, no -march (SIMD dispatched at run time)
#   debug     build-debug/
#   sanitize  build-sanitize/  clang, AddressSanitizer + UndefinedBehaviorSanitizer, the tests and
#                              the libFuzzer targets in one build (coverage-instrumented libraries)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
case "$preset" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug) dir=build-debug; flags=(-DCMAKE_BUILD_TYPE=Debug) ;;
  sanitize) dir=build-sanitize; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEPIPE_BUILD_FUZZ=ON -DEDGEPIPE_BUILD_BENCH=OFF
                                       -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: $0 [release|debug|sanitize]" >&2; exit 2 ;;
esac
# CI builds the release preset warning-free (-Werror, GCC); the sanitize build is
# there for its run-time checks and keeps clang's extra warnings as warnings.
if [ "${CI:-}" = "true" ] && [ "$preset" = "release" ]; then
  flags+=(-DEDGEPIPE_WERROR=ON)
else
  flags+=(-DEDGEPIPE_WERROR=OFF)
fi
jobs="${EDGEPIPE_JOBS:-2}"
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$jobs"
