#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Readers and writers at once, on copies of both Debian trees. While lkm's depmod
# rewrites a tree's indexes over and over, lkm's modprobe -D, modprobe -R and modinfo
# on that tree must never fail nor answer anything but what they answered before the
# loop. Then two depmods at once on one tree, in one pid namespace and in two (where
# both can have pid 1, and so the same temporary names): both succeed, and every
# index is there and identical to a single run's. Loops are bounded in time and count.
set -uo pipefail
LKM=$(realpath "${LKM:?set LKM to the lkm binary}")
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib.sh"
. "$src/tests/tools/tree-lib.sh"
unset LKM_DEPMOD_CACHE
SECONDS_PER_TREE=${LKM_CONCURRENT_SECONDS:-6}
MAX_WRITES=200 MAX_READS=3000

trees=$("$src/tests/tools/fetch-trees.sh") && [ -n "$trees" ] || { bad "setup: fetch-trees.sh"; finish; }
at_least 2 "Debian trees" "$(wc -l <<<"$trees")"
tmp=$(mktemp -d /var/tmp/lkm-test-concurrent.XXXXXX) || { bad "setup: mktemp"; finish; }
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The questions asked of a tree: dependencies, an alias, a module's fields.
queries() { # root kver
	local r=$1 k=$2 m
	for m in vfat btrfs i915; do
		echo "modprobe -d $r -S $k -D $m"
	done
	echo "modprobe -d $r -S $k -R fs-vfat"
	echo "modprobe -d $r -S $k -R pci:v00008086d00001234sv0sd0bc03sc00i00"
	echo "modinfo -b $r -k $k -F depends btrfs"
	echo "modinfo -b $r -k $k vfat"
}

n=0
while read -r kver root; do
	t=$tmp/t$n d=$tmp/t$n/lib/modules/$kver
	n=$((n + 1))
	need "copy of the $kver tree" copy_tree "$root" "$kver" "$t"
	# Every run names a cache, so that only the first reads every module; the
	# copy's ctimes must be old enough for the cache to keep them.
	sleep 3
	dm=("$LKM" depmod --cache="$tmp/cache$n" -b "$t")
	need "$kver: first depmod" "${dm[@]}" "$kver"
	at_least 1000 "$kver: lines of modules.dep" "$(wc -l <"$d/modules.dep")" || continue

	# The answers before the loop: each must be there, and not empty.
	mapfile -t qs < <(queries "$t" "$kver")
	at_least 7 "$kver: queries" "${#qs[@]}" || continue
	for i in "${!qs[@]}"; do
		# shellcheck disable=SC2086
		"$LKM" ${qs[i]} >"$tmp/want.$i" 2>"$tmp/want.$i.err" ||
			bad "$kver: before the loop: ${qs[i]} failed: $(head -1 "$tmp/want.$i.err")"
		[ -s "$tmp/want.$i" ] || bad "$kver: before the loop: ${qs[i]} answered nothing"
	done
	at_least 3 "$kver: lines of modprobe -D i915" "$(wc -l <"$tmp/want.2")"

	# The writer: depmod over and over, until the time or the count is up.
	end=$(( $(now_ms) + SECONDS_PER_TREE * 1000 ))
	(
		w=0 f=0
		while [ "$(now_ms)" -lt "$end" ] && [ $w -lt $MAX_WRITES ]; do
			"${dm[@]}" "$kver" 2>>"$tmp/writer.err" ||
				f=$((f + 1))
			w=$((w + 1))
		done
		echo "$w $f" >"$tmp/writer.count"
	) &
	writer=$!
	reads=0 wrong=0 failed=0
	while kill -0 $writer 2>/dev/null && [ $reads -lt $MAX_READS ]; do
		for i in "${!qs[@]}"; do
			# shellcheck disable=SC2086
			if ! "$LKM" ${qs[i]} >"$tmp/got" 2>"$tmp/got.err"; then
				failed=$((failed + 1))
				[ $failed -le 3 ] && echo "  failed: ${qs[i]}: $(head -1 "$tmp/got.err")"
			elif ! cmp -s "$tmp/got" "$tmp/want.$i"; then
				wrong=$((wrong + 1))
				[ $wrong -le 3 ] && echo "  wrong: ${qs[i]}: $(diff "$tmp/want.$i" "$tmp/got" | head -3)"
			fi
			reads=$((reads + 1))
		done
	done
	wait $writer
	read -r writes wfail <"$tmp/writer.count" 2>/dev/null || { writes=0 wfail=0; }
	at_least 5 "$kver: depmod rewrites during the loop" "$writes" &&
		at_least 50 "$kver: queries during the loop" "$reads" &&
		{ [ $wrong -eq 0 ] && [ $failed -eq 0 ] && [ "$wfail" -eq 0 ] &&
		ok "$kver: $reads queries during $writes rewrites in ${SECONDS_PER_TREE}s: every answer the same" ||
		bad "$kver: $failed failed and $wrong wrong of $reads queries, $wfail of $writes depmods failed: $(head -2 "$tmp/writer.err")"; }
	: >"$tmp/writer.err"

	# Two depmods at once: the same files as one run, every one of them, no leftovers.
	need "$kver: a single run's indexes" "${dm[@]}" -o "$tmp/single$n" "$kver"
	one=$tmp/single$n/lib/modules/$kver
	at_least 11 "$kver: files of a single run" "$(ls "$one" | wc -l)"
	pair() { # how: plain, or pidns
		local k bad_files="" rc1 rc2 a b
		for k in 1 2 3; do
			if [ "$1" = pidns ]; then
				unshare -pf --mount-proc "${dm[@]}" "$kver" 2>"$tmp/p1.err" & a=$!
				unshare -pf --mount-proc "${dm[@]}" "$kver" 2>"$tmp/p2.err" & b=$!
			else
				"${dm[@]}" "$kver" 2>"$tmp/p1.err" & a=$!
				"${dm[@]}" "$kver" 2>"$tmp/p2.err" & b=$!
			fi
			wait $a; rc1=$?; wait $b; rc2=$?
			[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] ||
				bad_files+=" exit $rc1/$rc2: $(cat "$tmp/p1.err" "$tmp/p2.err" | head -2)"
			for f in $generated; do cmp -s "$d/$f" "$one/$f" || bad_files+=" $f"; done
			[ -z "$(ls -A "$d" | grep 'lkm-tmp')" ] || bad_files+=" left: $(ls -A "$d" | grep lkm-tmp | head -2)"
		done
		[ -z "$bad_files" ] && ok "$kver: two depmods at once ($1), 3 times: every index a single run's" ||
			bad "$kver: two depmods at once ($1):$bad_files"
	}
	pair plain
	if [ "$(id -u)" = 0 ]; then
		pair pidns
	else
		skip "$kver: two depmods in two pid namespaces" "needs root, for unshare -p"
	fi
done <<<"$trees"
finish
