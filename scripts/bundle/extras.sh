#!/bin/bash
# extras.sh BUILD_DIR BUNDLE_DIR: add to a bundle made by ../shared/bundle/make-bundle.sh what
# the product's 16-core check needs beyond the drivers: cs_profile, bench/bignum_parallel (with
# the shared libraries they need, glibc's excepted) and product16.sh.
#   scripts/build.sh build && ../shared/bundle/make-bundle.sh build devbundle
#   scripts/bundle/extras.sh build devbundle
#   # on the 16-core machine, from the folder holding devbundle/:
#   OUT=/some/dir bash devbundle/product16.sh
# Both arguments are checked before anything is copied (exit 2, one message naming the value).
set -euo pipefail
prog=extras.sh
# shellcheck source=scripts/lib/check.sh
. "$(cd "$(dirname "$0")/.." && pwd)/lib/check.sh"
case ${1-} in
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) cs_die_usage "unknown option '$1' (usage: extras.sh BUILD_DIR BUNDLE_DIR)" ;;
esac
[ $# -eq 2 ] || cs_die_usage "$# arguments given, two are needed (usage: extras.sh BUILD_DIR BUNDLE_DIR)"
cs_check_path BUILD_DIR "$1"
cs_check_path BUNDLE_DIR "$2"
B=$1 D=$2
[ -d "$D/bin" ] && [ -f "$D/env.sh" ] || cs_bad_value BUNDLE_DIR "$D" "not a bundle (no bin/, env.sh): make it with make-bundle.sh first"
for f in "$B"/drivers/cs_profile "$B"/bench/bignum_parallel; do
    [ -x "$f" ] || cs_bad_value BUILD_DIR "$B" "${f#"$B"/} is not built in it"
done
GLIBC='^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libresolv\.so\.2|libutil\.so\.1|ld-linux-x86-64\.so\.2)$'
for f in "$B"/drivers/cs_profile "$B"/bench/bignum_parallel; do
    [ -x "$f" ] || { echo "extras.sh: '$f' is not built" >&2; exit 1; }
    install -m755 "$f" "$D/bin/"
    ldd "$f" | awk '/=>/ && $3 ~ /^\// {print $1, $3}' | while read -r name path; do
        [[ $name =~ $GLIBC ]] && continue
        [ -e "$D/lib/$name" ] || install -m644 "$(readlink -f "$path")" "$D/lib/$name"
    done
done
install -m755 "$(dirname "$0")/product16.sh" "$D/"
