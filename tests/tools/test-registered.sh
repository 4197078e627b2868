#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/meson.build lists the tests by name: a test file it does not list would never
# run. Every tests/unit/test-NAME.c must be the unit test NAME, and every
# tests/SUITE/test-*.sh a test of its suite.
set -u
src=${LKM_SOURCE_ROOT:?}
build=${LKM_BUILD_ROOT:?}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
list=$(meson test -C "$build" --list 2>/dev/null) || need "meson test --list" false
at_least 20 "registered tests" "$(grep -c ' / ' <<<"$list")"
for f in "$src"/tests/unit/test-*.c; do
	n=$(basename "$f" .c)
	n=${n#test-}
	# Built and run by tests/diff/test-foreign.sh, with kmod's depmod beside it.
	[ "$n" = depmod-foreign ] && continue
	check "unit test $n is registered" grep -qx "lkm:unit / $n" <<<"$list"
done
# -Dstatic=true builds no libkmod.so.2, so tests/meson.build registers no libkmod suite.
static=$(meson introspect "$build" --buildoptions | python3 -c \
	'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "static"][0])')
suites="tools diff vm libkmod system"
if [ "$static" = True ]; then
	skip "libkmod tests registered" "a -Dstatic=true build has no libkmod suite"
	suites="tools diff vm system"
fi
# C tests of the library's interface: tests/libkmod/test-NAME.c is libkmod's test-NAME.
[ "$static" = True ] || for f in "$src"/tests/libkmod/test-*.c; do
	n=$(basename "$f" .c)
	check "libkmod test $n is registered" grep -qx "lkm:libkmod / $n" <<<"$list"
done
for suite in $suites; do
	for f in "$src/tests/$suite"/test-*.sh; do
		n=$(basename "$f" .sh)
		check "$suite test $n is registered" grep -qx "lkm:$suite / $n" <<<"$list"
	done
done
finish
