#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lkm on module trees of other architectures than the host's, against kmod (the oracle):
# Debian 12's s390x (ELF64 big-endian), i386 and armhf (ELF32 little-endian) trees from
# fetch-foreign-trees.sh, and synthetic ELF32-BE, ELF64-BE and ELF32-LE trees written by
# tests/unit/test-depmod-foreign.c. For each tree:
#   depmod   : every text file (modules.dep exact, the others as sorted sets) and every
#              .bin (through `lkm index dump`) of `lkm depmod` and kmod's depmod;
#   modinfo  : every module path, plain, -F depends and -0, byte for byte and exit code,
#              many modules a call; a batch that differs is split down to its modules;
#   modprobe : -D (the load plan) for up to $MODPROBE_N modules of modules.dep, and
#              --show-modversions and --show-exports for $VERSIONS_N of them.
# LKM_FOREIGN_ARCHS picks the Debian trees (default: s390x i386 armhf).
set -uo pipefail
LKM=${LKM:?set LKM to the lkm binary}
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${LKM_BUILD_ROOT:-}
BATCH=${BATCH:-400}
MODPROBE_N=${MODPROBE_N:-500}
VERSIONS_N=${VERSIONS_N:-100}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-foreign.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/empty"

for t in depmod modinfo modprobe; do
	need "kmod's $t" command -v $t >/dev/null
done
# The least a comparison must have to compare, per file or list: set per tree (a
# synthetic tree has a handful of modules, a Debian one thousands).
min=1

# shellcheck source=../tools/tree-lib.sh
. "$(dirname "$0")/../tools/tree-lib.sh"

fsize() { if [ -f "$1" ]; then echo "$(stat -c %s "$1") bytes"; else echo absent; fi; }

# (a) depmod: lkm's indexes against kmod's, each written into its own copy.
check_depmod() { # label kver root
	local label=$1 kver=$2 root=$3 k="$tmp/kmod" l="$tmp/lkm" f n
	rm -rf "$k" "$l"
	need "$label: copy the tree for kmod" copy_tree "$root" "$kver" "$k"
	need "$label: copy the tree for lkm" copy_tree "$root" "$kver" "$l"
	depmod -b "$k" "$kver" 2>&1 | sed "s|$k/|ROOT/|g" >"$tmp/kmod.err"
	LKM_DEPMOD_CACHE=0 "$LKM" depmod -b "$l" "$kver" 2>&1 |
		sed "s|$l/|ROOT/|g" >"$tmp/lkm.err"
	if cmp -s "$tmp/kmod.err" "$tmp/lkm.err"; then ok "$label depmod: same messages"
	else
		bad "$label depmod: messages differ"
		diff "$tmp/kmod.err" "$tmp/lkm.err" | head -5
	fi
	local dk="$k/lib/modules/$kver" dl="$l/lib/modules/$kver"
	if ! at_least "$min" "$label depmod: modules.dep lines" "$(wc -l <"$dk/modules.dep")"; then :
	elif cmp -s "$dk/modules.dep" "$dl/modules.dep"; then
		ok "$label depmod: modules.dep identical ($(wc -l <"$dk/modules.dep") lines)"
	else
		n=$(diff "$dk/modules.dep" "$dl/modules.dep" | grep -c '^[<>]')
		bad "$label depmod: modules.dep: $n differing lines"
		diff "$dk/modules.dep" "$dl/modules.dep" | head -6
	fi
	for f in modules.alias modules.symbols modules.softdep modules.devname; do
		# A Debian tree has thousands of aliases and symbols, a few dozen softdeps.
		local want=1
		case $f in modules.alias | modules.symbols) want=$min ;; esac
		if ! at_least "$want" "$label depmod: $f lines" "$(wc -l <"$dk/$f")"; then :
		elif cmp -s <(sort "$dk/$f") <(sort "$dl/$f"); then
			ok "$label depmod: $f same lines ($(wc -l <"$dk/$f"))"
		else
			n=$(diff <(sort "$dk/$f") <(sort "$dl/$f") | grep -c '^[<>]')
			bad "$label depmod: $f: $n differing lines"
			diff <(sort "$dk/$f") <(sort "$dl/$f") | head -6
		fi
	done
	for f in modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin \
		modules.builtin.alias.bin; do
		# kmod writes an empty file when the input is missing (no
		# modules.builtin.modinfo): that is no index to dump.
		if [ ! -s "$dk/$f" ] || [ ! -s "$dl/$f" ]; then
			if [ "$(fsize "$dk/$f")" = "$(fsize "$dl/$f")" ]; then
				ok "$label depmod: $f: $(fsize "$dk/$f") alike"
			else
				bad "$label depmod: $f: kmod's $(fsize "$dk/$f"), lkm's $(fsize "$dl/$f")"
			fi
			continue
		fi
		if ! "$LKM" index dump "$dk/$f" 2>&1 | sort >"$tmp/k.dump"; then
			bad "$label depmod: $f: cannot dump kmod's"
			continue
		fi
		if ! "$LKM" index dump "$dl/$f" 2>&1 | sort >"$tmp/l.dump"; then
			bad "$label depmod: $f: cannot dump lkm's"
			continue
		fi
		if ! at_least 1 "$label depmod: $f entries" "$(wc -l <"$tmp/k.dump")"; then :
		elif cmp -s "$tmp/k.dump" "$tmp/l.dump"; then
			ok "$label depmod: $f same entries ($(wc -l <"$tmp/k.dump"))"
		else
			n=$(diff "$tmp/k.dump" "$tmp/l.dump" | grep -c '^[<>]')
			bad "$label depmod: $f: $n differing entries"
			diff "$tmp/k.dump" "$tmp/l.dump" | head -4
		fi
	done
	rm -rf "$k" "$l"
}

# (b) modinfo and (c) modprobe -D: stdout byte for byte and the exit code; for
# modprobe also stderr, once lkm's explanations (lines it indents under a message) are
# left out, as tests/tools/test-modprobe.sh does.
run_both() { # tool out-prefix args...
	local t=$1 p=$2
	shift 2
	"$t" "$@" >"$p.k" 2>"$p.ke"
	echo $? >"$p.kx"
	"$LKM" "$t" "$@" >"$p.l" 2>"$p.lfull"
	echo $? >"$p.lx"
	grep -v '^  ' "$p.lfull" >"$p.le"
	cmp -s "$p.k" "$p.l" && cmp -s "$p.kx" "$p.lx" || return 1
	[ "$t" = modinfo ] || cmp -s "$p.ke" "$p.le"
}

# Known, intended difference (kmod issue 33, see tests/tools/test-modprobe.sh): for a
# module with several softdep lines lkm's plan holds kmod's and the softdeps kmod drops.
issue33=" ksmbd btrfs bcachefs "
issue33_re='ksmbd|btrfs|bcachefs'
is_issue33() { # name
	[[ $issue33 == *" $1 "* ]] && [ "$(cat "$tmp/one.kx")" = 0 ] &&
		! grep -qvxF -f "$tmp/one.l" "$tmp/one.k"
}

# Many names to a call (modprobe with -a); a batch that differs is split to its names.
check_list() { # tool label "opts" list-file
	local tool=$1 label=$2 opts=$3 list=$4 total bad_n=0 known=0 i m many=
	local -a items batch
	[ "$tool" = modprobe ] && many=-a
	mapfile -t items <"$list"
	total=${#items[@]}
	at_least "$min" "$label $tool ${opts:-plain}: names" "$total" || return
	for ((i = 0; i < total; i += BATCH)); do
		batch=("${items[@]:i:BATCH}")
		# A known difference would split every batch it is in: check those alone.
		if [ "$tool" = modprobe ]; then
			for m in "${batch[@]}"; do
				[[ $issue33 == *" $m "* ]] || continue
				# shellcheck disable=SC2086
				run_both "$tool" "$tmp/one" $opts "$m" && continue
				if is_issue33 "$m"; then known=$((known + 1))
				else bad_n=$((bad_n + 1)); echo "  mismatch: $tool $opts $m"; fi
			done
			mapfile -t batch < <(printf '%s\n' "${batch[@]}" | grep -vxE "$issue33_re")
			[ "${#batch[@]}" -gt 0 ] || continue
		fi
		# shellcheck disable=SC2086
		run_both "$tool" "$tmp/b" $opts $many "${batch[@]}" && continue
		for m in "${batch[@]}"; do
			# shellcheck disable=SC2086
			run_both "$tool" "$tmp/one" $opts "$m" && continue
			bad_n=$((bad_n + 1))
			[ "$bad_n" -le 3 ] || continue
			echo "  mismatch: $tool $opts $m"
			diff "$tmp/one.k" "$tmp/one.l" | head -8 | sed 's/^/    /'
			[ "$tool" = modinfo ] || diff "$tmp/one.ke" "$tmp/one.le" | head -4 | sed 's/^/    /'
			echo "    exit: kmod $(cat "$tmp/one.kx") lkm $(cat "$tmp/one.lx")"
		done
	done
	local what="$total names, $bad_n mismatches" shown=${opts:-plain}
	shown=${shown//"$tmp/empty"/EMPTY}
	shown=${shown//"$cur_root"/ROOT}
	[ "$known" -eq 0 ] || what="$what ($known known: kmod issue 33)"
	if [ "$bad_n" -eq 0 ]; then ok "$label $tool $shown: $what"
	else bad "$label $tool $shown: $what"; fi
}

# (d) the CRCs and exports modprobe reads from one module, a sample of the tree.
check_versions() { # label
	local label=$1 total=0 bad_n=0 m o
	while read -r m; do
		total=$((total + 1))
		for o in --show-modversions --show-exports; do
			run_both modprobe "$tmp/one" $o "$m" && continue
			bad_n=$((bad_n + 1))
			[ "$bad_n" -le 3 ] || continue
			echo "  mismatch: modprobe $o $m"
			diff "$tmp/one.k" "$tmp/one.l" | head -6 | sed 's/^/    /'
			diff "$tmp/one.ke" "$tmp/one.le" | head -4 | sed 's/^/    /'
			echo "    exit: kmod $(cat "$tmp/one.kx") lkm $(cat "$tmp/one.lx")"
		done
	done < <(awk -v n="$VERSIONS_N" -v all="$(wc -l <"$tmp/paths")" \
		'NR % int((all + n - 1) / n) == 0' "$tmp/paths")
	local what="modprobe --show-modversions, --show-exports: $total modules,"
	what="$what $bad_n mismatches"
	if ! at_least $(((min + 99) / 100)) "$label --show-*: modules" "$total"; then :
	elif [ "$bad_n" -eq 0 ]; then ok "$label $what"; else bad "$label $what"; fi
}

check_tree() { # label kver root
	local label=$1 kver=$2 root=$3 t0=$SECONDS
	cur_root=$root
	find "$root/lib/modules/$kver" -name '*.ko*' | sort >"$tmp/paths"
	# Debian's trees hold thousands of modules, the synthetic ones a handful.
	case $label in synthetic-*) min=3 ;; *) min=1000 ;; esac
	echo "# $label: $kver, $(wc -l <"$tmp/paths") modules"
	check_depmod "$label" "$kver" "$root"
	echo "# $label: depmod $((SECONDS - t0))s"
	t0=$SECONDS
	check_list modinfo "$label" "" "$tmp/paths"
	check_list modinfo "$label" "-F depends" "$tmp/paths"
	check_list modinfo "$label" "-0" "$tmp/paths"
	echo "# $label: modinfo $((SECONDS - t0))s"
	t0=$SECONDS
	# The load plans of modules with dependencies first, then of the others. Both tools
	# read an empty configuration, never the host's.
	{
		awk -F: '$2 != "" {print $1}' "$root/lib/modules/$kver/modules.dep"
		awk -F: '$2 == "" {print $1}' "$root/lib/modules/$kver/modules.dep"
	} | sed 's|.*/||; s|\.ko.*||' | head -n "$MODPROBE_N" >"$tmp/mp"
	[ "$min" -le "$MODPROBE_N" ] || min=$MODPROBE_N
	check_list modprobe "$label" "-C $tmp/empty -d $root -S $kver -D" "$tmp/mp"
	check_versions "$label"
	echo "# $label: modprobe $((SECONDS - t0))s"
}

# tests/unit/test-depmod-foreign.c is no unit test meson builds (there is no
# lib/depmod-foreign.c): build it here as meson builds test-depmod (same flags, so the
# same sanitizers), or failing that with plain cc.
build_unit() { # -> $tmp/test-depmod-foreign
	local cmds c l o=tests/test-depmod.p/unit_test-depmod.c.o libs
	[ -n "$build" ] && [ -f "$build/lib/liblkm.a" ] || return 1
	if cmds=$(ninja -C "$build" -t commands tests/test-depmod 2>/dev/null); then
		c=$(grep -E -- ' -c [^ ]*tests/unit/test-depmod\.c$' <<<"$cmds")
		l=$(tail -n 1 <<<"$cmds")
		c=${c//"$o"/"$tmp/unit.o"}
		c=${c%test-depmod.c}test-depmod-foreign.c
		l=${l//"$o"/"$tmp/unit.o"}
		l=${l/"-o tests/test-depmod "/"-o $tmp/test-depmod-foreign "}
		[ -n "$c" ] && (cd "$build" && eval "$c" && eval "$l") 2>"$tmp/cc.err" && return 0
	fi
	libs=$(pkg-config --libs zlib liblzma libzstd libcrypto 2>/dev/null)
	# shellcheck disable=SC2086
	cc -std=gnu11 -O1 -D_GNU_SOURCE -include "$build/config.h" -I"$src/lib" \
		-I"$src/tests/unit" -o "$tmp/test-depmod-foreign" \
		"$src/tests/unit/test-depmod-foreign.c" "$build/lib/liblkm.a" $libs -pthread \
		2>>"$tmp/cc.err"
}

# Synthetic trees: test-depmod-foreign compares the library's engine with kmod's depmod
# itself, and leaves kmod's copies in LKM_FOREIGN_OUT for the tools here.
synthetic() {
	local d
	if ! build_unit; then
		bad "synthetic: cannot build test-depmod-foreign (LKM_BUILD_ROOT='$build')"
		head -5 "$tmp/cc.err" 2>/dev/null
		return
	fi
	mkdir -p "$tmp/synth"
	if ! LKM_FOREIGN_OUT="$tmp/synth" "$tmp/test-depmod-foreign" >"$tmp/unit.out" 2>&1; then
		bad "synthetic: test-depmod-foreign: $(tail -n 1 "$tmp/unit.out")"
		grep -v '^ok' "$tmp/unit.out" | head -10
	elif ! tail -n 1 "$tmp/unit.out" | grep -q ', 0 skipped$'; then
		skip "synthetic: test-depmod-foreign" "$(tail -n 1 "$tmp/unit.out")"
	else
		ok "synthetic: test-depmod-foreign: $(tail -n 1 "$tmp/unit.out")"
	fi
	n=0
	for d in "$tmp/synth"/*; do
		[ -d "$d/lib/modules" ] || continue
		n=$((n + 1))
		check_tree "synthetic-${d##*/}" "$(ls "$d/lib/modules")" "$d"
	done
	at_least 3 "synthetic trees written by test-depmod-foreign" "$n"
}

synthetic
trees=$("$src/tests/tools/fetch-foreign-trees.sh") || need "fetch the foreign trees" false
[ "$(echo "$trees" | wc -l)" -ge 3 ] || need "three foreign trees" false
while read -r kver root arch; do
	check_tree "$arch" "$kver" "$root"
done <<<"$trees"
finish
