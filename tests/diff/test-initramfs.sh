#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's mkinitramfs (initramfs-tools) with lkm as its depmod and modprobe, on each
# real Debian tree: the image must hold no lkm depmod cache (by name or by its magic),
# its modules.dep must list its modules as kmod's depmod does, and neither the tree
# nor /var/cache/lkm may get a cache (the kernel is not the running one, and the image
# tree is below -b). All in a private mount namespace: the tree is bound on
# /lib/modules/KVER, its config on /boot, a tmpfs on /var/cache, and lkm (through a
# wrapper that logs each call) on /usr/bin/kmod, which /sbin/depmod and /sbin/modprobe
# name: mkinitramfs sets its own PATH and calls /sbin/modprobe, so a PATH of lkm's
# symlinks would not be used. Needs root; installs initramfs-tools when missing.
set -uo pipefail
LKM=$(realpath "${LKM:?set LKM to the lkm binary}")
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib.sh"
. "$src/tests/tools/tree-lib.sh"
unset LKM_DEPMOD_CACHE
if [ "$(id -u)" != 0 ]; then
	skip "initramfs" "needs root, for a private mount namespace"
	finish
fi
if ! command -v mkinitramfs >/dev/null || ! command -v unmkinitramfs >/dev/null; then
	need "initramfs-tools installed" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends initramfs-tools >/dev/null
fi
kmod_depmod=/sbin/depmod # kmod, named depmod (not bound over yet)
if [ "${1:-}" != inside ]; then
	exec unshare -m --propagation private "$0" inside
fi
trees=$("$src/tests/tools/fetch-trees.sh") && [ -n "$trees" ] || { bad "setup: fetch-trees.sh"; finish; }
at_least 2 "Debian trees" "$(wc -l <<<"$trees")"
tmp=$(mktemp -d /var/tmp/lkm-test-initramfs.XXXXXX) || { bad "setup: mktemp"; finish; }
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mnt() { mount "$@" && mounts+=("${!#}"); } # mount ... TARGET, undone at exit

# Copies of the trees first: the tmpfs on /var/cache hides the shared ones.
n=0
while read -r kver root; do
	need "copy of the $kver tree" copy_tree "$root" "$kver" "$tmp/t$n"
	need "config-$kver" cp "$root/boot/config-$kver" "$tmp/config-$kver"
	n=$((n + 1))
done <<<"$trees"

# Any file of an lkm depmod cache below the directories: by name, or by its magic.
lkm_cache_files() {
	{ find "$@" \( -name '*lkm-cache*' -o -name '*.lkm-tmp.*' \) -print
	  grep -rlas '^LKMDEPC' "$@"; } 2>/dev/null | sort -u
}
# The control: a named cache is found, so that "none found" means something. (After
# the copy's ctimes are 2 s old: records more recent are not saved.)
sleep 3
kver0=$(sed -n '1s/ .*//p' <<<"$trees")
need "a named cache for the control" "$LKM" depmod --cache="$tmp/ctl/x" -b "$tmp/t0" \
	-o "$tmp/ctl/out" "$kver0"
need "the control cache renamed" mv "$tmp/ctl/x" "$tmp/ctl/innocent-name"
[ "$(lkm_cache_files "$tmp/ctl")" = "$tmp/ctl/innocent-name" ] &&
	ok "control: a cache under another name is found by its magic" ||
	bad "control: the cache under another name not found"
rm -rf "$tmp/ctl"

need "tmpfs on /var/cache" mnt -t tmpfs tmpfs /var/cache
need "tmpfs on /boot" mnt -t tmpfs tmpfs /boot
if [ -d /lib/modules ]; then
	need "tmpfs on /lib/modules" mnt -t tmpfs tmpfs /lib/modules
else # nothing to mount on: an overlay of /lib's directory, with modules/ added
	libdir=$(realpath /lib)
	need "overlay dirs" mkdir -p "$tmp/ov/up/modules" "$tmp/ov/work"
	need "overlay on $libdir" mnt -t overlay overlay \
		-o "lowerdir=$libdir,upperdir=$tmp/ov/up,workdir=$tmp/ov/work" "$libdir"
fi
need "the initramfs config" cp -a /etc/initramfs-tools "$tmp/conf"
# MODULES=list and a few modules keep it short; LKM_INITRAMFS_MODULES=most builds
# Debian's default image.
need "initramfs.conf" sed -i -e "s/^MODULES=.*/MODULES=${LKM_INITRAMFS_MODULES:-list}/" \
	-e 's/^COMPRESS=.*/COMPRESS=gzip/' "$tmp/conf/initramfs.conf"
printf '%s\n' vfat msdos isofs loop >"$tmp/conf/modules" || bad "setup: modules list"
cat >"$tmp/lkm-wrapper" <<EOF || bad "setup: wrapper"
#!/bin/bash
echo "\${0##*/} \$*" >>"$tmp/calls.log"
exec -a "\$0" "$LKM" "\$@"
EOF
need "wrapper executable" chmod 755 "$tmp/lkm-wrapper"

n=0 imgroots=()
while read -r kver root; do
	t=$tmp/t$n img=$tmp/initrd-$kver.img x=$tmp/x$n
	n=$((n + 1))
	need "/lib/modules/$kver made" mkdir -p "/lib/modules/$kver"
	need "the $kver tree bound" mnt --bind "$t/lib/modules/$kver" "/lib/modules/$kver"
	need "config-$kver in /boot" cp "$tmp/config-$kver" /boot/
	: >"$tmp/calls.log"
	need "lkm on /usr/bin/kmod" mount --bind "$tmp/lkm-wrapper" /usr/bin/kmod
	t0=$(date +%s%N)
	mkinitramfs -d "$tmp/conf" -o "$img" "$kver" >"$tmp/mk.out" 2>&1; rc=$?
	t1=$(date +%s%N)
	umount /usr/bin/kmod || bad "setup: umount /usr/bin/kmod"
	if [ $rc -ne 0 ] || [ ! -s "$img" ]; then
		bad "$kver: mkinitramfs exit $rc: $(grep -v '^W:' "$tmp/mk.out" | head -3)"
		continue
	fi
	ok "$kver: mkinitramfs built $(stat -c %s "$img") bytes in $(( (t1 - t0) / 1000000 )) ms"
	# lkm did the work: its depmod on the image tree, its modprobe for the modules.
	grep -q "^depmod -a -b .* $kver\$" "$tmp/calls.log" &&
		at_least 4 "$kver: modprobe calls by mkinitramfs" "$(grep -c '^modprobe ' "$tmp/calls.log")" &&
		ok "$kver: lkm's depmod -b and modprobe ran ($(wc -l <"$tmp/calls.log") calls)" ||
		bad "$kver: lkm was not called as expected: $(head -3 "$tmp/calls.log")"

	need "$kver: image unpacked" unmkinitramfs "$img" "$x"
	dep=$(find "$x" -path "*/lib/modules/$kver/modules.dep" | head -1)
	nko=$(count_modules "$x")
	at_least 4 "$kver: modules in the image" "$nko"
	if [ -n "$dep" ] && at_least 4 "$kver: lines of the image's modules.dep" "$(wc -l <"$dep")"; then
		ok "$kver: modules.dep in the image, $(wc -l <"$dep") lines for $nko modules"
		grep -q 'kernel/fs/fat/vfat.ko[^:]*: kernel/fs/fat/fat.ko' "$dep" &&
			ok "$kver: vfat with its dependency fat" || bad "$kver: no vfat: fat line"
		# The same modules through kmod's depmod: the same modules.dep.
		kd=$tmp/kmod$n/lib/modules/$kver
		if mkdir -p "$tmp/kmod$n/lib/modules" && cp -a "${dep%/modules.dep}" "$kd" &&
		   (cd "$kd" && rm -f $generated) && "$kmod_depmod" -b "$tmp/kmod$n" "$kver" 2>/dev/null; then
			cmp -s "$dep" "$kd/modules.dep" && ok "$kver: the image's modules.dep is kmod's" ||
				bad "$kver: the image's modules.dep differs from kmod's: $(diff "$dep" "$kd/modules.dep" | head -3)"
		else
			bad "$kver: kmod's depmod on the image's modules failed"
		fi
	else
		bad "$kver: no modules.dep in the image ($(find "$x" -name 'modules.*' | head -3))"
	fi
	found=$(lkm_cache_files "$x")
	[ -z "$found" ] && ok "$kver: no lkm cache in the image" || bad "$kver: in the image: $found"
	found=$(lkm_cache_files "$t" /var/cache)
	[ -z "$found" ] && [ -z "$(find /var/cache -type f)" ] &&
		ok "$kver: no cache in the tree nor in /var/cache/lkm" ||
		bad "$kver: cache written: $found $(find /var/cache -type f | head -3)"
	[ -s "$t/lib/modules/$kver/modules.dep" ] && ok "$kver: mkinitramfs's depmod of the tree ran" ||
		bad "$kver: the tree has no modules.dep"
	imgroot=$x; [ -d "$x/main" ] && imgroot=$x/main
	imgroots+=("$kver $imgroot")
	umount "/lib/modules/$kver" || bad "setup: umount /lib/modules/$kver"
done <<<"$trees"

# What a cache of each image's modules would have weighed, had one been kept there.
sleep 3
for line in "${imgroots[@]}"; do
	read -r kver imgroot <<<"$line"
	"$LKM" depmod --cache="$tmp/would-be" -b "$imgroot" -o "$tmp/would-be-out" "$kver" 2>/dev/null
	echo "     $kver: a cache of the image's $(count_modules "$imgroot") modules would be $(stat -c %s "$tmp/would-be" 2>/dev/null) bytes"
	rm -rf "$tmp/would-be" "$tmp/would-be-out"
done
finish
