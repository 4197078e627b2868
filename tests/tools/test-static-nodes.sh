#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# kmod static-nodes, and the multicall's own kmod commands (list, help, --version).
# static-nodes reads /lib/modules/$(uname -r)/modules.devname and nothing else, so each
# fixture (written here, as text) is bound there in a private mount namespace (an
# overlay of /lib's directory when /lib/modules is missing, a tmpfs on it otherwise),
# and lkm (run as kmod) and Debian's kmod see the same file: stdout, stderr, exit code
# and the --output file must be the same bytes. Needs root and unshare; without them,
# or without Debian's kmod, those comparisons are skipped, never passed.
set -uo pipefail
LKM=$(realpath "${LKM:?set LKM to the lkm binary}")
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
kver=$(uname -r)
oracle=/bin/kmod
[ -x "$oracle" ] && "$oracle" --version 2>/dev/null | grep -q '^kmod version' &&
	! "$oracle" --version | grep -q '^lkm version' || oracle=

if [ "${1:-}" != inside ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	exec unshare -m --propagation private "$0" inside
fi
inside=${1:-}
tmp=$(mktemp -d /tmp/lkm-test-static-nodes.XXXXXX) || { bad "setup: mktemp"; finish; }
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" && ln -s "$LKM" "$tmp/bin/kmod" || need "kmod link" false
kmod=$tmp/bin/kmod

# The fixtures: one directory each, holding modules.devname (or not).
fix=$tmp/fix
mkdir -p "$fix"/{debian,odd,long,empty,comments,missing,unreadable}
# Debian 12's 6.12 amd64 kernel, as its depmod writes it.
cat >"$fix/debian/modules.devname" <<'EOF'
# Device nodes to trigger on-demand module loading.
cuse cuse c10:203
autofs4 autofs c10:235
btrfs btrfs-control c10:234
nvram nvram c10:144
loop loop-control c10:237
tun net/tun c10:200
ppp_generic ppp c108:0
uinput uinput c10:223
dm_mod mapper/control c10:236
uhid uhid c10:239
vfio vfio/vfio c10:196
hci_vhci vhci c10:137
vhost_net vhost-net c10:238
vhost_vsock vhost-vsock c10:241
snd_timer snd/timer c116:33
snd_seq snd/seq c116:1
rfkill rfkill c10:242
EOF
# Lines kmod's scanf takes or refuses: words only, an empty line, a bad type, trailing
# text, signs and numbers past unsigned int, leading blanks, tabs, a block device, a
# deep path, a comment after blanks (not a comment), no newline at the end.
printf '%s\n' 'bad' '' 'dm_mod mapper/control c10:236 trailing text' 'x y b-1:+5' \
	'x y q1:2' 'x y c99999999999:4294967296' '  lead space c1:2' \
	"tab	sep	c 7 : 8" 'x y c7 :8' 'x y c7: 8' 'blk dev b8:0' 'd a/b/c/d c1:1' \
	'  # not a comment' 'x y c' 'x y c1' 'x y c1:' 'x y C1:2' '#' >"$fix/odd/modules.devname"
printf 'no newline c3:4' >>"$fix/odd/modules.devname"
# Chunks of 4095 bytes: a line longer than that is read as two; NUL bytes end a line's text.
{
	head -c 5000 /dev/zero | tr '\0' a; printf ' x c1:2\n'
	head -c 4085 /dev/zero | tr '\0' m; printf ' dev c5:6\n'
	printf 'nul\0 x c1:2\n\0after\n#c\nlast bad'
} >"$fix/long/modules.devname"
: >"$fix/empty/modules.devname"
printf '# only\n#comments\n' >"$fix/comments/modules.devname"
mkdir "$fix/unreadable/modules.devname" # a directory: kmod reads nothing, lkm says why

same() { cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -20; return 1; }; }
rc_is() { [ "$(cat "$1")" = "$2" ]; }

# Each tool on each fixture: out, err, rc and the --output file (absent: no such file).
bound=
bind_fixture() {
	[ -n "$bound" ] && umount "/lib/modules/$kver"
	bound=
	mount --bind "$fix/$1" "/lib/modules/$kver" && bound=1
}
run_case() { # TOOL-TAG TOOL CASE ARGS...
	local tag=$1 tool=$2 c=$3 o=$tmp/r/$3.$1
	shift 3
	mkdir -p "$tmp/r" "$tmp/o"
	rm -rf "$tmp/o/$c"
	"$tool" static-nodes "$@" >"$o.out" 2>"$o.err"
	echo $? >"$o.rc"
	if [ -e "$tmp/o/$c/sub/static.conf" ]; then cp "$tmp/o/$c/sub/static.conf" "$o.file"
	else echo "(no file)" >"$o.file"; fi
}

if [ "$inside" = inside ]; then
	mount --make-rprivate / || need "private mounts" false
	if [ -d /lib/modules ]; then
		need "tmpfs on /lib/modules" mount -t tmpfs tmpfs /lib/modules
	else
		libdir=$(realpath /lib)
		need "overlay dirs" mkdir -p "$tmp/ov/up/modules" "$tmp/ov/work"
		need "overlay on $libdir" mount -t overlay overlay \
			-o "lowerdir=$libdir,upperdir=$tmp/ov/up,workdir=$tmp/ov/work" "$libdir"
	fi
	need "/lib/modules/$kver" mkdir -p "/lib/modules/$kver"
	[ -n "$oracle" ] && echo "# oracle: $oracle ($("$oracle" --version | head -1))" ||
		echo "# no oracle: Debian's kmod is not installed; lkm's behaviour checked alone"
	n=0
	for c in debian odd long empty comments missing unreadable; do
		need "bind $c" bind_fixture "$c"
		for f in human tmpfiles devname; do
			for tag in lkm kmod; do
				tool=$kmod
				[ "$tag" = kmod ] && { [ -n "$oracle" ] || continue; tool=$oracle; }
				run_case "$tag" "$tool" "$c-$f" "--format=$f"
				run_case "$tag" "$tool" "$c-$f-o" -f "$f" -o "$tmp/o/$c-$f-o/sub/static.conf"
			done
			[ -n "$oracle" ] || continue
			for k in "$c-$f" "$c-$f-o"; do
				[ "$c" = unreadable ] && continue # lkm fails where kmod reads nothing: below
				for part in out err rc file; do
					check "$k: $part as kmod's" same "$tmp/r/$k.kmod.$part" "$tmp/r/$k.lkm.$part"
					n=$((n + 1))
				done
			done
		done
	done
	[ -n "$oracle" ] && at_least 100 "comparisons with kmod" "$n"
	# The default format is human, and -h's formats are the three.
	need "bind debian" bind_fixture debian
	run_case lkm "$kmod" default
	check "no --format: human (debian)" same "$tmp/r/default.lkm.out" "$tmp/r/debian-human.lkm.out"
	# What systemd's kmod-static-nodes.service writes at boot.
	check "tmpfiles: tun's directory, then its node" grep -qzx \
		$'.*d /dev/net 0755 - - -\nc! /dev/net/tun 0600 - - - 10:200\n.*' \
		"$tmp/r/debian-tmpfiles-o.lkm.file"
	check "tmpfiles: 22 lines for 17 nodes (5 in a directory)" \
		[ "$(wc -l <"$tmp/r/debian-tmpfiles-o.lkm.file")" = 22 ]
	check "devname: the entries again" same "$tmp/r/debian-devname.lkm.out" \
		<(grep -v '^#' "$fix/debian/modules.devname")
	check "odd: exit 1, the valid entries still written" sh -c \
		"rc=\$(cat $tmp/r/odd-devname.lkm.rc); [ \$rc = 1 ] && grep -qx 'blk dev b8:0' $tmp/r/odd-devname.lkm.out"
	check "odd: -1 is 4294967295 and +5 is 5, as scanf reads them" \
		grep -qx 'x y b4294967295:5' "$tmp/r/odd-devname.lkm.out"
	check "missing: exit 0, a warning, no output file" sh -c \
		"[ \$(cat $tmp/r/missing-tmpfiles-o.lkm.rc) = 0 ] &&
		 grep -qx 'Warning: /lib/modules/$kver/modules.devname not found - ignoring' $tmp/r/missing-tmpfiles-o.lkm.err &&
		 [ \"\$(cat $tmp/r/missing-tmpfiles-o.lkm.file)\" = '(no file)' ]"
	check "empty: exit 0, an empty output file" sh -c \
		"[ \$(cat $tmp/r/empty-tmpfiles-o.lkm.rc) = 0 ] && [ ! -s $tmp/r/empty-tmpfiles-o.lkm.file ]"
	check "a directory: lkm exits 1 and names the cause" sh -c \
		"[ \$(cat $tmp/r/unreadable-human.lkm.rc) = 1 ] && grep -q 'Is a directory' $tmp/r/unreadable-human.lkm.err"
	# --output's parent is a file: kmod's message and exit code.
	: >"$tmp/afile"
	for tag in lkm kmod; do
		tool=$kmod
		[ "$tag" = kmod ] && { [ -n "$oracle" ] || continue; tool=$oracle; }
		"$tool" static-nodes -o "$tmp/afile/x/y.conf" >/dev/null 2>"$tmp/parent.$tag.err"
		echo $? >"$tmp/parent.$tag.rc"
		"$tool" static-nodes -o "$tmp" >/dev/null 2>"$tmp/isdir.$tag.err"
		echo $? >"$tmp/isdir.$tag.rc"
	done
	check "output under a file: exit 1" rc_is "$tmp/parent.lkm.rc" 1
	check "output under a file: kmod's words" grep -qx \
		"Error: could not create parent directory for $tmp/afile/x/y.conf - Not a directory." \
		"$tmp/parent.lkm.err"
	check "output is a directory: exit 1, kmod's words" sh -c \
		"[ \$(cat $tmp/isdir.lkm.rc) = 1 ] && grep -qx 'Error: could not create $tmp - Is a directory' $tmp/isdir.lkm.err"
	if [ -n "$oracle" ]; then
		check "output under a file: kmod's exit code" same "$tmp/parent.kmod.rc" "$tmp/parent.lkm.rc"
		check "output is a directory: as kmod" sh -c \
			"cmp -s $tmp/isdir.kmod.rc $tmp/isdir.lkm.rc && cmp -s $tmp/isdir.kmod.err $tmp/isdir.lkm.err"
	fi
	# A full disk: kmod exits 0 with a truncated file; lkm says so and fails.
	"$kmod" static-nodes >/dev/full 2>"$tmp/full.err"
	check "a failed write: exit 1" [ $? = 1 ]
	check "a failed write: named" grep -q 'No space left on device' "$tmp/full.err"
	umount "/lib/modules/$kver"
else
	skip "static-nodes on fixtures" "needs root and unshare, for a private mount namespace"
fi

# Options, as kmod's: an unknown format, -h, arguments ignored.
for tag in lkm kmod; do
	tool=$kmod
	[ "$tag" = kmod ] && { [ -n "$oracle" ] || continue; tool=$oracle; }
	"$tool" static-nodes --format=xml >"$tmp/fmt.$tag.out" 2>"$tmp/fmt.$tag.err"
	echo $? >"$tmp/fmt.$tag.rc"
	"$tool" static-nodes --bogus >/dev/null 2>"$tmp/bogus.$tag.err"
	echo $? >"$tmp/bogus.$tag.rc"
	"$tool" static-nodes -h >"$tmp/help.$tag.out" 2>&1
	echo $? >"$tmp/help.$tag.rc"
	for a in "" help --help -h --version -V list bogus-command; do
		"$tool" $a >/dev/null 2>&1
		echo "$a $?"
	done >"$tmp/multi.$tag"
done
check "unknown format: exit 1" rc_is "$tmp/fmt.lkm.rc" 1
check "unknown format: kmod's words" grep -qx "Unknown format: 'xml'." "$tmp/fmt.lkm.err"
check "unknown option: exit 1" rc_is "$tmp/bogus.lkm.rc" 1
check "-h: exit 0, the three formats" sh -c "[ \$(cat $tmp/help.lkm.rc) = 0 ] &&
	[ \$(grep -cE '^	(human|tmpfiles|devname) ' $tmp/help.lkm.out) = 3 ]"
check "kmod list is lsmod" sh -c "'$kmod' list >$tmp/list.out 2>&1; a=\$?;
	'$LKM' lsmod >$tmp/lsmod.out 2>&1; [ \$a = \$? ] && cmp -s $tmp/list.out $tmp/lsmod.out"
# kmod's two lines, as scripts read them (the kernel's scripts/depmod.sh takes the number
# after "kmod version"), then lkm's own; the tools say the same, and lkm as itself says lkm.
kmod_version_shape() { # command...: kmod's first two lines, lkm's third
	"$@" >"$tmp/v" 2>&1 && sed -n 1p "$tmp/v" | grep -qx 'kmod version [0-9][0-9]*' &&
		sed -n 2p "$tmp/v" | grep -qxE '([+-](ZSTD|XZ|ZLIB|LIBCRYPTO|EXPERIMENTAL) ?){5}' &&
		sed -n 3p "$tmp/v" | grep -qx 'lkm version .*'
}
check "kmod --version: kmod's version and features lines, then lkm's" kmod_version_shape "$kmod" --version
check "modprobe -V: the same" kmod_version_shape "$LKM" modprobe -V
check "lkm --version: lkm's version first" sh -c "'$LKM' --version | head -1 | grep -q '^lkm version .* (kmod [0-9]* compatible)$'"
if [ -n "$oracle" ]; then
	check "unknown format: as kmod" sh -c "cmp -s $tmp/fmt.kmod.err $tmp/fmt.lkm.err &&
		cmp -s $tmp/fmt.kmod.rc $tmp/fmt.lkm.rc"
	check "unknown option: kmod's exit code" same "$tmp/bogus.kmod.rc" "$tmp/bogus.lkm.rc"
	check "kmod [help|--help|-h|--version|-V|list|bogus]: kmod's exit codes" \
		same "$tmp/multi.kmod" "$tmp/multi.lkm"
else
	skip "options as kmod's" "Debian's kmod is not installed"
fi
finish
