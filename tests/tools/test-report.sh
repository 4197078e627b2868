#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# modprobe --report and insmod --report (lkm's): the option, its composition with -n,
# -v and -r, and the words for a module in the kernel already, on a module tree made
# here. Nothing is loaded: dry runs, and an insmod of a file that is no module (the
# kernel refuses it); what real loads register is the VM tests' (report-*.sh).
set -u
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
test_setup report LKM LKM_MAKE_MODULE

# mod_a needs mod_b, a driver of two PCI devices; mod_c stands alone.
kver=1.0-test root=$tmp/root
dir=$root/lib/modules/$kver
mk() { "$LKM_MAKE_MODULE" "$@" license=GPL || need "make-module $*" false; }
mkdir -p "$dir/kernel" "$tmp/sys/module" "$tmp/proc" "$tmp/empty"
mk "$dir/kernel/mod_b.ko" mod_b export=printB:0000bbbb \
	'alias=pci:v00001234d00000001sv*sd*bc*sc*i*' 'alias=pci:v00001234d00000002sv*sd*bc*sc*i*'
mk "$dir/kernel/mod_a.ko" mod_a import=printB:0000bbbb
mk "$dir/kernel/mod_c.ko" mod_c
printf 'kernel/mod_a.ko\nkernel/mod_b.ko\nkernel/mod_c.ko\n' >"$dir/modules.order"
: >"$dir/modules.builtin"
: >"$dir/modules.builtin.modinfo"
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"
need "modules.dep has mod_a -> mod_b" grep -qx 'kernel/mod_a.ko: kernel/mod_b.ko' "$dir/modules.dep"
echo quiet >"$tmp/proc/cmdline"
base=(-C "$tmp/empty" -d "$root" -S "$kver" --sys="$tmp/sys" --proc="$tmp/proc")

# expect NAME RC STDOUT STDERR TOOL args...: exit code, stdout and stderr, each exact
# ("\n" separates lines).
expect() {
	local name=$1 rc=$2 out=$3 err=$4 got why=
	shift 4
	"$LKM" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$rc" ] || why="exit $got, want $rc"
	[ "$(cat "$tmp/out")" = "$(printf '%b' "$out")" ] || why="${why:+$why; }stdout differs"
	[ "$(cat "$tmp/err")" = "$(printf '%b' "$err")" ] || why="${why:+$why; }stderr differs"
	if [ -z "$why" ]; then
		ok "$name"
	else
		bad "$name" "$why"
		sed 's/^/  stdout: /' "$tmp/out"
		sed 's/^/  stderr: /' "$tmp/err"
	fi
}

dry="would be loaded; nothing registered (dry run: nothing was loaded)"
expect "-n --report: each module of the plan would be loaded, none registered anything" 0 \
	"report: mod_b: $dry\nreport: mod_a: $dry" "" modprobe "${base[@]}" -n --report mod_a
expect "-n -v --report: the steps as -v prints them, then the report" 0 \
	"insmod $dir/kernel/mod_b.ko \ninsmod $dir/kernel/mod_a.ko \nreport: mod_b: $dry\nreport: mod_a: $dry" \
	"" modprobe "${base[@]}" -n -v --report mod_a
expect "-n -a --report: one report a module named" 0 \
	"report: mod_c: $dry\nreport: mod_b: $dry\nreport: mod_a: $dry" "" \
	modprobe "${base[@]}" -n --report -a mod_c mod_a
expect "-D --report: -D's lines, then the report of what would be loaded" 0 \
	"insmod $dir/kernel/mod_b.ko \ninsmod $dir/kernel/mod_a.ko \nreport: mod_b: $dry\nreport: mod_a: $dry" \
	"" modprobe "${base[@]}" -D --report mod_a
expect "-r --report: refused, nothing removed" 1 "" \
	"modprobe: ERROR: --report tells what a load did: not with -r." \
	modprobe "${base[@]}" -r --report mod_a
expect "--report of a module not found: kmod's error, no report" 1 "" \
	"modprobe: FATAL: Module no_such not found in directory $dir\n  no module of a similar name exists; if it was just installed, run depmod" \
	modprobe "${base[@]}" -n --report no_such

# In the kernel already (its /sys/module initstate): nothing to load, and said so.
mkdir -p "$tmp/sys/module/mod_b"
echo live >"$tmp/sys/module/mod_b/initstate"
expect "-n --report, a dependency loaded already: only the module that would load" 0 \
	"report: mod_a: $dry" "" modprobe "${base[@]}" -n --report mod_a
mkdir -p "$tmp/sys/module/mod_a"
echo live >"$tmp/sys/module/mod_a/initstate"
expect "--report of a module loaded already: said, and nothing loaded" 0 \
	"report: mod_a: already in the kernel; not loaded by this run" "" \
	modprobe "${base[@]}" --report mod_a
rm -rf "$tmp/sys/module/mod_a" "$tmp/sys/module/mod_b"

# insmod: a failed load prints its error only.
printf 'this is not an ELF module, only some text\n' >"$tmp/junk.ko"
"$LKM" insmod --sys="$tmp/sys" --proc="$tmp/proc" "$tmp/junk.ko" >/dev/null 2>"$tmp/want-err"
want_rc=$?
check "insmod of a file that is no module fails (the setup of the next check)" \
	test "$want_rc" = 1 -a -s "$tmp/want-err"
expect "insmod --report of a load that failed: the same error, no report" 1 "" \
	"$(cat "$tmp/want-err")" insmod --report --sys="$tmp/sys" --proc="$tmp/proc" "$tmp/junk.ko"

# --json: the same report as one JSON array, parsed by Python's json module.
# json_is NAME PYTHON-EXPRESSION TOOL args...: exit 0, stdout parses, the expression of
# the parsed value (d) holds, nothing on stderr.
json_is() {
	local name=$1 expr=$2
	shift 2
	"$LKM" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($expr) else 1)" "$tmp/out"; then
		ok "$name"
	else
		bad "$name" "exit $rc; stdout: $(head -c 300 "$tmp/out"); stderr: $(head -c 300 "$tmp/err")"
	fi
}
json_is "-n --report --json: the plan's modules, dry run, nothing registered" \
	"[m['name'] for m in d] == ['mod_b', 'mod_a'] and all(m['state'] == 'dry_run' and
	 m['registered'] == [] and m['log'] == [] for m in d) and d[0]['device_aliases'] == 2" \
	modprobe "${base[@]}" -n --report --json mod_a
mkdir -p "$tmp/sys/module/mod_a"
echo live >"$tmp/sys/module/mod_a/initstate"
json_is "--report --json of a module loaded already: its state says so" \
	"d == [{'name': 'mod_a', 'state': 'already_loaded', 'device_aliases': None, 'registered': [],
	 'log': []}]" modprobe "${base[@]}" --report --json mod_a
rm -rf "$tmp/sys/module/mod_a"
expect "-D --report --json: refused, one of the two" 1 "" \
	"modprobe: ERROR: --json prints -D's steps or --report's modules, not both." \
	modprobe "${base[@]}" -D --report --json mod_a
"$LKM" insmod --report --json --sys="$tmp/sys" --proc="$tmp/proc" "$tmp/junk.ko" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
check "insmod --report --json of a load that failed: exit 1, its error, an empty array" \
	sh -c "[ $rc = 1 ] && cmp -s '$tmp/err' '$tmp/want-err' &&
	       python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != [])' '$tmp/out'"
expect "insmod --json alone: refused" 1 "" "insmod: ERROR: --json goes with --check or --report." \
	insmod --json "$tmp/junk.ko"

# --help lists the option.
for tool in modprobe insmod; do
	"$LKM" "$tool" --help >"$tmp/help" 2>&1
	check "$tool --help lists --report" grep -q -- '--report' "$tmp/help"
done
finish
