#!/usr/bin/env bash
# Configures and builds corescale into a build directory (default build/).
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
shift || true
mkdir -p "$dir"
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE="${CS_BUILD_TYPE:-Release}" "$@" >"$dir/configure.log" 2>&1 ||
  { cat "$dir/configure.log" >&2; echo "build: cmake configure failed (log above)" >&2; exit 1; }
cmake --build "$dir" -j"$(nproc)"
