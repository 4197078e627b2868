# SPDX-License-Identifier: LGPL-2.1-or-later
# .ko.xz decompressed by the kernel: 6.12 announces xz in /sys/module/compression, so
# lkm hands the file to finit_module with MODULE_INIT_COMPRESSED_FILE (flags 4). kmod
# v30 predates that flag and decompresses in userspace (init_module). The syscalls are
# read from the kernel's syscall tracepoints. xz-user.sh covers the userspace path.
# kernel: 6.1[2-9]*
# expect: compression=xz
# expect: insmod.rc=0
# expect: insmod.loaded=yes
# expect-lkm: insmod.calls=finit:4
# expect-kmod: insmod.calls=init
# expect: modprobe.rc=0
# expect: modprobe.state=fat:1:vfat lkm_log:0: vfat:0:
# expect-lkm: modprobe.calls=finit:4 finit:4
# expect-kmod: modprobe.calls=init init
fact compression "$(cat /sys/module/compression 2>/dev/null || echo none)"
trace_loads || fact trace unavailable
run insmod $TOOLS/insmod $EXTRA/lkm_log.ko.xz
loadcalls insmod.calls
loaded insmod.loaded lkm_log
run modprobe $TOOLS/modprobe vfat
loadcalls modprobe.calls
modstate modprobe.state
scenario_cleanup() {
	trace_loads_stop
}
