#!/bin/bash
# Differential test: lkm's modinfo against kmod's (the oracle) on every module of the
# two Debian trees: plain, -F, -0, -p and -n; by path, by name and by alias. Modules are
# passed many to a call (both tools accept a list), and a batch that differs is split
# down to the modules that differ, which are counted and shown.
set -u
LKM=${LKM:?path of the lkm binary}
here=$(cd "$(dirname "$0")" && pwd)
trees=$("$here/../tools/fetch-trees.sh") || { echo "cannot get the test trees"; echo "0 passed, 1 failed"; exit 1; }
command -v modinfo >/dev/null || { echo "kmod's modinfo is missing"; echo "0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
BATCH=${BATCH:-400}

# compare_batch LABEL ARGS... -- MODULES...: exact stdout, stderr presence, exit code.
run_both() { # out-prefix args...
	local p=$1; shift
	modinfo "$@" >"$p.k" 2>"$p.ke"; echo $? >"$p.kx"
	"$LKM" modinfo "$@" >"$p.l" 2>"$p.le"; echo $? >"$p.lx"
	cmp -s "$p.k" "$p.l" && cmp -s "$p.kx" "$p.lx"
}

mismatches=0
check_list() { # label "opts" list-file
	local label=$1 opts=$2 list=$3 n total=0 bad=0
	mapfile -t items <"$list"
	total=${#items[@]}
	for ((i = 0; i < total; i += BATCH)); do
		local batch=("${items[@]:i:BATCH}")
		# shellcheck disable=SC2086
		if ! run_both "$tmp/b" $opts "${batch[@]}"; then
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
	if [ "$bad" -eq 0 ]; then
		echo "ok   $label: $total modules, 0 mismatches"
		passed=$((passed + 1))
	else
		echo "FAIL $label: $total modules, $bad mismatches"
		failed=$((failed + 1))
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
	check_list "$kver path plain" "$k" "$tmp/paths"
	check_list "$kver path -0" "$k -0" "$tmp/paths"
	check_list "$kver path -F description" "$k -F description" "$tmp/paths"
	check_list "$kver path -F signer" "$k -F signer" "$tmp/paths"
	check_list "$kver path -p" "$k -p" "$tmp/paths"
	check_list "$kver path -n" "$k -n" "$tmp/paths"
	check_list "$kver name plain" "$k" "$tmp/names"
	check_list "$kver name -m -F depends" "$k -m -F depends" "$tmp/names"
	check_list "$kver alias -F filename" "$k -F filename" "$tmp/aliases"
	check_list "$kver alias plain" "$k" "$tmp/aliases"
	check_list "$kver builtin plain" "$k" "$tmp/builtins"
	check_list "$kver builtin -0" "$k -0" "$tmp/builtins"
done <<<"$trees"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
