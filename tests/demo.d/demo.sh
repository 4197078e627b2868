# The README's demo, run in the VM by tests/demo: lkm's tools on a real kernel. It only
# runs with lkm's tools; the kmod pass of the harness skips it.
[ "$TOOL" = lkm ] || return 0
# BusyBox's shell would run its own applets for bare names, so call lkm by path.
show() {
	echo; echo "\$ $*"
	case $1 in
	insmod | rmmod | lsmod | modprobe | modinfo | depmod) c=$TOOLS/$1; shift; "$c" "$@" 2>&1 ;;
	*) "$@" 2>&1 ;;
	esac
}
echo "=== lkm on Linux $(uname -r), in qemu"
echo; echo '$ lkm --version'; /sbin/lkm --version
show modprobe -v msdos           # fat first: msdos needs it
show lsmod
show modinfo -F depends msdos
show modinfo -F filename fs-vfat      # an alias
show modinfo -F signer vfat
show modprobe --report vfat          # what the load registered (lkm's)
show rmmod vfat
mkdir -p /mnt/fat
$TOOLS/modprobe nls_cp437            # FAT's codepage, which a mount asks the kernel for
show mount -t msdos -o loop,ro /tmp/fat.img /mnt/fat
show rmmod msdos                     # held by the mount: lkm says by what
show umount /mnt/fat
$TOOLS/rmmod nls_cp437
echo
echo "# the kernel asks for modules by itself: point it at lkm's modprobe"
echo /lkm/bin/modprobe >/proc/sys/kernel/modprobe
echo '$ cat /proc/sys/kernel/modprobe'; cat /proc/sys/kernel/modprobe
show ip link add demo0 type dummy    # the kernel runs: modprobe -q -- rtnl-link-dummy
show lsmod
show modprobe -r -v msdos            # msdos, then fat, which nobody uses now
show rmmod dummy
show lsmod
show modprobe msdoss                 # a typo
