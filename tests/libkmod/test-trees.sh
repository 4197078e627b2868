#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Differential test of libkmod.so.2 on real trees (test-diff.sh does it on a small tree
# of its own): tests/libkmod/diff-libkmod.c, built against Debian's
# libkmod (kmod 30, the oracle) and against lkm's, runs the same calls on the two Debian
# trees with a fixture modprobe.d and must print the same lines:
#   lookup   every alias key of modules.alias, every module of modules.dep and of
#            modules.builtin, every symbol: alias of modules.symbols, concrete strings
#            made from a sample of the patterns, this machine's device modaliases
#   modules  name, path, options, commands, dependencies, softdeps, info (signature
#            keys too), versions, symbols, dependency symbols of every module, by name,
#            and of a sample by path
#   probe    kmod_module_probe_insert_module with KMOD_PROBE_DRY_RUN under eight flag
#            sets, and the blacklist filters, for a sample and the fixture's names
#   config   the kmod_config_* iterators; dump: kmod_dump_index of every kind; misc
# Both read the trees' indexes as kmod's depmod wrote them (fetch-trees.sh), never the
# host's configuration. A part that differs shows its first differing lines.
set -u
# meson test puts the build's libkmod/ on LD_LIBRARY_PATH, which would give the oracle
# lkm's library too: each side chooses its library here.
unset LD_LIBRARY_PATH
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
deb=${LKM_DIFF_LIBKMOD_DEBIAN:-}
lkm=${LKM_DIFF_LIBKMOD_LKM:-}
[ -x "$deb" ] && [ -x "$lkm" ] ||
	need "diff-libkmod built (needs libkmod-dev and a build without -Dstatic)" false
trees=$("$here/../tools/fetch-trees.sh") || need "fetch the Debian trees" false
[ "$(echo "$trees" | wc -l)" -eq 2 ] || need "two Debian trees" false
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-libkmod.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
SHOW=${SHOW:-12}

# Each binary must have loaded the library it stands for.
dlib=$("$deb" which) llib=$("$lkm" which)
echo "  Debian's: $dlib"
echo "  lkm's:    $llib"
case $dlib in
/lib/*/libkmod.so.2 | /usr/lib/*/libkmod.so.2) ok "the oracle runs with Debian's libkmod" ;;
*) bad "the oracle runs with Debian's libkmod ($dlib)" ;;
esac
# LKM_LIBKMOD_IS=debian: both programs built against Debian's, to try the harness.
if [ "${LKM_LIBKMOD_IS:-lkm}" = lkm ]; then
	[ "$(readlink -f "$llib")" != "$(readlink -f "$dlib")" ] &&
		[[ $(readlink -f "$llib") == "$(readlink -f "${LKM_BUILD_ROOT:?}")"/* ]] &&
		ok "the other side runs with lkm's libkmod" ||
		bad "the other side runs with lkm's libkmod ($llib)"
else
	skip "lkm's libkmod.so.2" "LKM_LIBKMOD_IS=debian: Debian's library compared with itself"
fi

# The fixture configuration: every kind of line kmod 30 knows, over two files, a line
# continued, and a file whose name does not end in .conf (never read).
conf=$tmp/modprobe.d
mkdir -p "$conf"
cat >"$conf/a.conf" <<-'EOF'
# comments and blank lines

alias my-alias ext4
alias my_alias2 vfat
alias pci:v0000ABCDd* e1000e
alias fs-lkmdiff nosuch_module
alias symbol:lkmdiff_sym fat
options ext4 foo=1 \
  bar=2
options vfat utf8=1
options e1000e InterruptThrottleRate=3000
options snd-hda-intel index=0 model="a b"
options my-alias aliasopt=1
install dummy /bin/true $CMDLINE_OPTS
install pcspkr /sbin/modprobe --ignore-install pcspkr
remove dummy /bin/false
remove vfat /bin/echo removing vfat
blacklist pcspkr
blacklist e1000e
blacklist nouveau
softdep ext4 pre: crc16
softdep xfs post: crc32c
softdep vfat pre: nls_cp437 nls_iso8859_1
softdep btrfs pre: xor post: raid6_pq
EOF
cat >"$conf/b.conf" <<-'EOF'
options ext4 baz=3
blacklist snd_pcsp
install e1000e /bin/echo installing e1000e
softdep fat pre: nls_utf8
EOF
echo 'blacklist ext4' >"$conf/not-a-conf.txt"
fixture_names="ext4 vfat fat e1000e pcspkr snd-hda-intel snd_hda_intel dummy xfs btrfs nouveau
snd_pcsp my-alias my_alias2 fs-lkmdiff symbol:lkmdiff_sym pci:v0000ABCDd00001234sv0sd0bc0sc0i0
fs-ext4 fs-vfat nosuch fuse loop overlay ipv6 i915 crc32c"

# kmod 30 stores "softdep M pre: A post: B" as "pre: Apost: B" (the config iterator
# shows it so; its probe uses both lists): the one difference the test allows, by
# reading kmod's glued form as the spaced one on both sides.
unglue() { sed 's/^\(  [^ ]* -> .*[^ ]\)post: /\1 post: /'; }
# kmod 31 (commit 5c004af, "prefer -ENODATA over -ENOENT if no section found") changed
# what a missing section gives; lkm's library gives kmod 34's -ENODATA (61) where
# Debian's kmod 30 gives -ENOENT (2): kmod 30's is read as kmod 34's for those lists
# of a module with a file (one without, built in, is -ENOENT in both).
kmod34_enodata() {
	awk '/^ path / { file = $2 != "(null)" }
	     file && /^ (symbols|versions) = -2$/ { sub(/-2$/, "-61") } { print }'
}

# Known, intended difference (kmod issue 33, as in diff/test-modprobe.sh): of several
# softdep lines for one module (the fixture's ext4 line and modules.softdep's; ksmbd,
# btrfs, bcachefs in modules.softdep) kmod 30 keeps the first, lkm all. Allowed where
# that is the only difference: the same lines but for softdeps lines whose lkm list
# starts with kmod's, and more "action" lines in the dry-run probe of a module that
# has several softdep lines.
only_issue33() { # debian-out lkm-out module-dir
	python3 - "$1" "$2" "$3/modules.softdep" "$conf" <<-'PY'
	import difflib, glob, os, re, sys
	a, b = (open(f, errors="replace").read().splitlines() for f in sys.argv[1:3])
	# The modules with several softdep lines: only theirs may differ.
	count = {}
	for f in [sys.argv[3]] + glob.glob(os.path.join(sys.argv[4], "*.conf")):
	    for l in open(f, errors="replace"):
	        w = l.split()
	        if len(w) > 1 and w[0] == "softdep":
	            count[w[1].replace("-", "_")] = count.get(w[1].replace("-", "_"), 0) + 1
	several = {m for m, c in count.items() if c > 1}
	n = 0
	for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
	    if op == "equal":
	        continue
	    # A module's softdeps line: lkm's list starts with kmod's.
	    if op == "replace" and i2 - i1 == j2 - j1 and all(
	            x.startswith(" softdeps ") and y.startswith(x + " ")
	            for x, y in zip(a[i1:i2], b[j1:j2])):
	        n += i2 - i1
	        continue
	    # A probe of a module with several softdep lines: lkm loads more soft
	    # dependencies; the header above the actions names the module probed.
	    head = next((l for l in reversed(a[:i1]) if not l.startswith("  ")), "")
	    probed = head.split()[-1].replace("-", "_") if head.split() else ""
	    if op == "insert" and probed in several and all(
	            re.match(r"^  action \S+ insmod ", l) for l in b[j1:j2]):
	        n += j2 - j1
	        continue
	    sys.exit(1)
	print(n)
	PY
}

# compare LABEL MIN-LINES CMD... (stdin, if any, from $tmp/in): both binaries, one diff.
compare() {
	local label=$1 min=$2 n; shift 2
	"$lkm" "$@" <"$tmp/in" 2>"$tmp/l.err" | unglue >"$tmp/l.out"
	echo "exit ${PIPESTATUS[0]}" >>"$tmp/l.out"
	# The functions lkm's library lacks: a failure of their own, and the oracle skips
	# them too, so that all the rest is compared.
	local missing
	missing=$(sed -n 's/^ missing \(kmod_[a-z_]*\)$/\1/p' "$tmp/l.out" | sort -u | tr '\n' ' ')
	DIFF_LIBKMOD_AS_MISSING=",${missing// /,}" "$deb" "$@" <"$tmp/in" 2>"$tmp/d.err" |
		unglue | kmod34_enodata >"$tmp/d.out"
	echo "exit ${PIPESTATUS[0]}" >>"$tmp/d.out"
	[ -z "$missing" ] || bad "$label: lkm's libkmod lacks $(wc -w <<<"$missing") functions" "$missing"
	n=$(wc -l <"$tmp/d.out")
	# LKM_DIFF_KEEP=DIR keeps both outputs of every part there.
	if [ -n "${LKM_DIFF_KEEP:-}" ]; then
		local f=${label//[^A-Za-z0-9.+-]/_}
		cp "$tmp/d.out" "$LKM_DIFF_KEEP/$f.debian"; cp "$tmp/l.out" "$LKM_DIFF_KEEP/$f.lkm"
	fi
	if cmp -s "$tmp/d.out" "$tmp/l.out"; then
		at_least "$min" "$label: lines of Debian's output" "$n" &&
			ok "$label ($n lines, $(wc -l <"$tmp/in") inputs${missing:+, where lkm has the calls})"
		return
	fi
	local n33
	if n33=$(only_issue33 "$tmp/d.out" "$tmp/l.out" "$dir"); then
		echo "  expected [$label] $n33 lines: lkm keeps every softdep line, kmod the first (issue 33)"
		at_least "$min" "$label: lines of Debian's output" "$n" &&
			ok "$label ($n lines, $(wc -l <"$tmp/in") inputs${missing:+, where lkm has the calls})"
		return
	fi
	bad "$label ($n lines from Debian's, $(wc -l <"$tmp/l.out") from lkm's," \
		"$(diff "$tmp/d.out" "$tmp/l.out" | grep -c '^[<>]') differ)"
	diff -U2 --label debian --label lkm "$tmp/d.out" "$tmp/l.out" | head -n "$SHOW" | sed 's/^/    /'
}

while read -r kver root; do
	dir=$root/lib/modules/$kver
	echo "== $kver"
	# Module names as modules.dep and modules.builtin give them (files, no suffix).
	sed 's/:.*//; s|.*/||; s/\.ko.*//' "$dir/modules.dep" >"$tmp/names"
	sed 's|.*/||; s/\.ko$//' "$dir/modules.builtin" >"$tmp/builtin"

	awk '$1 == "alias" { print $2 }' "$dir/modules.alias" | awk '!seen[$0]++' >"$tmp/in"
	awk '$1 == "alias" { print $2 }' "$dir/modules.symbols" >>"$tmp/in"
	cat "$tmp/names" "$tmp/builtin" >>"$tmp/in"
	# Strings a pattern matches: its wildcards dropped, or '*' as "0".
	awk '$1 == "alias" && $2 ~ /[*?]/ && NR % 7 == 1 { a = $2; b = $2;
		gsub(/[*?]/, "", a); gsub(/[*?]/, "0", b); print a; print b }' "$dir/modules.alias" >>"$tmp/in"
	cat /sys/bus/*/devices/*/modalias 2>/dev/null >>"$tmp/in"
	tr ' \n' '\n\n' <<<"$fixture_names" | grep . >>"$tmp/in"
	printf '%s\n' "" nosuch-module 'pci:*' '*' 'usb:v*' char-major-10-229 >>"$tmp/in"
	compare "lookup $kver" 30000 lookup "$dir" "$conf"

	cp "$tmp/names" "$tmp/in"
	head -n 40 "$tmp/builtin" >>"$tmp/in"
	find "$dir/kernel" -name '*.ko*' | sort | awk 'NR % 40 == 1' >>"$tmp/in"
	printf '%s\n' dummy nosuch my-alias snd-hda-intel "$dir/kernel/nosuch.ko" >>"$tmp/in"
	compare "modules $kver" 200000 modules "$dir" "$conf"

	awk 'NR % 25 == 1' "$tmp/names" >"$tmp/in"
	tr ' \n' '\n\n' <<<"$fixture_names" | grep . >>"$tmp/in"
	awk '$1 == "alias" && NR % 300 == 1 { print $2 }' "$dir/modules.alias" >>"$tmp/in"
	compare "probe --dry-run $kver" 3000 probe "$dir" "$conf"

	: >"$tmp/in"
	compare "config iterators $kver" 40 config "$dir" "$conf"
	compare "dump_index $kver" 40000 dump "$dir" "$conf"
	compare "misc $kver" 8 misc "$dir" "$conf"
done <<<"$trees"

finish
