# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest half of bench/vm-modprobe.sh, run by tests/vm/run-vm.sh as a scenario after
# the lines that set $bench_list, $bench_rounds and $bench_jobs (lkm's --jobs, or empty). The kmod pass does all the work,
# alternating kmod and lkm itself; the lkm pass does nothing. Each round loads the list
# with "modprobe -a" from one tool set, then from the other (the order alternates between
# rounds), timed with the microsecond timestamps of markers written to the trace buffer
# (BusyBox's date has no %N and /proc/uptime counts in 10 ms steps), and unloads
# everything in between with kmod. A warm-up round of each is not counted.
[ "$TOOL" = kmod ] || return 0
list=$bench_list
rounds=$bench_rounds

unload_all() { # back to the boot's modules, holders first
	local i=0 extra m
	/kmod/bin/modprobe -r -a $list 2>/dev/null
	while [ $i -lt 8 ]; do
		extra=$(awk 'NR == FNR { b[$1] = 1; next } !($1 in b) { print $1 }' \
			/run/baseline /proc/modules)
		[ -z "$extra" ] && return 0
		for m in $extra; do /kmod/bin/rmmod "$m" 2>/dev/null; done
		i=$((i + 1))
	done
	echo "@@WARN bench: could not unload $extra"
}

count_loaded() {
	awk 'NR == FNR { b[$1] = 1; next } !($1 in b) { n++ } END { print n + 0 }' \
		/run/baseline /proc/modules
}

# bench_user_xz=1: hide the kernel's decompression, so that lkm decompresses in
# userspace as kmod v30 always does.
if [ "${bench_user_xz:-}" = 1 ] && [ -e /sys/module/compression ]; then
	: >/tmp/no-compression
	mount --bind /tmp/no-compression /sys/module/compression
fi
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T
echo 1 >$T/tracing_on

# The seconds between the two markers of the trace buffer.
elapsed() {
	awk '/tracing_mark_write: bench-/ { for (i = 1; i <= NF; i++)
		if ($i ~ /^[0-9]+\.[0-9]+:$/) t[$NF] = $i + 0 }
		END { printf "%.6f", t["bench-end"] - t["bench-begin"] }' $T/trace
}

one() { # tool round: load the list once, report the time and how many modules loaded
	local rc n opts
	echo "/$1/bin/modprobe" >/proc/sys/kernel/modprobe
	: >$T/trace
	echo bench-begin >$T/trace_marker
	opts=
	[ "$1" = lkm ] && [ -n "${bench_jobs:-}" ] && opts="--jobs $bench_jobs"
	/$1/bin/modprobe -a $opts $list >/tmp/bench.err 2>&1
	rc=$?
	echo bench-end >$T/trace_marker
	n=$(count_loaded)
	echo "@@BENCH tool=$1 round=$2 secs=$(elapsed) rc=$rc loaded=$n"
	[ $rc -eq 0 ] || sed 's/^/  2| /' /tmp/bench.err
	unload_all
}

unload_all
one kmod warmup
one lkm warmup
i=1
while [ $i -le "$rounds" ]; do
	if [ $((i % 2)) -eq 1 ]; then
		one kmod $i
		one lkm $i
	else
		one lkm $i
		one kmod $i
	fi
	i=$((i + 1))
done
