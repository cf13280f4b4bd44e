#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir "${RF_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
