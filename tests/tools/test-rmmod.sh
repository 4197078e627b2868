#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# rmmod's checks before delete_module, on a /sys/module tree built here and read
# through the hidden --sys option: built in, not loaded, held, in use. When root
# with unshare(1), kmod's rmmod runs on the same tree (bind-mounted on /sys/module
# in a private mount namespace) and must print the same messages.
# Every module name starts with lkm_test_, and only names that fail the checks reach
# kmod's rmmod: whatever goes wrong, nothing here can remove a real module from the
# machine running the test.
set -u
: "${LKM:?LKM must point at the lkm binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-rmmod.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

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

oracle=
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && command -v rmmod > /dev/null &&
	readlink -f "$(command -v rmmod)" | grep -q kmod && unshare -m true 2> /dev/null; then
	oracle=$(command -v rmmod)
fi

# expect NAME RC STDERR-LINE args...: lkm's exit code and its whole stderr
expect() {
	name=$1 rc=$2 msg=$3
	shift 3
	"$LKM" rmmod --sys="$sys" "$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	if [ "$got" = "$rc" ] && [ "$(cat "$tmp/err")" = "$msg" ]; then
		ok "$name"
	else
		bad "$name (exit $got)"
		sed 's/^/  got: /' "$tmp/err"
		echo "  want: $msg"
	fi
}

# same_as_kmod NAME args...: kmod's rmmod prints the same on the same tree
same_as_kmod() {
	name=$1
	shift
	[ -n "$oracle" ] || return 0
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /sys/module &&
		shift 2 && exec "$0" "$@"' "$oracle" "$sys/module" x "$@" > /dev/null 2> "$tmp/kmod.err"
	krc=$?
	"$LKM" rmmod --sys="$sys" "$@" > /dev/null 2> "$tmp/lkm.err"
	lrc=$?
	if [ "$krc" = "$lrc" ] && cmp -s "$tmp/kmod.err" "$tmp/lkm.err"; then
		ok "$name: same as kmod"
	else
		bad "$name: differs from kmod (exit $krc vs $lrc)"
		diff "$tmp/kmod.err" "$tmp/lkm.err" | head -5
	fi
}

holders=$(ls -f "$sys/module/lkm_test_fat/holders" | grep -v '^\.\.\?$' | tr '\n' ' ' | sed 's/ $//')
expect "held module: names its holders" 1 "rmmod: ERROR: Module lkm_test_fat is in use by: $holders" lkm_test_fat
expect "module with users: in use" 1 "rmmod: ERROR: Module lkm_test_nls_utf8 is in use" lkm-test-nls-utf8
expect "path argument: name from the file name" 1 "rmmod: ERROR: Module lkm_test_nls_utf8 is in use" \
	/lib/modules/x/kernel/fs/nls/lkm-test-nls-utf8.ko.xz
expect "not loaded" 1 "rmmod: ERROR: Module lkm_test_absent is not currently loaded" lkm_test_absent
expect "built in" 1 "rmmod: ERROR: Module printk is builtin." printk
expect "no refcnt: unloading not supported" 1 "rmmod: ERROR: Module unloading is not supported" lkm_test_no_unload
expect "each argument is tried; all failures reported" 1 \
	"rmmod: ERROR: Module lkm_test_absent is not currently loaded
rmmod: ERROR: Module printk is builtin." lkm_test_absent printk
expect "missing name" 1 "rmmod: ERROR: missing module name."

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
same_as_kmod "no refcnt" lkm_test_no_unload
[ -n "$oracle" ] || echo "# no oracle (needs root and unshare)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
