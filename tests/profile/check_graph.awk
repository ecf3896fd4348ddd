# Checks every block of a corescale profile (results/README.md, "Profiles"); prints one line per
# problem and a summary line "blocks=B tasks=T parts=P messages=M"; exits 1 on any problem.
#   - the first items= tasks are the items, with no dependencies, each depended on once;
#   - every dependency is an earlier task;
#   - combines: items - 1 (plus one when the MPI root was shared: one split, one join),
#     each on exactly two tasks;
#   - a part depends on one combine or segment, a segment on parts only;
#   - every recv on one send of the same bytes, as many sends as recvs;
#   - exactly one task (the root, or the message bringing it to rank 0) nobody depends on;
#     every other task is depended on once, except the tasks whose parts fork from them
#     (depended on by those parts only) and, when the root was shared, the two halves
#     whose partials are both sent and used (twice).
function problem(msg) { printf "block %d (%s): %s\n", blocks, head, msg; bad = 1 }
function flush(   i, roots, twice) {
  if (!blocks) return
  if (n != tasks) problem("tasks= says " tasks ", found " n)
  if (count["combine"] + 0 != items - 1 + count["split"]) problem(count["combine"] + 0 " combines for " items " items")
  if (count["split"] + 0 != count["join"] + 0 || count["split"] > 1) problem("split/join " count["split"] + 0 "/" count["join"] + 0)
  if (count["send"] + 0 != count["recv"] + 0) problem(count["send"] + 0 " sends, " count["recv"] + 0 " recvs")
  roots = 0; twice = 0
  for (i = 1; i <= n; i++) {
    if (i <= items && kind[i] != "item") problem("task " i " is a " kind[i] ", expected an item")
    if (i > items && kind[i] == "item") problem("task " i " is an item after the first " items)
    if (kind[i] == "item" && ndeps[i] != 0) problem("item " i " has dependencies")
    if (kind[i] == "combine" && ndeps[i] != 2) problem("combine " i " depends on " ndeps[i] " tasks")
    if (kind[i] == "part" && (ndeps[i] != 1 || (kind[dep[i, 1]] != "combine" && kind[dep[i, 1]] != "segment")))
      problem("part " i " does not depend on one combine or segment")
    if (kind[i] == "segment") for (j = 1; j <= ndeps[i]; j++) if (kind[dep[i, j]] != "part") problem("segment " i " depends on a " kind[dep[i, j]])
    if (kind[i] == "recv" && (ndeps[i] != 1 || kind[dep[i, 1]] != "send" || bytes[dep[i, 1]] != bytes[i]))
      problem("recv " i " is not on one send of its bytes")
    if (!users[i]) roots++
    else if (forks[i]) { if (users[i] != forks[i]) problem("task " i " has parts and other dependents") }
    else if (users[i] == 2) twice++
    else if (users[i] != 1) problem("task " i " is depended on " users[i] " times")
  }
  if (roots != 1) problem(roots " tasks nobody depends on, expected 1 (the root)")
  if (twice > 2 * count["split"]) problem(twice " tasks depended on twice")
  total += n; parts += count["part"]; messages += count["recv"]
}
/^# block / {
  flush(); blocks++; head = substr($0, 9); n = 0; delete kind; delete ndeps; delete dep; delete users
  delete forks; delete count; delete bytes
  items = -1; tasks = -1
  for (f = 3; f <= NF; f++) { split($f, kv, "="); if (kv[1] == "items") items = kv[2]; if (kv[1] == "tasks") tasks = kv[2] }
  next
}
/^#/ { next }
{
  if (NF != 8) { problem("line " NR ": " NF " fields"); next }
  n++
  if ($1 != n) problem("line " NR ": id " $1 ", expected " n)
  kind[n] = $2; bytes[n] = $7; count[$2]++
  if ($6 + 0 < $5 + 0) problem("line " NR ": ends before it starts")
  ndeps[n] = 0
  if ($8 != "-") {
    ndeps[n] = split($8, d, ",")
    for (j = 1; j <= ndeps[n]; j++) {
      dep[n, j] = d[j]
      if (d[j] + 0 >= n) problem("line " NR ": depends on a later task " d[j])
      users[d[j]]++
      if ($2 == "part") forks[d[j]]++
    }
  }
}
END {
  flush()
  if (!blocks) { print "no blocks"; exit 1 }
  printf "blocks=%d tasks=%d parts=%d messages=%d\n", blocks, total, parts, messages
  exit bad
}
