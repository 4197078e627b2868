#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libkmod.so.2 side by side: bench/libkmod-lookup.c built against Debian's libkmod
# (kmod 30) and against lkm's, run alternately, ROUNDS times each, on the 6.1 and 6.12
# trees; each run times its cases inside the process (several internal rounds, median).
# Prints the median of each side and the ratio lkm/kmod next to its target:
#   alias-all      every alias of modules.alias looked up        <= 0.5
#   alias-devices  this machine's /sys/bus/*/devices/*/modalias   <= 0.5
#   new-load       kmod_new + kmod_load_resources + kmod_unref    <= 1.0
# A shared build (not -Dstatic): ${LKM_BENCH_BUILD:-build}, set up if missing.
#   bench/libkmod.sh         (also bench/run libkmod-lookup)
set -u
cd "$(dirname "$0")/.."
src=$(pwd)
build=${LKM_BENCH_BUILD:-$src/build}
ROUNDS=${ROUNDS:-5}
INNER=${INNER:-5}
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >/dev/null || { echo "bench: cannot set up $build"; exit 1; }
fi
meson compile -C "$build" bench/libkmod-lookup-debian bench/libkmod-lookup-lkm >/dev/null ||
	{ echo "bench: cannot build libkmod-lookup (libkmod-dev installed?)"; exit 1; }
deb=$build/bench/libkmod-lookup-debian
lkm=$build/bench/libkmod-lookup-lkm
trees=$(tests/tools/fetch-trees.sh) || exit 1
tmp=$(mktemp -d /var/tmp/lkm-bench-libkmod.XXXXXX); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/conf"
cat /sys/bus/*/devices/*/modalias 2>/dev/null | sort -u >"$tmp/devices"
[ -s "$tmp/devices" ] || echo 'pci:v00008086d00001234sv00000000sd00000000bc03sc00i00' >"$tmp/devices"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "kmod: Debian's libkmod $(dpkg-query -W -f='${Version}' libkmod2 2>/dev/null); lkm: $lkm"
echo "$(nproc) CPUs; $ROUNDS runs each, alternating, $INNER rounds inside each run; median"
status=0
while read -r kver root; do
	dir=$root/lib/modules/$kver
	awk '$1 == "alias" { print $2 }' "$dir/modules.alias" >"$tmp/aliases"
	: >"$tmp/k"; : >"$tmp/l"
	for ((i = 0; i < ROUNDS; i++)); do
		"$deb" "$dir" "$tmp/conf" "$tmp/aliases" "$tmp/devices" "$INNER" >>"$tmp/k" || exit 1
		"$lkm" "$dir" "$tmp/conf" "$tmp/aliases" "$tmp/devices" "$INNER" >>"$tmp/l" || exit 1
	done
	for c in alias-all:0.5 alias-devices:0.5 new-load:1.0; do
		name=${c%:*} target=${c#*:}
		k=$(awk -v c="$name" '$1 == c { print $2 }' "$tmp/k" | median)
		l=$(awk -v c="$name" '$1 == c { print $2 }' "$tmp/l" | median)
		# The same number of keys and of modules found, or the two did different work.
		kw=$(awk -v c="$name" '$1 == c { print $3, $4; exit }' "$tmp/k")
		lw=$(awk -v c="$name" '$1 == c { print $3, $4; exit }' "$tmp/l")
		[ "$kw" = "$lw" ] || { echo "$name $kver: kmod found '$kw', lkm '$lw' (keys, modules)"; status=1; }
		awk -v n="$name-$(cut -d. -f1,2 <<<"$kver")" -v k="$k" -v l="$l" -v t="$target" -v w="${kw% *} keys" 'BEGIN {
			r = l / k; ok = (r <= t) ? "ok" : "SLOWER THAN TARGET"
			printf "%-22s kmod %9.3f ms   lkm %9.3f ms   ratio %.3f (target <= %s) %s  [%s]\n",
				n, k/1e6, l/1e6, r, t, ok, w }'
	done
done <<<"$trees"
exit $status
