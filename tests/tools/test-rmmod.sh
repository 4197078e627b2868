#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# rmmod's checks before delete_module, on a /sys/module tree built here and read
# through the hidden --sys option: built in, not loaded, held, in use. When root
# with unshare(1), kmod's rmmod runs on the same tree (bind-mounted on /sys/module
# in a private mount namespace): it must exit alike, and each of its messages must
# lead lkm's, which go on to explain (holders, reference count, what to do).
# Every module name starts with lkm_test_, and only names that fail the checks reach
# kmod's rmmod: whatever goes wrong, nothing here can remove a real module from the
# machine running the test.
set -u
: "${LKM:?LKM must point at the lkm binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-rmmod.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"

sys=$tmp/sys
mk() { # name initstate refcnt holders...
	d=$sys/module/$1
	mkdir -p "$d"
	[ "$2" = builtin ] && return
	echo "$2" > "$d/initstate"
	[ "$3" = - ] || echo "$3" > "$d/refcnt"
	mkdir -p "$d/holders"
	n=$1
	shift 3
	for h in "$@"; do ln -s "../../$h" "$sys/module/$n/holders/$h"; done
}
mk lkm_test_fat live 2 lkm_test_vfat lkm_test_msdos
mk lkm_test_nls_utf8 live 1
mk lkm_test_no_such_module live 0
mk lkm_test_no_unload live -
mk printk builtin

oracle= noracle="kmod's rmmod in a private mount namespace needs root, unshare and kmod"
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && command -v rmmod > /dev/null &&
	readlink -f "$(command -v rmmod)" | grep -q kmod && unshare -m true 2> /dev/null; then
	oracle=$(command -v rmmod)
fi

# expect NAME RC FACT EXPLAIN args...: lkm's exit code; its first line carries FACT (what
# kmod says) and its stderr EXPLAIN (what lkm adds: holders, reference count, advice).
# Each is a fixed string; an empty EXPLAIN means the whole stderr must be FACT alone.
expect() {
	name=$1 rc=$2 fact=$3 explain=$4
	shift 4
	"$LKM" rmmod --sys="$sys" "$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	why=
	[ "$got" = "$rc" ] || why="exit $got, want $rc"
	head -n 1 "$tmp/err" | grep -qF -- "$fact" || why="${why:+$why; }first line lacks: $fact"
	if [ -n "$explain" ]; then
		grep -qF -- "$explain" "$tmp/err" || why="${why:+$why; }no explanation: $explain"
	elif [ "$(cat "$tmp/err")" != "$fact" ]; then
		why="${why:+$why; }stderr is not just: $fact"
	fi
	if [ -z "$why" ]; then
		ok "$name"
	else
		bad "$name ($why)"
		sed 's/^/  got: /' "$tmp/err"
	fi
}

# same_as_kmod NAME args...: on the same tree kmod's rmmod exits alike and prints as many
# error lines, each (less a final '.') the start of lkm's; lkm's detail lines are extra.
same_as_kmod() {
	name=$1
	shift
	[ -n "$oracle" ] || { skip "$name: kmod's words lead lkm's" "$noracle"; return 0; }
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /sys/module &&
		shift 2 && exec "$0" "$@"' "$oracle" "$sys/module" x "$@" > /dev/null 2> "$tmp/kmod.err"
	krc=$?
	"$LKM" rmmod --sys="$sys" "$@" > /dev/null 2> "$tmp/lkm.err"
	lrc=$?
	grep '^rmmod: ' "$tmp/lkm.err" > "$tmp/lkm.lead"
	same=yes
	[ "$krc" = "$lrc" ] || same=no
	[ "$(wc -l < "$tmp/kmod.err")" = "$(wc -l < "$tmp/lkm.lead")" ] || same=no
	while IFS= read -r kline <&3 && IFS= read -r lline <&4; do
		case "$lline" in "${kline%.}"*) ;; *) same=no ;; esac
	done 3< "$tmp/kmod.err" 4< "$tmp/lkm.lead"
	if [ "$same" = yes ]; then
		ok "$name: kmod's words lead lkm's"
	else
		bad "$name: differs from kmod (exit $krc vs $lrc)"
		sed 's/^/  kmod: /' "$tmp/kmod.err"
		sed 's/^/  lkm:  /' "$tmp/lkm.err"
	fi
}

holders=$(ls -f "$sys/module/lkm_test_fat/holders" | grep -v '^\.\.\?$' | tr '\n' ' ' | sed 's/ $//')
expect "held module: names its holders, count and what to remove" 1 \
	"rmmod: ERROR: Module lkm_test_fat is in use by: $holders (reference count 2)" \
	"  remove the modules that use it first (rmmod $holders)" lkm_test_fat
expect "module with users: in use, count, no holder" 1 \
	"rmmod: ERROR: Module lkm_test_nls_utf8 is in use (reference count 1)" \
	"though no module holds it" lkm-test-nls-utf8
expect "module with users: says what else can hold it" 1 \
	"rmmod: ERROR: Module lkm_test_nls_utf8 is in use" "an open device, a mounted filesystem" \
	lkm_test_nls_utf8
expect "path argument: name from the file name" 1 \
	"rmmod: ERROR: Module lkm_test_nls_utf8 is in use" "reference count 1" \
	/lib/modules/x/kernel/fs/nls/lkm-test-nls-utf8.ko.xz
expect "not loaded" 1 "rmmod: ERROR: Module lkm_test_absent is not currently loaded" "" lkm_test_absent
expect "built in: part of the kernel image" 1 "rmmod: ERROR: Module printk is builtin" \
	"part of the kernel image and cannot be removed" printk
expect "no refcnt: unloading not supported, and why" 1 \
	"rmmod: ERROR: Module unloading is not supported" "without CONFIG_MODULE_UNLOAD" \
	lkm_test_no_unload
expect "each argument is tried; all failures reported" 1 \
	"rmmod: ERROR: Module lkm_test_absent is not currently loaded" \
	"rmmod: ERROR: Module printk is builtin: it is part of the kernel image" lkm_test_absent printk
expect "missing name" 1 "rmmod: ERROR: missing module name." ""

# a module that passes the checks reaches delete_module, which refuses it
"$LKM" rmmod --sys="$sys" lkm_test_no_such_module > /dev/null 2> "$tmp/err"
if [ $? = 1 ] && grep -q '^rmmod: ERROR: could not remove module lkm_test_no_such_module: ' "$tmp/err"; then
	ok "delete_module refusal is reported with the errno"
else
	bad "delete_module refusal is reported with the errno"
	cat "$tmp/err"
fi
"$LKM" rmmod -f --sys="$sys" lkm_test_fat > /dev/null 2> "$tmp/err"
if grep -q 'could not remove module lkm_test_fat: ' "$tmp/err" && ! grep -q 'in use' "$tmp/err"; then
	ok "--force skips the checks"
else
	bad "--force skips the checks"
	cat "$tmp/err"
fi

same_as_kmod "held" lkm_test_fat
same_as_kmod "in use" lkm_test_nls_utf8
same_as_kmod "not loaded" lkm_test_absent
same_as_kmod "several arguments" lkm_test_absent lkm_test_fat lkm_test_no_unload
same_as_kmod "no refcnt" lkm_test_no_unload
finish
