#!/bin/bash
# depmod never leaves a half-written index: on a full disk, a read-only directory and
# when killed at any moment, every index file is either the previous one or a complete
# new one, and a failure says why. Needs root (it mounts small tmpfs in its own mount
# namespace).
set -u
LKM=$(realpath "${LKM:?path of the lkm binary}")
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" != inside ]; then
	exec unshare -m --propagation private "$0" inside
fi
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
read -r kver root <<<"$("$here/fetch-trees.sh" | head -n 1)" || { bad "no Debian tree"; finish; }
tmp=$(mktemp -d); trap 'umount -q "$tmp"/out 2>/dev/null; rm -rf "$tmp"' EXIT
export LKM_DEPMOD_CACHE=0
files="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.symbols modules.symbols.bin modules.softdep modules.devname modules.builtin.bin modules.builtin.alias.bin"

# A tree whose modules are links to the Debian tree's, with its own index files.
mkdir -p "$tmp/tree/lib/modules"
cp -al "$root/lib/modules/$kver" "$tmp/tree/lib/modules/$kver"
mod=$tmp/tree/lib/modules/$kver
for f in $files modules.weakdep; do rm -f "$mod/$f"; done
"$LKM" depmod -b "$tmp/tree" "$kver" || { bad "depmod of the tree"; finish; }
mkdir "$tmp/new"; for f in $files; do cp "$mod/$f" "$tmp/new/$f"; done
# The "previous" indexes: different from the new ones, so a mix would show.
mkdir "$tmp/old"; for f in $files; do printf 'previous %s\n' "$f" >"$tmp/old/$f"; done

# -o OUT writes to OUT/lib/modules/KVER, as kmod's depmod does.
outmod() { echo "$tmp/out/lib/modules/$kver"; }
seed_old() { mkdir -p "$(outmod)" && rm -f "$(outmod)"/* && cp "$tmp/old"/* "$(outmod)/"; }

# prev_or_new DIR: each index is the previous one or a complete new one; no temp files.
prev_or_new() {
	local dir=$1 f bad_files=""
	for f in $files; do
		cmp -s "$dir/$f" "$tmp/old/$f" || cmp -s "$dir/$f" "$tmp/new/$f" || bad_files+=" $f"
	done
	echo "$bad_files"
}

# Full disk: the output directory is a tmpfs too small for the new indexes.
mkdir "$tmp/out"
mount -t tmpfs -o size=1m tmpfs "$tmp/out"
seed_old
"$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver" 2>"$tmp/err"; rc=$?
left=$(ls -A "$(outmod)" | grep -vxF -f <(printf '%s\n' $files) | head -3)
if [ $rc -ne 0 ] && grep -qi "space" "$tmp/err" && diff -rq "$tmp/old" "$(outmod)" >/dev/null &&
   [ -z "$left" ]; then
	ok "full disk: exit $rc, previous indexes intact: $(head -1 "$tmp/err")"
else
	bad "full disk: exit $rc, changed:$(prev_or_new "$(outmod)") left:$left err: $(head -2 "$tmp/err")"
fi
umount "$tmp/out"

# Read-only directory.
mount -t tmpfs -o size=64m tmpfs "$tmp/out"
seed_old
mount -o remount,ro "$tmp/out"
"$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver" 2>"$tmp/err"; rc=$?
if [ $rc -ne 0 ] && grep -qi "read-only" "$tmp/err" && diff -rq "$tmp/old" "$(outmod)" >/dev/null; then
	ok "read-only: exit $rc, previous indexes intact: $(head -1 "$tmp/err")"
else
	bad "read-only: exit $rc, err: $(head -2 "$tmp/err")"
fi
umount "$tmp/out"

# Killed at moments spread over a whole run: every file is the previous or the new one.
mount -t tmpfs -o size=256m tmpfs "$tmp/out"
t0=$(date +%s%N); "$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver"; full=$(( ($(date +%s%N) - t0) / 1000 ))
mixed=0 broken=0 n=0
for pct in 5 20 40 60 75 85 90 95 98 99; do
	seed_old
	"$LKM" depmod -b "$tmp/tree" -o "$tmp/out" "$kver" 2>/dev/null &
	pid=$!
	usleep_s=$(awk -v u=$((full * pct / 100)) 'BEGIN { printf "%.6f", u / 1e6 }')
	sleep "$usleep_s"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	n=$((n + 1))
	b=$(prev_or_new "$(outmod)")
	cmp -s "$(outmod)/modules.dep" "$tmp/new/modules.dep" && mixed=$((mixed + 1))
	[ -n "$b" ] && { broken=$((broken + 1)); echo "  killed at ${pct}%: not previous nor new:$b"; }
done
[ $broken -eq 0 ] && ok "killed at $n moments of a ${full}us run: every index previous or complete ($mixed runs got as far as the new modules.dep)" ||
	bad "killed: $broken of $n runs left a broken index"
umount "$tmp/out"
finish
