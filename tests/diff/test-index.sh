#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lkm index on the .bin files kmod 30's depmod wrote for two Debian trees: dump agrees
# with the text files depmod wrote beside them (modules.builtin.alias has none), and
# lookup/match agree with kmod's modprobe -R (the oracle) on aliases picked from
# modules.alias. Then malformed files: exit 1, and a message naming the file.
set -u
: "${LKM:?LKM must point at the lkm binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-index.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# "KVER ROOT" lines of the Debian trees, downloaded on first use.
trees=$("$(dirname "$0")/../tools/fetch-trees.sh") || need "fetch the Debian trees" false
[ "$(echo "$trees" | wc -l)" -eq 2 ] || need "two Debian trees" false
# kmod's modprobe is the oracle; tests/run installs it.
need "kmod's modprobe" command -v modprobe >/dev/null
modprobe=$(command -v modprobe)
readlink -f "$modprobe" | grep -q kmod || need "$modprobe is kmod's" false
# An empty config directory keeps the host's modprobe.d aliases out of kmod's answers.
mkdir "$tmp/conf.d"

# same NAME FILE1 FILE2: the two files hold the same lines, at least 100 of them.
same() {
	if ! at_least 100 "$1" "$(wc -l < "$2")"; then :
	elif cmp -s "$2" "$3"; then
		ok "$1 ($(wc -l < "$2") lines)"
	else
		bad "$1"
		diff "$2" "$3" | head -5 | sed 's/^/  /'
	fi
}

# The alias lines of a text file as "KEY MODULE", the key normalized as depmod does for
# the .bin ('-' becomes '_' outside [...]) when $2 is 1.
alias_pairs() {
	awk -v norm="$2" '
	$1 == "alias" && NF == 3 {
		k = $2
		if (norm) {
			out = ""; inb = 0
			for (i = 1; i <= length(k); i++) {
				c = substr(k, i, 1)
				if (c == "[") inb = 1
				else if (c == "]") inb = 0
				else if (c == "-" && !inb) c = "_"
				out = out c
			}
			k = out
		}
		print k " " $3
	}' "$1" | LC_ALL=C sort
}

# A dump as "KEY VALUE" lines.
dump_pairs() {
	awk -F '\t' '{ print $1 " " $3 }' "$1" | LC_ALL=C sort
}

check_dump() {
	dir=$1 tag=$2
	for f in modules.dep modules.alias modules.symbols; do
		if ! "$LKM" index dump "$dir/$f.bin" > "$tmp/$f.dump" 2> "$tmp/err"; then
			bad "$tag: dump $f.bin"
			sed 's/^/  /' "$tmp/err"
			return
		fi
	done
	# modules.dep: one value per module, the line itself, under the module's name.
	cut -f 3- "$tmp/modules.dep.dump" | LC_ALL=C sort > "$tmp/a"
	grep -v '^#' "$dir/modules.dep" | LC_ALL=C sort > "$tmp/b"
	same "$tag: modules.dep.bin values = modules.dep lines" "$tmp/a" "$tmp/b"
	awk -F '\t' '{
		p = $3; sub(/:.*/, "", p); sub(/.*\//, "", p); sub(/\..*/, "", p)
		gsub(/-/, "_", p)
		if (p != $1) { print; bad++ }
	} END { exit bad > 0 }' "$tmp/modules.dep.dump" > "$tmp/err"
	if [ $? = 0 ]; then ok "$tag: modules.dep.bin keys are the module names"; else
		bad "$tag: modules.dep.bin keys are the module names"
		head -3 "$tmp/err" | sed 's/^/  /'
	fi
	alias_pairs "$dir/modules.alias" 1 > "$tmp/a"
	dump_pairs "$tmp/modules.alias.dump" > "$tmp/b"
	same "$tag: modules.alias.bin = alias lines of modules.alias" "$tmp/a" "$tmp/b"
	alias_pairs "$dir/modules.symbols" 0 > "$tmp/a"
	dump_pairs "$tmp/modules.symbols.dump" > "$tmp/b"
	same "$tag: modules.symbols.bin = modules.symbols" "$tmp/a" "$tmp/b"
}

# ~100 aliases of modules.alias made concrete: '*' matches nothing, '?' and [set] take
# a character they accept. Then normalized as modprobe does before its lookups.
pick_aliases() {
	awk '$1 == "alias" && NF == 3 && NR % 260 == 7 { print $2 }
	     $1 == "alias" && NF == 3 && $2 !~ /[*?[]/ && NR % 151 == 3 { print $2 }' "$1" |
		sed -e 's/\*//g' -e 's/?/0/g' -e 's/\[\([^]]\)[^]]*\]/\1/g' -e 's/-/_/g' |
		LC_ALL=C sort -u
}

check_oracle() {
	root=$1 kver=$2 tag=$3
	dir=$root/lib/modules/$kver
	pick_aliases "$dir/modules.alias" > "$tmp/keys"
	n=0 nbad=0 nlook=0 lbad=0
	while read -r key; do
		n=$((n + 1))
		"$modprobe" -C "$tmp/conf.d" -d "$root" -S "$kver" -R "$key" \
			> "$tmp/kmod" 2> /dev/null
		if ! "$LKM" index match "$dir/modules.alias.bin" "$key" \
			> "$tmp/m" 2> "$tmp/err"; then
			nbad=$((nbad + 1))
			echo "  match $key: $(cat "$tmp/err")"
			continue
		fi
		# A module name answers before modules.alias.bin in modprobe.
		if "$LKM" index lookup "$dir/modules.dep.bin" "$key" | grep -q . ||
		   ! [ -s "$tmp/m" ]; then
			n=$((n - 1))
			continue
		fi
		cut -f 3 "$tmp/m" > "$tmp/lkm"
		if ! cmp -s "$tmp/lkm" "$tmp/kmod"; then
			nbad=$((nbad + 1))
			echo "  match $key: lkm $(tr '\n' ' ' < "$tmp/lkm")"
			echo "  kmod $(tr '\n' ' ' < "$tmp/kmod")"
		fi
		# An exact lookup (no wildcard in these keys) gives part of the answer.
		if ! "$LKM" index lookup "$dir/modules.alias.bin" "$key" > "$tmp/l" 2>&1; then
			lbad=$((lbad + 1))
			continue
		fi
		[ -s "$tmp/l" ] || continue
		nlook=$((nlook + 1))
		if cut -f 3 "$tmp/l" | grep -qvxFf "$tmp/kmod"; then
			lbad=$((lbad + 1))
			echo "  lookup $key: $(cut -f 3 "$tmp/l" | tr '\n' ' ')"
		fi
	done < "$tmp/keys"
	if [ "$nbad" = 0 ] && [ "$n" -ge 50 ]; then
		ok "$tag: match = modprobe -R on $n aliases"
	else
		bad "$tag: match = modprobe -R ($nbad of $n differ)"
	fi
	if [ "$lbad" = 0 ] && [ "$nlook" -ge 10 ]; then
		ok "$tag: lookup is within modprobe -R on $nlook exact aliases"
	else
		bad "$tag: lookup is within modprobe -R ($lbad bad of $nlook)"
	fi
}

seen=0
while read -r kver root; do
	if ! [ -r "$root/lib/modules/$kver/modules.dep.bin" ]; then
		bad "$kver: $root has no indexes"
		continue
	fi
	seen=1
	check_dump "$root/lib/modules/$kver" "$kver"
	check_oracle "$root" "$kver" "$kver"
	alias_bin=$root/lib/modules/$kver/modules.alias.bin
done <<<"$trees"

# expect_bad NAME FILE args...: exit 1, and stderr names FILE.
expect_bad() {
	name=$1 file=$2
	shift 2
	"$LKM" index "$@" > /dev/null 2> "$tmp/err"
	rc=$?
	if [ "$rc" = 1 ] && grep -qF "$file" "$tmp/err"; then
		ok "$name: exit 1, $(head -1 "$tmp/err")"
	else
		bad "$name (exit $rc)"
		sed 's/^/  /' "$tmp/err"
	fi
}

printf 'not an index at all\n' > "$tmp/text.bin"
expect_bad "text file" "$tmp/text.bin" dump "$tmp/text.bin"
printf '\260\007\364\127' > "$tmp/short.bin"
expect_bad "short header" "$tmp/short.bin" lookup "$tmp/short.bin" x
# The root's only child ('*') is the root itself: the file opens (only the header and
# the root are read then), and what walks below the root fails.
printf '\260\007\364\127\000\002\000\001\040\000\000\014**\040\000\000\014' > "$tmp/cycle.bin"
expect_bad "cycle: dump" "$tmp/cycle.bin" dump "$tmp/cycle.bin"
expect_bad "cycle: match searches under '*'" "$tmp/cycle.bin" match "$tmp/cycle.bin" x
"$LKM" index lookup "$tmp/cycle.bin" '*****************************************' > "$tmp/out" 2>&1
if [ $? = 0 ] && ! [ -s "$tmp/out" ]; then ok "cycle: an exact lookup ends with no value"; else
	bad "cycle: an exact lookup ends with no value"
fi
if [ "$seen" = 1 ]; then
	head -c 300000 "$alias_bin" > "$tmp/cut.bin"
	expect_bad "truncated modules.alias.bin: dump" "$tmp/cut.bin" dump "$tmp/cut.bin"
	expect_bad "truncated modules.alias.bin: match" "$tmp/cut.bin" match "$tmp/cut.bin" \
		"usb:v046Dp0A0Bd0100dc00dsc00dp00ic01isc01ip00in00"
fi

finish
