#!/usr/bin/env bash
# Installs the Debian packages ruleforge builds with, only those missing; quiet when all are present.
# Run as root (or with sudo available). Idempotent.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config g++ git python3
  libz3-dev z3 libcvc5-dev cvc5
  libboost-program-options-dev libsqlite3-dev sqlite3
  libopenmpi-dev openmpi-bin
  libprotobuf-dev protobuf-compiler libonnx-dev
  nlohmann-json3-dev libxxhash-dev catch2
  libopenblas-dev libtcmalloc-minimal4
  graphviz
  chromium
  clang-14 libclang-rt-14-dev libomp-14-dev clang-format-14
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm is its own Debian package, but NodeSource's nodejs carries it: ask for it only when absent.
command -v npm >/dev/null 2>&1 || missing+=(npm)

# ONNX Runtime for the consumer test (tests/consumers/onnxruntime): the npm package carries the
# CPU library for linux x64; --ignore-scripts skips its install script, which would download
# the CUDA libraries.
install_onnxruntime() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/consumers/onnxruntime"
  [ -d "$dir/node_modules/onnxruntime-node" ] && return 0
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
}

if [ ${#missing[@]} -eq 0 ]; then
  install_onnxruntime
  exit 0
fi

echo "installing: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_onnxruntime
