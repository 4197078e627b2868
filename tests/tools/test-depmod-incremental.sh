#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lkm depmod's incremental cache on a copy of the Debian 6.1 tree. (a)-(f): with a cache
# named (--cache, outside the tree), after each change (nothing, a module added,
# removed, edited in place with its size and mtime kept, the cache corrupted) the
# output must be byte for byte that of a cache-less full rebuild. (g): where the cache
# goes when none is named: nowhere for a tree below -b, for -o and for a kernel that is
# not running; /var/cache/lkm/depmod/KVER for the running system's own tree (the copy
# bound on /lib/modules/$(uname -r) in a private mount namespace, with a tmpfs on
# /var/cache, so the host is not changed); never into the tree. Needs root for (g).
# The tree is hard-linked; every file the test changes is first replaced by a copy.
set -uo pipefail
LKM=$(realpath "${LKM:?set LKM to the lkm binary}")
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib.sh"
. "$src/tests/tools/tree-lib.sh"
unset LKM_DEPMOD_CACHE
if [ "${1:-}" != inside ] && [ "$(id -u)" = 0 ]; then
	exec unshare -m --propagation private "$0" inside
fi
tmp=$(mktemp -d /var/tmp/lkm-test-depmod-inc.XXXXXX) || { bad "setup: mktemp"; finish; }
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}"; done
	rm -rf "$tmp"
}
trap cleanup EXIT

trees=$("$src/tests/tools/fetch-trees.sh") && [ -n "$trees" ] || { bad "setup: fetch-trees.sh"; finish; }
read -r kver root <<<"$(sed -n 1p <<<"$trees")"
outputs="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname"

t=$tmp/t
dir=$t/lib/modules/$kver
need "copy of the $kver tree" copy_tree "$root" "$kver" "$t"
nmods=$(count_modules "$dir")
at_least 1000 "modules in the copy" "$nmods" || finish
cache=$tmp/cache/depmod.cache

# A real copy in place of a hard link, so the shared tree is never written.
unlink_copy() { cp --preserve=timestamps "$1" "$1.copy" && mv -f "$1.copy" "$1"; }

# Any file of lkm's cache below a directory (the old name, or ours).
lkm_files() { find "$@" -name '*lkm-cache*' -o -name '*.lkm-tmp.*' 2>/dev/null; }

# The cache-less full rebuild, into $tmp/ref (-o), and the comparison with it.
same_as_full() { # what
	local f diffs="" n
	rm -rf "$tmp/ref"
	if ! "$LKM" depmod --no-cache -b "$t" -o "$tmp/ref" "$kver" 2>"$tmp/ref.err"; then
		bad "$1: the full rebuild failed: $(head -2 "$tmp/ref.err")"
		return
	fi
	n=$(wc -l <"$tmp/ref/lib/modules/$kver/modules.dep")
	at_least "$nmods" "$1: modules.dep lines of the full rebuild" "$n" || return
	[ -n "$(lkm_files "$tmp/ref")" ] && diffs="a cache written with --no-cache"
	for f in $outputs; do
		[ -s "$tmp/ref/lib/modules/$kver/$f" ] || [ "$f" = modules.devname ] ||
			diffs="$diffs $f(empty)"
		cmp -s "$dir/$f" "$tmp/ref/lib/modules/$kver/$f" || diffs="$diffs $f"
	done
	if [ -z "$diffs" ]; then ok "$1: identical to a full rebuild"
	else bad "$1: differs from a full rebuild:$diffs"; fi
}

inc() { "$LKM" depmod --cache="$cache" -b "$t" "$kver" 2>"$tmp/inc.err"; }

# The links just made changed every ctime; records that recent are not cached.
sleep 3
if inc && [ -s "$cache" ]; then ok "full build writes the named cache ($(stat -c %s "$cache") bytes)"
else bad "full build: no cache ($(head -2 "$tmp/inc.err"))"; fi
[ -z "$(lkm_files "$t")" ] && ok "nothing of the cache in the tree" ||
	bad "in the tree: $(lkm_files "$t" | head -3)"

# (a) nothing changed
ino=$(stat -c %i "$cache")
t0=$(date +%s%N); inc; rc=$?; t1=$(date +%s%N)
echo "     re-run with nothing changed: $(( (t1 - t0) / 1000000 )) ms (exit $rc)"
same_as_full "(a) nothing changed"
[ "$(stat -c %i "$cache")" = "$ino" ] && ok "(a) cache not rewritten" || bad "(a) cache rewritten"
[ -s "$tmp/inc.err" ] && bad "(a) messages: $(head -2 "$tmp/inc.err")" || ok "(a) no messages"

# (b) a module added under a new name
need "extra/ made" mkdir -p "$dir/extra"
need "msdos.ko copied" cp "$dir/kernel/fs/fat/msdos.ko" "$dir/extra/msdos2.ko"
inc
grep -q '^extra/msdos2.ko: kernel/fs/fat/fat.ko' "$dir/modules.dep" &&
	ok "(b) added module in modules.dep" || bad "(b) added module missing"
same_as_full "(b) module added"

# (c) the module removed
need "msdos2.ko removed" rm "$dir/extra/msdos2.ko"
inc
grep -q msdos2 "$dir/modules.dep" && bad "(c) removed module still listed" || ok "(c) removed module gone"
same_as_full "(c) module removed"

# (d) an edit in place: one character of an alias, same size, mtime set back
m=$dir/kernel/fs/fat/msdos.ko
need "msdos.ko unlinked from the shared tree" unlink_copy "$m"
sleep 3
inc # msdos.ko read again (new inode) and, old enough now, cached
grep -aq "kernel/fs/fat/msdos.ko" "$cache" && ok "(d) msdos.ko is in the cache" ||
	bad "(d) msdos.ko not cached: the edit below proves nothing"
size=$(stat -c %s "$m"); mtime=$(stat -c %Y "$m")
off=$(grep -boa 'alias=fs-msdos' "$m" | head -1 | cut -d: -f1)
if [ -z "$off" ]; then
	bad "(d) no alias=fs-msdos in msdos.ko"
else
	need "msdos.ko edited" dd of="$m" bs=1 seek="$off" conv=notrunc status=none \
		< <(printf 'alias=fs-msdoz')
	need "msdos.ko mtime set back" touch -d "@$mtime" "$m"
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

# (e) a corrupt cache: a warning, then the same output. First a run that caches every
# record: (d)'s was run within 2 s of its edit, and a record whose ctime is that recent
# is not cached, nor are all of them when anything else hard-links the shared tree
# meanwhile (a link changes the ctime of the inode this copy shares).
sleep 3
inc
sz=$(stat -c %s "$cache")
at_least 100000 "(e) bytes of cache to corrupt" "$sz" &&
	need "cache corrupted" dd of="$cache" bs=1 seek=$((sz / 2)) conv=notrunc status=none \
		< <(printf '\xff')
inc
grep -q "WARNING: ignoring the cache .*checksum" "$tmp/inc.err" && ok "(e) corrupt cache: warning" ||
	bad "(e) corrupt cache: no warning ($(head -2 "$tmp/inc.err"))"
same_as_full "(e) corrupt cache"
printf 'not a cache' >"$cache" || bad "setup: foreign cache"
inc
grep -q "ignoring the cache" "$tmp/inc.err" && ok "(e) foreign file: warning" || bad "(e) foreign file: no warning"
same_as_full "(e) foreign file as cache"

# (f) turned off: neither read nor written; -n: read, not written
printf 'not a cache' >"$cache" || bad "setup: foreign cache"
"$LKM" depmod --no-cache --cache="$cache" -b "$t" "$kver" 2>"$tmp/inc.err"
[ ! -s "$tmp/inc.err" ] && [ "$(cat "$cache")" = "not a cache" ] && ok "(f) --no-cache ignores the file" ||
	bad "(f) --no-cache read or wrote the cache: $(head -c 300 "$tmp/inc.err"), cache: $(head -c 20 "$cache" | tr -cd '[:print:]')"
LKM_DEPMOD_CACHE=0 "$LKM" depmod -b "$t" "$kver" 2>"$tmp/inc.err"
[ ! -s "$tmp/inc.err" ] && [ "$(cat "$cache")" = "not a cache" ] && ok "(f) LKM_DEPMOD_CACHE=0 ignores the file" ||
	bad "(f) LKM_DEPMOD_CACHE=0: $(head -c 300 "$tmp/inc.err")"
LKM_DEPMOD_CACHE=$cache "$LKM" depmod -b "$t" "$kver" 2>"$tmp/inc.err"
grep -q "ignoring the cache $cache" "$tmp/inc.err" && [ "$(head -c 7 "$cache")" = LKMDEPC ] &&
	ok "(f) LKM_DEPMOD_CACHE=FILE names the cache" ||
	bad "(f) LKM_DEPMOD_CACHE=FILE: $(head -c 300 "$tmp/inc.err")"
need "cache removed" rm -f "$cache"
"$LKM" depmod -n --cache="$cache" -b "$t" "$kver" >"$tmp/dry.out" 2>/dev/null
[ ! -e "$cache" ] && ok "(f) -n writes no cache" || bad "(f) -n wrote the cache"
at_least "$nmods" "(f) lines of -n output" "$(wc -l <"$tmp/dry.out")" &&
	cmp -s "$tmp/dry.out" <(cat "$dir/modules.dep" "$dir/modules.alias" "$dir/modules.softdep" \
		"$dir/modules.weakdep" "$dir/modules.symbols" "$dir/modules.devname") &&
	ok "(f) -n output" || bad "(f) -n output differs"

# (g) where the cache goes when none is named.
if [ "${1:-}" != inside ]; then
	skip "(g) the default cache's place" "needs root, for a private mount namespace"
	finish
fi
# A tmpfs on /var/cache: /var/cache/lkm is this namespace's own (the trees are linked).
need "tmpfs on /var/cache" mount -t tmpfs tmpfs /var/cache && mounts+=(/var/cache)
live=/lib/modules/$(uname -r)
if [ -d /lib/modules ]; then
	need "tmpfs on /lib/modules" mount -t tmpfs tmpfs /lib/modules && mounts+=(/lib/modules)
else # no /lib/modules to mount on: an overlay of /lib's directory with one added
	libdir=$(realpath /lib)
	need "overlay dirs" mkdir -p "$tmp/ov/up/modules" "$tmp/ov/work"
	need "overlay on $libdir" mount -t overlay overlay \
		-o "lowerdir=$libdir,upperdir=$tmp/ov/up,workdir=$tmp/ov/work" "$libdir" &&
		mounts+=("$libdir")
fi
need "$live made" mkdir -p "$live" "/lib/modules/$kver"
need "the tree bound on $live" mount --bind "$dir" "$live" && mounts+=("$live")
need "the tree bound on /lib/modules/$kver" mount --bind "$dir" "/lib/modules/$kver" &&
	mounts+=("/lib/modules/$kver")
lkmcache=/var/cache/lkm/depmod

# g1: -b DIR, and an old cache of an earlier lkm left in the tree
need "an old in-tree cache" cp /dev/null "$dir/modules.lkm-cache"
"$LKM" depmod -b "$t" "$kver" 2>"$tmp/g.err" || bad "(g) depmod -b failed: $(head -2 "$tmp/g.err")"
[ -z "$(lkm_files "$dir" /var/cache)" ] &&
	ok "(g) -b DIR: no cache written, the old in-tree one removed" ||
	bad "(g) -b DIR: $(lkm_files "$dir" /var/cache | head -3)"
[ -z "$(find /var/cache -type f)" ] || bad "(g) -b DIR wrote $(find /var/cache -type f | head -3)"

# g2: the running system's own tree, with the cache of a removed kernel to prune
need "a removed kernel's cache" mkdir -p "$lkmcache"
need "a removed kernel's cache" cp /dev/null "$lkmcache/0.0.0-removed"
"$LKM" depmod 2>"$tmp/g.err" || bad "(g) depmod failed: $(head -2 "$tmp/g.err")"
if [ -s "$lkmcache/$(uname -r)" ]; then
	ok "(g) running system's tree: cache in $lkmcache/$(uname -r) ($(stat -c %s "$lkmcache/$(uname -r)") bytes for $nmods modules)"
else
	bad "(g) running system's tree: no cache in $lkmcache ($(ls -A "$lkmcache"); $(head -2 "$tmp/g.err"))"
fi
[ ! -e "$lkmcache/0.0.0-removed" ] && ok "(g) the removed kernel's cache pruned" ||
	bad "(g) the removed kernel's cache kept"
[ -z "$(lkm_files "$dir")" ] && ok "(g) nothing in the tree" || bad "(g) in the tree: $(lkm_files "$dir")"
# Records whose ctime was under 2 s old were not cached (see (e)): one more run, once
# they are older, caches them, so that the runs below find every record there.
sleep 3
"$LKM" depmod 2>/dev/null
ino=$(stat -c %i "$lkmcache/$(uname -r)" 2>/dev/null)
t0=$(date +%s%N); "$LKM" depmod 2>"$tmp/g.err"; t1=$(date +%s%N)
echo "     running system's tree, re-run: $(( (t1 - t0) / 1000000 )) ms"
[ -n "$ino" ] && [ "$(stat -c %i "$lkmcache/$(uname -r)")" = "$ino" ] && [ ! -s "$tmp/g.err" ] &&
	ok "(g) re-run: every record from the cache (not rewritten), no message" ||
	bad "(g) re-run rewrote the cache or said: $(head -2 "$tmp/g.err")"
same_as_full "(g) running system's tree"
# the same tree as -b / and by its version; then changed: the cache follows
"$LKM" depmod -b / "$(uname -r)" 2>"$tmp/g.err" && [ ! -s "$tmp/g.err" ] &&
	[ "$(stat -c %i "$lkmcache/$(uname -r)")" = "$ino" ] && ok "(g) -b / KVER: the same cache" ||
	bad "(g) -b / KVER: $(head -2 "$tmp/g.err")"
need "msdos.ko changed" touch "$m"
"$LKM" depmod 2>"$tmp/g.err"
[ "$(stat -c %i "$lkmcache/$(uname -r)")" != "$ino" ] && ok "(g) a changed module: the cache rewritten" ||
	bad "(g) a changed module: the cache not rewritten"
same_as_full "(g) running system's tree, a module changed"

# g3: -o, another kernel's tree, --no-cache: no cache written, the running one untouched
ino=$(stat -c %i "$lkmcache/$(uname -r)")
"$LKM" depmod -o "$tmp/out" 2>"$tmp/g.err" || bad "(g) -o failed: $(head -2 "$tmp/g.err")"
"$LKM" depmod "$kver" 2>>"$tmp/g.err" || bad "(g) depmod $kver failed: $(head -2 "$tmp/g.err")"
need "msdos.ko changed" touch "$m"
"$LKM" depmod --no-cache 2>>"$tmp/g.err" || bad "(g) --no-cache failed: $(head -2 "$tmp/g.err")"
LKM_DEPMOD_CACHE=off "$LKM" depmod 2>>"$tmp/g.err" || bad "(g) LKM_DEPMOD_CACHE=off failed"
left=$(ls -A "$lkmcache")
[ "$left" = "$(uname -r)" ] && [ "$(stat -c %i "$lkmcache/$(uname -r)")" = "$ino" ] &&
	[ -z "$(lkm_files "$tmp/out" "$dir")" ] &&
	ok "(g) -o, another kernel ($kver), --no-cache, LKM_DEPMOD_CACHE=off: no cache written" ||
	bad "(g) -o, $kver, --no-cache: $lkmcache holds '$left', out: $(lkm_files "$tmp/out" "$dir")"
[ -s "$tmp/out/lib/modules/$(uname -r)/modules.dep" ] || bad "(g) -o wrote no modules.dep"
finish
