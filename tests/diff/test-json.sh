#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every --json output on the two Debian trees, parsed by Python's json module and
# checked against the same tool's text output (tests/json-compare.py: every text field
# in the JSON, same values, same order): modinfo of every module (by name, many to a
# call) and of built-in ones, modprobe -D and -R of every module name (one -a call
# each), modprobe -c, modprobe --check and insmod --check of a sample, and lsmod of the
# host and of a fixture /proc/modules. Each comparison must have something to compare.
set -u
LKM=${LKM:?path of the lkm binary}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
need "python3" command -v python3 >/dev/null
trees=$("$here/../tools/fetch-trees.sh") || need "fetch the Debian trees" false
[ "$(echo "$trees" | wc -l)" -eq 2 ] || need "two Debian trees" false
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-json.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
BATCH=${BATCH:-1000}

# compare LABEL KIND MIN CMD...: CMD's text and CMD --json (the option after the tool
# name), compared; at least MIN items.
compare() {
	local label=$1 kind=$2 min=$3 tool=$4; shift 4
	"$LKM" "$tool" "$@" >"$tmp/t" 2>/dev/null
	local trc=$?
	"$LKM" "$tool" --json "$@" >"$tmp/j" 2>/dev/null
	local jrc=$?
	if [ "$trc" != "$jrc" ]; then
		bad "$label: exit code text $trc, json $jrc"
		return
	fi
	if ! out=$(python3 "$here/../json-compare.py" "$kind" "$tmp/t" "$tmp/j"); then
		bad "$label" "$out"
		return
	fi
	at_least "$min" "$label" "${out%% *}" && ok "$label: $out"
}

# compare_batches LABEL KIND MIN-TOTAL LIST TOOL ARGS...: the list many names a call.
compare_batches() {
	local label=$1 kind=$2 min=$3 list=$4; shift 4
	local total=0 failed=0 n
	mapfile -t items <"$list"
	for ((i = 0; i < ${#items[@]}; i += BATCH)); do
		"$LKM" "$@" "${items[@]:i:BATCH}" >"$tmp/t" 2>/dev/null
		"$LKM" "$1" --json "${@:2}" "${items[@]:i:BATCH}" >"$tmp/j" 2>/dev/null
		if ! out=$(python3 "$here/../json-compare.py" "$kind" "$tmp/t" "$tmp/j"); then
			failed=$((failed + 1))
			echo "  [$label] batch at $i: $out"
			continue
		fi
		n=${out%% *}
		total=$((total + n))
	done
	if [ "$failed" -ne 0 ]; then
		bad "$label: $failed batch(es) differ"
	elif at_least "$min" "$label" "$total"; then
		ok "$label: ${#items[@]} modules, $total items compared"
	fi
}

while read -r kver root; do
	base="$root/lib/modules/$kver"
	find "$base/kernel" -name '*.ko*' | sed 's|.*/||; s|\.ko.*||' | sort -u >"$tmp/names"
	tr '\0' '\n' <"$base/modules.builtin.modinfo" | sed -n 's/^\([^.]*\)\.file=.*/\1/p' |
		sort -u >"$tmp/builtins"
	echo "# $kver: $(wc -l <"$tmp/names") module names, $(wc -l <"$tmp/builtins") built-in"
	compare_batches "$kver modinfo --json" modinfo 50000 "$tmp/names" modinfo -k "$kver" -b "$root"
	compare_batches "$kver modinfo --json, built-in" modinfo 100 "$tmp/builtins" modinfo -k "$kver" -b "$root"
	compare_batches "$kver modinfo -F alias --json" field-alias 10000 "$tmp/names" modinfo -F alias -k "$kver" -b "$root"
	compare_batches "$kver modprobe -D --json" steps 3000 "$tmp/names" modprobe -D -a -d "$root" -S "$kver"
	compare_batches "$kver modprobe -R --json" names 3000 "$tmp/names" modprobe -R -a -d "$root" -S "$kver"
	compare "$kver modprobe -c --json" config 10000 modprobe -c -d "$root" -S "$kver"
	sample=$(awk 'NR % 400 == 1' "$tmp/names")
	# shellcheck disable=SC2086
	compare "$kver modprobe --check --json (sample)" check 50 modprobe --check -a -d "$root" -S "$kver" $sample
	for m in vfat e1000e; do
		f=$(find "$base/kernel" -name "$m.ko*" | head -1)
		[ -n "$f" ] && compare "$kver insmod --check --json $m" check 5 insmod --check "$f"
	done
done <<<"$trees"

# lsmod: a fixture /proc/modules and /sys/module, and the host's when it has modules.
mkdir -p "$tmp/proc" "$tmp/sys/module/fat/holders" "$tmp/sys/module/vfat/holders" "$tmp/sys/module/msdos/holders"
printf 'vfat 24576 1 - Live 0x0\nmsdos 20480 0 - Live 0x0\nfat 86016 2 vfat,msdos, Live 0x0\nperm 4096 - - Live 0x0\n' >"$tmp/proc/modules"
for m in vfat msdos fat; do echo live >"$tmp/sys/module/$m/initstate"; done
echo 2 >"$tmp/sys/module/fat/refcnt"; echo 86016 >"$tmp/sys/module/fat/coresize"
ln -s ../../vfat "$tmp/sys/module/fat/holders/vfat"; ln -s ../../msdos "$tmp/sys/module/fat/holders/msdos"
compare "lsmod --json, fixture" lsmod 4 lsmod --proc="$tmp/proc" --sys="$tmp/sys"
if [ -r /proc/modules ] && [ -s /proc/modules ]; then
	compare "lsmod --json, this host" lsmod 1 lsmod
else
	skip "lsmod --json, this host" "no /proc/modules here"
fi
finish
