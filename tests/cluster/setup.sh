#!/usr/bin/env bash
# cluster_start: starts the three-node cluster the cluster tests share (scripts/cluster/start.sh),
# or says in one line why none can run here and exits 77 (CTest: skipped).
# Usage: setup.sh SOURCE_DIR STATE_DIR
set -u
top=$1 state=$2
# shellcheck source=scripts/cluster/lib.sh
. "$top/scripts/cluster/lib.sh"
why=$(cs_cluster_unsupported)
if [ -n "$why" ]; then
  echo "SKIP: no cluster here: $why"
  exit 77
fi
exec "$top/scripts/cluster/start.sh" --state "$state" --nodes 3 --rate none
