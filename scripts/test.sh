#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, run the whole suite
# three ways:
#   1. the optimised build (build/) and its CTest suite;
#   2. the same suite built with ASan + UBSan, -fno-sanitize-recover=all (build-asan/,
#      scripts/sanitize.sh): any report fails the run;
#   3. each libFuzzer target for RF_FUZZ_SECONDS seconds (build-fuzz/, scripts/fuzz.sh, clang).
# For a quick local run of step 1 alone: RF_SANITIZE=0 RF_FUZZ_SECONDS=0 bash scripts/test.sh
#   RF_SANITIZE=0       skip step 2
#   RF_FUZZ_SECONDS=N   seconds per fuzz target in step 3 (default 30; 0 skips it)
#   RF_BUILD_DIR=DIR    step 1's build directory (default build)
# Each step's end goes to stderr as seconds since the start: CI has 2 cores and 90 minutes for
# this command, and each CTest suite must stay under 15 (docs/reliability.md has the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "test.sh: $1 finished at $((SECONDS - start)) s" >&2; }
bash scripts/install-deps.sh
step "install-deps"
bash scripts/build.sh
step "build"
ctest --test-dir "${RF_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
step "suite"
if [ "${RF_SANITIZE:-1}" != 0 ]; then
  bash scripts/sanitize.sh
  step "sanitizer build and suite"
fi
fuzz_seconds=${RF_FUZZ_SECONDS:-30}
if [ "$fuzz_seconds" != 0 ]; then
  bash scripts/fuzz.sh "$fuzz_seconds"
  step "fuzz build and runs"
fi
