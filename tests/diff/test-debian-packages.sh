#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages (debian/): built with dpkg-buildpackage from a copy of the source,
# lintian-clean (no errors; warnings are printed), the same paths as Debian's kmod,
# libkmod2 and libkmod-dev apart from the list below, and installed in place of kmod
# in a Debian 12 chroot that has kmod's dependents (udev, initramfs-tools-core):
# dpkg takes kmod out, nothing is left broken (apt-get check, dpkg --audit), and
# kmod, modprobe, depmod and lsmod answer there; then apt goes back to Debian's kmod.
#
# The chroot is made once with debootstrap (minbase) in $LKM_CACHE/debpkg-root
# (default /var/cache/lkm-test) and never changed after: each run works on an overlay
# of it, in a private mount namespace. Needs root and the Debian archive; installs
# what it needs with apt-get. LKM_DEB_NOCHECK=1 skips the unit tests of the build.
set -uo pipefail
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
cache=${LKM_CACHE:-/var/cache/lkm-test}
root=$cache/debpkg-root
mirror=http://deb.debian.org/debian
arch=$(dpkg --print-architecture)

if [ "$(id -u)" != 0 ]; then
	skip "debian packages" "needs root (build dependencies, a chroot)"
	finish
fi
if [ "${1:-}" != inside ]; then
	exec unshare -m --propagation private "$0" inside
fi

# Paths of Debian's packages that ours do not have, each with the reason. A path
# matches when it starts with an entry.
exempt=(
	"usr/share/doc/" # each package has its own doc directory (copyright, changelog)
	"usr/share/man/fr" # Debian's French modules(5); lkm has the English one only
	"usr/share/gtk-doc" # kmod's generated API reference; libkmod.h documents ours
)

same_list() { cmp -s "$1" "$2" || { diff "$1" "$2" | head -10; return 1; }; }
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
		>"$tmp/apt.log" 2>&1 || { tail -5 "$tmp/apt.log"; return 1; }
}
tmp=$(mktemp -d /var/tmp/lkm-test-debpkg.XXXXXX) || { bad "setup: mktemp"; finish; }
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mnt() { mount "$@" && mounts+=("${!#}"); } # mount ... TARGET, undone at exit

need "dpkg-dev, debhelper, lintian, debootstrap" apt_install dpkg-dev debhelper lintian \
	debootstrap fakeroot
# A copy of the source as a checkout has it: the files git tracks (with their changes).
need "the source copied" mkdir "$tmp/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z | xargs -0 tar -cf - --no-recursion) | tar -C "$tmp/src" -xf - ||
		need "git ls-files copy" false
else
	tar -C "$src" --exclude=./build --exclude='./build-*' -cf - . | tar -C "$tmp/src" -xf - ||
		need "source copy" false
fi
need "build dependencies (apt-get build-dep)" env DEBIAN_FRONTEND=noninteractive \
	apt-get build-dep -y -qq "$tmp/src"

# 1. The build; after it, debian/rules clean leaves the tree as it was.
(cd "$tmp/src" && find . | sort) >"$tmp/src.before"
opts="parallel=2${LKM_DEB_NOCHECK:+ nocheck}"
(cd "$tmp/src" && DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -b -us -uc) >"$tmp/build.log" 2>&1
rc=$?
[ $rc = 0 ] && ok "dpkg-buildpackage -b -us -uc" ||
	{ tail -30 "$tmp/build.log"; bad "dpkg-buildpackage -b -us -uc (exit $rc)"; finish; }
ver=$(dpkg-parsechangelog -l "$tmp/src/debian/changelog" -S Version)
debs=()
for p in lkm liblkm-kmod2 liblkm-kmod-dev; do
	d=$tmp/${p}_${ver}_$arch.deb
	check "$p built" test -s "$d" && debs+=("$d")
done
[ ${#debs[@]} = 3 ] || finish
(cd "$tmp/src" && fakeroot debian/rules clean >/dev/null 2>&1 && find . | sort) >"$tmp/src.after"
check "debian/rules clean leaves the source as it was" same_list "$tmp/src.before" "$tmp/src.after"

# 2. lintian: errors fail, warnings are listed.
lintian --pedantic -I "$tmp/lkm_${ver}_$arch.changes" >"$tmp/lintian.log" 2>&1
sed 's/^/# lintian: /' "$tmp/lintian.log"
check "lintian: no errors" sh -c "! grep -q '^E:' '$tmp/lintian.log'"

# 3. The paths, against Debian's packages of the same role.
need "Debian's kmod, libkmod2, libkmod-dev downloaded" sh -c \
	"cd '$tmp' && apt-get download kmod libkmod2 libkmod-dev >/dev/null 2>&1"
paths() { dpkg-deb -c "$1" | awk '{ p = $6; sub(/^\.\//, "", p); sub(/\/$/, "", p); if (p != "") print p }' | sort; }
for pair in kmod:lkm libkmod2:liblkm-kmod2 libkmod-dev:liblkm-kmod-dev; do
	theirs=${pair%%:*} ours=${pair#*:}
	paths "$tmp/${theirs}"_*.deb >"$tmp/$theirs.paths"
	paths "$tmp/${ours}_${ver}_$arch.deb" >"$tmp/$ours.paths"
	at_least 3 "$theirs's paths" "$(wc -l <"$tmp/$theirs.paths")" || continue
	missing=
	while read -r p; do
		for e in "${exempt[@]}"; do [[ $p == "$e"* ]] && continue 2; done
		# The library's file is named by its own version (libkmod.so.2.X.Y).
		if [[ $p == */libkmod.so.2.* ]]; then
			grep -q "^${p%/*}/libkmod\.so\.2\.[0-9.]*$" "$tmp/$ours.paths" && continue
		fi
		grep -qxF "$p" "$tmp/$ours.paths" || missing+=" $p"
	done <"$tmp/$theirs.paths"
	[ -z "$missing" ] && ok "every path of $theirs has its counterpart in $ours" ||
		bad "paths of $theirs missing from $ours:$missing"
	extra=$(comm -13 "$tmp/$theirs.paths" "$tmp/$ours.paths" | paste -sd' ' -)
	echo "# $ours has, beyond $theirs: ${extra:-nothing}"
	f() { dpkg-deb -f "$tmp/${ours}_${ver}_$arch.deb" "$1"; }
	check "$ours: Provides, Conflicts and Replaces $theirs" \
		[ "$(f Provides)/$(f Conflicts)/$(f Replaces)" = "$theirs (= 34)/$theirs/$theirs" ]
done
# The links the tools are run by, where Debian's kmod has them.
for l in bin/lsmod sbin/depmod sbin/insmod sbin/lsmod sbin/modinfo sbin/modprobe sbin/rmmod; do
	want=$(dpkg-deb -c "$tmp"/kmod_*.deb | awk -v p="./$l" '$6 == p { print $8 }')
	got=$(dpkg-deb -c "$tmp/lkm_${ver}_$arch.deb" | awk -v p="./$l" '$6 == p { print $8 }')
	check "/$l -> $want, as in kmod" [ -n "$want" -a "$got" = "$want" ]
done
check "liblkm-kmod2's symbols: dependents get libkmod2 (>= N~)" sh -c \
	"dpkg-deb --ctrl-tarfile '$tmp/liblkm-kmod2_${ver}_$arch.deb' | tar -xOf - ./symbols |
	 grep -q '^libkmod.so.2 libkmod2 #MINVER#' "

# 4. The chroot: Debian 12 minbase with kmod's dependents, made once.
if [ ! -e "$root/.lkm-ready" ]; then
	echo "# making the chroot $root (once)"
	if [ ! -e "$root.new/.lkm-debootstrapped" ]; then
		rm -rf "$root.new"
		need "debootstrap" sh -c "debootstrap --variant=minbase bookworm '$root.new' $mirror \
			>'$tmp/debootstrap.log' 2>&1 || { tail -5 '$tmp/debootstrap.log'; exit 1; }"
		touch "$root.new/.lkm-debootstrapped"
	fi
	printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
		"$mirror" "$mirror" "$mirror" >"$root.new/etc/apt/sources.list"
	need "kmod's dependents in the chroot" sh -c "mount -t proc proc '$root.new/proc' &&
		chroot '$root.new' sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends initramfs-tools-core udev kmod' \
		>'$tmp/chroot-apt.log' 2>&1; r=\$?; umount '$root.new/proc'; [ \$r = 0 ] ||
		{ tail -5 '$tmp/chroot-apt.log'; exit 1; }"
	chroot "$root.new" apt-get clean
	rm -rf "$root"
	touch "$root.new/.lkm-ready" && mv "$root.new" "$root" || need "the chroot in place" false
fi
need "overlay dirs" mkdir -p "$tmp/ov/up" "$tmp/ov/work" "$tmp/root"
need "overlay of the chroot" mnt -t overlay overlay \
	-o "lowerdir=$root,upperdir=$tmp/ov/up,workdir=$tmp/ov/work" "$tmp/root"
need "/proc in the chroot" mnt -t proc proc "$tmp/root/proc"
need "/dev in the chroot" mnt --bind /dev "$tmp/root/dev"
r=$tmp/root
in_root() { chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }
check "the chroot has kmod, udev and initramfs-tools-core before" sh -c \
	"chroot '$r' dpkg-query -W -f='\${Status}\n' kmod libkmod2 udev initramfs-tools-core |
	 grep -c 'install ok installed' | grep -qx 4"
cp "${debs[@]}" "$tmp"/kmod_*.deb "$tmp"/libkmod2_*.deb "$r/tmp/" || need "debs in the chroot" false
in_root dpkg -i /tmp/lkm_"${ver}"_$arch.deb /tmp/liblkm-kmod2_"${ver}"_$arch.deb \
	/tmp/liblkm-kmod-dev_"${ver}"_$arch.deb >"$tmp/dpkg-i.log" 2>&1
rc=$?
sed -n 's/^dpkg: \(.*\)/# dpkg: \1/p' "$tmp/dpkg-i.log"
[ $rc = 0 ] && ok "dpkg -i of the three packages, kmod and libkmod2 installed" ||
	{ tail -20 "$tmp/dpkg-i.log"; bad "dpkg -i (exit $rc)"; }
check "kmod and libkmod2 taken out by dpkg" sh -c \
	"! chroot '$r' dpkg-query -W -f='\${Status}' kmod libkmod2 2>/dev/null | grep -q 'ok installed'"
check "lkm, liblkm-kmod2, liblkm-kmod-dev installed" sh -c \
	"[ \$(chroot '$r' dpkg-query -W -f='\${Status}\n' lkm liblkm-kmod2 liblkm-kmod-dev |
	   grep -c 'install ok installed') = 3 ]"
check "udev and initramfs-tools-core still installed" sh -c \
	"[ \$(chroot '$r' dpkg-query -W -f='\${Status}\n' udev initramfs-tools-core |
	   grep -c 'install ok installed') = 2 ]"
if in_root apt-get check >"$tmp/check.log" 2>&1 && ! grep -qi 'unmet\|broken' "$tmp/check.log"; then
	ok "apt-get check: no broken dependency"
else
	sed 's/^/  /' "$tmp/check.log"; bad "apt-get check: no broken dependency"
fi
check "dpkg --audit: nothing half-installed" sh -c "[ -z \"\$(chroot '$r' dpkg --audit)\" ]"
check "kmod --version runs lkm" sh -c "chroot '$r' kmod --version | head -1 | grep -q '^lkm version'"
check "modprobe -V runs" sh -c "chroot '$r' /sbin/modprobe -V | grep -q 'version'"
check "depmod -V and /bin/lsmod -V run" sh -c \
	"chroot '$r' /sbin/depmod -V >/dev/null && chroot '$r' /bin/lsmod -V >/dev/null"
check "kmod static-nodes: no modules.devname is not a failure" sh -c \
	"chroot '$r' kmod static-nodes --format=tmpfiles --output=/run/tmpfiles.d/static-nodes.conf 2>/dev/null"
check "/etc/modules made, /etc/init.d/kmod runnable" sh -c \
	"[ -f '$r/etc/modules' ] && [ -x '$r/etc/init.d/kmod' ] && sh -n '$r/etc/init.d/kmod'"
check "libkmod.so.2 is lkm's" sh -c \
	"readlink -f '$r/usr/lib/${DEB_HOST_MULTIARCH:-$(dpkg-architecture -qDEB_HOST_MULTIARCH)}/libkmod.so.2' | grep -q 'libkmod.so.2.5'"
# udev is libkmod's main user: every function it calls must be there.
missing=$(in_root ldd -r /bin/udevadm 2>&1 | sed -n 's/.*undefined symbol: \([^ ,]*\).*/\1/p' | sort -u)
[ -z "$missing" ] && ok "udevadm finds every libkmod function it needs" ||
	bad "udevadm needs libkmod functions liblkm-kmod2 lacks" "$(echo $missing)"
check "udevadm runs on lkm's libkmod" sh -c "chroot '$r' udevadm --version >/dev/null 2>&1"
check "pkg-config finds lkm's libkmod.pc" sh -c \
	"chroot '$r' sh -c 'cat /usr/lib/*/pkgconfig/libkmod.pc' | grep -q '(lkm)'"

# 5. Back to Debian's kmod, offline, with the packages downloaded above.
back=()
for f in "$tmp"/kmod_*.deb "$tmp"/libkmod2_*.deb; do back+=("/tmp/${f##*/}"); done
if in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${back[@]}" \
	>"$tmp/back.log" 2>&1; then
	ok "apt-get install kmod libkmod2: back to Debian's"
else
	tail -10 "$tmp/back.log"; bad "apt-get install kmod libkmod2: back to Debian's"
fi
check "then kmod --version is kmod's and apt-get check is clean" sh -c \
	"chroot '$r' kmod --version | grep -q '^kmod version' && chroot '$r' apt-get check >/dev/null 2>&1"
finish
