#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, run the whole suite.
#   RF_SANITIZE=1       build with ASan + UBSan into build-asan/ and run the suite there instead
#                       (scripts/sanitize.sh)
#   RF_FUZZ_SECONDS=N   then run each fuzz target for N seconds (scripts/fuzz.sh, clang)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ "${RF_SANITIZE:-0}" = 1 ]; then
  bash scripts/sanitize.sh
else
  bash scripts/build.sh
  ctest --test-dir "${RF_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
fi
if [ -n "${RF_FUZZ_SECONDS:-}" ]; then
  bash scripts/fuzz.sh "$RF_FUZZ_SECONDS"
fi
