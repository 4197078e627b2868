#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole-system test (suite system, see README.md): two Debian 12 systems made from one
# cached debootstrapped base, (A) with Debian's kmod and (B) with lkm's packages instead,
# each with its initramfs rebuilt by its own tools, booted under qemu with devices whose
# drivers are modules. Each reports its state at the end of the boot; B must reach A's:
# the same modules loaded and drivers bound, no failed unit or module warning of its own,
# the modules-load.d entry loaded with its modprobe.d option.
#
# Environment: LKM_DEBS (the directory of lkm's .deb files; by default they are built
# from this tree's debian/ with dpkg-buildpackage in a copy), LKM_SYSTEM_IMAGES ("A B" by
# default), LKM_SYSTEM_NOBOOT=1 (check the last reports again without building or
# booting), and what build.sh and boot.sh take.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
cache=${LKM_CACHE:-/var/cache/lkm-test}
sys=$cache/system
logs=${LKM_BUILD_ROOT:-$sys}/system-logs
images=${LKM_SYSTEM_IMAGES:-A B}
min_modules=20
mkdir -p "$sys" "$logs"

[ "$(id -u)" -eq 0 ] || { skip "system test" "needs root (debootstrap, chroot)"; finish; }
exec 8>"$sys/.lock"
flock 8

if [ -z "${LKM_SYSTEM_NOBOOT:-}" ]; then
	missing=()
	for p in debootstrap qemu-system-x86 e2fsprogs util-linux dpkg-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] || need "install ${missing[*]}" \
		env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}"
fi

elapsed() { echo "$(($(date +%s) - $1))s"; }

# The directory of lkm's packages, or nothing (and the reason on stderr).
lkm_debs() {
	local tmp
	if [ -n "${LKM_DEBS:-}" ]; then
		ls "$LKM_DEBS"/*.deb >/dev/null 2>&1 && { echo "$LKM_DEBS"; return 0; }
		echo "LKM_DEBS=$LKM_DEBS holds no .deb" >&2
		return 1
	fi
	[ -f "$src/debian/control" ] ||
		{ echo "no lkm packages: set LKM_DEBS=DIR or add debian/ to the tree" >&2; return 1; }
	# dpkg-buildpackage in a copy, so that the tree and its build directories stay as they are.
	tmp=$sys/debs-build
	rm -rf "$tmp" && mkdir -p "$tmp/lkm"
	tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$tmp/lkm" -xf - ||
		{ echo "cannot copy the tree" >&2; return 1; }
	( cd "$tmp/lkm" && { dpkg-checkbuilddeps >/dev/null 2>&1 ||
		DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq ./ >/dev/null; } &&
		DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck parallel=2} dpkg-buildpackage -b -us -uc ) \
		>"$logs/dpkg-buildpackage.log" 2>&1 ||
		{ echo "dpkg-buildpackage failed: $logs/dpkg-buildpackage.log" >&2; return 1; }
	mkdir -p "$tmp/debs" && mv "$tmp"/*.deb "$tmp/debs/" && echo "$tmp/debs"
}

# Build and boot image NAME (with lkm's packages from DEBDIR if given); the report and
# console land in $logs/NAME/.
run_image() { # name [debdir]
	local name=$1 t line root img kver
	t=$(date +%s)
	rm -rf "$logs/$name.tools" "$logs/$name"
	line=$("$here/build.sh" image "$@" 2>"$logs/build-$name.log") ||
		{ tail -n 20 "$logs/build-$name.log"; bad "image $name: build" "$logs/build-$name.log"; return 1; }
	read -r root img kver <<<"$line"
	cp "$sys/$name.tools" "$logs/$name.tools" 2>/dev/null
	echo "image $name built in $(elapsed "$t")"
	t=$(date +%s)
	if ! "$here/boot.sh" "$root" "$img" "$kver" "$logs/$name" >"$logs/qemu-$name.log" 2>&1; then
		tail -n 30 "$logs/$name/console.txt" 2>/dev/null
		bad "image $name: boot" "qemu failed or timed out, see $logs/$name/console.txt"
		return 1
	fi
	echo "image $name booted and powered off in $(elapsed "$t")"
	# The disk image is rebuilt by every run: only the tree is kept for inspection.
	rm -f "$img"
}

# The report's sections as files $logs/NAME/r/SECTION.
split_report() { # name
	local d=$logs/$1/r
	rm -rf "$d" && mkdir -p "$d"
	tr -d '\r' <"$logs/$1/report.txt" | awk -v d="$d" '
		/^@@== / { f = d "/" $2; printf "" > f; next }
		f != "" { print > f }'
	[ -f "$d/END" ]
}
sect() { cat "$logs/$1/r/$2" 2>/dev/null; }

t0=$(date +%s)
booted=()
if [ -z "${LKM_SYSTEM_NOBOOT:-}" ]; then
	t=$(date +%s)
	"$here/build.sh" base >/dev/null 2>"$logs/build-base.log" ||
		{ tail -n 30 "$logs/build-base.log"; need "the base system" false; }
	echo "base ready in $(elapsed "$t") ($sys/base)"
fi
for name in $images; do
	debs=
	if [ "$name" = B ] && [ -z "${LKM_SYSTEM_NOBOOT:-}" ]; then
		debs=$(lkm_debs 2>"$logs/debs.reason") ||
			{ skip "image B (lkm)" "$(cat "$logs/debs.reason")"; continue; }
		echo "lkm's packages: $(cd "$debs" && ls -- *.deb | xargs)"
	fi
	if [ -z "${LKM_SYSTEM_NOBOOT:-}" ]; then
		run_image "$name" $debs || continue
	fi
	if ! split_report "$name"; then
		# What stopped it, from the console: a missing library symbol, the initramfs's
		# complaint, a panic, systemd's emergency mode.
		grep -aE 'symbol lookup error|error while loading|ALERT|Kernel panic|emergency|FAILED' \
			"$logs/$name/console.txt" | tr -d '\r' | head -n 15 | sed 's/^/  console: /'
		bad "image $name: report complete" "no END in $logs/$name/report.txt"
		continue
	fi
	booted+=("$name")
done

# Each system on its own.
for name in "${booted[@]}"; do
	state=$(sect "$name" state)
	check "$name: systemctl is-system-running says running (it says: $state)" [ "$state" = running ]
	at_least "$min_modules" "$name: loaded modules" "$(sect "$name" modules | wc -l)" &&
		ok "$name: $(sect "$name" modules | wc -l) modules loaded"
	for m in virtio_blk ext4; do
		check "$name: the root's $m came from the initramfs" grep -qx "$m" "$logs/$name/r/modules"
	done
	check "$name: modules-load.d's dummy is loaded" grep -qx dummy "$logs/$name/r/modules"
	check "$name: /etc/modprobe.d/systemd.conf masked systemd's, its numdummies=3 took effect (3 dummy links)" \
		[ "$(sect "$name" dummies | wc -l)" -eq 3 ]
	echo "$name: modprobe is $(sect "$name" modprobe | xargs)"
done
# What each image was built with (build.sh's NAME.tools), booted or not.
for name in $images; do
	[ -f "$logs/$name.tools" ] || continue
	v=$(sed -n 's/^modprobe-version: //p' "$logs/$name.tools")
	[ "$name" = B ] && check "B: the system's modprobe is lkm's, not kmod's ($v)" \
		sh -c "! grep -q '^modprobe-version: kmod version' '$logs/B.tools'"
	check "$name: the initramfs carries the system's modprobe ($v)" \
		grep -qx "initramfs-modprobe: the system's" "$logs/$name.tools"
done
has() { printf '%s\n' "${booted[@]}" | grep -qx "$1"; }

# B against A.
if has A && has B; then
	d=$(diff <(sect A modules) <(sect B modules))
	check "B loads the same $(sect A modules | wc -l) modules as A${d:+ (diff A B: $(echo "$d" | grep '^[<>]' | xargs))}" \
		[ -z "$d" ]
	drivers() { sect "$1" lspci | grep -E '^[0-9a-f]|Kernel driver in use'; }
	d=$(diff <(drivers A) <(drivers B))
	check "B binds the same PCI drivers as A${d:+ ($(echo "$d" | grep '^[<>]' | xargs))}" [ -z "$d" ]
	new=$(comm -13 <(sect A failed | sort -u) <(sect B failed | sort -u))
	check "B has no failed unit that A lacks${new:+: $(echo "$new" | xargs)}" [ -z "$new" ]
	# Messages differ in their numbers (pids, addresses, times), not in their words.
	norm() { sect "$1" modwarn | sed -E 's/[0-9]+/N/g' | sort -u; }
	new=$(comm -13 <(norm A) <(norm B))
	check "B logs no module warning that A lacks${new:+: $(echo "$new" | paste -sd"|")}" [ -z "$new" ]
	d=$(diff <(sect A modules-load.d) <(sect B modules-load.d))
	check "B has A's modules-load.d entries" [ -z "$d" ]
fi

# Both boot times side by side: printed, not compared (TCG on a shared machine varies).
times() { # name -> kernel userspace total udev-trigger udevd
	local t
	# "1min 5.3s" made one word.
	t=$(sect "$1" time | head -n 1 | sed -E 's/([0-9]+)min /\1min/g')
	printf '%s %s %s %s %s\n' \
		"$(sed -nE 's/.* (([0-9]+min)?[0-9.]+m?s) \(kernel\).*/\1/p' <<<"$t")" \
		"$(sed -nE 's/.* (([0-9]+min)?[0-9.]+m?s) \(userspace\).*/\1/p' <<<"$t")" \
		"$(sed -nE 's/.*= (([0-9]+min)?[0-9.]+m?s).*/\1/p' <<<"$t")" \
		"$(sect "$1" blame | awk '$2 == "systemd-udev-trigger.service" { print $1 }')" \
		"$(sect "$1" blame | awk '$2 == "systemd-udevd.service" { print $1 }')"
}
if [ ${#booted[@]} -gt 0 ]; then
	printf '%-16s' "boot time"
	for n in "${booted[@]}"; do
		case $n in A) printf '%-14s' "A (kmod)" ;; B) printf '%-14s' "B (lkm)" ;; *) printf '%-14s' "$n" ;; esac
	done
	echo
	rows=(kernel+initrd userspace total udev-trigger udevd)
	for i in 0 1 2 3 4; do
		printf '  %-14s' "${rows[$i]}"
		for n in "${booted[@]}"; do
			read -ra v <<<"$(times "$n")"
			printf '%-14s' "${v[$i]:--}"
		done
		echo
	done
fi
echo "whole test: $(elapsed "$t0"); logs in $logs"
finish
