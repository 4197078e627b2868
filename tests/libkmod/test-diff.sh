#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The same program (tests/libkmod/kmod-dump.c), built against Debian's libkmod and
# against lkm's, run on the same module tree (tree.h): what each library says of the
# lookups, names, paths, options, commands, dependencies, filters and index dumps must
# be the same, line for line.
set -u
src=${LKM_SOURCE_ROOT:?}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
ours=${LKM_KMOD_DUMP:-}
theirs=${LKM_KMOD_DUMP_DEBIAN:-}
maker=${LKM_MAKE_TREE:-}
need "kmod-dump built against lkm's libkmod" test -x "$ours"
need "make-tree" test -x "$maker"
if [ ! -x "$theirs" ]; then
	skip "lkm's libkmod against Debian's" "no Debian libkmod to build against (apt-get install libkmod-dev)"
	finish
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
need "the module tree" "$maker" "$tmp/root" >"$tmp/paths"
dir=$(sed -n 1p "$tmp/paths")
conf=$(sed -n 2p "$tmp/paths")
names=(foo bar-drv bar_drv myalias fooalias pci:v0000ABCDd00001234 symbol:bar_fn inst_only
       baz bi nothing_at_all 'bad]alias' kernel/a/foo.ko)
# The logs are not compared: Debian builds kmod 30 with debugging on (file:line in
# every message), and kmod 30 calls the tree's weakdep line a bad one.
# meson test puts the build's libkmod/ in LD_LIBRARY_PATH (these tests depend on the
# library), which Debian's build would then load instead of Debian's: it runs without.
theirs_lib=$(env -u LD_LIBRARY_PATH ldd "$theirs" | awk '$1 == "libkmod.so.2" { print $3 }')
need "Debian's libkmod.so.2 for $theirs, not lkm's (found: ${theirs_lib:-none})" \
	test -n "$theirs_lib" -a "$(readlink -f "$theirs_lib")" != "$(readlink -f "${LKM_LIBKMOD:-/}")"
KMOD_LOG=0 env -u LD_LIBRARY_PATH "$theirs" "$dir" "$conf" "${names[@]}" >"$tmp/debian.out" \
	2>"$tmp/debian.err"
echo "exit $?" >>"$tmp/debian.out"
KMOD_LOG=0 "$ours" "$dir" "$conf" "${names[@]}" >"$tmp/lkm.out" 2>"$tmp/lkm.err"
echo "exit $?" >>"$tmp/lkm.out"
at_least 60 "lines of Debian's output" "$(wc -l <"$tmp/debian.out")"
if diff -u "$tmp/debian.out" "$tmp/lkm.out" >"$tmp/diff"; then
	ok "the same answers as Debian's libkmod ($(wc -l <"$tmp/lkm.out") lines)"
else
	bad "answers differ from Debian's libkmod" "$(head -60 "$tmp/diff")"
fi

# STATE: the configuration iterators on a rich modprobe.d (no lookups: only the indexes,
# the last lookup and the iterators print). Groups of a softdep that kmod glues together
# are printed apart by kmod-dump, for both.
mkdir "$tmp/rich.d"
cat >"$tmp/rich.d/a.conf" <<'EOF'
# every kind, with dashes, wildcards, runs of blanks and tabs
alias  pci:v00001234d*sv*  foo-mod
alias snd-card-[0-9] snd_hda-intel
alias usb:v1234p*d*dc*dsc*dp*ic*isc*ip*in* foo
blacklist evil-mod
blacklist	other
options foo-mod  opt1=1	opt2="a b"
options bar a=1 b=2
install foo-mod /sbin/modprobe --ignore-install foo-mod $CMDLINE_OPTS && echo hi
install snd-* /bin/true
remove foo-mod /bin/true  # not a comment
softdep foo-mod pre: a  b post: c
softdep only-post post: x y
softdep only-pre pre: z
softdep words-only just words
softdep   spaced    pre:   s1   s2
options
alias lonely
bogus line here
EOF
cat >"$tmp/rich.d/b.conf" <<'EOF'
alias zalias zmod
options foo-mod last=1
blacklist a-b-c
EOF
KMOD_LOG=0 "$theirs" "$dir" "$tmp/rich.d" >"$tmp/debian-rich.out" 2>/dev/null
echo "exit $?" >>"$tmp/debian-rich.out"
KMOD_LOG=0 "$ours" "$dir" "$tmp/rich.d" >"$tmp/lkm-rich.out" 2>/dev/null
echo "exit $?" >>"$tmp/lkm-rich.out"
at_least 30 "lines of Debian's output on a rich modprobe.d" \
	"$(sed -n '/^config blacklists/,/^loaded/p' "$tmp/debian-rich.out" | wc -l)"
if diff -u "$tmp/debian-rich.out" "$tmp/lkm-rich.out" >"$tmp/diff-rich"; then
	ok "the same configuration as Debian's libkmod on a rich modprobe.d"
else
	bad "the configuration differs from Debian's libkmod" "$(head -60 "$tmp/diff-rich")"
fi
finish
