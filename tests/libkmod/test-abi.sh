#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The symbols of the built libkmod.so.2 against the two libraries it stands in for:
#  - Debian 12's libkmod (kmod 30): every symbol and version it exports is exported
#    here, so programs built on Debian 12 find what they ask for;
#  - kmod 34 (tests/libkmod/kmod-34.sym): exactly its functions, each the default
#    version of kmod's node, plus kmod_module_new_from_name_lookup@LIBKMOD_5 as the
#    one other version; its version nodes with kmod's parents; nothing else exported.
set -u
src=${LKM_SOURCE_ROOT:?}
build=${LKM_BUILD_ROOT:?}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
so=${LKM_LIBKMOD:-$build/libkmod/libkmod.so.2}
debian=/lib/x86_64-linux-gnu/libkmod.so.2
need "the built library $so" test -f "$so"
need "readelf" command -v readelf >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# NAME@@NODE (default version) or NAME@NODE, for every symbol the file defines.
defined() {
	readelf --dyn-syms -W "$1" |
		awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $8 != "" { print $8 }' |
		sort -u
}

defined "$so" >"$tmp/ours"
at_least 30 "symbols exported by $so" "$(wc -l <"$tmp/ours")"

# kmod 34: every function the default version of its node, and no other symbol.
grep -v '^#' "$src/tests/libkmod/kmod-34.sym" | awk 'NF == 2 { print $1 "@@" $2 }' |
	sort >"$tmp/kmod34"
at_least 75 "kmod 34 functions" "$(wc -l <"$tmp/kmod34")"
{ cat "$tmp/kmod34"; echo "kmod_module_new_from_name_lookup@LIBKMOD_5"; } |
	sort >"$tmp/expected"
# A version node shows up as a symbol of its own name (an absolute one, no '@').
nodes=$(awk '!/^#/ && NF == 2 { print $2 }' "$src/tests/libkmod/kmod-34.sym" | sort -u)
grep '@' "$tmp/ours" >"$tmp/ours-functions"
missing=$(comm -23 "$tmp/expected" "$tmp/ours-functions")
extra=$(comm -13 "$tmp/expected" "$tmp/ours-functions")
if [ -z "$missing" ]; then
	ok "every kmod 34 function, at its version"
else
	bad "kmod 34 functions missing ($(wc -l <<<"$missing"))" "$(tr '\n' ' ' <<<"$missing")"
fi
if [ -z "$extra" ]; then
	ok "no symbol besides kmod 34's and the LIBKMOD_5 alias"
else
	bad "symbols kmod 34 does not export" "$(tr '\n' ' ' <<<"$extra")"
fi
others=$(grep -v '@' "$tmp/ours" | grep -vxF -f <(echo "$nodes"))
check "no unversioned symbol other than the version nodes" test -z "$others"

# The nodes and their parents, as kmod's script chains them.
readelf -V -W "$so" | sed -n '/\.gnu\.version_d/,/^$/p' >"$tmp/verdef"
chain=$(awk '/Name:/ { n = $NF } /Parent 1:/ { print n "<" $NF }' "$tmp/verdef" | tr '\n' ' ')
check "version nodes chained as kmod's (got: $chain)" \
	test "$chain" = "LIBKMOD_6<LIBKMOD_5 LIBKMOD_22<LIBKMOD_6 LIBKMOD_30<LIBKMOD_22 LIBKMOD_33<LIBKMOD_30 "

soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
check "SONAME is libkmod.so.2 (got: $soname)" test "$soname" = libkmod.so.2

# Debian 12's library: what it exports, we export at the same version (@ or @@).
if [ -f "$debian" ]; then
	defined "$debian" | grep '@' | sed 's/@@/@/' | sort -u >"$tmp/debian"
	at_least 70 "symbols exported by $debian" "$(wc -l <"$tmp/debian")"
	sed 's/@@/@/' "$tmp/ours-functions" | sort -u >"$tmp/ours-any"
	missing=$(comm -23 "$tmp/debian" "$tmp/ours-any")
	if [ -z "$missing" ]; then
		ok "every symbol@version of Debian's $debian"
	else
		bad "Debian 12 symbols missing ($(wc -l <<<"$missing"))" "$(tr '\n' ' ' <<<"$missing")"
	fi
else
	skip "Debian 12's symbols" "no $debian here (apt-get install libkmod2)"
fi
finish
