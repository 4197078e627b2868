#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The systems of the whole-system test (see README.md), built on the host as root:
#
#   build.sh base          debootstrap Debian 12 with systemd, udev, initramfs-tools and
#                          the 6.1 kernel pinned in tests/kernels.pin, once, into
#                          ${LKM_CACHE:-/var/cache/lkm-test}/system/base; rebuilt only when
#                          it is missing, the pin changes or this script changes. Prints
#                          the base's root.
#   build.sh image NAME [DEBDIR]
#                          a copy of the base in $cache/system/NAME: with DEBDIR, lkm's
#                          packages installed from it with dpkg -i and kmod and libkmod2
#                          purged; then the report unit of guest/ installed, the initramfs
#                          rebuilt with the system's own tools (update-initramfs -u in a
#                          chroot) and the ext4 disk image NAME.img made with mkfs.ext4 -d.
#                          Prints "ROOT IMAGE KVER".
# Nothing in the base comes from the archive of the day once it is cached; packages come
# from the mirror of the host's apt sources (LKM_SYSTEM_MIRROR overrides it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${LKM_CACHE:-/var/cache/lkm-test}
sys=$cache/system
log() { echo "system-build: $*" >&2; }
die() { log "$*"; exit 1; }
mkdir -p "$sys"

# What the base holds besides debootstrap's minbase. linux-base is the kernel's dependency;
# dbus keeps logind and friends from failing; pciutils gives the report its lspci -k.
base_pkgs=systemd,systemd-sysv,udev,dbus,initramfs-tools,kmod,e2fsprogs,linux-base,zstd,pciutils
# The base is rebuilt when the pin, the packages or this number change: raise it with any
# change to build_base.
base_recipe=1

# CMD... run in the system at ROOT, chrooted, with /proc, /sys and /dev mounted in a
# mount namespace of its own: the mounts go away with the command, whatever happens.
in_root() { # root cmd...
	unshare --mount --propagation private -- /bin/sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
			mount --rbind /dev "$r/dev" || exit 1
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"' sh "$@"
}

mirror() {
	[ -n "${LKM_SYSTEM_MIRROR:-}" ] && { echo "$LKM_SYSTEM_MIRROR"; return; }
	# The first plain Debian URI of the host's sources, deb822 or one-line.
	cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		2>/dev/null | grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security |
		head -n 1 | tr -d ' ' || true
}

# The pinned 6.1 kernel as "PACKAGE VERSION DEB", downloaded into $cache/debs as the
# kernel trees are. In a subshell, so that pins.sh's fetch lock is let go at once.
kernel_deb() {
	(
		# shellcheck source=../tools/pins.sh
		. "$src/tests/tools/pins.sh"
		read -r pkg ver arch <<<"$(pin_resolve 6.1)" && [ -n "$arch" ] || exit 1
		deb=$cache/debs/${pkg}_${ver}_$arch.deb
		[ -f "$deb" ] || ( cd "$cache/debs" && apt-get download "$pkg:$arch=$ver" >&2 ) ||
			{ log "cannot download $pkg $ver"; exit 1; }
		echo "$pkg $ver $deb"
	)
}

build_base() {
	local pkg ver deb key root=$sys/base tmp url
	command -v debootstrap >/dev/null || apt-get install -y --no-install-recommends debootstrap >&2
	read -r pkg ver deb <<<"$(kernel_deb)" && [ -f "$deb" ] || die "no pinned 6.1 kernel"
	key="$pkg $ver $base_pkgs recipe $base_recipe"
	if [ -f "$root/.done" ] && [ "$(cat "$root/.done")" = "$key" ]; then
		echo "$root"
		return 0
	fi
	url=$(mirror)
	[ -n "$url" ] || die "no Debian mirror in the apt sources: set LKM_SYSTEM_MIRROR"
	log "debootstrapping Debian 12 with $pkg $ver from $url (a few minutes)"
	tmp=$sys/base.new
	rm -rf "$tmp"
	debootstrap --variant=minbase --include="$base_pkgs" bookworm "$tmp" "$url" >&2 ||
		{ tail -n 30 "$tmp/debootstrap/debootstrap.log" >&2 2>/dev/null; die "debootstrap failed"; }
	cp "$deb" "$tmp/tmp/kernel.deb"
	# The kernel's postinst builds the first initramfs, with Debian's kmod.
	in_root "$tmp" dpkg -i /tmp/kernel.deb >&2 || die "cannot install $pkg in the base"
	rm -f "$tmp/tmp/kernel.deb" "$tmp"/var/cache/apt/archives/*.deb
	# A fixed machine id: no first boot, and the same in every image.
	echo 6c6b6d2d73797374656d2d7465737431 >"$tmp/etc/machine-id"
	echo lkm-system >"$tmp/etc/hostname"
	echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$tmp/etc/fstab"
	passwd -R "$tmp" -d root >/dev/null 2>&1 || true
	echo "$key" >"$tmp/.done"
	rm -rf "$root" && mv "$tmp" "$root"
	log "base ready: $root"
	echo "$root"
}

# The lkm packages of DEBDIR installed the way an administrator would, as the README
# says: dpkg -i, then kmod and libkmod2 purged, then dpkg-reconfigure lkm for the
# /etc/modules kmod's purge deletes. No --force: a dependency that lkm's packages do not
# satisfy fails.
install_lkm() { # root debdir
	local root=$1 debs=$2 f p rank audit order=() names=()
	ls "$debs"/*.deb >/dev/null 2>&1 || die "no .deb in $debs"
	mkdir -p "$root/tmp/lkm-debs"
	# In one dpkg -i, in the order that lets dpkg take kmod's place step by step: the
	# package that provides kmod first (it removes kmod, whose exact dependency on libkmod2
	# would otherwise keep libkmod2), then the one that provides libkmod2, then the rest.
	# In name order (liblkm* first) dpkg refuses to remove libkmod2 for kmod's sake.
	for f in "$debs"/*.deb; do
		p=$(dpkg-deb -f "$f" Package)
		case $p in *-dbgsym) continue ;; esac
		case ", $(dpkg-deb -f "$f" Provides), " in
		*", kmod "* | *", kmod,"*) rank=0 ;;
		*", libkmod2 "* | *", libkmod2,"*) rank=1 ;;
		*) rank=2 ;;
		esac
		cp "$f" "$root/tmp/lkm-debs/"
		order+=("$rank /tmp/lkm-debs/$(basename "$f") $p")
	done
	mapfile -t order < <(printf '%s\n' "${order[@]}" | sort -k1,1n -k3,3)
	for f in "${order[@]}"; do names+=("${f#* }"); done
	log "installing ${names[*]%% *} from $debs"
	# shellcheck disable=SC2046
	in_root "$root" dpkg -i $(printf '%s\n' "${names[@]}" | cut -d' ' -f1) >&2 ||
		die "dpkg -i of lkm's packages failed"
	# Whatever dpkg left of kmod (removed for a Conflicts, or still installed) goes. Its
	# postrm deletes /etc/modules on purge: as the README says, dpkg-reconfigure lkm
	# then puts back the copy lkm keeps.
	in_root "$root" dpkg --purge kmod libkmod2 >&2 || die "cannot purge kmod and libkmod2"
	[ -f "$root/etc/modules" ] && die "kmod's purge left /etc/modules: the check below proves nothing"
	in_root "$root" dpkg-reconfigure lkm >&2 || die "dpkg-reconfigure lkm failed"
	cmp -s "$root/etc/modules" "$root/var/lib/lkm/etc-modules" ||
		die "dpkg-reconfigure lkm did not put back /etc/modules"
	rm -rf "$root/tmp/lkm-debs"
	audit=$(in_root "$root" dpkg --audit 2>&1) && [ -z "$audit" ] ||
		die "dpkg --audit: packages left half-configured: $audit"
	in_root "$root" apt-get check -qq >&2 || die "apt-get check: broken dependencies"
	for f in kmod libkmod2; do
		! in_root "$root" dpkg-query -W -f='${Status}\n' "$f" 2>/dev/null | grep -q ' installed$' ||
			die "$f is still installed"
	done
}

build_image() { # name [debdir]
	local name=$1 debs=${2:-} base root img kver mb
	base=$(build_base)
	root=$sys/$name
	img=$sys/$name.img
	log "image $name: copying the base"
	rm -rf "$root" "$img"
	cp -a "$base" "$root"
	rm -f "$root/.done"
	[ -z "$debs" ] || install_lkm "$root" "$debs"
	cp -r "$here/guest/." "$root/"
	chmod 755 "$root/usr/local/sbin/lkm-report"
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/lkm-report.service \
		"$root/etc/systemd/system/multi-user.target.wants/lkm-report.service"
	kver=$(ls "$root/lib/modules")
	log "image $name: update-initramfs -u with the system's tools"
	in_root "$root" update-initramfs -u -k "$kver" >&2 || die "update-initramfs failed in $name"
	# The tools that built it, as the system sees them, and whether the initramfs carries
	# the system's own modprobe (a file with the same content): test-system.sh checks both.
	in_root "$root" sh -c '
		v=$(modprobe --version 2>&1)
		echo "modprobe-version: $(echo "$v" | grep -m1 "^lkm version" || echo "$v" | head -n 1)"
		ls -l /sbin/modprobe /bin/kmod 2>&1
		lsinitramfs /boot/initrd.img-$1 | grep -E "(^|/)(kmod|lkm|modprobe)$"
		sum=$(sha256sum "$(readlink -f /sbin/modprobe)" | cut -d" " -f1)
		d=$(mktemp -d) && unmkinitramfs /boot/initrd.img-$1 "$d" &&
			find "$d" -type f -exec sha256sum {} + | grep -q "^$sum " &&
			echo "initramfs-modprobe: the system'"'"'s" || echo "initramfs-modprobe: not the system'"'"'s"
		rm -rf "$d"' sh "$kver" >"$sys/$name.tools" 2>&1 || true
	mb=$(du -sm "$root" | cut -f1)
	mkfs.ext4 -q -F -L lkm-root -E root_owner=0:0 -d "$root" "$img" "$((mb * 13 / 10 + 256))M" >&2 ||
		die "mkfs.ext4 -d failed for $name"
	echo "$root $img $kver"
}

case ${1:-} in
base) build_base ;;
image) [ $# -ge 2 ] || die "usage: build.sh image NAME [DEBDIR]"; build_image "$2" "${3:-}" ;;
*) die "usage: build.sh base | image NAME [DEBDIR]" ;;
esac
