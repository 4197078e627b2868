# SPDX-License-Identifier: LGPL-2.1-or-later
# Invalid module format, each check: a program (busybox, ET_EXEC), another architecture
# (e_machine patched to aarch64), a vermagic of another release (one byte changed), a
# __versions CRC changed, and an object that is not a module (its
# .gnu.linkonce.this_module section renamed). lkm says which check failed.
# expect: exec.rc=1
# expect: arch.rc=1
# expect: vermagic.rc=1
# expect: crc.rc=1
# expect: notmod.rc=1
# expect: table.exec=*not a relocatable object (ELF type EXEC): this is a program*
# expect: table.arch=*built for another architecture: aarch64 (e_machine 183), but this kernel runs on x86_64*
# expect: table.vermagic=*version magic '5.* SMQ *' does not match the kernel's '6.* SMP *'*module: 5.*kernel: 6.*
# expect: table.crc=*disagrees about the version (CRC) of _printk*
# expect: table.notmod=*was built for linking into the kernel, not as a module*
# kmod-bug: terse table.exec kmod says only "Invalid module format"
# kmod-bug: terse table.arch kmod says only "Invalid module format"
# kmod-bug: terse table.vermagic kmod says only "Invalid module format"
# kmod-bug: terse table.crc kmod says only "Invalid module format"/"Invalid parameters"
# kmod-bug: terse table.notmod kmod says only "Invalid module format"
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
# plain NAME: ./NAME.ko, decompressed from the test module. patch FILE OFFSET BYTE (decimal).
plain() {
	case $KO in
	*.xz) xzcat "$EXTRA/$1$KO" >"$1.ko" ;;
	*) cp "$EXTRA/$1$KO" "$1.ko" ;;
	esac
}
patch() {
	printf "\\$(printf %03o "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
plain lkm_dep_a
diag exec $TOOLS/insmod /bin/busybox

cp lkm_dep_a.ko arch.ko
patch arch.ko 18 183
patch arch.ko 19 0
diag arch $TOOLS/insmod arch.ko

cp lkm_dep_a.ko vermagic.ko
off=$(strings -t d vermagic.ko | awk '$2 ~ /^vermagic=6/ { print $1; exit }')
# The release ('6' -> '5') and "SMP" -> "SMQ": with modversions the kernel skips the release.
if [ -n "$off" ]; then
	patch vermagic.ko $((off + 9)) 53
	smp=$(strings -t d vermagic.ko | awk '$2 ~ /^vermagic=/ { print index($0, "SMP") - index($0, "vermagic=") }')
	patch vermagic.ko $((off + smp + 2)) 81
fi
diag vermagic $TOOLS/insmod vermagic.ko
/kmod/bin/rmmod lkm_dep_a 2>/dev/null

# The __versions entry of _printk: its name follows the CRC, whose upper 4 bytes are 0.
cp lkm_dep_a.ko crc.ko
for off in $(strings -t d crc.ko | awk '$2 == "_printk" { print $1 }'); do
	if [ "$(od -A n -t u1 -j $((off - 4)) -N 4 crc.ko | xargs)" = "0 0 0 0" ]; then
		b=$(od -A n -t u1 -j $((off - 8)) -N 1 crc.ko | xargs)
		patch crc.ko $((off - 8)) $(((b + 1) % 256))
	fi
done
diag crc $TOOLS/insmod crc.ko
/kmod/bin/rmmod lkm_dep_a 2>/dev/null

cp lkm_dep_a.ko notmod.o
for off in $(strings -t d notmod.o | awk '$2 ~ /\.gnu\.linkonce\.this_module$/ { print $1 + length($2) - 1 }'); do
	patch notmod.o "$off" 88 # 'e' -> 'X'
done
diag notmod $TOOLS/insmod notmod.o
