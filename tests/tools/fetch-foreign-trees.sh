#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Download Debian 12 kernel module trees of other architectures than the host's into the
# cache of fetch-trees.sh and give each the indexes kmod's depmod writes (the oracle):
#   s390x : linux-image-<abi>-s390x          ELF64, big-endian
#   i386  : linux-image-<abi>-686-unsigned   ELF32, little-endian
#   armhf : linux-image-<abi>-armmp          ELF32, little-endian, another machine
# apt only sees foreign packages once dpkg knows the architecture, so this adds them
# (dpkg --add-architecture; nothing foreign is installed, packages are only unpacked
# with dpkg -x). The ABI is the amd64 one fetch-trees.sh uses when the architecture has
# it, otherwise the one the architecture's meta-package depends on.
# Prints "KVER ROOT ARCH" lines on stdout. LKM_FOREIGN_ARCHS picks the architectures.
set -euo pipefail
cache=${LKM_CACHE:-/var/cache/lkm-test}
archs=${LKM_FOREIGN_ARCHS:-s390x i386 armhf}
mkdir -p "$cache/debs" "$cache/trees"
log() { echo "fetch-foreign-trees: $*" >&2; }

flavour() { # arch -> kernel flavour (package suffix after the ABI) and the meta-package's
	case $1 in
	s390x) echo "s390x s390x" ;;
	i386) echo "686-unsigned 686" ;;
	armhf) echo "armmp armmp" ;;
	*) return 1 ;;
	esac
}

# The ELF class and byte order every module of the tree must have.
expect_elf() {
	case $1 in
	s390x) echo "ELF64 big" ;;
	i386 | armhf) echo "ELF32 little" ;;
	esac
}

# apt-cache is slow where its package cache is off (as in Debian's container images), so
# apt is only asked about architectures that have no tree in the cache yet.
cached_tree() { # arch -> root of the newest finished tree of its flavour, if any
	local fl d
	fl=$(flavour "$1" | cut -d' ' -f1)
	for d in "$cache/trees"/linux-image-6.1.0-*-"$fl"; do
		if [ -f "$d/.done" ]; then echo "$d"; fi
	done | sort -V | tail -n 1
}

setup_apt() { # archs that need a download
	local a need_update=0
	for a in "$@"; do
		if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
			[ "$(dpkg --print-architecture)" = "$a" ] && continue
			dpkg --add-architecture "$a"
			need_update=1
		fi
		apt-cache show "linux-image-$(flavour "$a" | cut -d' ' -f2):$a" >/dev/null 2>&1 ||
			need_update=1
	done
	# A mirror in sync for one architecture's index may fail another's: that is a
	# warning, and only a package that then cannot be found is an error.
	[ "$need_update" -eq 0 ] || apt-get update >&2 || log "apt-get update reported errors"
	amd64_abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(6\.1\.0-[0-9]*\)-amd64.*/\1/p' | head -n 1)
}

pick_pkg() { # arch -> package name (without :arch)
	local a=$1 fl meta abi
	read -r fl meta <<<"$(flavour "$a")"
	if [ -n "$amd64_abi" ] &&
		apt-cache show "linux-image-$amd64_abi-$fl:$a" >/dev/null 2>&1; then
		echo "linux-image-$amd64_abi-$fl"
		return
	fi
	abi=$(apt-cache depends "linux-image-$meta:$a" 2>/dev/null |
		sed -n "s/.*Depends: linux-image-\(6\.1\.0-[0-9]*\)-$meta.*/\1/p" | head -n 1)
	[ -n "$abi" ] || return 1
	echo "linux-image-$abi-$fl"
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

fetch_tree() { # arch -> "KVER ROOT ARCH"
	local a=$1 pkg root deb kver
	root=$(cached_tree "$a")
	if [ -z "$root" ]; then
		pkg=$(pick_pkg "$a") || { log "no kernel package for $a"; return 1; }
		root="$cache/trees/$pkg"
		deb=$(ls "$cache/debs/${pkg}"_*"_$a.deb" 2>/dev/null | sort -V | tail -n 1) || true
		if [ -z "$deb" ]; then
			( cd "$cache/debs" && apt-get download "$pkg:$a" >&2 )
			deb=$(ls "$cache/debs/${pkg}"_*"_$a.deb" | sort -V | tail -n 1)
		fi
		rm -rf "$root" && mkdir -p "$root"
		dpkg -x "$deb" "$root"
		# Only the modules and kmod's inputs matter; the kernel image is large.
		rm -rf "${root:?}/boot" "${root:?}/usr"
		check_elf "$root" "$a"
		kver=$(ls "$root/lib/modules")
		# kmod's depmod is the oracle for the indexes.
		depmod -b "$root" "$kver" >&2
		touch "$root/.done"
	fi
	echo "$(ls "$root/lib/modules") $root $a"
}

command -v depmod >/dev/null || apt-get install -y --no-install-recommends kmod >&2
command -v readelf >/dev/null || apt-get install -y --no-install-recommends binutils >&2
missing=
for a in $archs; do
	flavour "$a" >/dev/null || { log "unknown architecture $a"; exit 1; }
	[ -n "$(cached_tree "$a")" ] || missing="$missing $a"
done
amd64_abi=
# shellcheck disable=SC2086
[ -z "$missing" ] || setup_apt $missing
for a in $archs; do
	fetch_tree "$a"
done
