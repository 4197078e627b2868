#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# modprobe --batch and modinfo --batch: a list of requests on stdin must give what one
# invocation per request gives, stdout and stderr each concatenated in order, and the
# exit code of the last request that failed (0 when none did). The configuration and
# the indexes are opened once for the whole batch (strace, when installed). Only dry
# runs and queries on a tree made here: nothing is loaded or removed.
set -u
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
test_setup batch LKM LKM_MAKE_MODULE

# mod_a needs mod_b (alias my-alias-b); mod_c is loaded (the fake /proc, /sys) and has
# an install command; mod_d (alias my-alias-d) is blacklisted; bi is built in.
kver=1.0-test root=$tmp/root
dir=$root/lib/modules/$kver
mk() { "$LKM_MAKE_MODULE" "$@" license=GPL || need "make-module $*" false; }
mkdir -p "$dir/kernel/sub" "$tmp/sys/module/mod_c" "$tmp/proc" "$tmp/conf"
mk "$dir/kernel/sub/mod_b.ko" mod_b export=printB:0000bbbb alias=my-alias-b
mk "$dir/kernel/mod-a.ko" mod_a export=printA:0000aaaa import=printB:0000bbbb
mk "$dir/kernel/mod_c.ko" mod_c
mk "$dir/kernel/mod_d.ko" mod_d alias=my-alias-d
printf 'kernel/mod-a.ko\nkernel/sub/mod_b.ko\nkernel/mod_c.ko\nkernel/mod_d.ko\n' >"$dir/modules.order"
printf 'kernel/bi.ko\n' >"$dir/modules.builtin"
: >"$dir/modules.builtin.modinfo"
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"
echo quiet >"$tmp/proc/cmdline"
echo "mod_c 16384 0 - Live 0x0000000000000000" >"$tmp/proc/modules"
echo live >"$tmp/sys/module/mod_c/initstate"
echo 0 >"$tmp/sys/module/mod_c/refcnt"
cat >"$tmp/conf/a.conf" <<'CONF'
options mod_a debug=1
install mod_c echo installing $CMDLINE_OPTS
blacklist mod_d
CONF
common=(-C "$tmp/conf" -d "$root" -S "$kver" --sys="$tmp/sys" --proc="$tmp/proc")

# same NAME TOOL: the requests in $tmp/req, one invocation each, then one --batch.
same() {
	local name=$1 tool=$2 line rc want=0 got
	: >"$tmp/sep.out"; : >"$tmp/sep.err"
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		eval "set -- $line"
		"$LKM" "$tool" "${args[@]}" "$@" >>"$tmp/sep.out" 2>>"$tmp/sep.err"
		rc=$?
		[ "$rc" = 0 ] || want=$rc
	done <"$tmp/req"
	"$LKM" "$tool" "${args[@]}" --batch <"$tmp/req" >"$tmp/b.out" 2>"$tmp/b.err"
	got=$?
	check "$name: stdout as separate runs" cmp -s "$tmp/sep.out" "$tmp/b.out" ||
		diff "$tmp/sep.out" "$tmp/b.out" | head -20
	check "$name: stderr as separate runs" cmp -s "$tmp/sep.err" "$tmp/b.err" ||
		diff "$tmp/sep.err" "$tmp/b.err" | head -20
	check "$name: exit $want (the last failure's)" [ "$got" = "$want" ]
	at_least 1 "$name: output" "$(cat "$tmp/sep.out" "$tmp/sep.err" | wc -l)"
}

args=("${common[@]}")
cat >"$tmp/req" <<'REQ'
# names, aliases, -D, -R
-D mod-a
-D my-alias-b
-R my-alias-b
-R 'my-alias-b'
-n -v mod_a x=1 'y=a b'
-n -v mod_a "z=c d"
-D -a mod_a mod_c

# unknown names
-D nope
-q -D nope
-R bogus-alias
# blacklisted alias; the name itself is not
-D my-alias-d
-D mod_d
-D -b mod_d
# install command, -n
-n -v mod_c opt=1
-D -i mod_c
# -r with the fake /sys and /proc
-r -n -v mod_c
-r -n mod_a
-n --first-time mod_c
REQ
same "modprobe, mixed requests" modprobe
printf -- '-D mod-a\n-R my-alias-b\n' >"$tmp/req"
same "modprobe, all succeed" modprobe
printf -- '-D nope\n-D mod-a\n' >"$tmp/req"
same "modprobe, an early failure" modprobe

# Lines that are no request: their number named, the rest still answered.
{ echo "-D mod-a"; echo "-D 'mod_c"; head -c 5000 /dev/zero | tr '\0' x; echo; echo "-d /x mod_c"
  echo "-R my-alias-b"; } >"$tmp/req"
"$LKM" modprobe "${common[@]}" --batch <"$tmp/req" >"$tmp/b.out" 2>"$tmp/b.err"
check "bad lines: exit 1" [ $? = 1 ]
check "bad lines: the good ones answered" [ "$(cat "$tmp/b.out")" = "$(printf 'insmod %s \ninsmod %s debug=1 \nmod_b' \
	"$dir/kernel/sub/mod_b.ko" "$dir/kernel/mod-a.ko")" ]
check "bad lines: each named" [ "$(cat "$tmp/b.err")" = "modprobe: ERROR: stdin line 2: malformed: a quote does not end, or a NUL byte
modprobe: ERROR: stdin line 3: longer than 4096 bytes
modprobe: ERROR: stdin line 4: -C -d -S -s --sys --proc --batch: not here" ]
"$LKM" modprobe "${common[@]}" --batch mod_a </dev/null >/dev/null 2>"$tmp/b.err"
check "--batch with a module argument: exit 1" [ $? = 1 ]
check "--batch with a module argument: said" grep -qx "modprobe: ERROR: --batch reads its modules from stdin." "$tmp/b.err"

# modinfo: names, aliases, paths, fields, -n, -0, -m, the unknown.
args=(-b "$root" -k "$kver")
cat >"$tmp/req" <<REQ
mod_a
my-alias-b
-F alias my-alias-b
-n mod_c mod-a
-0 -F license mod_d
-m mod_b
-m my-alias-b
$dir/kernel/mod_c.ko
-F depends $dir/kernel/mod-a.ko
nope
bi
-p mod_a
REQ
same "modinfo, mixed requests" modinfo
printf 'mod_a\n-n mod_b\n' >"$tmp/req"
same "modinfo, all succeed" modinfo
printf -- '-k 2.0 mod_a\n' | "$LKM" modinfo "${args[@]}" --batch >/dev/null 2>"$tmp/b.err"
check "modinfo: -k on a line: exit 1" [ $? = 1 ]
check "modinfo: -k on a line: said" grep -qx "modinfo: ERROR: stdin line 1: -k -b --batch: not here" "$tmp/b.err"

# Opened once: each config file and index, for a batch of many lines.
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	for _ in 1 2 3 4 5 6 7 8; do printf -- '-D mod-a\n-R my-alias-b\n-D nope\n'; done >"$tmp/req"
	strace -f -e trace=openat -o "$tmp/trace" "$LKM" modprobe "${common[@]}" --batch \
		<"$tmp/req" >/dev/null 2>&1
	for f in "$tmp/conf/a.conf" "$dir/modules.dep.bin" "$dir/modules.alias.bin"; do
		n=$(grep -c "\"$f\"" "$tmp/trace")
		check "strace: $(basename "$f") opened once for 24 requests (got $n)" [ "$n" = 1 ]
	done
	for _ in 1 2 3 4 5 6 7 8; do printf 'mod_a\n-F alias my-alias-b\nnope\n'; done >"$tmp/req"
	strace -f -e trace=openat -o "$tmp/trace" "$LKM" modinfo "${args[@]}" --batch \
		<"$tmp/req" >/dev/null 2>&1
	for f in "$dir/modules.dep.bin" "$dir/modules.alias.bin"; do
		n=$(grep -c "\"$f\"" "$tmp/trace")
		check "strace: modinfo opens $(basename "$f") once for 24 requests (got $n)" [ "$n" = 1 ]
	done
else
	skip "config and indexes opened once" "no strace (or ptrace not allowed) here"
fi
finish
