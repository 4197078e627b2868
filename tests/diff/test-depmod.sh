#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lkm depmod against kmod's depmod on the two Debian trees: every text file and every
# .bin (through `lkm index dump`, priorities included) must match; kmod's modprobe and
# modinfo must read lkm's indexes with the same answers. Also prints both wall times.
set -uo pipefail
LKM=${LKM:?set LKM to the lkm binary}
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

trees=$("$src/tests/tools/fetch-trees.sh") || { echo "cannot fetch trees"; echo "0 passed, 1 failed"; exit 1; }

# shellcheck source=../tools/tree-lib.sh
. "$(dirname "$0")/../tools/tree-lib.sh"

now() { date +%s.%N; }

compare_tree() { # kver root
	local kver=$1 root=$2 k="$tmp/kmod" l="$tmp/lkm" t0 t1 tk=0 tl=0 i
	rm -rf "$k" "$l"
	copy_tree "$root" "$kver" "$k"
	copy_tree "$root" "$kver" "$l"
	# Alternate the runs so both see the same cache state; keep the best of each.
	for i in 1 2; do
		t0=$(now); depmod -b "$k" "$kver" 2>"$tmp/kmod.err"; t1=$(now)
		tk=$(echo "$t1 $t0 $tk $i" | awk '{d=$1-$2; print ($4==1||d<$3)?d:$3}')
		t0=$(now); LKM_DEPMOD_CACHE=0 "$LKM" depmod -b "$l" "$kver" 2>"$tmp/lkm.err"; t1=$(now)
		tl=$(echo "$t1 $t0 $tl $i" | awk '{d=$1-$2; print ($4==1||d<$3)?d:$3}')
	done
	echo "time $kver: kmod ${tk}s, lkm ${tl}s (ratio $(echo "$tl $tk" | awk '{printf "%.2f", $1/$2}'))"
	if cmp -s "$tmp/kmod.err" "$tmp/lkm.err"; then ok "$kver: same messages"
	else bad "$kver: messages differ"; diff "$tmp/kmod.err" "$tmp/lkm.err" | head -5; fi
	local dk="$k/lib/modules/$kver" dl="$l/lib/modules/$kver" f n
	if cmp -s "$dk/modules.dep" "$dl/modules.dep"; then ok "$kver: modules.dep identical"
	else
		n=$(diff "$dk/modules.dep" "$dl/modules.dep" | grep -c '^[<>]')
		bad "$kver: modules.dep: $n differing lines"
		diff "$dk/modules.dep" "$dl/modules.dep" | head -6
	fi
	for f in modules.alias modules.symbols modules.softdep modules.devname; do
		if cmp -s <(sort "$dk/$f") <(sort "$dl/$f"); then ok "$kver: $f same lines"
		else
			n=$(diff <(sort "$dk/$f") <(sort "$dl/$f") | grep -c '^[<>]')
			bad "$kver: $f: $n differing lines"
		fi
	done
	# kmod 30 writes no modules.weakdep; lkm does, as kmod 34.
	if [ -f "$dl/modules.weakdep" ]; then ok "$kver: modules.weakdep written"
	else bad "$kver: modules.weakdep missing"; fi
	for f in modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin \
		modules.builtin.alias.bin; do
		if ! "$LKM" index dump "$dk/$f" >"$tmp/k.dump" 2>&1; then
			bad "$kver: $f: cannot dump kmod's"; continue; fi
		if ! "$LKM" index dump "$dl/$f" >"$tmp/l.dump" 2>&1; then
			bad "$kver: $f: cannot dump lkm's"; continue; fi
		if cmp -s "$tmp/k.dump" "$tmp/l.dump"; then
			ok "$kver: $f same keys, values, priorities ($(wc -l <"$tmp/k.dump"))"
		else
			n=$(diff "$tmp/k.dump" "$tmp/l.dump" | grep -c '^[<>]')
			bad "$kver: $f: $n differing entries"
			diff "$tmp/k.dump" "$tmp/l.dump" | head -4
		fi
	done
	# kmod's own tools must read lkm's indexes with the same answers.
	local a b
	a=$(modprobe -d "$k" -S "$kver" -D msdos 2>&1 | sed "s|$k||g")
	b=$(modprobe -d "$l" -S "$kver" -D msdos 2>&1 | sed "s|$l||g")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "$kver: kmod modprobe -D msdos reads lkm's indexes"
	else bad "$kver: modprobe -D msdos differs"; echo "$a" | head -3; echo "$b" | head -3; fi
	a=$(modinfo -b "$k" -k "$kver" fat 2>&1 | sed "s|$k||g")
	b=$(modinfo -b "$l" -k "$kver" fat 2>&1 | sed "s|$l||g")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "$kver: kmod modinfo fat reads lkm's indexes"
	else bad "$kver: modinfo fat differs"; fi
	a=$(modprobe -d "$k" -S "$kver" -R 'pci:v00008086d000010D3sv*sd*bc*sc*i*' 2>&1)
	b=$(modprobe -d "$l" -S "$kver" -R 'pci:v00008086d000010D3sv*sd*bc*sc*i*' 2>&1)
	if [ "$a" = "$b" ]; then ok "$kver: modprobe -R alias lookup ($a)"
	else bad "$kver: modprobe -R alias differs: '$a' vs '$b'"; fi
	# -n writes the text files to stdout as kmod does.
	if cmp -s <(depmod -n -b "$k" "$kver" 2>/dev/null | grep -v '^# Weak') \
		<(LKM_DEPMOD_CACHE=0 "$LKM" depmod -n -b "$l" "$kver" 2>/dev/null | grep -v '^# Weak'); then
		ok "$kver: -n output"
	else bad "$kver: -n output differs"; fi
	# -e with -F: the package's System.map, with a tenth of its exports taken out, so
	# that modules need unknown symbols; the warnings must be kmod's, line for line.
	local map=$root/boot/System.map-$kver
	if [ -f "$map" ]; then
		awk '!/ __ksymtab_/ || NR % 10' "$map" >"$tmp/System.map"
		depmod -n -e -F "$tmp/System.map" -b "$k" "$kver" >"$tmp/k.out" 2>"$tmp/k.err"
		LKM_DEPMOD_CACHE=0 "$LKM" depmod -n -e -F "$tmp/System.map" -b "$l" "$kver" \
			>"$tmp/l.out" 2>"$tmp/l.err"
		n=$(grep -c 'needs unknown symbol' "$tmp/k.err")
		if [ "$n" -gt 0 ] && cmp -s <(sed "s|$k||" "$tmp/k.err") <(sed "s|$l||" "$tmp/l.err") &&
		   cmp -s <(grep -v '^# Weak' "$tmp/k.out") <(grep -v '^# Weak' "$tmp/l.out"); then
			ok "$kver: -e -F System.map: the same $n unknown-symbol warnings"
		else
			bad "$kver: -e -F warnings differ ($n from kmod)"
			diff <(sed "s|$k||" "$tmp/k.err") <(sed "s|$l||" "$tmp/l.err") | head -4
		fi
	fi
	# -w: a second copy of fat exports the same symbols (kmod 30 warns only of an alias a
	# module declares twice, which these trees do not have: the warnings must agree).
	cp "$k/lib/modules/$kver/kernel/fs/fat/fat.ko"* "$tmp/"
	mkdir -p "$k/lib/modules/$kver/extra" "$l/lib/modules/$kver/extra"
	for d in "$k" "$l"; do
		for f in "$tmp"/fat.ko*; do cp "$f" "$d/lib/modules/$kver/extra/fat2.${f#*/fat.}"; done
	done
	depmod -n -w -b "$k" "$kver" >"$tmp/k.out" 2>"$tmp/k.err"
	LKM_DEPMOD_CACHE=0 "$LKM" depmod -n -w -b "$l" "$kver" >"$tmp/l.out" 2>"$tmp/l.err"
	n=$(wc -l <"$tmp/k.err")
	if cmp -s <(sed "s|$k||" "$tmp/k.err") <(sed "s|$l||" "$tmp/l.err") &&
	   cmp -s <(grep -v '^# Weak' "$tmp/k.out") <(grep -v '^# Weak' "$tmp/l.out"); then
		ok "$kver: -w with duplicate exports: the same $n warnings and output"
	else
		bad "$kver: -w warnings differ ($n lines from kmod)"
		diff <(sed "s|$k||" "$tmp/k.err") <(sed "s|$l||" "$tmp/l.err") | head -4
	fi
	rm -rf "$k" "$l" "$tmp"/fat.ko*
}

while read -r kver root; do
	[ -n "$kver" ] && compare_tree "$kver" "$root"
done <<<"$trees"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
