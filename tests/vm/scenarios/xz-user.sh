# SPDX-License-Identifier: LGPL-2.1-or-later
# .ko.xz decompressed in userspace, then init_module. On 6.1 the kernel cannot
# decompress (no /sys/module/compression) and the test modules and fat/vfat come as xz
# copies in a second tree, /xz ($XZROOT, used with modprobe -d). On 6.12 an empty file
# bind-mounted over /sys/module/compression hides the kernel's xz support.
# expect: compression=
# expect: insmod.rc=0
# expect: insmod.loaded=yes
# expect: insmod.calls=init
# expect: modprobe.rc=0
# expect: modprobe.state=fat:1:vfat lkm_dep_a:1:lkm_dep_b lkm_dep_b:1:lkm_dep_c lkm_dep_c:0: lkm_log:0: vfat:0:
# expect: modprobe.calls=init init init init init
# expect: order=lkm_dep_a lkm_dep_b lkm_dep_c
# expect: rm.rc=0
if [ -e /sys/module/compression ]; then
	: >/tmp/no-compression
	mount --bind /tmp/no-compression /sys/module/compression
fi
fact compression "$(cat /sys/module/compression 2>/dev/null)"
trace_loads || fact trace unavailable
run insmod $TOOLS/insmod $XZROOT$EXTRA/lkm_log.ko.xz
loadcalls insmod.calls fact
loaded insmod.loaded lkm_log
run modprobe $TOOLS/modprobe ${XZROOT:+-d $XZROOT} -a vfat lkm_dep_c
loadcalls modprobe.calls fact
initorder order
modstate modprobe.state
run rm $TOOLS/modprobe ${XZROOT:+-d $XZROOT} -r -a vfat lkm_dep_c
scenario_cleanup() {
	trace_loads_stop
	grep -q ' /sys/module/compression ' /proc/mounts && umount /sys/module/compression
}
