#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prepare everything the VM tests need, idempotently, in ${LKM_CACHE}/vm:
#   - host packages: qemu, busybox-static, cpio, xz, zstd, kmod (the oracle), gcc-12
#   - the two Debian kernel trees (through tests/tools/fetch-trees.sh)
#   - Debian's headers for each kernel, unpacked with dpkg -x (not installed)
#   - tests/modules/*.c built against those headers (compressed with xz for kernels
#     whose modules are .ko.xz; for the others, xz copies go to xz/ so that the
#     userspace decompression path is tested on a kernel that cannot decompress)
# Prints one "KVER TREE" line per kernel on stdout; everything else goes to stderr.
# LKM_VM_REFRESH=1 forces the full check (packages, trees) even when all seems ready.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${LKM_CACHE:-/var/cache/lkm-test}
vm=$cache/vm
log() { echo "vm-setup: $*" >&2; }
die() { log "$*"; exit 1; }
mkdir -p "$vm" "$cache/debs"
# One setup at a time per cache: meson runs test-vm and test-diag-table at once, and two
# builds of the same test modules into one directory break each other (fixdep: .o.d
# gone). The second waits, then finds everything ready.
exec 9>"$vm/.setup.lock"
flock 9

updated=
apt_install() { # packages...: install those missing, updating the lists once if needed
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
		[ -n "$updated" ] && return 1
		apt-get update >&2 && updated=1
		apt-get install -y --no-install-recommends "${missing[@]}" >&2
	fi
}

apt_download() { # package -> path of its .deb in the cache
	local p=$1 f
	f=$(ls "$cache/debs/${p}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -z "$f" ]; then
		( cd "$cache/debs" && apt-get download "$p" >&2 ) ||
			{ apt-get update >&2 && ( cd "$cache/debs" && apt-get download "$p" >&2 ); }
		f=$(ls "$cache/debs/${p}"_*.deb | sort -V | tail -n 1)
	fi
	echo "$f"
}

# The headers of KVER and the two packages they need (common headers and kbuild), by
# asking apt rather than guessing names.
headers_pkgs() {
	local kver=$1
	echo "linux-headers-$kver"
	apt-cache depends "linux-headers-$kver" 2>/dev/null |
		awk '/Depends: linux-(headers-.*-common|kbuild-)/{print $2}' | sort -u
}

setup_headers() { # KVER -> prints the headers dir usable as make -C
	local kver=$1 root=$vm/headers/$1 p
	local dir=$root/usr/src/linux-headers-$kver
	if [ ! -f "$root/.done" ]; then
		apt-cache show "linux-headers-$kver" >/dev/null 2>&1 || apt-get update >&2
		rm -rf "$root" && mkdir -p "$root"
		for p in $(headers_pkgs "$kver"); do
			dpkg -x "$(apt_download "$p")" "$root"
		done
		[ -f "$dir/Makefile" ] || die "no headers for $kver in $root"
		# Debian's arch Makefile includes the common one by absolute path: point it
		# into the unpacked copy. The scripts/ and tools/ symlinks are relative.
		sed -i "s|^include /usr/src/|include $root/usr/src/|" "$dir/Makefile"
		touch "$root/.done"
	fi
	echo "$dir"
}

# The stamp of the built test modules: their sources and the layout of the output
# (bump the version when build_modules writes something new).
modules_sum() {
	{ echo layout-3; find "$src/tests/modules" -type f | LC_ALL=C sort | xargs cat; } |
		sha256sum | cut -c1-16
}

build_modules() { # KVER TREE: build tests/modules into $vm/modules/KVER
	local kver=$1 tree=$2 out=$vm/modules/$1 hdr sum xz=
	sum=$(modules_sum)
	[ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$sum" ] && return 0
	hdr=$(setup_headers "$kver")
	log "building test modules for $kver"
	rm -rf "$out" && mkdir -p "$out/build"
	cp -r "$src/tests/modules/." "$out/build/"
	# No BTF: it needs pahole and the vmlinux, and the tests do not need it. A missing
	# namespace import is only a modpost warning (-N), for lkm_ns_noimport. apart/ holds
	# a module modpost refuses outright when it knows the exporter (a GPL-only symbol
	# used by a proprietary module), so it gets a pass of its own, where the symbol is
	# only undefined.
	local d
	for d in "$out/build" "$out/build/apart"; do
		make -C "$hdr" M="$d" KBUILD_MODPOST_WARN=1 CONFIG_DEBUG_INFO_BTF_MODULES= \
			CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=y \
			modules >>"$out/build.log" 2>&1 ||
			{ cat "$out/build.log" >&2; die "building the test modules for $kver failed"; }
	done
	# The tree's own modules tell whether this kernel wants them compressed.
	find "$tree/lib/modules/$kver/kernel" -name '*.ko.xz' -print -quit | grep -q . && xz=1
	local f
	for f in "$out/build/"*.ko "$out/build/apart/"*.ko; do
		cp "$f" "$out/"
		# Same options as Kbuild's modules_install: the kernel's decompressor wants CRC32.
		if [ -n "$xz" ]; then
			xz -f --check=crc32 --lzma2=dict=1MiB "$out/$(basename "$f")"
		else
			mkdir -p "$out/xz"
			xz -c --check=crc32 --lzma2=dict=1MiB "$f" >"$out/xz/$(basename "$f").xz"
		fi
	done
	echo "$sum" >"$out/.stamp"
}

# The bzImage decompresses itself under TCG for over 10 s; qemu boots the ELF vmlinux
# inside it directly (PVH entry), so extract it once.
extract_vmlinux() { # KVER TREE
	local kver=$1 vmlinuz=$2/boot/vmlinuz-$1 out=$vm/kernels/vmlinux-$1 off magic cmd
	[ -s "$out" ] && return 0
	mkdir -p "$vm/kernels"
	for magic in '\xfd7zXZ\x00:xz -dc --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' \
		     '\x1f\x8b\x08:gzip -dcq'; do
		cmd=${magic#*:}
		for off in $(LC_ALL=C grep -obUaP "${magic%%:*}" "$vmlinuz" | cut -d: -f1); do
			tail -c +$((off + 1)) "$vmlinuz" | $cmd >"$out.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	log "could not extract vmlinux from $vmlinuz: the VM will boot the bzImage (slower)"
}

# Fast path: apt-cache and fetch-trees.sh take seconds, so skip them when everything of
# the last run is still in place and the test module sources did not change.
ready() {
	local kver tree sum
	[ -z "${LKM_VM_REFRESH:-}" ] && [ -s "$vm/kernels.list" ] || return 1
	command -v qemu-system-x86_64 busybox cpio xz zstd kmod make gcc-12 >/dev/null || return 1
	sum=$(modules_sum)
	while read -r kver tree; do
		[ -f "$tree/.done" ] && [ -s "$vm/kernels/vmlinux-$kver" ] || return 1
		[ "$(cat "$vm/modules/$kver/.stamp" 2>/dev/null)" = "$sum" ] || return 1
	done <"$vm/kernels.list"
}
if ready; then
	cat "$vm/kernels.list"
	exit 0
fi

apt_install qemu-system-x86 busybox-static cpio xz-utils zstd kmod gcc-12 make libc6-dev
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || die "busybox missing"
file_static() { ! ldd "$1" >/dev/null 2>&1; }
file_static "$(command -v busybox)" || die "busybox is not static: install busybox-static"

trees=$("$src/tests/tools/fetch-trees.sh") || die "fetch-trees.sh failed"
: >"$vm/kernels.list.new"
while read -r kver tree; do
	[ -f "$tree/boot/vmlinuz-$kver" ] || die "no kernel image in $tree/boot"
	build_modules "$kver" "$tree"
	extract_vmlinux "$kver" "$tree"
	echo "$kver $tree" >>"$vm/kernels.list.new"
done <<<"$trees"
mv "$vm/kernels.list.new" "$vm/kernels.list"
cat "$vm/kernels.list"
