#!/usr/bin/env bash
# Bad input under mpirun: expect.sh's checks (exit status, the message, nothing on
# stdout), and the job says it once: at most one line on stderr, rank 0's.
# Usage: one_message.sh CODE MESSAGE -- COMMAND [ARG]...
set -u
code=$1 message=$2
shift 2
[ "$1" = "--" ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/code"
echo "command: $*"
# expect.sh judges the recorded run as if it were the command.
"$(dirname "$0")/../e2e/expect.sh" "$code" "$message" -- \
  sh -c 'cat "$1/out"; cat "$1/err" >&2; exit "$(cat "$1/code")"' replay "$tmp" || exit 1
lines=$(wc -l <"$tmp/err")
[ "$lines" -le 1 ] || { echo "FAIL: $lines lines on stderr, expected rank 0's one:"; cat "$tmp/err"; exit 1; }
