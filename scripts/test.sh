#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test (Release),
# then builds and runs the unit tests again under AddressSanitizer and UBSan, then runs
# each fuzz target for a fixed number of executions (clang, libFuzzer).
# Exits non-zero on any failure.
# Usage: scripts/test.sh   (no arguments; any other is refused before anything is installed)
set -euo pipefail
prog=test
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) cs_die_usage "unknown option '$1' (see --help)" ;;
    *) cs_die_usage "unexpected argument '$(cs_shown "$1")' (see --help)" ;;
  esac
done

scripts/deps.sh

# Open MPI refuses root and oversubscription unless told; the tests need both.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

# The cluster tests (label cluster) stop their cluster themselves (a CTest fixture); should ctest
# itself be stopped midway, nothing of it stays running either.
cluster_state=$top/build/cluster-state
trap '[ -d "$cluster_state" ] && scripts/cluster/stop.sh --state "$cluster_state" --keep-logs >/dev/null 2>&1' EXIT

status=0
echo "== test: Release build and every test"
scripts/build.sh "$top/build"
(cd build && ctest --output-on-failure -j2 --timeout 600) || status=1

echo "== test: unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
CS_BUILD_TYPE=Debug scripts/build.sh "$top/build-sanitize" -DCS_SANITIZE=ON
(cd build-sanitize && ctest --output-on-failure -j2 --timeout 900 -L unit) || status=1

echo "== test: fuzz targets, a fixed 200000 executions each from the seed corpus (scripts/fuzz.sh)"
scripts/fuzz.sh --runs 200000 --seed 1 --build "$top/build-fuzz" || status=1

if [ $status -ne 0 ]; then
  echo "test: FAILED" >&2
else
  echo "test: all passed"
fi
exit $status
