#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The VM test: boot each Debian kernel once with every scenario of tests/vm/scenarios,
# then check each scenario run against its "# expect:" lines, and lkm's facts against
# kmod's (the oracle). See tests/vm/README.md.
#
# Environment: LKM_VM_KERNELS (glob of kernel versions, default all), LKM_VM_SCENARIOS
# (space-separated names, default all), plus everything run-vm.sh takes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${LKM_CACHE:-/var/cache/lkm-test}
work=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

kernels=$("$here/setup.sh") || { ko "setup.sh failed: no VM test possible"; finish; }
if [ -n "${LKM_VM_SCENARIOS:-}" ]; then
	scenarios=$LKM_VM_SCENARIOS
else
	scenarios=$(cd "$here/scenarios" && ls *.sh | sed 's/\.sh$//' | xargs)
fi
[ -n "$scenarios" ] || { ko "no scenarios"; finish; }

# Split the console log into one file per run (DIR/SCENARIO.TOOL) holding its "@@ k=v"
# facts and "@@~ k=v" notes as "f k=v" and "n k=v" lines.
split_log() { # log dir
	awk -v dir="$2" '
		/^@@BEGIN / { split($2, a, "="); split($3, b, "="); f = dir "/" a[2] "." b[2]
			      printf "" > f; next }
		/^@@END / { for (i = 2; i <= NF; i++) if ($i ~ /^rc=/) print "f run.rc=" substr($i, 4) >> f
			    close(f); f = ""; next }
		f != "" && /^@@ / { print "f " substr($0, 4) >> f; next }
		f != "" && /^@@~ / { print "n " substr($0, 5) >> f; next }
	' "$1"
	# A @@LEFTOVER line follows the @@END of the run that left modules behind.
	awk '/^@@END /{ split($2, a, "="); split($3, b, "="); last = a[2] "." b[2] }
	     /^@@LEFTOVER /{ print last, substr($0, 20) }' "$1" >"$2/leftovers"
}

get() { # file kind key -> value (kind f or n; "" if absent, status 1)
	local line
	line=$(grep -m1 -F -e "$2 $3=" "$1" | grep -m1 -e "^$2 $3=") || return 1
	printf '%s' "${line#"$2 $3="}"
}

bugs_of() { # scenario file -> keys whose kmod value is a known kmod bug
	sed -n 's/^# kmod-bug: *[^ ]* \+\([^ ]*\).*/\1/p' "$1"
}

check_expect() { # kver scenario tool results scenariofile
	local kver=$1 s=$2 tool=$3 res=$4 sf=$5 bad= key glob v bugs
	bugs=$(bugs_of "$sf")
	v=$(get "$res" f run.rc)
	[ "$v" = 0 ] || bad="$bad; the scenario died (rc=$v${v:+, 137 = killed by the step timeout})"
	v=$(awk -v k="$s.$tool" '$1 == k { $1 = ""; print }' "$(dirname "$res")/leftovers")
	[ -z "$v" ] || bad="$bad; left modules behind:$v"
	while IFS= read -r line; do
		key=${line%%=*}
		glob=${line#*=}
		if [ "$tool" = kmod ] && echo "$bugs" | grep -qx -F -e "$key"; then
			continue
		fi
		if ! v=$(get "$res" f "$key") && ! v=$(get "$res" n "$key"); then
			bad="$bad; $key missing (expected '$glob')"
			continue
		fi
		# shellcheck disable=SC2053
		[[ $v == $glob ]] || bad="$bad; $key='$v' (expected '$glob')"
	done < <(sed -n 's/^# expect: *//p' "$sf")
	if [ -z "$bad" ]; then
		ok "$kver $s: $tool meets the expectations"
	else
		ko "$kver $s: $tool:${bad#;}"
	fi
}

check_compare() { # kver scenario dir scenariofile
	local kver=$1 s=$2 d=$3 sf=$4 bad= key vk vl bugs
	bugs=$(bugs_of "$sf")
	for key in $( (grep '^f ' "$d/$s.kmod"; grep '^f ' "$d/$s.lkm") | sed 's/^f //; s/=.*//' | sort -u); do
		echo "$bugs" | grep -qx -F -e "$key" && continue
		vk=$(get "$d/$s.kmod" f "$key") || vk="<missing>"
		vl=$(get "$d/$s.lkm" f "$key") || vl="<missing>"
		[ "$vk" = "$vl" ] || bad="$bad; $key: lkm='$vl' kmod='$vk'"
	done
	if [ -z "$bad" ]; then
		ok "$kver $s: lkm agrees with kmod"
	else
		ko "$kver $s: lkm differs from kmod:${bad#;}"
	fi
}

# Logs go to the build directory when there is one: the cache is shared by concurrent runs.
logdir=${LKM_BUILD_ROOT:-$cache/vm}/vm-logs
mkdir -p "$logdir"

# Build lkm once, not in each of the concurrent run-vm.sh.
LKM_STATIC=$("$here/lkm-static.sh")
export LKM_STATIC

# One VM per kernel, all at once: each qemu (TCG) keeps one host core busy.
declare -A vmpid vmstart
while read -r kver tree; do
	case $kver in ${LKM_VM_KERNELS:-*}) ;; *) continue ;; esac
	mkdir -p "$work/$kver"
	echo "# booting $kver with: $scenarios"
	vmstart[$kver]=$(date +%s)
	# shellcheck disable=SC2086
	LKM_VM_QUIET=1 LKM_VM_LOG=$logdir/log-$kver.txt "$here/run-vm.sh" "$kver" $scenarios \
		>"$work/$kver/run-vm.out" 2>&1 &
	vmpid[$kver]=$!
done <<<"$kernels"
[ ${#vmpid[@]} -gt 0 ] || { ko "no kernel matches LKM_VM_KERNELS=${LKM_VM_KERNELS:-}"; finish; }

for kver in $(echo "${!vmpid[@]}" | tr ' ' '\n' | sort -V); do
	d=$work/$kver
	log=$logdir/log-$kver.txt
	wait "${vmpid[$kver]}"
	rc=$?
	sed 's/^/# /' "$d/run-vm.out"
	if [ $rc -ne 0 ]; then
		ko "$kver: the VM run failed; console log: $log"
		tail -n 30 "$log" 2>/dev/null | sed 's/^/# /'
		continue
	fi
	echo "# $kver: VM run took $(($(date +%s) - vmstart[$kver]))s or less," \
		"$(sed -n 's/^@@BOOT .*uptime=//p' "$log" | tr -d '\r') s to userspace," \
		"$(sed -n 's/^@@DONE uptime=//p' "$log" | tr -d '\r') s guest uptime at the end; log: $log"
	tr -d '\r' <"$log" >"$d/log"
	split_log "$d/log" "$d"
	for s in $scenarios; do
		sf=$here/scenarios/$s.sh
		if [ ! -f "$d/$s.kmod" ] && [ ! -f "$d/$s.lkm" ]; then
			grep -q '^# kernel:' "$sf" && { echo "# $kver $s: not for this kernel"; continue; }
			ko "$kver $s: did not run"
			continue
		fi
		for tool in kmod lkm; do
			if [ -f "$d/$s.$tool" ]; then
				check_expect "$kver" "$s" "$tool" "$d/$s.$tool" "$sf"
			else
				ko "$kver $s: no $tool run"
			fi
		done
		[ -f "$d/$s.kmod" ] && [ -f "$d/$s.lkm" ] && check_compare "$kver" "$s" "$d" "$sf"
	done
done
finish
