#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Stale indexes and firmware (issue 12, parts 3 and 4), on a module tree made here
# (tests/tools/make-module.c, indexes by lkm's depmod): a module installed after depmod
# ran, a module removed after it, and --check of a module's firmware: fields against
# the firmware search path (the tree's lib/firmware under -d, firmware_class.path from
# --sys). Nothing is loaded: the names that are run are not found, their file is gone,
# or --check is given.
set -u
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
test_setup diag-stale LKM LKM_MAKE_MODULE

kver=1.0-stale root=$tmp/root
dir=$root/lib/modules/$kver fw=$root/lib/firmware
mk() { "$LKM_MAKE_MODULE" "$@" license=GPL || need "make-module $*" false; }
mkdir -p "$dir/kernel" "$tmp/sys/module/firmware_class/parameters" "$tmp/proc" "$tmp/empty" \
	"$fw/updates/$kver/vendor" "$tmp/fwpath"
: >"$dir/modules.order"
: >"$dir/modules.builtin"
: >"$dir/modules.builtin.modinfo"
: >"$tmp/proc/modules"
echo quiet >"$tmp/proc/cmdline"
mk "$dir/kernel/mod_fw.ko" mod_fw firmware=plain.bin firmware=vendor/upd.bin \
	firmware=packed.bin firmware=custom.bin firmware=absent.bin
mk "$dir/kernel/gone.ko" gone
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"
need "modules.dep lists gone" grep -qx 'kernel/gone.ko:' "$dir/modules.dep"
# After depmod: one module removed, one installed deep down, compressed, with a '-'.
rm -f "$dir/kernel/gone.ko"
touch -d '2001-02-03 04:05:06' "$dir/modules.dep"
mkdir -p "$dir/updates/dkms/deep"
mk "$dir/updates/dkms/deep/late-mod.ko.xz" late_mod
base=(-C "$tmp/empty" -d "$root" -S "$kver" --sys="$tmp/sys" --proc="$tmp/proc")

# run NAME RC TOOL ARGS...: the exit code, with stdout and stderr kept for has/hasnt.
run() {
	local name=$1 rc=$2 got
	shift 2
	"$LKM" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$rc" ]; then
		ok "$name: exit $rc"
	else
		bad "$name: exit $got, want $rc"
		sed 's/^/  stdout: /' "$tmp/out"
		sed 's/^/  stderr: /' "$tmp/err"
	fi
}
# has NAME FILE TEXT: TEXT (fixed) is in the output; hasnt: it is not.
has() {
	if grep -qF -- "$3" "$tmp/$2"; then ok "$1"; else bad "$1" "no '$3' in $2:"; sed 's/^/  /' "$tmp/$2"; fi
}
hasnt() {
	if grep -qF -- "$3" "$tmp/$2"; then bad "$1" "'$3' in $2"; sed 's/^/  /' "$tmp/$2"; else ok "$1"; fi
}

# A module installed after depmod ran: kmod's first line and exit code, then the file.
run "installed after depmod" 1 modprobe "${base[@]}" late-mod
has "kmod's first line" err "modprobe: FATAL: Module late-mod not found in directory $dir"
has "names the file, says depmod has not run since" err \
	"depmod has not run since $dir/updates/dkms/deep/late-mod.ko.xz was installed: the file is from "
has "with modules.dep's time" err "$dir/modules.dep from 2001-02-03 04:05:06"
has "says which depmod to run" err "run \`depmod -b $root $kver\` to index it"
hasnt "no guesses when the file is found" err "did you mean"
run "-q: the same exit code" 1 modprobe "${base[@]}" -q late-mod
check "-q: nothing said" test ! -s "$tmp/err"
run "a name with no file anywhere" 1 modprobe "${base[@]}" no-such-mod
hasnt "no stale-index line without a file" err "depmod has not run since"

# modules.dep lists a file that is gone.
run "a module removed after depmod" 1 modprobe "${base[@]}" gone
has "the module and the cause" err \
	"modprobe: ERROR: could not insert 'gone': gone has no module file: $dir/modules.dep lists $dir/kernel/gone.ko, which no longer exists (the index is stale)"
has "what to do" err "run \`depmod -b $root $kver\` to rewrite the index"
run "--check of the removed module" 1 modprobe "${base[@]}" --check gone
has "--check: a problem naming the file" out \
	"gone: problem: modules.dep lists $dir/kernel/gone.ko, which no longer exists: the index is stale; run \`depmod -b $root $kver\`"
has "--check: sums up" out "gone would not load: 1 problem found"

# Firmware: plain, in updates/KVER, compressed, in firmware_class.path, missing.
echo x >"$fw/plain.bin"
echo x >"$fw/updates/$kver/vendor/upd.bin"
echo x >"$fw/packed.bin.zst"
echo x >"$tmp/fwpath/custom.bin.xz"
echo "$tmp/fwpath" >"$tmp/sys/module/firmware_class/parameters/path"
run "modprobe --check: a missing firmware does not stop the load" 0 \
	modprobe "${base[@]}" --check mod_fw
has "plain firmware found" out "ok: firmware plain.bin: $fw/plain.bin"
has "updates/KVER found" out "ok: firmware vendor/upd.bin: $fw/updates/$kver/vendor/upd.bin"
has "compressed found" out "ok: firmware packed.bin: $fw/packed.bin.zst"
has "firmware_class.path found" out "ok: firmware custom.bin: $tmp/fwpath/custom.bin.xz"
has "the missing one is a note with the search path" out \
	"note: firmware absent.bin is missing: not in $tmp/fwpath, $fw/updates/$kver, $fw/updates, $fw/$kver or $fw (nor as .zst or .xz); mod_fw loads without it"
hasnt "no firmware problem" out "problem:"
has "would load" out "mod_fw would load: no problem found"

# insmod --check: the same, its /lib/firmware from --firmware (its KVER is uname's).
run "insmod --check" 0 insmod --sys="$tmp/sys" --proc="$tmp/proc" --firmware="$fw" --check \
	"$dir/kernel/mod_fw.ko"
has "insmod --check: found" out "ok: firmware packed.bin: $fw/packed.bin.zst"
has "insmod --check: firmware_class.path" out "ok: firmware custom.bin: $tmp/fwpath/custom.bin.xz"
has "insmod --check: missing is a note" out "note: firmware absent.bin is missing: not in "
has "insmod --check: would load" out "mod_fw would load: no problem found"
# A tree without modules.builtin (a kernel built without it, a tree made by hand): both
# depmods write modules.builtin.bin and modules.builtin.alias.bin empty, which is no
# built-in module, not a broken index.
nb=$tmp/nobuiltin ndir=$tmp/nobuiltin/lib/modules/$kver
mkdir -p "$ndir/kernel"
mk "$ndir/kernel/solo.ko" solo
"$LKM" depmod -b "$nb" "$kver" 2>/dev/null
check "no modules.builtin: depmod writes both built-in indexes empty" sh -c \
	"[ -f '$ndir/modules.builtin.bin' ] && [ ! -s '$ndir/modules.builtin.bin' ] &&
	 [ -f '$ndir/modules.builtin.alias.bin' ] && [ ! -s '$ndir/modules.builtin.alias.bin' ]"
"$LKM" modprobe -C "$tmp/empty" -d "$nb" -S "$kver" -n nosuch >/dev/null 2>"$tmp/nb.err"
rc=$?
check "no modules.builtin: modprobe of an unknown name: kmod's not found, exit 1" sh -c \
	"[ $rc = 1 ] && grep -q '^modprobe: FATAL: Module nosuch not found in directory' '$tmp/nb.err' &&
	 ! grep -q 'index header' '$tmp/nb.err'"
check "no modules.builtin: modprobe -n of a module in the tree works" \
	"$LKM" modprobe -C "$tmp/empty" -d "$nb" -S "$kver" -n solo
finish
