#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lkm depmod's incremental cache on a copy of the Debian 6.1 tree: after each change
# (nothing, a module added, removed, edited in place with its size and mtime kept, the
# cache corrupted) the output must be byte for byte that of a cache-less full rebuild.
# The tree is hard-linked; every file the test changes is first replaced by a copy.
set -uo pipefail
LKM=${LKM:?set LKM to the lkm binary}
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d /var/tmp/lkm-test-depmod-inc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

trees=$("$src/tests/tools/fetch-trees.sh") || { echo "cannot fetch trees"; echo "0 passed, 1 failed"; exit 1; }
read -r kver root <<<"$(sed -n 1p <<<"$trees")"
outputs="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname"

t=$tmp/t
dir=$t/lib/modules/$kver
mkdir -p "$t/lib/modules"
cp -al "$root/lib/modules/$kver" "$t/lib/modules/"
for f in $outputs; do rm -f "$dir/$f"; done
cache=$dir/modules.lkm-cache

# A real copy in place of a hard link, so the shared tree is never written.
unlink_copy() { cp --preserve=timestamps "$1" "$1.copy" && mv -f "$1.copy" "$1"; }

# The cache-less full rebuild, into $tmp/ref (-o), and the comparison with it.
same_as_full() { # what
	rm -rf "$tmp/ref"
	LKM_DEPMOD_CACHE=off "$LKM" depmod -b "$t" -o "$tmp/ref" "$kver" 2>"$tmp/ref.err"
	local f diffs=""
	[ -e "$tmp/ref/lib/modules/$kver/modules.lkm-cache" ] && diffs="cache written with LKM_DEPMOD_CACHE=off"
	for f in $outputs; do
		cmp -s "$dir/$f" "$tmp/ref/lib/modules/$kver/$f" || diffs="$diffs $f"
	done
	if [ -z "$diffs" ]; then ok "$1: identical to a full rebuild"
	else bad "$1: differs from a full rebuild:$diffs"; fi
}

inc() { "$LKM" depmod -b "$t" "$kver" 2>"$tmp/inc.err"; }

# The links just made changed every ctime; records that recent are not cached.
sleep 3
inc && [ -s "$cache" ] && ok "full build writes the cache" || bad "full build: no cache ($(cat "$tmp/inc.err"))"
cp "$dir/modules.dep" "$tmp/dep.first"

# (a) nothing changed
ino=$(stat -c %i "$cache")
t0=$(date +%s%N); inc; t1=$(date +%s%N)
echo "     re-run with nothing changed: $(( (t1 - t0) / 1000000 )) ms"
same_as_full "(a) nothing changed"
[ "$(stat -c %i "$cache")" = "$ino" ] && ok "(a) cache not rewritten" || bad "(a) cache rewritten"
[ -s "$tmp/inc.err" ] && bad "(a) messages: $(head -2 "$tmp/inc.err")" || ok "(a) no messages"

# (b) a module added under a new name
mkdir -p "$dir/extra"
cp "$dir/kernel/fs/fat/msdos.ko" "$dir/extra/msdos2.ko"
inc
grep -q '^extra/msdos2.ko: kernel/fs/fat/fat.ko' "$dir/modules.dep" &&
	ok "(b) added module in modules.dep" || bad "(b) added module missing"
same_as_full "(b) module added"

# (c) the module removed
rm "$dir/extra/msdos2.ko"
inc
grep -q msdos2 "$dir/modules.dep" && bad "(c) removed module still listed" || ok "(c) removed module gone"
same_as_full "(c) module removed"

# (d) an edit in place: one character of an alias, same size, mtime set back
m=$dir/kernel/fs/fat/msdos.ko
unlink_copy "$m"
sleep 3
inc # msdos.ko read again (new inode) and, old enough now, cached
grep -aq "kernel/fs/fat/msdos.ko" "$cache" && ok "(d) msdos.ko is in the cache" ||
	bad "(d) msdos.ko not cached: the edit below proves nothing"
size=$(stat -c %s "$m"); mtime=$(stat -c %Y "$m")
off=$(grep -boa 'alias=fs-msdos' "$m" | head -1 | cut -d: -f1)
if [ -z "$off" ]; then
	bad "(d) no alias=fs-msdos in msdos.ko"
else
	printf 'alias=fs-msdoz' | dd of="$m" bs=1 seek="$off" conv=notrunc status=none
	touch -d "@$mtime" "$m"
	[ "$(stat -c %s:%Y "$m")" = "$size:$mtime" ] && ok "(d) size and mtime kept" ||
		bad "(d) size or mtime changed"
	inc
	if grep -q '^alias fs-msdoz msdos$' "$dir/modules.alias" &&
		! grep -q '^alias fs-msdos msdos$' "$dir/modules.alias"; then
		ok "(d) edit in place caught (modules.alias has fs-msdoz)"
	else
		bad "(d) edit in place missed: $(grep 'fs-msdo' "$dir/modules.alias")"
	fi
	same_as_full "(d) edited in place"
fi

# (e) a corrupt cache: a warning, then the same output
unlink_copy "$cache" 2>/dev/null
sz=$(stat -c %s "$cache")
printf '\xff' | dd of="$cache" bs=1 seek=$((sz / 2)) conv=notrunc status=none
inc
grep -q "WARNING: ignoring the cache .*checksum" "$tmp/inc.err" && ok "(e) corrupt cache: warning" ||
	bad "(e) corrupt cache: no warning ($(cat "$tmp/inc.err"))"
same_as_full "(e) corrupt cache"
printf 'not a cache' >"$cache"
inc
grep -q "ignoring the cache" "$tmp/inc.err" && ok "(e) foreign file: warning" || bad "(e) foreign file: no warning"
same_as_full "(e) foreign file as cache"

# (f) turned off: neither read nor written; -n: read, not written
printf 'not a cache' >"$cache"
"$LKM" depmod --no-cache -b "$t" "$kver" 2>"$tmp/inc.err"
[ ! -s "$tmp/inc.err" ] && [ "$(cat "$cache")" = "not a cache" ] && ok "(f) --no-cache ignores the file" ||
	bad "(f) --no-cache read or wrote the cache: $(head -c 300 "$tmp/inc.err"), cache: $(head -c 20 "$cache" | tr -cd '[:print:]')"
LKM_DEPMOD_CACHE=0 "$LKM" depmod -b "$t" "$kver" 2>"$tmp/inc.err"
[ ! -s "$tmp/inc.err" ] && [ "$(cat "$cache")" = "not a cache" ] && ok "(f) LKM_DEPMOD_CACHE=0 ignores the file" ||
	bad "(f) LKM_DEPMOD_CACHE=0 read or wrote the cache: $(head -c 300 "$tmp/inc.err"), cache: $(head -c 20 "$cache" | tr -cd '[:print:]')"
rm -f "$cache"
"$LKM" depmod -n -b "$t" "$kver" >"$tmp/dry.out" 2>/dev/null
[ ! -e "$cache" ] && ok "(f) -n writes no cache" || bad "(f) -n wrote the cache"
cmp -s "$tmp/dry.out" <(cat "$dir/modules.dep" "$dir/modules.alias" "$dir/modules.softdep" \
	"$dir/modules.weakdep" "$dir/modules.symbols" "$dir/modules.devname") &&
	ok "(f) -n output" || bad "(f) -n output differs"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
