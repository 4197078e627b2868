#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The house's layers hold: tools/ and libkmod/ reach lib/ through its public face,
# lib/lkm.h, and never through lib/lkm-internal.h or an area's internal header; every
# function the face declares exists in lib/; no public struct keeps private fields
# (an object with hidden state is opaque, its body in lkm-internal.h).
set -u
src=${LKM_SOURCE_ROOT:?}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"

internal=$(cd "$src/lib" && ls ./*-internal.h index-format.h | sed 's|^\./||')
at_least 4 "lib's internal headers" "$(wc -w <<<"$internal")"
n=0
for f in "$src"/tools/*.[ch] "$src"/libkmod/*.[ch]; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	rel=${f#"$src"/}
	hits=""
	for h in $internal; do
		grep -q "#include [\"<]$h[\">]" "$f" && hits="$hits $h"
	done
	if [ -n "$hits" ]; then bad "$rel includes lib's internals:$hits"; else ok "$rel: lib/lkm.h only"; fi
done
at_least 8 "tool and libkmod sources" "$n"

# Each function lkm.h declares (a line "[LKM_MUST_CHECK] TYPE lkm_NAME(")
# is defined in some lib/*.c file ("lkm_NAME(" at the start of a line after its type).
decls=$(grep -ohE '^(LKM_MUST_CHECK )?[a-z][a-z0-9_ *]*[ *]lkm_[a-z0-9_]+\(' "$src/lib/lkm.h" |
	grep -oE 'lkm_[a-z0-9_]+\($' | tr -d '(' | sort -u)
at_least 100 "functions declared in lib/lkm.h" "$(wc -l <<<"$decls")"
missing=""
for fn in $decls; do
	grep -qE "^[a-z].*[ *]$fn\(|^$fn\(" "$src"/lib/*.c || missing="$missing $fn"
done
if [ -z "$missing" ]; then ok "every function lib/lkm.h declares is defined in lib/"
else bad "declared in lib/lkm.h, defined nowhere in lib/:$missing"; fi

if grep -n "/\* private \*/" "$src/lib/lkm.h"; then bad "lib/lkm.h: a public struct has private fields"
else ok "lib/lkm.h: no public struct has private fields"; fi
finish
