# SPDX-License-Identifier: LGPL-2.1-or-later
# rmmod and modprobe -r refusals of a module that no module holds: lkm names what does.
# A mount of the module's filesystem type (lkm_fs's lkmtestfs) or on its block device
# (loop, under an msdos mount), and an open device node with the process holding it
# (lkm_misc's /dev/lkm_misc, tun's /dev/net/tun). Interfaces: a dummy interface and a bridge do not
# hold their modules (removal deletes them): netif.*.rc say so, on both tools.
# expect: fs.rmmod.rc=1
# expect: fs.modprobe.rc=1
# expect: fs.after.rc=0
# expect: table.fs.rmmod=*Module lkm_fs is in use (reference count 1): a filesystem of type lkmtestfs is mounted on /mnt*umount /mnt*
# expect: table.fs.modprobe=*Module lkm_fs is in use (reference count 1): a filesystem of type lkmtestfs is mounted on /mnt*umount /mnt*
# expect: misc.rmmod.rc=1
# expect: misc.modprobe.rc=1
# expect: misc.after.rc=0
# expect: table.misc.rmmod=*Module lkm_misc is in use (reference count 1): process * (sleep) has /dev/lkm_misc open*kill *
# expect-lkm: misc.pid_named=yes
# expect-lkm: misc.modprobe.pid_named=yes
# expect: tun.rmmod.rc=1
# expect: table.tun.rmmod=*Module tun is in use (reference count *): process * (sleep) has /dev/net/tun open*
# expect-lkm: tun.pid_named=yes
# expect: loop.mount.rc=0
# expect: loop.rmmod.rc=1
# expect: table.loop.rmmod=*Module loop is in use (reference count *): its device /dev/loop* is mounted on /mnt*mounted: /mnt (msdos) is on /dev/loop*, a device of loop*umount /mnt*
# expect: msdos.rmmod.rc=1
# expect: table.msdos.rmmod=*Module msdos is in use (reference count 1): a filesystem of type msdos is mounted on /mnt*
# expect: netif.dummy.rc=0
# expect: netif.bridge.rc=0
# kmod-bug: terse table.fs.rmmod kmod says only "is in use", not what holds it
# kmod-bug: terse table.fs.modprobe kmod says only "is in use", not what holds it
# kmod-bug: terse table.misc.rmmod kmod says only "is in use", not which process holds it
# kmod-bug: terse table.tun.rmmod kmod says only "is in use", not which process holds it
# kmod-bug: terse table.loop.rmmod kmod says only "is in use", not which mount holds it
# kmod-bug: terse table.msdos.rmmod kmod says only "is in use", not which mount holds it
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh, with the holder's PID
# and a dynamic misc minor written as PID and MINOR: they change when other scenarios
# of the boot change, and the README's table must not.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk -v pid="${holder_pid:--}" -v dev="${dyn_dev:--}" '
		{ gsub("process " pid " ", "process PID "); gsub("kill " pid "\\)", "kill PID)")
		  gsub("char " dev "\\)", "char 10:MINOR)")
		  printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
# named KEY PID: does the last stderr name process PID with its name?
named() {
	case $(cat /tmp/run.err) in
	*"process $2 (sleep)"*) note "$1" yes ;;
	*) note "$1" no ;;
	esac
}
holder_pid=
dyn_dev=
scenario_cleanup() {
	[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
	grep -q ' /mnt ' /proc/mounts && umount /mnt
}

# A mount of the module's own filesystem type.
/kmod/bin/insmod $EXTRA/lkm_fs$KO
mount -t lkmtestfs none /mnt || echo "mount -t lkmtestfs failed"
diag fs.rmmod $TOOLS/rmmod lkm_fs
diag fs.modprobe $TOOLS/modprobe -r lkm_fs
umount /mnt
run fs.after $TOOLS/rmmod lkm_fs

# An open misc device, held by a background process.
/kmod/bin/insmod $EXTRA/lkm_misc$KO
sleep 1000 </dev/lkm_misc >/dev/null 2>&1 &
holder_pid=$!
dyn_dev=10:$(awk '$2 == "lkm_misc" { print $1 }' /proc/misc)
sleep 1
diag misc.rmmod $TOOLS/rmmod lkm_misc
named misc.pid_named $holder_pid
diag misc.modprobe $TOOLS/modprobe -r lkm_misc
named misc.modprobe.pid_named $holder_pid
kill $holder_pid
wait $holder_pid 2>/dev/null
holder_pid=
run misc.after $TOOLS/rmmod lkm_misc

# A real module's device: tun's /dev/net/tun (char-major-10-200, devname:net/tun).
/kmod/bin/modprobe tun
sleep 1000 </dev/net/tun >/dev/null 2>&1 &
holder_pid=$!
sleep 1
diag tun.rmmod $TOOLS/rmmod tun
named tun.pid_named $holder_pid
kill $holder_pid
wait $holder_pid 2>/dev/null
holder_pid=

# A filesystem on a loop device holds both msdos (its type) and loop (its block device).
# loop belongs to the baseline: without the mount, rmmod would remove it.
# FAT loads its default codepage on mount: load it here, the guest has no modprobe helper.
/kmod/bin/modprobe -a msdos nls_cp437
run loop.mount mount -t msdos -o loop /tmp/fat.img /mnt
if grep -q ' /mnt msdos ' /proc/mounts; then
	diag loop.rmmod $TOOLS/rmmod loop
	diag msdos.rmmod $TOOLS/rmmod msdos
	umount /mnt
fi

# Network interfaces: do they hold their modules? (The facts say; both tools agree.)
/kmod/bin/modprobe dummy
ip link add lkmdummy0 type dummy
ip link set lkmdummy0 up
run netif.dummy $TOOLS/rmmod dummy
/kmod/bin/modprobe bridge
ip link add lkmbr0 type bridge
run netif.bridge $TOOLS/rmmod bridge
