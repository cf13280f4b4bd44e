#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang + ASan + UBSan) into build-fuzz/ and runs each for
# SECONDS (default 30), starting from fuzz/corpus/<format>/. Exits non-zero on the first crash,
# leaving the input that caused it in build-fuzz/artifacts/. Prints each target's executions.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     targets: native tensat taso flexflow (onnx)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
build_dir=${RF_FUZZ_BUILD_DIR:-build-fuzz}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(native tensat taso flexflow)
  [ -f applier/onnx_import.cpp ] && targets+=(onnx)
fi

# Debian's clang-14 and libclang-rt-14-dev (scripts/install-deps.sh) carry libFuzzer. The
# compiler is chosen once, when the build tree is first configured (changing it later would
# make CMake throw the tree away).
compilers=()
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cc=clang-14 cxx=clang++-14
  command -v "$cxx" >/dev/null || cc=clang cxx=clang++
  compilers=(-DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx")
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${compilers[@]}" \
  -DRF_FUZZ=ON -DRF_WITH_CUDA=OFF -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")

mkdir -p "$build_dir/artifacts"
for t in "${targets[@]}"; do
  # The working corpus grows in the build tree; the seeds in fuzz/corpus stay as committed.
  work="$build_dir/corpus/$t"
  mkdir -p "$work"
  log="$build_dir/fuzz_$t.log"
  echo "fuzz_$t: ${seconds}s" >&2
  # -timeout: one input taking over 60 s is a hang (every seed takes well under a second; the
  # limit is wall-clock, and 10 s reported a false hang on a 2-core machine whose other core's
  # work starved a niced fuzzer); -rss_limit_mb: a blow-up is a finding too.
  if ! "$build_dir/fuzz/fuzz_$t" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" -timeout=60 \
      -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 -artifact_prefix="$build_dir/artifacts/$t-" \
      >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz_$t: FAILED (input saved under $build_dir/artifacts/, log $log)" >&2
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz_$t: ok, $execs executions in ${seconds}s ($rate/s), corpus $(ls "$work" | wc -l) inputs" >&2
done
