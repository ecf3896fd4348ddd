#!/usr/bin/env bash
# The main job: installs what is missing, builds, runs the default workload.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh
scripts/build.sh "$top/build"
build/drivers/cpu_serial "$@"
