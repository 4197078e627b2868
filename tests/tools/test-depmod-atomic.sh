#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# depmod never leaves a half-written index: on a full disk, a read-only directory and
# when killed at any moment, every index file is either the previous one or a complete
# new one, no temporary file stays, and a failure says why. Needs root (it mounts small
# tmpfs in its own mount namespace).
set -uo pipefail
LKM=$(realpath "${LKM:?path of the lkm binary}")
here=$(cd "$(dirname "$0")" && pwd)
src=${LKM_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
. "$src/tests/lib.sh"
. "$here/tree-lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "atomic writes" "needs root, for tmpfs mounts in a private mount namespace"
	finish
fi
if [ "${1:-}" != inside ]; then
	exec unshare -m --propagation private "$0" inside
fi
trees=$("$here/fetch-trees.sh") && [ -n "$trees" ] || { bad "setup: fetch-trees.sh"; finish; }
read -r kver root <<<"$(head -n 1 <<<"$trees")"
tmp=$(mktemp -d) || { bad "setup: mktemp"; finish; }
trap 'umount -q "$tmp"/out 2>/dev/null; rm -rf "$tmp"' EXIT
export LKM_DEPMOD_CACHE=0
files="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.symbols modules.symbols.bin modules.softdep modules.devname modules.builtin.bin modules.builtin.alias.bin"
nfiles=$(wc -w <<<"$files")

# A tree whose modules are links to (or copies of) the Debian tree's, with its own indexes.
need "copy of the $kver tree" copy_tree "$root" "$kver" "$tmp/tree"
mod=$tmp/tree/lib/modules/$kver
need "depmod of the tree" "$LKM" depmod -b "$tmp/tree" "$kver"
need "the new indexes kept" mkdir "$tmp/new"
for f in $files; do need "$f kept" cp "$mod/$f" "$tmp/new/$f"; done
at_least 1000 "lines of the new modules.dep" "$(wc -l <"$tmp/new/modules.dep")" || finish
at_least "$nfiles" "index files kept" "$(ls "$tmp/new" | wc -l)" || finish
# The "previous" indexes: different from the new ones, so a mix would show.
need "the old indexes made" mkdir "$tmp/old"
for f in $files; do printf 'previous %s\n' "$f" >"$tmp/old/$f" || bad "setup: old $f"; done
for f in $files; do
	cmp -s "$tmp/old/$f" "$tmp/new/$f" && { bad "setup: old and new $f are the same"; finish; }
done

# -o OUT writes to OUT/lib/modules/KVER, as kmod's depmod does.
outmod() { echo "$tmp/out/lib/modules/$kver"; }
seed_old() { mkdir -p "$(outmod)" && rm -f "$(outmod)"/* "$(outmod)"/.[!.]* && cp "$tmp/old"/* "$(outmod)/"; }

# prev_or_new DIR: the index files that are neither the previous one nor the new one.
prev_or_new() {
	local dir=$1 f bad_files=""
	for f in $files; do
		cmp -s "$dir/$f" "$tmp/old/$f" || cmp -s "$dir/$f" "$tmp/new/$f" || bad_files+=" $f"
	done
	echo "$bad_files"
}
# Names in DIR that are not index files: temporary files left behind.
leftovers() { ls -A "$1" | grep -vxF -f <(printf '%s\n' $files modules.weakdep) | head -3; }

# Full disk: the output directory is a tmpfs too small for the new indexes.
need "out made" mkdir "$tmp/out"
need "1 MB tmpfs" mount -t tmpfs -o size=1m tmpfs "$tmp/out"
need "old indexes seeded" seed_old
"$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver" 2>"$tmp/err"; rc=$?
left=$(leftovers "$(outmod)")
if [ $rc -ne 0 ] && grep -qi "space" "$tmp/err" && diff -rq "$tmp/old" "$(outmod)" >/dev/null &&
   [ -z "$left" ]; then
	ok "full disk: exit $rc, previous indexes intact: $(head -1 "$tmp/err")"
else
	bad "full disk: exit $rc, changed:$(prev_or_new "$(outmod)") left:$left err: $(head -2 "$tmp/err")"
fi
need "umount" umount "$tmp/out"

# Read-only directory.
need "64 MB tmpfs" mount -t tmpfs -o size=64m tmpfs "$tmp/out"
need "old indexes seeded" seed_old
need "remount read-only" mount -o remount,ro "$tmp/out"
"$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver" 2>"$tmp/err"; rc=$?
if [ $rc -ne 0 ] && grep -qi "read-only" "$tmp/err" && diff -rq "$tmp/old" "$(outmod)" >/dev/null; then
	ok "read-only: exit $rc, previous indexes intact: $(head -1 "$tmp/err")"
else
	bad "read-only: exit $rc, err: $(head -2 "$tmp/err")"
fi
need "umount" umount "$tmp/out"

# Killed at moments spread over a whole run: every file is the previous or the new one.
need "256 MB tmpfs" mount -t tmpfs -o size=256m tmpfs "$tmp/out"
t0=$(date +%s%N)
need "a whole run" "$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver"
full=$(( ($(date +%s%N) - t0) / 1000 ))
for f in $files; do cmp -s "$(outmod)/$f" "$tmp/new/$f" || bad "a whole run: $f is not the new one"; done
[ -z "$(leftovers "$(outmod)")" ] && ok "a whole run (${full}us): the new indexes, nothing else" ||
	bad "a whole run left $(leftovers "$(outmod)")"
mixed=0 broken=0 n=0
for pct in 5 20 40 60 75 85 90 95 98 99; do
	need "old indexes seeded" seed_old
	"$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver" 2>/dev/null &
	pid=$!
	usleep_s=$(awk -v u=$((full * pct / 100)) 'BEGIN { printf "%.6f", u / 1e6 }')
	sleep "$usleep_s"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	n=$((n + 1))
	b=$(prev_or_new "$(outmod)")
	cmp -s "$(outmod)/modules.dep" "$tmp/new/modules.dep" && mixed=$((mixed + 1))
	[ -n "$b" ] && { broken=$((broken + 1)); echo "  killed at ${pct}%: not previous nor new:$b"; }
done
at_least 10 "runs killed" "$n" &&
	{ [ $broken -eq 0 ] && ok "killed at $n moments of a ${full}us run: every index previous or complete ($mixed runs got as far as the new modules.dep)" ||
	bad "killed: $broken of $n runs left a broken index"; }
finish
