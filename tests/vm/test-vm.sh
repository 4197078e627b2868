#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The VM test: boot each Debian kernel once with the scenarios of tests/vm/scenarios (and
# once more for each scenario with "# boot: own"), then check each scenario run against
# its "# expect:" lines, and lkm's facts against kmod's (the oracle). See tests/vm/README.md.
#
# Environment: LKM_VM_KERNELS (glob of kernel versions, default all), LKM_VM_SCENARIOS
# (space-separated names, default all), LKM_VM_NOBOOT=1 (check the logs of the last run
# again without booting), LKM_VM_JOBS (VMs at once, default: the number of cores), plus
# everything run-vm.sh takes.
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

# check KVER SCENARIO DIR FILE: one awk (forks are slow on a busy host) prints the three
# results of a scenario: kmod meets the "# expect:" lines, lkm does, lkm agrees with kmod
# on every fact except those of "# kmod-bug:" lines.
check() {
	awk -v kver="$1" -v s="$2" '
	function glob2re(g,    i, c, r) {
		r = ""
		for (i = 1; i <= length(g); i++) {
			c = substr(g, i, 1)
			if (c == "*") r = r ".*"
			else if (c == "?") r = r "."
			else if (index("\\^$.|+(){}[]/", c)) r = r "\\" c
			else r = r c
		}
		return "^" r "$"
	}
	FILENAME == ARGV[1] {
		# "# expect-kmod:" and "# expect-lkm:" bind one tool only.
		if (match($0, /^# expect(-kmod|-lkm)?: */)) {
			etool[++ne] = substr($0, 1, RLENGTH); sub(/^# expect-?/, "", etool[ne])
			sub(/:.*/, "", etool[ne]); $0 = substr($0, RLENGTH + 1)
			n = index($0, "="); ekey[ne] = substr($0, 1, n - 1); eglob[ne] = substr($0, n + 1) }
		else if (/^# kmod-bug: /) bug[$4] = 1
		next
	}
	FILENAME == ARGV[2] { t = "kmod" }
	FILENAME == ARGV[3] { t = "lkm" }
	FILENAME == ARGV[4] { if ($1 == s ".kmod" || $1 == s ".lkm") { sub(/^[^ ]* /, ""); left[$0] = 1 } next }
	{
		n = index($0, "="); k = substr($0, 3, n - 3); v = substr($0, n + 1)
		if (substr($0, 1, 1) == "f") {
			if (!((t, k) in has)) { fact[t, k] = v; has[t, k] = 1; keys[k] = 1 }
		}
		else if (!((t, k) in nhas)) { note[t, k] = v; nhas[t, k] = 1 }
	}
	function expect(t,    i, v, bad) {
		bad = ""
		if (fact[t, "run.rc"] != "0")
			bad = bad "; the scenario died (rc=" fact[t, "run.rc"] ", 137 = killed by the step timeout)"
		for (i = 1; i <= ne; i++) {
			if (t == "kmod" && (ekey[i] in bug)) continue
			if (etool[i] != "" && etool[i] != t) continue
			if ((t, ekey[i]) in has) v = fact[t, ekey[i]]
			else if ((t, ekey[i]) in nhas) v = note[t, ekey[i]]
			else { bad = bad "; " ekey[i] " missing (expected \047" eglob[i] "\047)"; continue }
			if (v !~ glob2re(eglob[i]))
				bad = bad "; " ekey[i] "=\047" v "\047 (expected \047" eglob[i] "\047)"
		}
		if (bad == "") print "PASS " kver " " s ": " t " meets the expectations"
		else print "FAIL " kver " " s ": " t ":" substr(bad, 2)
	}
	END {
		for (l in left) bad_left = bad_left " " l
		expect("kmod"); expect("lkm")
		if (bad_left != "") print "FAIL " kver " " s ": modules left behind:" bad_left
		bad = ""
		nk = 0
		for (k in keys) sorted[++nk] = k
		for (i = 2; i <= nk; i++) for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) {
			k = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = k }
		for (i = 1; i <= nk; i++) {
			k = sorted[i]
			if (k in bug) continue
			vk = (("kmod", k) in has) ? fact["kmod", k] : "<missing>"
			vl = (("lkm", k) in has) ? fact["lkm", k] : "<missing>"
			if (vk != vl) bad = bad "; " k ": lkm=\047" vl "\047 kmod=\047" vk "\047"
		}
		if (bad == "") print "PASS " kver " " s ": lkm agrees with kmod"
		else print "FAIL " kver " " s ": lkm differs from kmod:" substr(bad, 2)
	}' "$4" "$3/$2.kmod" "$3/$2.lkm" "$3/leftovers"
}

# Logs go to the build directory when there is one: the cache is shared by concurrent runs.
logdir=${LKM_BUILD_ROOT:-$cache/vm}/vm-logs
mkdir -p "$logdir"

# Build lkm once, not in each of the concurrent run-vm.sh.
LKM_STATIC=$("$here/lkm-static.sh")
export LKM_STATIC

# Scenarios with "# boot: own" (a kernel command line of their own, or an irreversible
# change such as kernel.modules_disabled) get a boot each; all others share one boot per
# kernel. A job is "KVER TAG SCENARIO...", TAG being "shared" or the scenario's name.
own_boot() { grep -q '^# boot: *own' "$here/scenarios/$1.sh" 2>/dev/null; }
for_kernel() { # scenario kver: does its "# kernel:" glob admit the kernel?
	local glob
	glob=$(sed -n 's/^# kernel: *//p' "$here/scenarios/$1.sh" 2>/dev/null | head -n 1)
	# shellcheck disable=SC2254
	[ -z "$glob" ] || case $2 in $glob) true ;; *) false ;; esac
}
vmjobs=()
while read -r kver _; do
	# shellcheck disable=SC2254
	case $kver in ${LKM_VM_KERNELS:-*}) ;; *) continue ;; esac
	shared=
	for s in $scenarios; do
		if own_boot "$s"; then
			for_kernel "$s" "$kver" && vmjobs+=("$kver $s $s")
		else
			shared="$shared $s"
		fi
	done
	[ -n "$shared" ] && vmjobs=("$kver shared$shared" "${vmjobs[@]}")
done <<<"$kernels"
[ ${#vmjobs[@]} -gt 0 ] || { ko "no kernel matches LKM_VM_KERNELS=${LKM_VM_KERNELS:-}"; finish; }

joblog() { # kver tag
	if [ "$2" = shared ]; then echo "$logdir/log-$1.txt"; else echo "$logdir/log-$1--$2.txt"; fi
}

# Each qemu (TCG) keeps one host core busy: at most LKM_VM_JOBS (default: the number of
# cores) at once, the shared boots first since they take longest.
maxjobs=${LKM_VM_JOBS:-$(nproc)}
declare -A vmpid
for job in "${vmjobs[@]}"; do
	read -r kver tag list <<<"$job"
	d=$work/$kver/$tag
	mkdir -p "$d"
	log=$(joblog "$kver" "$tag")
	if [ -n "${LKM_VM_NOBOOT:-}" ]; then
		echo "# $kver $tag: not booting (LKM_VM_NOBOOT): checking $log" >"$d/run-vm.out"
		true &
		vmpid[$job]=$!
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$maxjobs" ]; do wait -n; done
	echo "# booting $kver ($tag) with: $list"
	# shellcheck disable=SC2086
	LKM_VM_QUIET=1 LKM_VM_LOG=$log "$here/run-vm.sh" "$kver" $list >"$d/run-vm.out" 2>&1 &
	vmpid[$job]=$!
done

for job in "${vmjobs[@]}"; do
	read -r kver tag list <<<"$job"
	d=$work/$kver/$tag
	log=$(joblog "$kver" "$tag")
	wait "${vmpid[$job]}"
	rc=$?
	sed 's/^/# /' "$d/run-vm.out"
	if [ $rc -ne 0 ]; then
		ko "$kver ($tag): the VM run failed; console log: $log"
		tail -n 30 "$log" 2>/dev/null | sed 's/^/# /'
		continue
	fi
	echo "# $kver ($tag): $(sed -n 's/^@@BOOT .*uptime=//p' "$log" | tr -d '\r') s to userspace," \
		"$(sed -n 's/^@@DONE uptime=//p' "$log" | tr -d '\r') s guest uptime at the end; log: $log"
	tr -d '\r' <"$log" >"$d/log"
	split_log "$d/log" "$d"
	for s in $list; do
		sf=$here/scenarios/$s.sh
		if [ ! -f "$d/$s.kmod" ] && [ ! -f "$d/$s.lkm" ]; then
			grep -q '^# kernel:' "$sf" && { echo "# $kver $s: not for this kernel"; continue; }
			ko "$kver $s: did not run"
			continue
		fi
		if [ ! -f "$d/$s.kmod" ] || [ ! -f "$d/$s.lkm" ]; then
			ko "$kver $s: a run is missing (kmod: $([ -f "$d/$s.kmod" ] && echo ran || echo no), lkm: $([ -f "$d/$s.lkm" ] && echo ran || echo no))"
			continue
		fi
		while IFS= read -r line; do
			case $line in
			PASS\ *) ok "${line#PASS }" ;;
			*) ko "${line#FAIL }" ;;
			esac
		done < <(check "$kver" "$s" "$d" "$sf")
	done
done
# An own-boot scenario skipped on a kernel is no failure, but say so.
while read -r kver _; do
	# shellcheck disable=SC2254
	case $kver in ${LKM_VM_KERNELS:-*}) ;; *) continue ;; esac
	for s in $scenarios; do
		own_boot "$s" && ! for_kernel "$s" "$kver" && echo "# $kver $s: not for this kernel"
	done
done <<<"$kernels"
finish
