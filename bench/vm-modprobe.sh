#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "modprobe -a" of a list of real modules (41 names, about 64 modules with their
# dependencies) in the test VM (tests/vm/run-vm.sh: qemu, Debian's kernels), kmod and
# lkm alternately in the same boot, ROUNDS rounds after a warm-up. Prints for each
# kernel kmod's and lkm's median time and the ratio lkm/kmod (target: <= 1.0).
#
# qemu runs with -icount: the guest's clock then counts executed instructions (1 ns
# each), not host time, so the figures do not depend on how busy the host is and repeat
# exactly from run to run. LKM_VM_QEMU= (empty) measures host time instead.
#
#   bench/vm-modprobe.sh                    both kernels, one after the other
#   ROUNDS=9 LKM_VM_KERNELS='6.12*' bench/vm-modprobe.sh
#
# Environment: ROUNDS (default 3), LKM_VM_KERNELS (glob, default all), LKM_STATIC (the
# lkm binary; default: tests/vm/lkm-static.sh builds one), LKM_BENCH_LOGDIR (where the
# console logs stay, default a temporary directory removed at the end),
# LKM_BENCH_USER_XZ=1 (hide /sys/module/compression: lkm then decompresses .ko.xz in
# userspace like kmod v30, instead of passing the file to finit_module).
#
# LKM_BENCH_JOBS=N: the parallel variant. The guest gets N CPUs and lkm runs
# "modprobe -a --jobs N" (kmod, which has no --jobs, stays serial: the ratio is lkm
# parallel / kmod serial, target <= 0.7). -icount runs the vCPUs one after another and
# counts all their instructions on one clock, which would hide any overlap, so this
# variant measures host time (multi-threaded TCG) unless LKM_VM_QEMU says otherwise:
# its figures move with the host's load, run it on a quiet host, with more ROUNDS.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
vmdir=$src/tests/vm
rounds=${ROUNDS:-3}
jobs=${LKM_BENCH_JOBS:-}
case $jobs in '' | [1-9] | [1-9][0-9]) ;; *) echo "vm-modprobe: LKM_BENCH_JOBS=$jobs: a number from 1 to 99"; exit 1 ;; esac
target=1.0
if [ -n "$jobs" ]; then
	export LKM_VM_QEMU=${LKM_VM_QEMU-} LKM_VM_SMP=$jobs
	target=0.7
else
	export LKM_VM_QEMU=${LKM_VM_QEMU--icount shift=0,sleep=off}
fi

# Real modules that load without hardware in the VM, on both kernels; not raid456 or
# btrfs, whose raid6 init benchmark would take most of the time, nor vrf, which cannot
# be unloaded. libcrc32c (for nf_conntrack) makes the kernel request crypto-crc32c: each
# tool serves that request itself (/proc/sys/kernel/modprobe), from the modules in
# $ondemand, which are in the guest but not in the list.
list="fat msdos vfat nls_cp437 nls_iso8859-1 nls_utf8 nls_cp850 nls_ascii dummy ext4
	isofs udf squashfs minix hfs hfsplus nilfs2 jfs ufs qnx4 romfs overlay veth bridge
	macvlan ipvlan bonding tun vxlan ipip sit geneve 8021q team ifb nlmon nbd zram
	nf_conntrack nf_nat xt_conntrack"
list=$(echo $list)
ondemand="crc32c_generic crc32c-intel"

kernels=$("$vmdir/setup.sh") || { echo "vm-modprobe: setup.sh failed"; exit 1; }
LKM_STATIC=$("$vmdir/lkm-static.sh")
[ -n "$LKM_STATIC" ] || { echo "vm-modprobe: no lkm binary"; exit 1; }
export LKM_STATIC

work=$(mktemp -d "${TMPDIR:-/tmp}/lkm-bench-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
logdir=${LKM_BENCH_LOGDIR:-$work}
mkdir -p "$logdir"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "lkm: $LKM_STATIC; kmod: $(kmod --version | head -n 1); $(nproc) host CPUs;" \
	"$rounds rounds, median; qemu ${LKM_VM_QEMU:-(host clock)}; modprobe -a of $(wc -w <<<"$list") names" \
	"${jobs:+; $jobs guest CPUs, lkm with --jobs $jobs}"
status=0
while read -r kver tree; do
	case $kver in ${LKM_VM_KERNELS:-*}) ;; *) continue ;; esac
	log=$logdir/bench-$kver.txt
	# The scenario run in the guest: the guest half behind its two settings.
	{ echo "bench_list='$list'"; echo "bench_rounds=$rounds"
	  echo "bench_user_xz=${LKM_BENCH_USER_XZ:-}"; echo "bench_jobs=$jobs"; cat "$here/vm-modprobe-guest.sh"; } \
		>"$work/vm-modprobe.sh"
	echo "# $kver: booting (log: $log)"
	LKM_VM_MODULES="$list $ondemand" LKM_VM_QUIET=1 LKM_VM_LOG=$log LKM_VM_STEP=$((60 + rounds * 120)) \
		LKM_VM_TIMEOUT=$((300 + rounds * 240)) \
		"$vmdir/run-vm.sh" "$kver" "$work/vm-modprobe.sh" >"$work/run.out" 2>&1 ||
		{ sed 's/^/# /' "$work/run.out"; echo "$kver: the VM run failed"; status=1; continue; }
	tr -d '\r' <"$log" | grep '^@@BENCH ' >"$work/bench" || true
	for t in kmod lkm; do
		grep " tool=$t " "$work/bench" | grep -v round=warmup |
			sed 's/.* secs=\([0-9.]*\) .*/\1/' >"$work/$t"
	done
	bad=$(grep -v ' rc=0 ' "$work/bench" | head -n 3)
	loaded=$(sed 's/.* loaded=//' "$work/bench" | sort -u | xargs)
	if [ -n "$bad" ] || [ "$(wc -w <<<"$loaded")" -ne 1 ]; then
		echo "$kver: a load failed or the tools loaded different sets (loaded: $loaded):"
		echo "$bad"
		status=1
	fi
	k=$(median <"$work/kmod")
	l=$(median <"$work/lkm")
	[ -n "$k" ] && [ -n "$l" ] || { echo "$kver: no timings in $log"; status=1; continue; }
	# A busy host slows whole rounds: the ratio within each round (both tools ran back to
	# back) is steadier than the ratio of the medians, so print its median too.
	pr=$(awk '!/round=warmup/ { split($2, t, "="); split($3, r, "="); split($4, s, "=")
		v[r[2], t[2]] = s[2]; rounds[r[2]] = 1 }
		END { for (i in rounds) if (v[i, "kmod"] > 0) print v[i, "lkm"] / v[i, "kmod"] }' \
		"$work/bench" | median)
	awk -v n="$kver${jobs:+-jobs$jobs}" -v k="$k" -v l="$l" -v m="$loaded" \
		-v ks="$(xargs <"$work/kmod")" -v ls="$(xargs <"$work/lkm")" -v pr="$pr" \
		-v tg="$target" 'BEGIN {
		r = l / k
		printf "modprobe-a-vm-%-20s kmod %6.2f s   lkm %6.2f s   ratio %.3f (target <= %s) %s\n",
			n, k, l, r, tg, (r <= tg) ? "ok" : "SLOWER THAN TARGET"
		printf "  median of the per-round ratios lkm/kmod: %.3f\n", pr
		printf "  %s modules loaded each time; kmod: %s; lkm: %s\n", m, ks, ls }'
done <<<"$kernels"
exit $status
