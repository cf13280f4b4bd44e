#!/usr/bin/env bash
# Builds tests with ThreadSanitizer (the tsan preset of CMakePresets.json: clang-14 with LLVM's
# libomp, -O1 -g1, -DRF_TSAN=ON, into build-tsan/) and runs the tests that use several threads.
# The first report fails the run (halt_on_error).
#
#   bash scripts/tsan.sh            rf_tsan_tests: the OpenMP enumerator, one solver back-end per
#                                   thread, the database writer's thread (the code below the
#                                   stages; a third of the suite's build)
#   bash scripts/tsan.sh --full     rf_tests and ruleforge as well: adds the parallel loops of
#                                   enumerate --db, prove and discover (the children those start
#                                   are the TSan binary too) and the CPU executor; the whole
#                                   tree is built with TSan
#   bash scripts/tsan.sh [--full] SPEC...   only these Catch2 test specs (names or tags)
#
# OpenMP's barriers and tasks are visible to TSan only through Archer, libomp's TSan tool
# (OMP_TOOL_LIBRARIES below); without it every parallel loop would be reported as a race. That
# is also why clang: GCC's libgomp is not instrumented. Z3, cvc5 and SQLite are not instrumented
# either: TSan judges our code and our calls into them.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-tsan  # the tsan preset's binaryDir
start=$SECONDS
full=0
if [ "${1:-}" = "--full" ]; then
  full=1
  shift
fi

cmake --preset tsan >/dev/null
if [ $full = 1 ]; then
  cmake --build "$build_dir" -j "$(nproc)" --target rf_tests ruleforge
  runner=$build_dir/tests/rf_tests
else
  cmake --build --preset tsan -j "$(nproc)"
  runner=$build_dir/tests/rf_tsan_tests
fi
echo "tsan.sh: build finished at $((SECONDS - start)) s" >&2

archer=$(find /usr/lib/llvm-*/lib -name libarcher.so 2>/dev/null | sort -V | tail -n 1)
if [ -z "$archer" ]; then
  echo "tsan.sh: libarcher.so (LLVM's OpenMP TSan tool, package libomp-14-dev) not found" >&2
  exit 1
fi
export OMP_TOOL_LIBRARIES=$archer
# ignore_noninstrumented_modules: accesses inside libomp, Z3, cvc5 and SQLite themselves are
# not ours to judge (Archer's documented setting). The children the tests start inherit this.
# tests/support/tsan.supp: the one race found in third-party code, with why it is harmless.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$PWD/tests/support/tsan.supp}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}  # several threads even on a 2-core machine

# Catch2 reads a ',' in a spec as "or": names with a comma are given by their start and a '*'.
specs=("$@")
if [ ${#specs[@]} -eq 0 ]; then
  specs=("[enumerator]"
         "backends: one instance per thread*"
         "ruledb: concurrent writers from several threads store every record once")
  if [ $full = 1 ]; then
    specs+=("enumerate --db: what is stored does not depend on the thread count"
            "discover: a small run proves rules and stores them with provenance"
            "prove --db: imported rules are proved or refuted*"
            "cpu executor: distributed graphs run on simulated devices")
  fi
fi
status=0
for spec in "${specs[@]}"; do
  # -w NoTests: a spec that matches nothing (a renamed test) fails instead of passing empty.
  if ! "$runner" -w NoTests "$spec"; then
    echo "tsan.sh: FAILED: $spec" >&2
    status=1
  fi
done
echo "tsan.sh: tests finished at $((SECONDS - start)) s" >&2
exit $status
