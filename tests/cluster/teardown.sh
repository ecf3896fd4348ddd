#!/usr/bin/env bash
# cluster_stop: removes the cluster the tests shared, whatever they left running (CTest runs it
# after them, also when they failed); its logs stay in STATE_DIR/log for a failed run to read.
# Usage: teardown.sh SOURCE_DIR STATE_DIR
set -u
top=$1 state=$2
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "SKIP: not root or no ip: no cluster was started"; exit 77; }
exec "$top/scripts/cluster/stop.sh" --state "$state" --keep-logs
