# shellcheck shell=bash
# Checks a script's option values before it does any work; the first bad one ends the script
# with exit 2 and one message on stderr: "<prog>: --<option> '<value>': <why>", the value's
# control bytes written as \xHH. Numbers are read as decimal strings, their length checked before
# any arithmetic (bash's wraps past 2^63), and returned without leading zeros (bash reads 010 as
# octal). The caller sets prog. The reasons match the drivers' own (drivers/runtime/options.c).

# TEXT with its control bytes written as \xHH, so that a message stays one line of plain text.
cs_escape() {
  local LC_ALL=C
  local v=$1 out="" c i
  if [[ $v != *[[:cntrl:]]* ]]; then printf '%s' "$v"; return; fi
  for ((i = 0; i < ${#v}; i++)); do
    c=${v:i:1}
    [[ $c == [[:cntrl:]] ]] && printf -v c '\\x%02x' "'$c"
    out+=$c
  done
  printf '%s' "$out"
}
# VALUE as a message shows it: escaped, and past 200 bytes cut short with its length said.
cs_shown() {
  local LC_ALL=C
  if [ ${#1} -gt 200 ]; then printf '%s...(%d bytes)' "$(cs_escape "${1:0:200}")" ${#1}
  else cs_escape "$1"; fi
}

# The one message of a bad command line, then exit 2.
cs_die_usage() {
  printf '%s: %s\n' "${prog:-corescale}" "$(cs_escape "$1")" >&2
  exit 2
}
# "--OPT 'VALUE': WHY", then exit 2. An OPT in capitals names an argument or a variable
# (REPEAT, SLURM_JOB_NUM_NODES) and is shown as it is.
cs_bad_value() {
  local label=--$1
  case $1 in [A-Z]*) label=$1 ;; esac
  cs_die_usage "$label '$(cs_shown "$2")': $3"
}

# cs_uint_ok VALUE MIN MAX: 0 and cs_value (no leading zeros) if VALUE is a whole number in
# [MIN, MAX] (MAX below 10^18), else 1 and cs_why.
cs_uint_ok() {
  local v=$1
  cs_value="" cs_why=""
  if [ -z "$v" ]; then cs_why="empty, a number is needed"; return 1; fi
  if ! [[ $v =~ ^[0-9]+$ ]]; then
    if [[ $v == -* ]]; then cs_why="must not be negative"; else cs_why="not a whole number"; fi
    return 1
  fi
  v=${v#"${v%%[!0]*}"}
  v=${v:-0}
  if [ ${#v} -gt 18 ] || [ "$v" -gt "$3" ]; then cs_why="too large (at most $3)"; return 1; fi
  if [ "$v" -lt "$2" ]; then cs_why="too small (at least $2)"; return 1; fi
  cs_value=$v
}

# cs_check_uint OPT VALUE MIN MAX [WHY-SUFFIX]: cs_value, or the message and exit 2.
cs_check_uint() {
  cs_uint_ok "$2" "$3" "$4" || cs_bad_value "$1" "$2" "$cs_why${5:+ $5}"
}

# cs_check_uint_list OPT VALUE MIN MAX [MAX-COUNT]: a comma list of whole numbers in [MIN, MAX];
# cs_value is the list without leading zeros, cs_count its length.
cs_check_uint_list() {
  local opt=$1 text=$2 rest item out="" n commas
  [ -n "$text" ] || cs_bad_value "$opt" "$text" "empty, a comma list of numbers is needed"
  case ",$text," in *,,*) cs_bad_value "$opt" "$text" "empty item in the list" ;; esac
  [[ $text =~ ^[0-9,]+$ ]] || cs_bad_value "$opt" "$text" "not a comma list of whole numbers"
  # Counted before they are read, so that a huge list is refused at once.
  commas=${text//[!,]/}
  n=$((${#commas} + 1))
  [ "$n" -le "${5:-10000}" ] || cs_bad_value "$opt" "$text" "$n items, at most ${5:-10000}"
  rest=$text
  while :; do
    item=${rest%%,*}
    cs_uint_ok "$item" "$3" "$4" || cs_bad_value "$opt" "$text" "item '$item': $cs_why"
    out+="${out:+,}$cs_value"
    [ "$rest" = "$item" ] && break
    rest=${rest#*,}
  done
  cs_value=$out cs_count=$n
}

# cs_check_choice OPT VALUE CHOICE...: VALUE must be one of the choices.
cs_check_choice() {
  local opt=$1 value=$2 c
  shift 2
  for c in "$@"; do [ "$value" = "$c" ] && return 0; done
  local list=$*
  cs_bad_value "$opt" "$value" "not one of ${list// /, }"
}

# cs_check_path OPT VALUE: a path must not be empty nor hold control bytes (it is shown in logs
# and passed on to drivers).
cs_check_path() {
  [ -n "$2" ] || cs_bad_value "$1" "$2" "empty, a path is needed"
  [[ $2 != *[[:cntrl:]]* ]] || cs_bad_value "$1" "$2" "holds control characters"
}
