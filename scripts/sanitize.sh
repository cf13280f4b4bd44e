#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (-fno-sanitize-recover=all:
# the first report fails the test) into build-asan/ and runs the whole test suite there. Extra
# arguments go to ctest (e.g. -R reliability).
#
# -O1 rather than the asan preset's -O0: the enumerator and fingerprint tests run several times
# faster, and ASan's own docs recommend -O1 for usable stack traces at reasonable speed. CUDA is
# left out: its runtime and ASan's shadow memory do not mix without special options.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${RF_ASAN_BUILD_DIR:-build-asan}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DRF_SANITIZE=ON -DRF_WITH_CUDA=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
# halt_on_error: any report is a failure; the child processes the tests start inherit this.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"
