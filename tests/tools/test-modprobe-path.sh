#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# modprobe of a module file (kmod 31: an argument that starts with "/" or "./") and
# --show-exports/--show-modversions of a name or a file (kmod's main branch), on a module
# tree made here (tests/tools/make-module.c, indexes by lkm's depmod). Only dry runs
# (-D, -n) and queries: nothing is loaded. kmod 30, the oracle installed here, knows
# neither feature; tests/diff/test-modprobe.sh compares what it shares.
set -u
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
test_setup modprobe-path LKM LKM_MAKE_MODULE

# The tree: mod_a needs mod_b (printB); mod_b has an alias; mod_c stands alone; bi is
# built in. Out of the tree, in work/: a newer build of mod-a (its own CRC for printA),
# and new-mod, which modules.dep does not know.
kver=1.0-test root=$tmp/root
dir=$root/lib/modules/$kver
mk() { "$LKM_MAKE_MODULE" "$@" license=GPL || need "make-module $*" false; }
mkdir -p "$dir/kernel/sub" "$tmp/work" "$tmp/sys/module" "$tmp/proc" "$tmp/conf" "$tmp/empty"
mk "$dir/kernel/sub/mod_b.ko" mod_b export=printB:0000bbbb alias=my-alias-b
mk "$dir/kernel/mod-a.ko" mod_a export=printA:0000aaaa import=printB:0000bbbb
mk "$dir/kernel/mod_c.ko" mod_c import=printk:12345678
mk "$tmp/work/mod-a.ko" mod_a export=printA:0000a001 import=printB:0000bbbb
mk "$tmp/work/new-mod.ko" new_mod export=newSym:00000042
printf 'kernel/mod-a.ko\nkernel/sub/mod_b.ko\nkernel/mod_c.ko\n' >"$dir/modules.order"
printf 'kernel/bi.ko\n' >"$dir/modules.builtin"
: >"$dir/modules.builtin.modinfo"
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"
need "modules.dep has mod_a -> mod_b" grep -qx 'kernel/mod-a.ko: kernel/sub/mod_b.ko' "$dir/modules.dep"
echo quiet >"$tmp/proc/cmdline"
base=(-d "$root" -S "$kver" --sys="$tmp/sys" --proc="$tmp/proc")

# expect NAME RC STDOUT STDERR [-C DIR] args...: modprobe run in work/, with the empty
# config unless -C comes first; its exit code, stdout and stderr, each exact. "\n" in
# STDOUT or STDERR separates lines; STDERR "^TEXT" only needs the first line to be TEXT.
expect() {
	local name=$1 rc=$2 out=$3 err=$4 conf=$tmp/empty got why=
	shift 4
	if [ "${1-}" = -C ]; then conf=$2; shift 2; fi
	(cd "$tmp/work" && "$LKM" modprobe -C "$conf" "${base[@]}" "$@") >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$rc" ] || why="exit $got, want $rc"
	[ "$(cat "$tmp/out")" = "$(printf '%b' "$out")" ] || why="${why:+$why; }stdout differs"
	if [ "${err#^}" != "$err" ]; then
		[ "$(head -n 1 "$tmp/err")" = "${err#^}" ] || why="${why:+$why; }first stderr line differs"
	elif [ "$(cat "$tmp/err")" != "$(printf '%b' "$err")" ]; then
		why="${why:+$why; }stderr differs"
	fi
	if [ -z "$why" ]; then
		ok "$name"
	else
		bad "$name" "$why"
		sed 's/^/  stdout: /' "$tmp/out"
		sed 's/^/  stderr: /' "$tmp/err"
	fi
}

w=$tmp/work
b="insmod $dir/kernel/sub/mod_b.ko "
expect "-D ./rel.ko: its dependency from modules.dep, then the file, made absolute" 0 \
	"$b\ninsmod $w/./mod-a.ko " "" -D ./mod-a.ko
expect "-D /abs.ko: the file as given" 0 "$b\ninsmod $w/mod-a.ko " "" -D "$w/mod-a.ko"
expect "-D a path modules.dep does not know: the file alone" 0 "insmod $w/./new-mod.ko " "" \
	-D ./new-mod.ko
expect "-n -v with parameters: they go to the file" 0 "$b\ninsmod $w/./mod-a.ko x=1 y=\"a b\"" "" \
	-n -v ./mod-a.ko x=1 'y=a b'
expect "-n without -v prints nothing" 0 "" "" -n ./mod-a.ko
expect "-a: paths and names" 0 "$b\ninsmod $w/./mod-a.ko \ninsmod $w/./new-mod.ko \ninsmod $dir/kernel/mod_c.ko " "" \
	-D -a ./mod-a.ko ./new-mod.ko mod-c
expect "-R of a path: the module's name" 0 "mod_a" "" -R ./mod-a.ko

# modprobe.d holds for the name: options, install commands; the blacklist only with -b
# (a path is no alias).
mkdir -p "$tmp/conf/opts" "$tmp/conf/inst" "$tmp/conf/bl"
echo "options mod_a debug=1" >"$tmp/conf/opts/a.conf"
echo "install mod_a echo installing \$CMDLINE_OPTS" >"$tmp/conf/inst/a.conf"
echo "blacklist mod_a" >"$tmp/conf/bl/a.conf"
expect "options from modprobe.d for the file's name, before the command line's" 0 \
	"$b\ninsmod $w/./mod-a.ko debug=1 x=1" "" -C "$tmp/conf/opts" -n -v ./mod-a.ko x=1
expect "an install command for the file's name replaces the load" 0 \
	"$b\ninstall echo installing \$CMDLINE_OPTS " "" -C "$tmp/conf/inst" -D ./mod-a.ko
expect "the blacklist does not hold for a path" 0 "$b\ninsmod $w/./mod-a.ko " "" \
	-C "$tmp/conf/bl" -D ./mod-a.ko
expect "the blacklist holds for a path with -b: nothing loads, lkm says where" 0 "" \
	"^modprobe: WARNING: Module mod_a is blacklisted by $tmp/conf/bl/a.conf line 1" \
	-C "$tmp/conf/bl" -D -b ./mod-a.ko

# Errors: the path named, non-zero exit; what is not "/" or "./" is a name, as in kmod.
expect "a missing file: the path and the reason" 1 "" \
	"modprobe: FATAL: Failed to get module from path ./nope.ko: No such file or directory" \
	-D ./nope.ko
expect "a missing file with -a is a warning, the others still load" 1 "insmod $dir/kernel/mod_c.ko " \
	"modprobe: WARNING: Failed to get module from path $w/nope.ko: No such file or directory" \
	-D -a "$w/nope.ko" mod_c
expect "-q: no message, still exit 1" 1 "" "" -q -D ./nope.ko
expect "a directory: no module name in the path" 1 "" \
	"modprobe: FATAL: Failed to get module from path ./: the file name gives no module name" -D ./
expect "a relative path without ./ is a name" 1 "" \
	"^modprobe: FATAL: Module mod-a.ko not found in directory $dir" -D mod-a.ko
expect "../path is a name" 1 "" \
	"^modprobe: FATAL: Module ../work/mod-a.ko not found in directory $dir" -D ../work/mod-a.ko
expect "-r of a path: a name that finds nothing" 1 "" "^modprobe: FATAL: Module ./mod-a.ko not found." \
	-r -n ./mod-a.ko

# --show-exports and --show-modversions: a name (through the indexes), an alias, a path,
# a bare file name the indexes do not know (kmod up to 34 took every argument for a file).
expect "--show-exports NAME: the installed module's" 0 '0x0000aaaa\tprintA' "" --show-exports mod-a
expect "--show-exports ALIAS: the module it names" 0 '0x0000bbbb\tprintB' "" --show-exports my-alias-b
expect "--show-exports ./path: that file's" 0 '0x0000a001\tprintA' "" --show-exports ./mod-a.ko
expect "--show-exports /abs/path" 0 '0x00000042\tnewSym' "" --show-exports "$w/new-mod.ko"
expect "--show-exports file.ko that is no name: the file (kmod 34)" 0 '0x00000042\tnewSym' "" \
	--show-exports new-mod.ko
expect "--show-exports mod-a.ko: the name finds nothing, the file in work/ is it" 0 \
	'0x0000a001\tprintA' "" --show-exports mod-a.ko
expect "--show-modversions NAME" 0 '0x0000bbbb\tprintB' "" --show-modversions mod_a
expect "--show-modversions ./path" 0 '0x0000bbbb\tprintB' "" --show-modversions ./mod-a.ko
expect "--dump-modversions NAME" 0 '0x12345678\tprintk' "" --dump-modversions mod-c
expect "--show-exports of an unknown name: named, exit 1" 1 "" \
	"^modprobe: FATAL: Module nosuch not found in directory $dir" --show-exports nosuch
expect "--show-modversions of a missing path: named, exit 1" 1 "" \
	"modprobe: FATAL: Failed to get module from path ./nope.ko: No such file or directory" \
	--show-modversions ./nope.ko
expect "--show-exports of a built-in module: no file, exit 1" 1 "" \
	"modprobe: FATAL: could not get symbols of bi: built into the kernel, there is no module file" \
	--show-exports bi
expect "--show-exports of a module that exports nothing: its name, exit 1" 1 "" \
	"modprobe: FATAL: could not get symbols of mod_c: No such file or directory" --show-exports mod-c
expect "--show-exports of such a file: the path as given, exit 1" 1 "" \
	"modprobe: FATAL: could not get symbols of $dir/kernel/mod_c.ko: No such file or directory" \
	--show-exports "$dir/kernel/mod_c.ko"

# -R prints names and reads no modules.dep for what it finds (nor does kmod): a tree
# whose modules.dep.bin is broken still answers an alias with a ':' (no module name can
# be one, so modules.dep is not asked first); -D of it names the broken index.
broken=$tmp/broken/lib/modules/$kver
mkdir -p "$broken/kernel" || need "broken tree" false
mk "$broken/kernel/mod_p.ko" mod_p 'alias=pci:v0000BEEFd*sv*sd*bc*sc*i*'
printf 'kernel/mod_p.ko\n' >"$broken/modules.order"
: >"$broken/modules.builtin"; : >"$broken/modules.builtin.modinfo"
need "lkm depmod of the broken tree" "$LKM" depmod -b "$tmp/broken" "$kver"
printf 'garbage' >"$broken/modules.dep.bin"
pa=pci:v0000BEEFd00000001sv0sd0bc00sc00i00
"$LKM" modprobe -d "$tmp/broken" -S "$kver" -C "$tmp/empty" -R "$pa" >"$tmp/out" 2>"$tmp/err"
check "-R with a broken modules.dep.bin: the alias's module, exit 0" \
	bash -c "[ $? = 0 ] && [ \"\$(cat '$tmp/out')\" = mod_p ] && [ ! -s '$tmp/err' ]"
"$LKM" modprobe -d "$tmp/broken" -S "$kver" -C "$tmp/empty" -D "$pa" >"$tmp/out" 2>"$tmp/err"
check "-D of it: exit 1, the broken index named" \
	bash -c "[ $? = 1 ] && grep -q 'modules.dep.bin: too short for an index header' '$tmp/err'"
finish
