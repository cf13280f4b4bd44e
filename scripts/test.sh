#!/usr/bin/env bash
# The README's second command: install what is missing, build the optimised tree (build/, or
# $RF_BUILD_DIR) and run the whole CTest suite. It must stay under 15 minutes on 2 cores (a clean
# build is most of it); the slower checks (ASan + UBSan suite, fuzzing) run after it in .ci/run.
# Each step's end goes to stderr as seconds since the start.
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
