#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lsmod on recorded fixtures (tests/tools/fixtures/lsmod/<case>/: proc/modules and
# sys.txt, from which the /sys/module tree is built here), read through the hidden
# --proc/--sys options.
#
# Where the expected output comes from:
#  - The oracle: kmod's own lsmod cannot be told where /proc and /sys are, so when
#    this runs as root with unshare(1), kmod's lsmod runs in a private mount
#    namespace with the fixture's proc/ bind-mounted on /proc and its sys/module on
#    /sys/module. Then the output must be byte-identical, holder order included.
#  - Without that, <case>/expected.txt, recorded from that same oracle run, with
#    each "Used by" list sorted: kmod prints the holders in readdir order, which
#    depends on the file system the tree is built on, so both sides are compared
#    with sorted lists, and the order is checked against `ls -f` separately.
#  - race/ and malformed/ differ from kmod on purpose (kmod prints "-2" and
#    libkmod errors for a module that vanished, and a junk line as a module):
#    their expected.txt is lkm's documented behaviour, checked line by line against
#    kmod for the modules that are sane.
# If this machine has /proc/modules, `$LKM lsmod` is also compared with `lsmod`.
set -u
: "${LKM:?LKM must point at the lkm binary}"
: "${LKM_SOURCE_ROOT:?}"
FIX=$LKM_SOURCE_ROOT/tests/tools/fixtures/lsmod
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-lsmod.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
# A check against kmod's lsmod, a skip where it cannot run.
oracle_check() { # name command...
	if [ -n "$oracle" ]; then check "$@"; else skip "$1" "kmod's lsmod in a private mount namespace needs root and unshare"; fi
}

# Build <dest>/sys/module from <case>/sys.txt and copy proc/.
build_case() {
	src=$FIX/$1
	dest=$tmp/$1
	mkdir -p "$dest/sys/module" "$dest/proc"
	if [ -f "$src/proc/modules" ]; then cp "$src/proc/modules" "$dest/proc/modules"; fi
	grep -v '^#' "$src/sys.txt" | while read -r name init refcnt core holders; do
		[ -n "$name" ] || continue
		d=$dest/sys/module/$name
		mkdir -p "$d"
		[ "$init" = builtin ] && continue
		echo "$init" > "$d/initstate"
		[ "$refcnt" = - ] || echo "$refcnt" > "$d/refcnt"
		[ "$core" = - ] || echo "$core" > "$d/coresize"
		mkdir -p "$d/holders"
		[ "$holders" = - ] && continue
		for h in $(echo "$holders" | tr ',' ' '); do
			ln -s "../../$h" "$d/holders/$h"
		done
	done
}

run_lkm() { # case -> $tmp/<case>.out, .err, .rc
	"$LKM" lsmod --proc="$tmp/$1/proc" --sys="$tmp/$1/sys" > "$tmp/$1.out" 2> "$tmp/$1.err"
	echo $? > "$tmp/$1.rc"
}

# The "Used by" list of every line after the header, sorted.
sort_holders() {
	awk 'NR == 1 || NF < 4 { print; next }
	{
		n = split($4, h, ","); 
		for (i = 2; i <= n; i++) { v = h[i]; for (j = i - 1; j >= 1 && h[j] > v; j--) h[j + 1] = h[j]; h[j + 1] = v }
		s = h[1]; for (i = 2; i <= n; i++) s = s "," h[i]
		line = $0; sub(/[^ ]+$/, s, line); print line
	}' "$1"
}

# kmod's lsmod on the fixture, in a private mount namespace; 1 if not possible.
oracle=
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && command -v lsmod > /dev/null &&
	readlink -f "$(command -v lsmod)" | grep -q kmod &&
	unshare -m true 2> /dev/null; then
	oracle=$(command -v lsmod)
fi
run_kmod() { # case -> $tmp/<case>.kmod, .kmoderr, .kmodrc
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /proc &&
		mount --bind "$2" /sys/module && exec "$3"' sh \
		"$tmp/$1/proc" "$tmp/$1/sys/module" "$oracle" > "$tmp/$1.kmod" 2> "$tmp/$1.kmoderr"
	echo $? > "$tmp/$1.kmodrc"
}

# Every holder list printed must be in the readdir order of holders/.
holders_in_readdir_order() {
	awk 'NR > 1 && NF >= 4 { print $1, $4 }' "$tmp/$1.out" | while read -r name list; do
		want=$(ls -f "$tmp/$1/sys/module/$name/holders" | grep -v '^\.\.\?$' | paste -sd, -)
		[ "$list" = "$want" ] || { echo "  $name: printed $list, readdir gives $want"; return 1; }
	done
}

same() { cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -20; return 1; }; }
sorted_same() { sort_holders "$1" > "$1.sorted"; same "$2" "$1.sorted"; }
empty_file() { [ ! -s "$1" ] || { head -5 "$1"; return 1; }; }
rc_is() { [ "$(cat "$tmp/$1.rc")" = "$2" ]; }

for c in desktop race malformed empty noproc; do
	build_case "$c"
	run_lkm "$c"
	[ -n "$oracle" ] && run_kmod "$c"
done
[ -n "$oracle" ] && echo "# oracle: $oracle in a private mount namespace" ||
	echo "# no oracle (needs root and unshare): comparing with recorded expectations"

# desktop: holders, [permanent], taints, Loading (coresize differs from /proc), Unloading
check "desktop: exit 0, nothing on stderr" sh -c "[ \"\$(cat $tmp/desktop.rc)\" = 0 ] && [ ! -s $tmp/desktop.err ]"
check "desktop: matches the recorded output (holders sorted)" sorted_same "$tmp/desktop.out" "$FIX/desktop/expected.txt"
check "desktop: holders printed in readdir order" holders_in_readdir_order desktop
check "desktop: size is /sys coresize, not /proc/modules (kvm_amd is Loading)" \
	grep -q '^kvm_amd  *155648  0$' "$tmp/desktop.out"
check "desktop: long name is not cut" grep -q '^a_module_with_a_name_longer_than_nineteen     8192  0$' "$tmp/desktop.out"
oracle_check "desktop: byte-identical to kmod lsmod" same "$tmp/desktop.kmod" "$tmp/desktop.out"

# race: nvidia_uvm listed in /proc/modules, its /sys/module dir already gone
check "race: exit 0, nothing on stderr" sh -c "[ \"\$(cat $tmp/race.rc)\" = 0 ] && [ ! -s $tmp/race.err ]"
check "race: the vanished module shows its /proc/modules values" same "$FIX/race/expected.txt" "$tmp/race.out"
if [ -z "$oracle" ]; then
	skip "race: other lines identical to kmod" "no oracle"
else
	grep -v '^nvidia_uvm ' "$tmp/race.kmod" > "$tmp/race.kmod.sane"
	grep -v '^nvidia_uvm ' "$tmp/race.out" > "$tmp/race.out.sane"
	check "race: other lines identical to kmod" same "$tmp/race.kmod.sane" "$tmp/race.out.sane"
	check "race: kmod itself prints -2 there (the bug this guards)" grep -q '^nvidia_uvm  *-2  -2$' "$tmp/race.kmod"
fi

# malformed: a junk line is skipped with a warning
check "malformed: exit 0" rc_is malformed 0
check "malformed: sane lines listed" same "$FIX/malformed/expected.txt" "$tmp/malformed.out"
check "malformed: warning names the line" grep -q 'WARNING: .*modules: skipped 1 line.*line 2' "$tmp/malformed.err"

# empty and missing /proc/modules
check "empty: header only" sh -c "[ \"\$(cat $tmp/empty.out)\" = 'Module                  Size  Used by' ]"
oracle_check "empty: byte-identical to kmod lsmod" same "$tmp/empty.kmod" "$tmp/empty.out"
check "noproc: exit 1" rc_is noproc 1
check "noproc: says why" grep -q '^lsmod: ERROR: could not get list of modules: .*/modules: No such file or directory (this kernel has no module support)$' "$tmp/noproc.err"
check "noproc: no header on stdout" empty_file "$tmp/noproc.out"
oracle_check "noproc: kmod fails too" sh -c "[ \"\$(cat $tmp/noproc.kmodrc)\" = 1 ]"

# options
check "too many arguments: exit 1" sh -c "! \"$LKM\" lsmod extra 2> /dev/null"
check "--help: exit 0 and usage" sh -c "\"$LKM\" lsmod --help | grep -q '^Usage:'"
check "-V: exit 0" sh -c "\"$LKM\" lsmod -V > /dev/null"
check "unknown option: exit 1" sh -c "! \"$LKM\" lsmod --bogus 2> /dev/null"

# the live system
if [ -r /proc/modules ] && command -v lsmod > /dev/null; then
	"$LKM" lsmod > "$tmp/live.out" 2>&1
	lsmod > "$tmp/live.kmod" 2>&1
	check "live: byte-identical to lsmod on this machine" same "$tmp/live.kmod" "$tmp/live.out"
elif command -v lsmod > /dev/null; then
	"$LKM" lsmod > /dev/null 2>&1
	lrc=$?
	lsmod > /dev/null 2>&1
	krc=$?
	check "live: no /proc/modules here; lkm and kmod both exit $krc" [ "$lrc" = "$krc" ]
else
	skip "live: lkm lsmod against kmod's on this machine" "kmod's lsmod is not installed"
fi

finish
