# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by fetch-trees.sh and fetch-foreign-trees.sh: the kernel packages pinned in
# tests/kernels.pin, downloaded into ${LKM_CACHE:-/var/cache/lkm-test}. The suites run in
# parallel and apt has one lock, so one fetch runs at a time: the caller holds
# $cache/.fetch.lock from here until it exits.
# The caller defines log().
pins=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/kernels.pin
cache=${LKM_CACHE:-/var/cache/lkm-test}
mkdir -p "$cache/debs" "$cache/trees"
exec 9>"$cache/.fetch.lock"
flock 9

apt_updated=
apt_update() { # once per run; a mirror out of sync for one index is only a warning
	[ -n "$apt_updated" ] && return 0
	apt_updated=1
	apt-get -o DPkg::Lock::Timeout=300 update >&2 || log "apt-get update reported errors"
}

# The fields of one pin: "ARCH PACKAGE VERSION SERIES".
pin() { # name
	awk -v n="$1" '!/^#/ && $1 == n { print $2, $3, $4, $5; f = 1 } END { exit !f }' "$pins" ||
		{ log "no kernel named $1 in $pins"; return 1; }
}

has_version() { # package:arch version
	apt-cache show "$1=$2" 2>/dev/null | grep -q '^Package:'
}

# NAME -> "PACKAGE VERSION ARCH" to use: the pin itself when its tree is in the cache or
# the archive has it, otherwise the newest package of the pin's series.
pin_resolve() {
	local arch pkg ver series newest
	read -r arch pkg ver series <<<"$(pin "$1")" || return 1
	if [ -f "$cache/trees/${pkg}_${ver}_$arch/.done" ] ||
		[ -f "$cache/debs/${pkg}_${ver}_$arch.deb" ]; then
		echo "$pkg $ver $arch"
		return 0
	fi
	has_version "$pkg:$arch" "$ver" || { apt_update; has_version "$pkg:$arch" "$ver"; } && {
		echo "$pkg $ver $arch"
		return 0
	}
	newest=$(apt-cache search --names-only "$series" | awk '{ print $1 }' |
		while read -r p; do
			apt-cache show --no-all-versions "$p:$arch" 2>/dev/null |
				awk -v p="$p" '/^Version:/ { print p, $2 }'
		done | sort -V -k 2 | tail -n 1)
	[ -n "$newest" ] || { log "$pkg $ver ($arch) is not in the archive, nor any of $series"; return 1; }
	log "WARNING: $pkg $ver ($arch) has left the archive: using ${newest% *} ${newest#* }" \
		"instead; update $pins"
	echo "$newest $arch"
}

# NAME -> the root of the unpacked package, $cache/trees/PACKAGE_VERSION_ARCH, with
# .done in it once complete. Unpacks with dpkg -x; nothing is installed. After the
# unpacking, the caller's prepare_tree ROOT runs (it may prune the tree and index it).
pin_tree() {
	local pkg ver arch root deb
	read -r pkg ver arch <<<"$(pin_resolve "$1")" && [ -n "$arch" ] || return 1
	root=$cache/trees/${pkg}_${ver}_$arch
	[ -f "$root/.done" ] && { echo "$root"; return 0; }
	deb=$cache/debs/${pkg}_${ver}_$arch.deb
	if [ ! -f "$deb" ]; then
		( cd "$cache/debs" && apt-get download "$pkg:$arch=$ver" >&2 ) ||
			{ log "cannot download $pkg $ver ($arch)"; return 1; }
		[ -f "$deb" ] || { log "apt-get download gave no $deb"; return 1; }
	fi
	rm -rf "$root" && mkdir -p "$root"
	dpkg -x "$deb" "$root" || { log "cannot unpack $deb"; return 1; }
	[ "$(ls "$root/lib/modules" | wc -l)" -eq 1 ] ||
		{ log "$deb: expected one directory in lib/modules"; return 1; }
	prepare_tree "$root" || return 1
	touch "$root/.done"
	echo "$root"
}
