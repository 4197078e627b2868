#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real consumers of libkmod.so.2, run once with Debian's library and once with lkm's in
# its place (LD_LIBRARY_PATH), on the two Debian trees; their output must not change:
#   lspci -k, -vmmk   "Kernel modules:" come from kmod_new(NULL, NULL) and
#                     kmod_module_new_from_lookup of each device's modalias. lspci reads
#                     /lib/modules/$(uname -r): a private mount namespace lays an overlay on
#                     /usr/lib whose modules/$(uname -r) is the tree's. The devices are
#                     this machine's (/sys) and several hundred made up from the tree's
#                     pci: aliases in a fake sysfs (lspci -O sysfs.path=).
#   dracut-install    the files it installs for modules by name, by path, by directory
#                     (=drivers/...), under its symbol filters (-s uses dependency symbols;
#                     -S reads them with kmod_module_symbol_get_symbol, as dracut does),
#                     and its --modalias list.
set -u
# meson test puts the build's libkmod/ on LD_LIBRARY_PATH, which would give the oracle
# lkm's library too: each side chooses its library here.
unset LD_LIBRARY_PATH
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
libdir=${LKM_LIBKMOD_DIR:-}
dracut_install=/usr/lib/dracut/dracut-install
[ -e "$libdir/libkmod.so.2" ] || need "lkm's libkmod.so.2 (LKM_LIBKMOD_DIR)" false
need "lspci (pciutils)" command -v lspci >/dev/null
need "dracut-install (dracut-core)" test -x "$dracut_install"
trees=$("$here/../tools/fetch-trees.sh") || need "fetch the Debian trees" false
[ "$(echo "$trees" | wc -l)" -eq 2 ] || need "two Debian trees" false
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-consumers.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
SHOW=${SHOW:-12}
kver_host=$(uname -r)

# The library each side runs with. A sanitized lkm build needs its runtime first.
lkm_env=("LD_LIBRARY_PATH=$libdir")
asan=$(ldd "$libdir/libkmod.so.2" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && lkm_env+=("LD_PRELOAD=$asan" "ASAN_OPTIONS=detect_leaks=0")
dlib=$(ldd "$(command -v lspci)" | awk '/libkmod/ { print $3 }')
llib=$(env "${lkm_env[@]}" ldd "$(command -v lspci)" | awk '/libkmod/ { print $3 }')
echo "  Debian's: $dlib"
echo "  lkm's:    $llib"
# LKM_LIBKMOD_IS=debian with LKM_LIBKMOD_DIR=/usr/lib/x86_64-linux-gnu tries the harness.
if [ "${LKM_LIBKMOD_IS:-lkm}" = lkm ]; then
	[ "$(readlink -f "$llib")" = "$(readlink -f "$libdir/libkmod.so.2")" ] &&
		[ "$(readlink -f "$llib")" != "$(readlink -f "$dlib")" ] &&
		ok "the consumers load lkm's libkmod.so.2 under LD_LIBRARY_PATH" ||
		bad "the consumers load lkm's libkmod.so.2 under LD_LIBRARY_PATH ($llib)"
else
	skip "lkm's libkmod.so.2" "LKM_LIBKMOD_IS=debian: Debian's library compared with itself"
fi

# in_tree ROOT-OF-MODULE-DIR SIDE CMD...: CMD in a mount namespace where
# /lib/modules/$(uname -r) is that module directory, with SIDE's library.
in_tree() {
	local dir=$1 side=$2 ov; shift 2
	ov=$(mktemp -d "$tmp/ov.XXXXXX")
	mkdir -p "$ov/up/modules" "$ov/work"
	ln -s "$dir" "$ov/up/modules/$kver_host"
	local envs=()
	[ "$side" = lkm ] && envs=("${lkm_env[@]}")
	unshare -m --propagation private bash -c \
		'mount -t overlay overlay -o "lowerdir=/usr/lib,upperdir=$1/up,workdir=$1/work" /usr/lib &&
		 shift && exec env "$@"' _ "$ov" "${envs[@]}" "$@"
	local rc=$?
	rm -rf "$ov"
	return $rc
}
need "a mount namespace with an overlay on /usr/lib (unshare -m, as root)" \
	in_tree /nonexistent debian test -L "/lib/modules/$kver_host"

# same LABEL MIN-LINES: $tmp/d.out and $tmp/l.out must be equal and hold MIN-LINES lines.
same() {
	local label=$1 min=$2 n
	n=$(wc -l <"$tmp/d.out")
	at_least "$min" "$label: lines with Debian's library" "$n" || return
	if cmp -s "$tmp/d.out" "$tmp/l.out"; then
		ok "$label ($n lines)"
	else
		bad "$label ($(diff "$tmp/d.out" "$tmp/l.out" | grep -c '^[<>]') lines differ)"
		diff -U2 --label debian --label lkm "$tmp/d.out" "$tmp/l.out" | head -n "$SHOW" |
			sed 's/^/    /'
	fi
}

# same_but_issue33 LABEL MIN DIR: as same, except that lkm's library may install more
# modules, where kmod issue 33 is the reason: a module with several softdep lines
# (modules.softdep and modprobe.d) has every line's soft dependencies with lkm, only
# the first line's with kmod. Every extra file must be a module named by a second or
# later softdep line of a module both installed, or a dependency of one (kmod's own
# modprobe -R and -D say which, on the same tree), with the directories that hold them;
# the other lines must be the same.
same_but_issue33() {
	local label=$1 min=$2 dir=$3 extra
	if cmp -s "$tmp/d.out" "$tmp/l.out"; then same "$label" "$min"; return; fi
	at_least "$min" "$label: lines with Debian's library" "$(wc -l <"$tmp/d.out")" || return
	extra=$(python3 - "$tmp/d.out" "$tmp/l.out" "$dir" <<-'PY'
	import os, re, subprocess, sys
	deb, lkm = (open(f).read().splitlines() for f in sys.argv[1:3])
	moddir = sys.argv[3]
	kver, root = os.path.basename(moddir), os.path.dirname(os.path.dirname(os.path.dirname(moddir)))
	if not set(deb) <= set(lkm):
	    print("MISSING " + " ".join(sorted(set(deb) - set(lkm))[:5])); sys.exit(0)
	def name(path):
	    return re.sub(r'\.ko(\.[a-z]+)?$', '', os.path.basename(path)).replace('-', '_')
	kos = lambda lines: {name(l) for l in lines if re.search(r'\.ko(\.[a-z]+)?$', l)}
	extra = kos(lkm) - kos(deb)
	# The directories the extra modules' files were put in come with them.
	new_kos = [l for l in set(lkm) - set(deb) if re.search(r'\.ko(\.[a-z]+)?$', l)]
	others = [l for l in set(lkm) - set(deb) if not re.search(r'\.ko(\.[a-z]+)?$', l)
	          and not any(k.startswith(l + '/') for k in new_kos)]
	if others:
	    print("OTHER " + " ".join(sorted(others)[:5])); sys.exit(0)
	lines = {}
	for l in open(os.path.join(moddir, 'modules.softdep')):
	    w = l.split()
	    if len(w) > 2 and w[0] == 'softdep':
	        lines.setdefault(w[1].replace('-', '_'), []).append(w[2:])
	def modprobe(*args):
	    r = subprocess.run(['/sbin/modprobe', '-d', root, '-S', kver] + list(args),
	                       capture_output=True, text=True)
	    return r.stdout.split('\n')
	allowed = set()
	for m in kos(deb):
	    for words in lines.get(m, [])[1:]:
	        for w in words:
	            if w in ('pre:', 'post:'):
	                continue
	            for target in filter(None, modprobe('-R', w)):
	                for l in modprobe('-D', target):
	                    if l.startswith('insmod '):
	                        allowed.add(name(l.split()[1]))
	bad = extra - allowed
	print(("UNEXPLAINED " + " ".join(sorted(bad))) if bad else "OK %d" % len(extra))
	PY
	)
	case $extra in
	OK*) echo "  expected [$label] ${extra#OK } more modules: every softdep line's (issue 33)"
	     ok "$label ($(wc -l <"$tmp/d.out") lines, and issue 33's soft dependencies)" ;;
	*) bad "$label: $extra"
	   diff -U2 --label debian --label lkm "$tmp/d.out" "$tmp/l.out" | head -n "$SHOW" |
		sed 's/^/    /' ;;
	esac
}

# A fake /sys/bus/pci: one device for every 12th pci: alias of the tree, its fields
# taken from the pattern ('*' as 0), so that its modalias matches that alias and maybe
# others. Config space is the 64-byte header lspci reads.
fake_pci() { # modules.alias out-dir
	python3 - "$1" "$2" <<-'PY'
	import os, re, struct, sys
	src, out = sys.argv[1], sys.argv[2]
	pat = re.compile(r'pci:v([0-9A-F]{8}|\*)d([0-9A-F]{8}|\*)sv([0-9A-F]{8}|\*)'
	                 r'sd([0-9A-F]{8}|\*)bc([0-9A-F]{2}|\*)sc([0-9A-F]{2}|\*)i([0-9A-F]{2}|\*)\*?$')
	fields = []
	for i, line in enumerate(open(src)):
	    w = line.split()
	    if len(w) < 3 or w[0] != 'alias' or not w[1].startswith('pci:'):
	        continue
	    m = pat.match(w[1])
	    if m and i % 12 == 0:
	        fields.append([0 if g == '*' else int(g, 16) for g in m.groups()])
	for n, (v, d, sv, sd, bc, sc, pi) in enumerate(fields):
	    dev = os.path.join(out, 'devices', '0000:%02x:%02x.0' % (n // 32 + 1, n % 32))
	    os.makedirs(dev)
	    def put(name, text):
	        with open(os.path.join(dev, name), 'w') as f:
	            f.write(text + '\n')
	    v, d, sv, sd = v & 0xffff, d & 0xffff, sv & 0xffff, sd & 0xffff
	    put('vendor', '0x%04x' % v)
	    put('device', '0x%04x' % d)
	    put('subsystem_vendor', '0x%04x' % sv)
	    put('subsystem_device', '0x%04x' % sd)
	    put('class', '0x%02x%02x%02x' % (bc, sc, pi))
	    put('revision', '0x01')
	    put('irq', '0')
	    put('resource', '\n'.join(['0x0000000000000000 0x0000000000000000 0x0000000000000000'] * 13))
	    put('modalias', 'pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X' % (v, d, sv, sd, bc, sc, pi))
	    cfg = struct.pack('<HHHHBBBBBBBB24xHH16x', v, d, 0, 0, 1, pi, sc, bc, 0, 0, 0, 0, sv, sd)
	    with open(os.path.join(dev, 'config'), 'wb') as f:
	        f.write(cfg)
	print(len(fields))
	PY
}

# dracut_files SIDE DIR ARGS...: dracut-install's exit, what it printed (sorted) and the
# files it put in a fresh root.
dracut_files() {
	local side=$1 dir=$2 dest=$tmp/dest; shift 2
	rm -rf "$dest"; mkdir "$dest"
	local envs=()
	[ "$side" = lkm ] && envs=("${lkm_env[@]}")
	env "${envs[@]}" "$dracut_install" -D "$dest" --kerneldir "$dir" \
		--firmwaredirs "$tmp/nofirmware" "$@" >"$tmp/dracut.out" 2>"$tmp/dracut.err"
	local rc=$?
	echo "exit $rc"
	# The loader's word when the library lacks a function dracut-install calls.
	[ $rc -lt 126 ] || grep -m1 -o 'symbol lookup error.*' "$tmp/dracut.err"
	# --modalias prints names in its hash table's order.
	sort "$tmp/dracut.out"
	[ -d "$dest" ] && (cd "$dest" && find . -mindepth 1 | sort)
}

names="ext4 vfat xfs btrfs i915 nvme e1000e virtio_net virtio_blk ahci sd_mod usb-storage
fs-vfat crc32c snd-hda-intel nosuch_module"
while read -r kver root; do
	dir=$root/lib/modules/$kver
	echo "== $kver"
	rm -rf "$tmp/sysfs"
	ndev=$(fake_pci "$dir/modules.alias" "$tmp/sysfs")
	for q in "-nk" "-vmmnk"; do
		in_tree "$dir" debian lspci $q -A linux-sysfs -O "sysfs.path=$tmp/sysfs" >"$tmp/d.out" 2>&1
		echo "exit $?" >>"$tmp/d.out"
		in_tree "$dir" lkm lspci $q -A linux-sysfs -O "sysfs.path=$tmp/sysfs" >"$tmp/l.out" 2>&1
		echo "exit $?" >>"$tmp/l.out"
		at_least 100 "lspci $q $kver: module lines" "$(grep -cE '^(.Kernel modules|Module):' "$tmp/d.out")" &&
			same "lspci $q $kver ($ndev made-up devices)" 300
	done
	in_tree "$dir" debian lspci -nk >"$tmp/d.out" 2>&1; echo "exit $?" >>"$tmp/d.out"
	in_tree "$dir" lkm lspci -nk >"$tmp/l.out" 2>&1; echo "exit $?" >>"$tmp/l.out"
	same "lspci -nk $kver (this machine's devices)" 2

	# shellcheck disable=SC2086
	set -- $names
	paths=$(find "$dir/kernel/fs" -name '*.ko*' | sort | awk 'NR % 15 == 1')
	# shellcheck disable=SC2086
	for args in "-o -m $*" "-m ext4 vfat xfs" "-o -m $paths" "-m =drivers/ata" \
		"-m =fs" "-s ata_scsi_|scsi_add_host -m =drivers" "-S ^drm_gem -m =drivers/gpu" \
		"-S ^Udrm_gem -m =drivers/gpu" "-N ^snd_hda -P /host/ -m =sound =drivers/usb" \
		"--modalias"; do
		dracut_files debian "$dir" $args >"$tmp/d.out"
		dracut_files lkm "$dir" $args >"$tmp/l.out"
		case $args in
		--modalias) same "dracut-install --modalias $kver" 2 ;;
		*) same_but_issue33 "dracut-install ${args:0:50} $kver" 3 "$dir" ;;
		esac
	done
done <<<"$trees"

finish
