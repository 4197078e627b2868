#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot a real Debian kernel under qemu with an initramfs that holds lkm, Debian's kmod (the
# oracle), busybox, a subset of the kernel's modules plus the test modules, and run the
# given scenarios twice each (kmod, then lkm). The serial console is written to the log.
#
#   run-vm.sh KVER SCENARIO...     (a scenario is a name in tests/vm/scenarios or a path)
#
# Environment:
#   LKM_STATIC      the static lkm binary to use (default: build one in build-static)
#   LKM             a dynamic lkm binary, used with its libraries if no static one exists
#   LKM_VM_LOG      where to write the console log (default: $cache/vm/log-KVER.txt)
#   LKM_VM_APPEND   extra kernel command line
#   LKM_VM_TIMEOUT  hard limit for the whole VM run in seconds (default 240)
#   LKM_VM_STEP     limit for one scenario run in the guest, seconds (default 30)
#   LKM_VM_QUIET=1  do not copy the console to stdout
#   LKM_VM_MODULES  more of the kernel's modules to put in the guest (bench/vm-modprobe.sh)
#   LKM_VM_QEMU     more qemu options (bench/vm-modprobe.sh: -icount)
#   LKM_LIBKMOD     lkm's libkmod.so.2, for the consumers (systemd-udevd, ...) in /lkm/bin
#                   (default: <build>/libkmod/libkmod.so.2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${LKM_CACHE:-/var/cache/lkm-test}
vm=$cache/vm
log() { echo "run-vm: $*" >&2; }
die() { log "$*"; exit 2; }

[ $# -ge 2 ] || die "usage: run-vm.sh KVER SCENARIO..."
kver=$1
shift

# Real modules to put in the guest, with their dependencies: a chain (msdos -> fat), the
# filesystem the kernel requests on mount (fs-msdos), a netdev type (rtnl-link-dummy),
# loop for the FAT image, and others that load without hardware.
modules_wanted="fat msdos vfat nls_cp437 nls_iso8859-1 nls_utf8 dummy loop ext4 isofs udf
	squashfs veth bridge macvlan ipvlan bonding tun vxlan nf_conntrack nf_nat xt_conntrack
	minix hfs hfsplus bcache raid456 ${LKM_VM_MODULES:-}"

# --- the kernel ---------------------------------------------------------------------
tree=
[ -f "$vm/kernels.list" ] && tree=$(awk -v k="$kver" '$1 == k {print $2}' "$vm/kernels.list")
if [ -z "$tree" ] || [ ! -f "$vm/modules/$kver/.stamp" ]; then
	"$here/setup.sh" >/dev/null || die "setup.sh failed"
	tree=$(awk -v k="$kver" '$1 == k {print $2}' "$vm/kernels.list")
fi
[ -n "$tree" ] || die "unknown kernel $kver (known: $(cut -d' ' -f1 "$vm/kernels.list" | xargs))"
vmlinuz=$vm/kernels/vmlinux-$kver
[ -s "$vmlinuz" ] || vmlinuz=$tree/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "no $vmlinuz"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run setup.sh"

# --- scenarios ----------------------------------------------------------------------
scenarios=()
qemu_extra=
consumers=
smp=${LKM_VM_SMP:-1}
for s in "$@"; do
	case $s in
	*/*) f=$s ;;
	*) f=$here/scenarios/${s%.sh}.sh ;;
	esac
	[ -f "$f" ] || die "no scenario $s"
	# "# kernel: GLOB" restricts a scenario to matching kernels.
	glob=$(sed -n 's/^# kernel: *//p' "$f" | head -n 1)
	if [ -n "$glob" ]; then
		# shellcheck disable=SC2254
		case $kver in $glob) ;; *) log "skipping $(basename "$f" .sh) on $kver"; continue ;; esac
	fi
	scenarios+=("$f")
	# "# modules:", "# qemu:" and "# consumers:" add to the initramfs and the machine.
	modules_wanted="$modules_wanted $(sed -n 's/^# modules: *//p' "$f" | xargs)"
	qemu_extra="$qemu_extra $(sed -n 's/^# qemu: *//p' "$f" | xargs)"
	grep -q '^# consumers: *systemd' "$f" && consumers=systemd
	# "# smp: N": the boot gets N CPUs (the most any of its scenarios asks for).
	want_smp=$(sed -n 's/^# smp: *\([0-9][0-9]*\) *$/\1/p' "$f" | head -n 1)
	if [ -n "$want_smp" ] && [ "$want_smp" -gt "$smp" ]; then smp=$want_smp; fi
done
[ ${#scenarios[@]} -gt 0 ] || die "no scenario to run on $kver"

# --- lkm ----------------------------------------------------------------------------
is_static() { ! ldd "$1" >/dev/null 2>&1; }
lkm_bin=$("$here/lkm-static.sh")

# --- initramfs ----------------------------------------------------------------------
stage=$(mktemp -d "${TMPDIR:-/tmp}/lkm-vm.XXXXXX")
trap 'rm -rf "$stage" "$stage.cpio" "$stage.cpio.tmp"' EXIT
mkdir -p "$stage"/{bin,sbin,lib,lib64,proc,sys,dev,tmp,run,mnt,etc/modprobe.d,lkm/bin,kmod/bin,scenarios,vm}

copy_libs() { # binary: copy the shared libraries it needs to the same paths
	local l
	for l in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
		mkdir -p "$stage$(dirname "$l")"
		cp -L "$l" "$stage$l"
	done
}

# BusyBox for the shell and utilities. /init installs its applet links (one process here
# would be one per applet on the host) and removes its module tools: a scenario must
# never end up testing BusyBox's insmod by accident.
cp "$(command -v busybox)" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"

tools="insmod rmmod lsmod modprobe depmod modinfo"
cp "$(readlink -f "$(command -v kmod)")" "$stage/kmod/bin/kmod"
copy_libs "$stage/kmod/bin/kmod"
for t in $tools; do ln -s kmod "$stage/kmod/bin/$t"; done

if [ -n "$lkm_bin" ]; then
	cp "$lkm_bin" "$stage/sbin/lkm"
	strip "$stage/sbin/lkm" 2>/dev/null || true
	is_static "$lkm_bin" || copy_libs "$lkm_bin"
fi
for t in $tools; do ln -s /sbin/lkm "$stage/lkm/bin/$t"; done

# --- libkmod's consumers ------------------------------------------------------------
# Debian's systemd-modules-load, systemd-udevd and udevadm link libkmod.so.2. Each tool set
# gets wrappers for them in its bin/ that run them with its own libkmod.so.2: /kmod/lib
# holds Debian's (libkmod2, which they link), /lkm/lib lkm's ($LKM_LIBKMOD). Without lkm's
# library, /lkm/lib/MISSING says why and the lkm wrappers fail (exit 127).
if [ -n "$consumers" ]; then
	lkm_libkmod=${LKM_LIBKMOD:-${LKM_BUILD_ROOT:-$src/build}/libkmod/libkmod.so.2}
	# Debian's kmod has its library linked in: take the one the consumers link.
	deb_libkmod=$(ldd /bin/udevadm | awk '$1 == "libkmod.so.2" { print $3 }')
	[ -f "$deb_libkmod" ] || die "udevadm links no libkmod.so.2"
	mkdir -p "$stage/kmod/lib" "$stage/lkm/lib"
	cp -L "$deb_libkmod" "$stage/kmod/lib/libkmod.so.2"
	echo "$deb_libkmod ($(dpkg -S "$(readlink -f "$deb_libkmod")" 2>/dev/null | cut -d: -f1)" \
		"$(dpkg-query -W -f '${Version}' libkmod2 2>/dev/null))" >"$stage/kmod/lib/SOURCE"
	if [ -f "$lkm_libkmod" ]; then
		cp -L "$lkm_libkmod" "$stage/lkm/lib/libkmod.so.2"
		copy_libs "$lkm_libkmod"
		echo "$lkm_libkmod" >"$stage/lkm/lib/SOURCE"
	else
		log "WARNING: no lkm libkmod.so.2 at $lkm_libkmod (LKM_LIBKMOD): the consumers' lkm runs will fail"
		echo "no lkm libkmod.so.2 at $lkm_libkmod (LKM_LIBKMOD)" >"$stage/lkm/lib/MISSING"
	fi
	for b in /lib/systemd/systemd-modules-load /lib/systemd/systemd-udevd /bin/udevadm; do
		[ -x "$b" ] || die "$b missing: install systemd and udev"
		mkdir -p "$stage$(dirname "$b")"
		cp -P "$b" "$stage$b"
		copy_libs "$b"
		for set in kmod lkm; do
			# argv[0] keeps the real path: udevadm acts as udevd when called so.
			cat >"$stage/$set/bin/${b##*/}" <<-EOF
			#!/bin/sh
			# Debian's ${b##*/} with $set's libkmod.so.2 (written by run-vm.sh)
			if [ ! -e /$set/lib/libkmod.so.2 ]; then
			echo "${b##*/}: \$(cat /$set/lib/MISSING)" >&2
			exit 127
			fi
			LD_LIBRARY_PATH=/$set/lib exec $b "\$@"
			EOF
			chmod +x "$stage/$set/bin/${b##*/}"
		done
	done
	# udev as initramfs-tools' hook installs it: its config, .link files, the rules an
	# initramfs needs (80-drivers.rules loads the drivers) and the programs they run.
	mkdir -p "$stage/etc/udev" "$stage/lib/udev/rules.d" "$stage/lib/systemd/network" \
		"$stage/etc/modules-load.d"
	[ -f /etc/udev/udev.conf ] && cp /etc/udev/udev.conf "$stage/etc/udev/"
	cp /lib/systemd/network/*.link "$stage/lib/systemd/network/" 2>/dev/null || true
	for r in 50-firmware 50-udev-default 60-block 60-persistent-storage \
		61-persistent-storage-android 71-seat 73-special-net-names 75-net-description \
		80-net-setup-link 80-drivers; do
		[ -f "/lib/udev/rules.d/$r.rules" ] && cp "/lib/udev/rules.d/$r.rules" "$stage/lib/udev/rules.d/"
	done
	[ -f "$stage/lib/udev/rules.d/80-drivers.rules" ] || die "no 80-drivers.rules in /lib/udev/rules.d"
	# The consumers bind every symbol at start: name all the libkmod functions they need
	# that lkm's library lacks, not just the first the loader stumbles on.
	if [ -f "$stage/lkm/lib/libkmod.so.2" ]; then
		lacks=$(comm -23 \
			<(for f in /bin/udevadm /lib/systemd/systemd-modules-load $(ldd \
				/lib/systemd/systemd-modules-load | awk '/libsystemd-shared/ { print $3 }'); do
				nm -D --undefined-only "$f"; done | awk '$2 ~ /^kmod_/ { print $2 }' | sort -u) \
			<(nm -D --defined-only "$stage/lkm/lib/libkmod.so.2" |
				awk '$3 ~ /^kmod_/ { sub(/@@/, "@", $3); print $3 }' | sort -u) | xargs)
		echo "$lacks" >"$stage/lkm/lib/LACKS"
		[ -z "$lacks" ] || log "WARNING: lkm's libkmod.so.2 lacks what the consumers use: $lacks"
	fi
	for b in /lib/udev/ata_id /lib/udev/scsi_id /sbin/blkid; do
		[ -x "$b" ] || continue
		mkdir -p "$stage$(dirname "$b")"
		cp "$b" "$stage$b"
		copy_libs "$b"
	done
fi

# The module tree: the wanted modules and their dependencies, in their own paths, plus
# the test modules under extra/. kmod's depmod writes the indexes.
tmods=$tree/lib/modules/$kver
gmods=$stage/lib/modules/$kver
mkdir -p "$gmods/extra"
closure=$(awk -v want="$modules_wanted" '
	BEGIN { n = split(want, w, /[ \t\n]+/); for (i = 1; i <= n; i++) if (w[i] != "") need[w[i]] = 1 }
	{ sub(/:$/, "", $1); name = $1; sub(/.*\//, "", name); sub(/\.ko(\.[a-z]+)?$/, "", name)
	  if (name in need) { found[name] = 1; for (i = 1; i <= NF; i++) print $i } }
	END { for (m in need) if (!(m in found)) print "run-vm: no module " m > "/dev/stderr" }
	' "$tmods/modules.dep" | tr -d ':' | sort -u)
( cd "$tmods" && cp --parents $closure "$gmods/" )
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$tmods/$f" ] && cp "$tmods/$f" "$gmods/"
done
cp "$vm/modules/$kver/"*.ko* "$gmods/extra/"
depmod -b "$stage" "$kver" || die "depmod failed"
ko=.ko
ls "$gmods/extra/"*.ko.xz >/dev/null 2>&1 && ko=.ko.xz

# A kernel with plain modules gets a second tree under /xz with xz copies of the test
# modules and of fat and vfat, for "modprobe -d /xz": both tools must decompress in
# userspace there, since such a kernel cannot (no /sys/module/compression).
xzroot=
if [ -d "$vm/modules/$kver/xz" ]; then
	xzroot=/xz
	xmods=$stage/xz/lib/modules/$kver
	mkdir -p "$xmods/extra"
	cp "$vm/modules/$kver/xz/"*.ko.xz "$xmods/extra/"
	for f in $(echo "$closure" | grep -E '/(fat|vfat)\.ko$'); do
		mkdir -p "$xmods/$(dirname "$f")"
		xz -c --check=crc32 --lzma2=dict=1MiB "$tmods/$f" >"$xmods/$f.xz"
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$gmods/$f" ] && cp "$gmods/$f" "$xmods/"
	done
	depmod -b "$stage/xz" "$kver" || die "depmod of the xz tree failed"
fi

# Scenarios run in order; "# cmdline:" lines add to the kernel command line.
append="${LKM_VM_APPEND:-}"
for f in "${scenarios[@]}"; do
	n=$(basename "$f" .sh)
	cp "$f" "$stage/scenarios/$n.sh"
	echo "$n" >>"$stage/scenarios/list"
	c=$(sed -n 's/^# cmdline: *//p' "$f" | xargs)
	[ -n "$c" ] && append="$append $c"
done
cp "$here/guest/init" "$stage/init"
cp "$here/guest/lib.sh" "$here/guest/run-one" "$stage/vm/"
# dropcap: runs a command without CAP_SYS_MODULE (BusyBox cannot drop one capability).
gcc -static -O2 -Wall -o "$stage/vm/dropcap" "$here/guest/dropcap.c" || die "building dropcap failed"
chmod +x "$stage/init" "$stage/vm/run-one"
cat >"$stage/vm/config" <<EOF
KO=$ko
XZROOT=$xzroot
STEP_TIMEOUT=${LKM_VM_STEP:-30}
EOF

# Uncompressed: unpacking gzip under TCG costs more than reading the larger image.
# Private to this run: several runs (teammates, parallel kernels) may share the cache.
img=$stage.cpio
( cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet ) >"$img.tmp"
mv "$img.tmp" "$img"
log "initramfs $(du -h "$img" | cut -f1), $(echo "$closure" | wc -l) kernel modules," \
	"${#scenarios[@]} scenarios, ready after ${SECONDS}s"

# --- boot ---------------------------------------------------------------------------
out=${LKM_VM_LOG:-$vm/log-$kver.txt}
cmdline="console=ttyS0 loglevel=3 panic=-1 rdinit=/init $append"
log "booting $kver: $cmdline"
# Under TCG on a loaded host the kernel sometimes panics before userspace (its IO-APIC
# timer check); that says nothing about lkm, so such a boot is tried again, twice at most.
# A run that reached userspace is never repeated.
boot_once() {
	set +e
	if [ "${LKM_VM_QUIET:-}" = 1 ]; then
		timeout -k 5 "${LKM_VM_TIMEOUT:-240}" qemu-system-x86_64 -machine pc -accel tcg \
			-cpu max -smp "$smp" -m 512 -nodefaults -display none -no-reboot -serial stdio \
			-kernel "$vmlinuz" -initrd "$img" -append "$cmdline" $qemu_extra ${LKM_VM_QEMU:-} \
			</dev/null >"$out" 2>&1
		rc=$?
	else
		timeout -k 5 "${LKM_VM_TIMEOUT:-240}" qemu-system-x86_64 -machine pc -accel tcg \
			-cpu max -smp "$smp" -m 512 -nodefaults -display none -no-reboot -serial stdio \
			-kernel "$vmlinuz" -initrd "$img" -append "$cmdline" $qemu_extra ${LKM_VM_QEMU:-} \
			</dev/null 2>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
	fi
	set -e
}
for attempt in 1 2 3; do
	start=$(date +%s.%N)
	boot_once
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	log "qemu exited with $rc after ${secs}s; log in $out"
	grep -q '^@@BOOT' "$out" && break
	log "boot $attempt of $kver did not reach userspace: $(grep -m1 -i 'panic' "$out" || echo 'no panic line')"
done
grep -q '^@@DONE' "$out" || die "the guest did not finish (timeout or crash): see $out"
exit 0
