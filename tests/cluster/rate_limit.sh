#!/usr/bin/env bash
# With the links limited to a rate, the product's comm_s grows as its bytes over that rate say:
# cpu_mpi, class W, one rank on each of node1 and node2, first on free links, then limited.
# A check of the model's direction and rough size, not a timing race: see the bounds below.
# Usage: rate_limit.sh SOURCE_DIR BUILD_DIR STATE_DIR
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"

# 5 Mbit/s: class W's 1.3 MB of partials then take about 2 s, ten times what they take on free
# links even with ranks polling for messages on shared cores.
rate_mbit=5
# The links are lifted again whatever happens here: the other tests share this cluster.
set_rate() { "$top/scripts/cluster/start.sh" --state "$state" --nodes "$nodes" --rate "$1" >/dev/null; }
trap 'set_rate none; rm -rf "$tmp"' EXIT

# run NAME: the rows' comm_s and comm_bytes summed over the cases, as "SECONDS BYTES". Static
# blocks, so that both ranks have items and the partials cross the link in every case.
run() {
  rm -f "$tmp/rows.csv"
  timeout 120 "$top/scripts/cluster/on.sh" --state "$state" head mpirun -np 2 --host node1,node2 \
    --bind-to none "$drivers/cpu_mpi" --kernel product --class W --schedule static --repeat 1 --warmup 0 --quiet \
    --csv "$tmp/rows.csv" >"$tmp/out" 2>&1 || { fail "$1: exit $?"; tail -n 5 "$tmp/out"; return 1; }
  paste -d' ' <(column "$tmp/rows.csv" comm_s) <(column "$tmp/rows.csv" comm_bytes) |
    awk '{ s += $1; b += $2 } END { printf "%.6f %d\n", s, b }'
}

set_rate none || { fail "could not lift the links' limit"; finish; }
read -r free_s free_bytes <<<"$(run "free links")" || finish
set_rate "${rate_mbit}mbit" || { fail "could not limit the links to ${rate_mbit}mbit"; finish; }
read -r limited_s limited_bytes <<<"$(run "links at ${rate_mbit}mbit")" || finish

# The model: the partials' bytes over the link's rate.
model_s=$(awk -v b="$limited_bytes" -v r=$rate_mbit 'BEGIN { printf "%.6f", b / (r * 1e6 / 8) }')
echo "free links: comm_s $free_s for $free_bytes bytes"
echo "at ${rate_mbit}mbit: comm_s $limited_s for $limited_bytes bytes; bytes / rate = $model_s s"
# Lower bound, a quarter of bytes/rate: each direction of a link has its own limit, so the
# exchanges of the shared products may move both ways at once (half), and tbf lets a burst of
# 64 kB pass at full speed. A loaded machine only makes comm_s larger, so this cannot flake;
# and free links give a fraction of it (a missing limit fails here).
# Upper bound, ten times bytes/rate plus ten times the free links' time plus 2 s: generous,
# since on shared cores every wait for a partner can stretch; it still catches a model off by
# an order of magnitude.
verdict=$(awk -v l="$limited_s" -v f="$free_s" -v m="$model_s" 'BEGIN {
  if (l < 0.25 * m) print "below"; else if (l > 10 * m + 10 * f + 2) print "above"; else print "ok" }')
case $verdict in
  ok) ok "comm_s at ${rate_mbit}mbit $limited_s s, within [0.25, 10] x bytes/rate $model_s s (free links: $free_s s)" ;;
  below) fail "comm_s at ${rate_mbit}mbit $limited_s s is below a quarter of bytes/rate $model_s s: the limit did not slow the partials" ;;
  above) fail "comm_s at ${rate_mbit}mbit $limited_s s is far above bytes/rate $model_s s (free links: $free_s s)" ;;
esac
[ "$limited_bytes" -gt 1000000 ] || fail "comm_bytes $limited_bytes: class W's partials should be over 1 MB"
finish
