# shellcheck shell=bash
# Starting io_server for a script: on a port the system picks, its URL read from what it prints.
# cs_server_start LOG SERVER [ARGS...]: runs SERVER --listen 127.0.0.1:0 ARGS... in the
# background, its output in LOG; sets server_pid and url (http://127.0.0.1:PORT/), or returns 1
# with url empty when no URL came within five seconds.
cs_server_start() {
  local log=$1 server=$2
  shift 2
  "$server" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  server_pid=$!
  url=
  for _ in $(seq 100); do
    url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$log")
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  return 1
}
