#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, run the whole suite.
#   RF_SANITIZE=1       build with ASan + UBSan into build-asan/ and run the suite there instead
#                       (scripts/sanitize.sh)
#   RF_FUZZ_SECONDS=N   then run each fuzz target for N seconds (scripts/fuzz.sh, clang)
# Each step's end goes to stderr as seconds since the start: CI's budget for this command is
# 15 minutes on 2 cores (docs/reliability.md has the measured figures).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "test.sh: $1 finished at $((SECONDS - start)) s" >&2; }
bash scripts/install-deps.sh
step "install-deps"
if [ "${RF_SANITIZE:-0}" = 1 ]; then
  bash scripts/sanitize.sh
  step "sanitizer build and suite"
else
  bash scripts/build.sh
  step "build"
  ctest --test-dir "${RF_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
  step "suite"
fi
if [ -n "${RF_FUZZ_SECONDS:-}" ]; then
  bash scripts/fuzz.sh "$RF_FUZZ_SECONDS"
  step "fuzz build and runs"
fi
