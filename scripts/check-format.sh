#!/usr/bin/env bash
# Fails when a C++ or CUDA source differs from what clang-format-14 makes of it with the
# repository's .clang-format (run by the suite as CTest format_clean). The fix:
#   git ls-files '*.h' '*.cpp' '*.cu' '*.cuh' | xargs clang-format-14 -i
set -euo pipefail
cd "$(dirname "$0")/.."
formatter=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$formatter" ]; then
  echo "check-format: clang-format-14 is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
git ls-files --cached --others --exclude-standard -- '*.h' '*.cpp' '*.cu' '*.cuh' \
  | xargs "$formatter" --dry-run --Werror
echo "check-format: every source is formatted"
