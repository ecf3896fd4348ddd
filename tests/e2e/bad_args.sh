#!/usr/bin/env bash
# Every malformed invocation in a table is refused before any work: the exit status the
# row names (2: the command line was wrong), exactly one line on stderr that contains
# the row's text (the option and the value as given), no raw control byte in it, nothing
# on stdout, no file made, and an answer within 20 s (a hang is a failure; no time is
# measured).
# Usage: bad_args.sh DRIVER_DIR BENCH_DIR TABLE [JOBS]
# TABLE: tab-separated NAME, STATUS, TEXT, COMMAND [, SETUP]; '#' lines and blank lines
# skipped. COMMAND and SETUP are bash, run in a fresh empty folder, with $D the drivers,
# $B the bench tools and $MPIRUN an mpirun line for two ranks. A row whose program is
# not built here (no GMP, no MPI) is counted as skipped, not passed. JOBS rows (default
# 4) run at once: most of a row's time is MPI's start-up, waiting, not working.
set -u
LC_ALL=C # messages and byte classes as the C locale has them
D=$(cd "$1" && pwd) B=$(cd "$2" && pwd) table=$3 jobs=${4:-4}
MPIRUN="mpirun -q -np 2 --bind-to none"
export D B MPIRUN
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shopt -s globstar dotglob nullglob

# What a folder holds, every level.
listing() { local f; for f in "$1"/**; do printf '%s\n' "${f#"$1"}"; done; }

# check_row DIR STATUS TEXT COMMAND SETUP: runs one row in DIR/cwd and leaves its verdict
# in DIR/verdict: "ok", or why it failed.
check_row() {
  local dir=$1 status=$2 text=$3 cmd=$4 setup=$5 code before after err
  mkdir -p "$dir/cwd" "$dir/tmp"
  (cd "$dir/cwd" && eval "${setup:-true}") </dev/null >/dev/null 2>&1
  before=$(listing "$dir/cwd")
  # Open MPI's session folder in a row's own TMPDIR: MPI programs starting at once (rows run
  # JOBS at a time, beside other tests) race to make and remove a shared one, and one of
  # them may fail to start ("mkdir ... File exists")
  (cd "$dir/cwd" && TMPDIR="$dir/tmp" timeout 20 bash -c "$cmd") </dev/null >"$dir/out" 2>"$dir/err"
  code=$?
  after=$(listing "$dir/cwd")
  mapfile -t err <"$dir/err"
  {
    if [ "$code" = 124 ]; then
      echo "no answer within 20 s (a hang?)"
    elif [ "$code" != "$status" ]; then
      echo "exit status $code, expected $status; stderr:"; sed 's/^/  | /' "$dir/err"
    elif [ "${#err[@]}" != 1 ]; then
      echo "${#err[@]} lines on stderr, expected one:"; sed 's/^/  | /' "$dir/err"
    elif [[ ${err[0]} != *"$text"* ]]; then
      echo "stderr lacks '$text':"; sed 's/^/  | /' "$dir/err"
    elif [[ ${err[0]} =~ [[:cntrl:]] ]]; then
      echo "a raw control byte on stderr (values must be shown escaped)"
    elif [ -s "$dir/out" ]; then
      echo "output on stdout (work started?):"; head -n 3 "$dir/out" | sed 's/^/  | /'
    elif [ "$before" != "$after" ]; then
      echo "files appeared: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
    else
      echo ok
    fi
  } >"$dir/verdict"
}

rows=0 failed=0 skipped=0 lineno=0 running=0
declare -A seen
declare -a names cmds lines
while IFS=$'\t' read -r name status text cmd setup || [ -n "$name" ]; do
  lineno=$((lineno + 1))
  case "$name" in ''|'#'*) continue ;; esac
  if [ -z "${cmd:-}" ]; then
    echo "FAIL: table line $lineno has fewer than four fields"; failed=$((failed + 1)); continue
  fi
  if [ -n "${seen[$name]:-}" ]; then
    echo "FAIL: table line $lineno repeats the name '$name'"; failed=$((failed + 1)); continue
  fi
  seen[$name]=1
  rows=$((rows + 1))
  names[$rows]=$name cmds[$rows]=$cmd lines[$rows]=$lineno
  prog=""
  if [[ $cmd =~ \$([DB])/([a-z_]+) ]]; then
    if [ "${BASH_REMATCH[1]}" = D ]; then prog=$D/${BASH_REMATCH[2]}; else prog=$B/${BASH_REMATCH[2]}; fi
  fi
  if { [ -n "$prog" ] && [ ! -x "$prog" ]; } ||
     { [[ $cmd == *'$MPIRUN'* ]] && ! command -v mpirun >/dev/null; }; then
    mkdir -p "$tmp/$rows" && echo skipped >"$tmp/$rows/verdict"
    continue
  fi
  check_row "$tmp/$rows" "$status" "$text" "$cmd" "${setup:-}" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done <"$table"
wait

for i in $(seq 1 "$rows"); do
  verdict=$(cat "$tmp/$i/verdict" 2>/dev/null || echo "no verdict (the check itself died)")
  case "$verdict" in
    ok) ;;
    skipped) skipped=$((skipped + 1)) ;;
    *) echo "FAIL [${names[$i]}] (table line ${lines[$i]}): $verdict"
       echo "  command: ${cmds[$i]}"
       failed=$((failed + 1)) ;;
  esac
done
echo "bad_args: $rows rows, $((rows - failed - skipped)) passed, $failed failed, $skipped skipped (program not built here)"
[ "$failed" = 0 ] || exit 1
[ "$rows" -gt "$skipped" ] || exit 77
