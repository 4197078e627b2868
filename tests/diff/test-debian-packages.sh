#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages (debian/): built with dpkg-buildpackage from a copy of the source,
# lintian-clean (no errors; warnings are printed), the same paths as Debian's kmod,
# libkmod2 and libkmod-dev apart from the list below, and installed in place of kmod
# in a Debian 12 chroot that has kmod's dependents (udev, initramfs-tools-core):
# dpkg takes kmod out, nothing is left broken (apt-get check, dpkg --audit), and
# kmod, modprobe, depmod and lsmod answer there. Then the 6.1 kernel package pinned in
# tests/kernels.pin is installed with lkm's tools: every modules.* file its postinst's
# depmod writes must be kmod's (the host's depmod on a copy of the same modules), kmod's
# modprobe must read them with kmod's answers, and update-initramfs's image must hold
# lkm's binary as modprobe and the indexes of its modules. apt goes back to Debian's
# kmod (whose tools must read the installed kernel's indexes), then to lkm again, and
# the kernel package is purged: nothing of it may be left.
#
# The chroot is made once with debootstrap (minbase) in $LKM_CACHE/debpkg-root
# (default /var/cache/lkm-test) and never changed after; initramfs-tools, busybox and
# linux-base, which the kernel package needs, are installed once in a layer above it,
# $LKM_CACHE/debpkg-kernel (made again when the chroot is). Each run works on an
# overlay of both, in a private mount namespace. Needs root and the Debian archive;
# installs what it needs with apt-get. LKM_DEB_NOCHECK=1 skips the unit tests of the
# build.
set -uo pipefail
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
# shellcheck source=../tools/tree-lib.sh
. "$src/tests/tools/tree-lib.sh"
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
# The layer for the kernel package: the upper directory of an overlay on the chroot,
# made once, and again when the chroot is made again (it names the chroot's stamp).
layer=$cache/debpkg-kernel
stamp=$(stat -c %i.%Y "$root/.lkm-ready") || need "the chroot's stamp" false
if [ "$(cat "$layer/.lkm-base" 2>/dev/null)" != "$stamp" ]; then
	echo "# making the layer $layer (once)"
	need "layer dirs" sh -c "rm -rf '$layer.new' && mkdir -p '$layer.new/up' '$layer.new/work' '$tmp/mk'"
	need "overlay for the layer" mnt -t overlay overlay \
		-o "lowerdir=$root,upperdir=$layer.new/up,workdir=$layer.new/work" "$tmp/mk"
	need "initramfs-tools, busybox, linux-base in the layer" sh -c "mount -t proc proc '$tmp/mk/proc' &&
		chroot '$tmp/mk' sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends initramfs-tools busybox zstd linux-base &&
		apt-get clean' >'$tmp/layer-apt.log' 2>&1; r=\$?; umount '$tmp/mk/proc'; [ \$r = 0 ] ||
		{ tail -5 '$tmp/layer-apt.log'; exit 1; }"
	need "the layer unmounted" umount "$tmp/mk"
	rm -rf "$layer"
	need "the layer in place" sh -c "echo '$stamp' >'$layer.new/up/.lkm-base' &&
		mv '$layer.new/up' '$layer' && rm -rf '$layer.new'"
fi
need "overlay dirs" mkdir -p "$tmp/ov/up" "$tmp/ov/work" "$tmp/root"
need "overlay of the chroot and the layer" mnt -t overlay overlay \
	-o "lowerdir=$layer:$root,upperdir=$tmp/ov/up,workdir=$tmp/ov/work" "$tmp/root"
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
# Nothing broken: no unmet dependency (apt-get check), nothing half-installed (dpkg --audit).
no_breakage() { # WHEN
	local audit
	if in_root apt-get check >"$tmp/check.log" 2>&1 && ! grep -qi 'unmet\|broken' "$tmp/check.log"; then
		ok "$1: apt-get check: no broken dependency"
	else
		sed 's/^/  /' "$tmp/check.log"; bad "$1: apt-get check: no broken dependency"
	fi
	audit=$(in_root dpkg --audit 2>&1)
	[ -z "$audit" ] && ok "$1: dpkg --audit: nothing half-installed" ||
		bad "$1: dpkg --audit" "$(echo $audit | head -c 300)"
}
no_breakage "lkm installed"
check "kmod --version runs lkm" sh -c "chroot '$r' kmod --version | grep -q '^lkm version'"
check "kmod --version's first line is kmod's" sh -c "chroot '$r' kmod --version | head -1 | grep -qx 'kmod version [0-9][0-9]*'"
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


# 5. The pinned 6.1 kernel package installed with lkm's tools: its postinst runs depmod
# (lkm's), then update-initramfs through /etc/kernel/postinst.d (lkm's hook, modprobe
# and depmod). Its .deb is the one the other suites use, from the cache.
read -r karch kpkg kverp <<<"$(awk '!/^#/ && $1 == "6.1" { print $2, $3, $4 }' "$src/tests/kernels.pin")"
kdeb=$cache/debs/${kpkg}_${kverp}_$karch.deb
if [ ! -s "$kdeb" ]; then
	need "the pinned 6.1 kernel fetched" sh -c "'$src/tests/tools/fetch-trees.sh' >/dev/null"
fi
need "$kpkg $kverp in the cache ($kdeb)" test -s "$kdeb"
kver=$(dpkg-deb -c "$kdeb" | sed -n 's,.* \./lib/modules/\([^/]*\)/$,\1,p' | head -1)
need "the kernel's version, from $kdeb" test -n "$kver"
kko=$(dpkg-deb -c "$kdeb" | grep -c '\.ko$')
at_least 1000 "modules in $kpkg" "$kko" || finish
need "the cache's .debs on /mnt in the chroot" mnt --bind "$cache/debs" "$r/mnt"
need "... read-only" mount -o remount,bind,ro "$r/mnt"
t0=$SECONDS
in_root dpkg -i "/mnt/${kdeb##*/}" >"$tmp/kernel.log" 2>&1
rc=$?
grep -i 'depmod\|update-initramfs\|warning\|error' "$tmp/kernel.log" | sed 's/^/# /'
[ $rc = 0 ] && ok "dpkg -i $kpkg ($kverp) with lkm's tools: $((SECONDS - t0)) s" ||
	{ tail -20 "$tmp/kernel.log"; bad "dpkg -i $kpkg (exit $rc)"; finish; }
no_breakage "kernel installed"
md=$r/lib/modules/$kver
check "/lib/modules/$kver holds the package's $kko modules" [ "$(count_modules "$md")" = "$kko" ]

# kmod's depmod (the host's, Debian's) on a copy of the same modules is the oracle. The
# copy is made from the overlay's upper directory, where dpkg wrote them, as hard links.
need "kmod's depmod on the host" sh -c "/sbin/depmod -V | grep -q '^kmod version' &&
	! /sbin/depmod -V | grep -q '^lkm version'"
for up in "$tmp/ov/up/usr" "$tmp/ov/up"; do [ -d "$up/lib/modules/$kver" ] && break; done
need "a copy of $kver's modules" copy_tree "$up" "$kver" "$tmp/kt"
need "kmod's depmod -b on the copy" /sbin/depmod -b "$tmp/kt" "$kver"
kd=$tmp/kt/lib/modules/$kver
dump() { chroot "$r" /bin/lkm index dump /dev/stdin <"$1"; } # by the installed lkm
# Every modules.* file of DIR against kmod's in KDIR: text files byte for byte, the .bin
# indexes by their entries, keys, values and priorities (kmod 30 lays out the same trie
# in another order). The main ones must hold at least MIN lines or entries.
same_indexes() { # WHAT DIR KDIR MIN
	local what=$1 d=$2 kd=$3 f min n=0 lines
	for f in $({ ls "$d"; ls "$kd"; } | grep '^modules\.' | sort -u); do
		n=$((n + 1))
		case $f in
		modules.dep | modules.alias | modules.symbols | modules.dep.bin | modules.alias.bin | \
			modules.symbols.bin) min=$4 ;;
		modules.builtin.bin) min=50 ;;
		*) min=0 ;;
		esac
		if [ ! -e "$kd/$f" ]; then
			# kmod 30 writes none; lkm does, as kmod 34. No 6.1 module has a weakdep.
			[ "$f" = modules.weakdep ] && ! grep -qv '^#' "$d/$f" &&
				ok "$what: $f, lkm's only (kmod 30 writes none), has no dependency" ||
				bad "$what: $f is lkm's only"
			continue
		fi
		[ -e "$d/$f" ] || { bad "$what: $f: kmod's depmod writes it, lkm's did not"; continue; }
		if [[ $f != *.bin ]]; then
			lines=$(wc -l <"$kd/$f")
			at_least "$min" "$what: $f lines" "$lines" || continue
			cmp -s "$d/$f" "$kd/$f" && ok "$what: $f byte for byte kmod's ($lines lines)" ||
				bad "$what: $f differs from kmod's" "$(diff "$kd/$f" "$d/$f" | head -4)"
		elif dump "$d/$f" >"$tmp/l.dump" 2>&1 && dump "$kd/$f" >"$tmp/k.dump" 2>&1; then
			lines=$(wc -l <"$tmp/k.dump")
			at_least "$min" "$what: $f entries" "$lines" || continue
			cmp -s "$tmp/l.dump" "$tmp/k.dump" &&
				ok "$what: $f: kmod's $lines entries ($(stat -c %s "$d/$f") bytes, kmod's $(stat -c %s "$kd/$f"))" ||
				bad "$what: $f: entries differ from kmod's" "$(diff "$tmp/k.dump" "$tmp/l.dump" | head -4)"
		else
			bad "$what: $f: lkm index dump" "$(head -2 "$tmp/l.dump" "$tmp/k.dump")"
		fi
	done
	at_least 14 "$what: modules.* files" "$n"
}
same_indexes "$kver: the postinst's depmod" "$md" "$kd" 1000
# kmod's own modprobe (the host's) reads them with the answers it gives on its own: the
# dependencies of every module, and every alias resolved. No configuration either side.
need "an empty configuration" mkdir "$tmp/noconf"
kmod_q() { # ROOT MODPROBE-ARGS...: the root's name taken out of the paths printed
	local root=$1; shift
	/sbin/modprobe -C "$tmp/noconf" -d "$root" -S "$kver" "$@" 2>&1 | sed "s|$root||g"
}
mapfile -t names < <(sed 's/:.*//; s,.*/,,; s/\.ko.*//' "$kd/modules.dep")
mapfile -t aliases < <(awk '$1 == "alias" { print $2 }' "$kd/modules.alias")
kmod_same() { # OPTION WHAT NAME...: kmod's modprobe OPTION -a NAME... on both trees
	local opt=$1 what=$2; shift 2
	kmod_q "$r" "$opt" -a "$@" >"$tmp/l.q"
	kmod_q "$tmp/kt" "$opt" -a "$@" >"$tmp/k.q"
	at_least 1000 "$kver: $what for modprobe $opt" "$#" &&
		at_least 1000 "$kver: lines of kmod's modprobe $opt" "$(wc -l <"$tmp/k.q")" || return
	cmp -s "$tmp/l.q" "$tmp/k.q" &&
		ok "$kver: kmod's modprobe $opt -a of $# $what on lkm's indexes: its own answers ($(wc -l <"$tmp/k.q") lines)" ||
		bad "$kver: kmod's modprobe $opt on lkm's indexes" "$(diff "$tmp/k.q" "$tmp/l.q" | head -4)"
}
kmod_same -D modules "${names[@]}"
kmod_same -R aliases "${aliases[@]}"
in_root modprobe -D -S "$kver" ext4 >"$tmp/ext4.lkm" 2>&1
kmod_q "$tmp/kt" -D ext4 >"$tmp/ext4.kmod"
at_least 4 "$kver: modprobe -D ext4 lines" "$(wc -l <"$tmp/ext4.kmod")" &&
	check "$kver: lkm's modprobe -D ext4 in the chroot: kmod's answer" cmp -s "$tmp/ext4.lkm" "$tmp/ext4.kmod"
check "$kver: no lkm depmod cache, in the module directory or in /var/cache/lkm" sh -c \
	"[ -z \"\$(find '$md' -name '*lkm*'; find '$r/var/cache/lkm' -type f 2>/dev/null)\" ]"
sums() { (cd "$md" && md5sum modules.*); }
sums >"$tmp/sums.lkm"

# The initramfs update-initramfs made: lkm's binary is its modprobe, and the indexes of
# its modules are those kmod's depmod writes for them.
img=/boot/initrd.img-$kver
check "$img made ($(stat -c %s "$r$img" 2>/dev/null) bytes)" test -s "$r$img"
in_root lsinitramfs "$img" >"$tmp/initrd.list" 2>&1
at_least 100 "$img: lsinitramfs entries" "$(wc -l <"$tmp/initrd.list")"
need "$img unpacked" in_root unmkinitramfs "$img" /tmp/initrd
x=$r/tmp/initrd
[ -d "$x/main" ] && x=$x/main
# The tools lkm's hook puts in (Debian's kmod puts modprobe and rmmod); busybox's
# hook adds its applets for the others, depmod and modinfo, as with Debian's kmod.
for t in modprobe rmmod insmod lsmod; do
	p=$(chroot "$x" readlink -f "/sbin/$t" 2>/dev/null)
	[ -n "$p" ] && [ -f "$x$p" ] && cmp -s "$x$p" "$r/bin/kmod" &&
		ok "$img: /sbin/$t -> $p, byte for byte lkm's /bin/kmod" ||
		bad "$img: /sbin/$t (-> ${p:-nothing}) is not lkm's /bin/kmod"
done
for t in depmod modinfo; do
	p=$(chroot "$x" readlink -f "/sbin/$t" 2>/dev/null)
	[ -n "$p" ] && cmp -s "$x$p" "$r/bin/busybox" && echo "# $img: /sbin/$t is busybox's"
done
mapfile -t kmods < <(cd "$x" && find . -type f -name kmod)
n=0
for t in "${kmods[@]}"; do cmp -s "$x/$t" "$r/bin/kmod" && n=$((n + 1)); done
[ ${#kmods[@]} -ge 1 ] && [ $n = ${#kmods[@]} ] &&
	ok "$img: its kmod (${kmods[*]}) is lkm's" || bad "$img: a kmod not lkm's in it: ${kmods[*]}"
check "$img: its /sbin/modprobe -V, run in it, says lkm" sh -c \
	"chroot '$x' /sbin/modprobe -V 2>&1 | grep -q '^lkm version'"
xd=$(find "$x" -path "*/lib/modules/$kver/modules.dep" | head -1)
xd=${xd%/modules.dep}
xko=$(count_modules "${xd:-$x/nothing}")
if [ -n "$xd" ] && at_least 100 "$img: modules" "$xko"; then
	need "a copy of the image's modules" mkdir -p "$tmp/kx/lib/modules"
	need "... copied" cp -a "$xd" "$tmp/kx/lib/modules/"
	(cd "$tmp/kx/lib/modules/$kver" && rm -f $generated)
	need "kmod's depmod -b on the image's modules" /sbin/depmod -b "$tmp/kx" "$kver"
	same_indexes "$img ($xko modules)" "$xd" "$tmp/kx/lib/modules/$kver" 100
	found=$(find "$x" -name '*lkm-cache*'; grep -rlas '^LKMDEPC' "$xd")
	[ -z "$found" ] && ok "$img: no lkm depmod cache in it" || bad "$img: in it: $found"
else
	bad "$img: no modules.dep in it ($(grep -c 'lib/modules' "$tmp/initrd.list") lib/modules entries)"
fi

# 6. Back to Debian's kmod, offline, with the packages downloaded above: the installed
# kernel's indexes, lkm's, serve kmod's tools.
back=()
for f in "$tmp"/kmod_*.deb "$tmp"/libkmod2_*.deb; do back+=("/tmp/${f##*/}"); done
if in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${back[@]}" \
	>"$tmp/back.log" 2>&1; then
	ok "apt-get install kmod libkmod2: back to Debian's"
else
	tail -10 "$tmp/back.log"; bad "apt-get install kmod libkmod2: back to Debian's"
fi
check "kmod --version is kmod's" sh -c "chroot '$r' kmod --version | grep -q '^kmod version' &&
	! chroot '$r' kmod --version | grep -q '^lkm version'"
no_breakage "kmod back"
in_root modprobe -D -S "$kver" ext4 >"$tmp/ext4.back" 2>&1
check "kmod's modprobe -D ext4, on the indexes lkm wrote: as before" cmp -s "$tmp/ext4.back" "$tmp/ext4.lkm"
check "kmod's modinfo -k $kver ext4" sh -c \
	"chroot '$r' modinfo -k '$kver' ext4 | grep -q '^filename: *.*/ext4.ko$'"
in_root depmod -A "$kver" >"$tmp/depmod-A.log" 2>&1
rc=$?
sums >"$tmp/sums.back"
[ $rc = 0 ] && cmp -s "$tmp/sums.lkm" "$tmp/sums.back" &&
	ok "kmod's depmod -A $kver: lkm's indexes up to date, left as they are ($(wc -l <"$tmp/sums.lkm") files)" ||
	bad "kmod's depmod -A $kver (exit $rc)" "$(head -3 "$tmp/depmod-A.log"; diff "$tmp/sums.lkm" "$tmp/sums.back" | head -4)"

# 7. lkm again over kmod.
again=()
for f in "${debs[@]}"; do again+=("/tmp/${f##*/}"); done
if in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${again[@]}" \
	>"$tmp/again.log" 2>&1; then
	ok "apt-get install of lkm's three packages over kmod"
else
	tail -10 "$tmp/again.log"; bad "apt-get install of lkm's three packages over kmod"
fi
check "lkm, liblkm-kmod2, liblkm-kmod-dev installed; kmod, libkmod2 not" sh -c \
	"[ \$(chroot '$r' dpkg-query -W -f='\${Status}\n' lkm liblkm-kmod2 liblkm-kmod-dev |
	   grep -c 'install ok installed') = 3 ] &&
	 ! chroot '$r' dpkg-query -W -f='\${Status}' kmod libkmod2 2>/dev/null | grep -q 'ok installed'"
check "kmod --version is lkm's again" sh -c "chroot '$r' kmod --version | grep -q '^lkm version'"
check "/etc/init.d/kmod executable again" test -x "$r/etc/init.d/kmod"
check "udevadm runs on lkm's libkmod again" sh -c "chroot '$r' udevadm --version >/dev/null 2>&1"
in_root modprobe -D -S "$kver" ext4 >"$tmp/ext4.again" 2>&1
check "lkm's modprobe -D ext4: as before" cmp -s "$tmp/ext4.again" "$tmp/ext4.lkm"
no_breakage "lkm again"

# 8. The kernel package purged with lkm's tools: nothing of it is left.
t0=$SECONDS
in_root dpkg --purge "$kpkg" >"$tmp/purge.log" 2>&1
rc=$?
[ $rc = 0 ] && ok "dpkg --purge $kpkg: $((SECONDS - t0)) s" ||
	{ tail -10 "$tmp/purge.log"; bad "dpkg --purge $kpkg (exit $rc)"; }
[ ! -e "$md" ] && ok "/lib/modules/$kver is gone" ||
	bad "/lib/modules/$kver is left" "$(cd "$md" && find . -mindepth 1 | head -5 | paste -sd' ' -)"
left=$(cd "$r" && ls -d boot/*"$kver"* var/lib/initramfs-tools/"$kver" var/cache/lkm/depmod/"$kver" 2>/dev/null)
[ -z "$left" ] && ok "nothing of $kver left in /boot, /var/lib/initramfs-tools, /var/cache/lkm" ||
	bad "left of $kver" "$(echo $left)"
dangling=
for l in vmlinuz vmlinuz.old initrd.img initrd.img.old boot/vmlinuz boot/initrd.img; do
	[ -L "$r/$l" ] && [ ! -e "$r/$l" ] && dangling+=" /$l"
done
[ -z "$dangling" ] && ok "no dangling /vmlinuz or /initrd.img link" || bad "dangling links:$dangling"
status=$(in_root dpkg-query -W -f='${Status}' "$kpkg" 2>/dev/null)
check "$kpkg purged (${status:-unknown to dpkg})" sh -c "[ -z '$status' ] || [ '$status' = 'unknown ok not-installed' ]"
no_breakage "kernel purged"
finish
