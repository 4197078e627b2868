#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Download the Debian 12 kernel module trees of other architectures than the host's that
# tests/kernels.pin names into the cache of fetch-trees.sh and give each the indexes
# kmod's depmod writes (the oracle):
#   s390x : linux-image-<abi>-s390x          ELF64, big-endian
#   i386  : linux-image-<abi>-686-unsigned   ELF32, little-endian
#   armhf : linux-image-<abi>-armmp          ELF32, little-endian, another machine
# apt only sees foreign packages once dpkg knows the architecture, so this adds them
# (dpkg --add-architecture; nothing foreign is installed, packages are only unpacked
# with dpkg -x).
# Prints "KVER ROOT ARCH" lines on stdout. LKM_FOREIGN_ARCHS picks the architectures.
set -euo pipefail
archs=${LKM_FOREIGN_ARCHS:-s390x i386 armhf}
log() { echo "fetch-foreign-trees: $*" >&2; }
# shellcheck source=pins.sh
. "$(dirname "$0")/pins.sh"

# The ELF class and byte order every module of the tree must have.
expect_elf() {
	case $1 in
	s390x) echo "ELF64 big" ;;
	i386 | armhf) echo "ELF32 little" ;;
	*) return 1 ;;
	esac
}

check_elf() { # root arch: every module of the expected class and byte order
	local root=$1 want n bad
	want=$(expect_elf "$2")
	n=$(find "$root/lib/modules" -name '*.ko' | wc -l)
	[ "$n" -gt 100 ] || { log "$root: only $n modules"; return 1; }
	bad=$(find "$root/lib/modules" -name '*.ko' -print0 | xargs -0 readelf -h 2>/dev/null |
		awk -v c="${want% *}" -v e="${want#* }" '
			/^ *Class:/ { if ($2 != c) bad++ }
			/^ *Data:/ { if ($0 !~ e " endian") bad++ }
			END { print bad + 0 }')
	[ "$bad" -eq 0 ] || { log "$root: $bad modules are not $want-endian"; return 1; }
	log "$root: $n modules, all $want-endian"
}

prepare_tree() { # root
	local root=$1 kver
	# Only the modules and kmod's inputs matter; the kernel image is large.
	rm -rf "${root:?}/boot" "${root:?}/usr"
	check_elf "$root" "$arch" || return 1
	kver=$(ls "$root/lib/modules")
	depmod -b "$root" "$kver" >&2
}

command -v depmod >/dev/null || apt-get install -y --no-install-recommends kmod >&2
command -v readelf >/dev/null || apt-get install -y --no-install-recommends binutils >&2
for arch in $archs; do
	expect_elf "$arch" >/dev/null || { log "unknown architecture $arch"; exit 1; }
	# apt sees a foreign package only once dpkg knows its architecture.
	if [ "$(dpkg --print-architecture)" != "$arch" ] &&
		! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		dpkg --add-architecture "$arch"
		apt_updated=
	fi
done
for arch in $archs; do
	root=$(pin_tree "$arch") || { log "no $arch tree"; exit 1; }
	echo "$(ls "$root/lib/modules") $root $arch"
done
