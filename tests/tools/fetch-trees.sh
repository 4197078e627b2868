#!/bin/bash
# Download two real Debian kernel module trees into a cache outside the source tree and
# give each the indexes that kmod's depmod writes (the packages ship none).
#   6.1  : linux-image-<abi>-amd64-unsigned, plain .ko files
#   6.12 : linux-image-6.12.*-amd64-unsigned from bookworm-security, .ko.xz files
# Prints the two tree roots as "KVER ROOT" lines on stdout.
set -euo pipefail
cache=${LKM_CACHE:-/var/cache/lkm-test}
mkdir -p "$cache/debs" "$cache/trees"
log() { echo "fetch-trees: $*" >&2; }

newest() { # newest package name matching a regex, by version sort
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1
}

if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
	apt-get update >&2
fi
abi61=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6\.1/{print $2; exit}')
pkg61="${abi61}-unsigned"
pkg612=$(newest '^linux-image-6\.12\..*\+deb12-amd64-unsigned$')
[ -n "$abi61" ] && [ -n "$pkg612" ] || { log "cannot find the kernel packages"; exit 1; }

fetch_tree() { # package -> tree root (with lib/modules/KVER)
	local pkg=$1 root="$cache/trees/$1"
	if [ ! -f "$root/.done" ]; then
		( cd "$cache/debs" && ls "${pkg}"_*.deb >/dev/null 2>&1 || apt-get download "$pkg" >&2 )
		rm -rf "$root" && mkdir -p "$root"
		dpkg -x "$(ls "$cache/debs/${pkg}"_*.deb | sort -V | tail -n 1)" "$root"
		local kver; kver=$(ls "$root/lib/modules")
		# kmod's depmod is the oracle for the indexes.
		depmod -b "$root" "$kver" >&2
		touch "$root/.done"
	fi
	echo "$(ls "$root/lib/modules") $root"
}

command -v depmod >/dev/null || apt-get install -y --no-install-recommends kmod >&2
fetch_tree "$pkg61"
fetch_tree "$pkg612"
