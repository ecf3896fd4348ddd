#!/usr/bin/env bash
# Runs a command and checks its exit status and its first line on stderr.
# Usage: expect.sh CODE MESSAGE -- COMMAND [ARG]...
#   MESSAGE is matched exactly, or as a prefix when it ends in '...'; 'SILENT' expects
#   nothing on stderr.
#   With CODE 2 nothing may reach stdout: a usage error stops before any work.
set -u
want_code=$1 want_msg=$2
[ "$want_msg" = SILENT ] && want_msg=""
shift 2
[ "$1" = "--" ] && shift
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
code=$?
first=$(head -n 1 "$err")
ok=1
if [ "$code" != "$want_code" ]; then
  echo "FAIL: exit status $code, expected $want_code"; ok=0
fi
case "$want_msg" in
  *...) [ "${first#"${want_msg%...}"}" != "$first" ] || [ -z "${want_msg%...}" ] ||
          { echo "FAIL: stderr starts '$first', expected prefix '${want_msg%...}'"; ok=0; } ;;
  *) [ "$first" = "$want_msg" ] || { echo "FAIL: stderr '$first', expected '$want_msg'"; ok=0; } ;;
esac
if [ "$want_code" = 2 ] && [ -s "$out" ]; then
  echo "FAIL: a usage error printed to stdout (work started?):"; head -3 "$out"; ok=0
fi
if [ $ok = 1 ]; then
  echo "ok: $* -> $code: $first"
  exit 0
fi
echo "command: $*"; echo "stderr:"; cat "$err"
exit 1
