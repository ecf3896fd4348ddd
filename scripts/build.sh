#!/usr/bin/env bash
# Configures and builds corescale into a build directory (default build/).
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
# CS_BUILD_TYPE: Release (default), Debug, RelWithDebInfo or MinSizeRel. The directory and the
# build type are checked before anything is made (exit 2, one message naming the value).
set -euo pipefail
prog=build
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
case ${1-} in
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) cs_die_usage "'$1': the first argument is the build directory, cmake arguments follow it (see --help)" ;;
esac
[ $# -eq 0 ] || cs_check_path BUILD_DIR "$1"
type=${CS_BUILD_TYPE:-Release}
cs_check_choice CS_BUILD_TYPE "$type" Release Debug RelWithDebInfo MinSizeRel
dir=${1:-$top/build}
shift || true
[ ! -e "$dir" ] || [ -d "$dir" ] || cs_bad_value BUILD_DIR "$dir" "exists and is not a directory"
mkdir -p "$dir"
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >"$dir/configure.log" 2>&1 ||
  { cat "$dir/configure.log" >&2; echo "build: cmake configure failed (log above)" >&2; exit 1; }
cmake --build "$dir" -j"$(nproc)"
