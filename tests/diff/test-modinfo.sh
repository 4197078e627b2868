#!/bin/bash
# Differential test: lkm's modinfo against kmod's (the oracle) on every module of the
# two Debian trees: plain, -F, -0, -p and -n; by path, by name and by alias. Modules are
# passed many to a call (both tools accept a list), and a batch that differs is split
# down to the modules that differ, which are counted and shown.
# Every list must hold a minimum of items, and kmod's output over a list a minimum of
# bytes per item: two empty outputs agree, and prove nothing.
set -u
LKM=${LKM:?path of the lkm binary}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
need "kmod's modinfo" command -v modinfo >/dev/null
trees=$("$here/../tools/fetch-trees.sh") || need "fetch the Debian trees" false
[ "$(echo "$trees" | wc -l)" -eq 2 ] || need "two Debian trees" false
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-modinfo.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
BATCH=${BATCH:-400}

# compare_batch LABEL ARGS... -- MODULES...: exact stdout, stderr presence, exit code.
run_both() { # out-prefix args...
	local p=$1; shift
	modinfo "$@" >"$p.k" 2>"$p.ke"; echo $? >"$p.kx"
	"$LKM" modinfo "$@" >"$p.l" 2>"$p.le"; echo $? >"$p.lx"
	cmp -s "$p.k" "$p.l" && cmp -s "$p.kx" "$p.lx"
}

check_list() { # label "opts" list-file min-items min-bytes-per-item
	local label=$1 opts=$2 list=$3 min=$4 per=$5 total=0 bad=0 bytes=0
	mapfile -t items <"$list"
	total=${#items[@]}
	at_least "$min" "$label: items" "$total" || return
	for ((i = 0; i < total; i += BATCH)); do
		local batch=("${items[@]:i:BATCH}")
		# shellcheck disable=SC2086
		run_both "$tmp/b" $opts "${batch[@]}"
		local same=$?
		bytes=$((bytes + $(wc -c <"$tmp/b.k")))
		if [ "$same" -ne 0 ]; then
			for m in "${batch[@]}"; do
				# shellcheck disable=SC2086
				if ! run_both "$tmp/one" $opts "$m"; then
					bad=$((bad + 1))
					if [ "$bad" -le 3 ]; then
						echo "  mismatch [$label] modinfo $opts $m"
						diff "$tmp/one.k" "$tmp/one.l" | head -8 | sed 's/^/    /'
						echo "    exit: kmod $(cat "$tmp/one.kx") lkm $(cat "$tmp/one.lx")"
					fi
				fi
			done
		fi
	done
	if ! at_least $((total * per)) "$label: bytes of kmod's output" "$bytes"; then :
	elif [ "$bad" -eq 0 ]; then
		ok "$label: $total modules, $bytes bytes, 0 mismatches"
	else
		bad "$label: $total modules, $bad mismatches"
	fi
}

while read -r kver root; do
	base="$root/lib/modules/$kver"
	find "$base/kernel" -name '*.ko*' | sort >"$tmp/paths"
	sed 's|.*/||; s|\.ko.*||' "$tmp/paths" | sort -u >"$tmp/names"
	# One alias per module that has any (the first modules.alias line of each module).
	awk '!seen[$3]++ {print $2}' "$base/modules.alias" >"$tmp/aliases"
	cut -d' ' -f2 "$base/modules.builtin.modinfo" 2>/dev/null | head -0
	tr '\0' '\n' <"$base/modules.builtin.modinfo" | sed -n 's/^\([^.]*\)\.file=.*/\1/p' | sort -u | head -200 >"$tmp/builtins"
	k="-k $kver -b $root"
	echo "# $kver: $(wc -l <"$tmp/paths") module files, $(wc -l <"$tmp/aliases") aliases, $(wc -l <"$tmp/builtins") built-in names"
	check_list "$kver path plain" "$k" "$tmp/paths" 3000 200
	check_list "$kver path -0" "$k -0" "$tmp/paths" 3000 200
	check_list "$kver path -F description" "$k -F description" "$tmp/paths" 3000 10
	check_list "$kver path -F signer" "$k -F signer" "$tmp/paths" 3000 20
	check_list "$kver path -p" "$k -p" "$tmp/paths" 3000 5
	check_list "$kver path -n" "$k -n" "$tmp/paths" 3000 40
	check_list "$kver name plain" "$k" "$tmp/names" 3000 200
	check_list "$kver name -m -F depends" "$k -m -F depends" "$tmp/names" 3000 2
	check_list "$kver alias -F filename" "$k -F filename" "$tmp/aliases" 1000 40
	check_list "$kver alias plain" "$k" "$tmp/aliases" 1000 200
	check_list "$kver builtin plain" "$k" "$tmp/builtins" 100 20
	check_list "$kver builtin -0" "$k -0" "$tmp/builtins" 100 20
done <<<"$trees"
finish
