#!/usr/bin/env bash
# Fails when docs/FILES.md is not what scripts/file-map.sh generates from the tree (a file added,
# removed or renamed, or its opening comment changed, without regenerating the map). Run by the
# suite (CTest test file_map_current); the fix is `bash scripts/file-map.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
bash scripts/file-map.sh "$fresh"
if ! diff -u docs/FILES.md "$fresh"; then
  echo "docs/FILES.md is stale: run bash scripts/file-map.sh and commit the result" >&2
  exit 1
fi
