# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for scenarios (sourced in the guest). A scenario reports facts:
#   "@@ key=value"   compared between kmod and lkm, and checked by "# expect:" lines
#   "@@~ key=value"  informational (messages): shown, checkable, never compared
# Variables: TOOLS (/kmod/bin or /lkm/bin), TOOL (kmod|lkm), KVER, MODDIR, EXTRA (the
# test modules' directory), KO (.ko or .ko.xz).
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
EXTRA=$MODDIR/extra

# Forks are slow under TCG (tens of ms each), so the helpers use shell builtins where
# they can.
nl='
'

oneline() { # text -> text with newlines as spaces, trailing blanks trimmed, in $v
	v=$*
	case $v in *"$nl"*) v=$(echo "$v" | tr '\n' ' ') ;; esac
	while :; do case $v in *" ") v=${v%" "} ;; *) break ;; esac; done
}

fact() { # key value...
	local k=$1 v
	shift
	oneline "$*"
	echo "@@ $k=$v"
}

note() { # key value...
	local k=$1 v
	shift
	oneline "$*"
	echo "@@~ $k=$v"
}

# show FILE PREFIX: print the file's lines with a prefix, and join them into $joined.
show() {
	local l
	joined=
	while IFS= read -r l || [ -n "$l" ]; do
		echo "$2$l"
		joined="$joined$l "
	done <"$1"
}

# run KEY CMD...: run a command, show its output, record KEY.rc (compared) and
# KEY.out / KEY.err (informational).
run() {
	local k=$1 rc
	shift
	echo "\$ $*"
	"$@" >/tmp/run.out 2>/tmp/run.err
	rc=$?
	show /tmp/run.out "  1| "
	note "$k.out" "$joined"
	show /tmp/run.err "  2| "
	note "$k.err" "$joined"
	fact "$k.rc" "$rc"
	return 0
}

# Loaded modules that were not there at boot, as "name:refcount:users", sorted.
modstate() { # key
	fact "$1" "$(awk 'NR == FNR { base[$1] = 1; next }
		!($1 in base) { u = $4; if (u == "-") u = ""; sub(/,$/, "", u);
			n = split(u, a, ","); s = "";
			for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") a[i];
			print $1 ":" $3 ":" s }' /run/baseline /proc/modules |
		sort_users | sort | xargs)"
}

sort_users() { # sort the user list of each "name:ref:u1,u2" line
	while IFS=: read -r n r u; do
		echo "$n:$r:$(echo "$u" | tr ',' '\n' | sort | xargs | tr ' ' ',')"
	done
}

# Whether each module is loaded: key=yes/no
loaded() { # key module
	if [ -f "/sys/module/$2/initstate" ]; then fact "$1" yes; else fact "$1" no; fi
}

param() { # key module parameter
	local p
	if [ -r "/sys/module/$2/parameters/$3" ]; then
		read -r p <"/sys/module/$2/parameters/$3"
		fact "$1" "$p"
	else
		fact "$1" "<none>"
	fi
}

# Did the kernel log a line matching the pattern since the scenario started? yes/no
klog() { # key grep-pattern
	dmesg | grep -e "$2" >/tmp/klog
	if [ -s /tmp/klog ]; then fact "$1" yes; else fact "$1" no; fi
	show /tmp/klog "  k| " >/dev/null
	note "$1.lines" "$joined"
}

# The order in which test modules ran their init, from their "lkm_x: init" lines.
initorder() { # key
	fact "$1" "$(dmesg | sed -n 's/^\[[^]]*\] \(lkm_[a-z_]*\): init.*/\1/p' | xargs)"
}

# Which load syscalls the tools made, seen through the kernel's syscall tracepoints (there
# is no strace in the guest): "finit:FLAGS" (hex, 4 = MODULE_INIT_COMPRESSED_FILE) or
# "init" (init_module with an image decompressed in userspace), in call order.
TRACE=/sys/kernel/tracing
trace_loads() { # start recording (again), from an empty buffer
	[ -d $TRACE/events ] || mount -t tracefs tracefs $TRACE || return 1
	echo 1 >$TRACE/events/syscalls/sys_enter_finit_module/enable
	echo 1 >$TRACE/events/syscalls/sys_enter_init_module/enable
	: >$TRACE/trace
	echo 1 >$TRACE/tracing_on
}

# loadcalls KEY [fact]: a note (or a fact) of the load syscalls since trace_loads, then
# start again. A note by default: kmod v30 and lkm take different paths on 6.12.
loadcalls() {
	${2:-note} "$1" "$(sed -n -e 's/.* sys_finit_module(.*flags: \([0-9a-f]*\)).*/finit:\1/p' \
		-e 's/.* sys_init_module(.*/init/p' $TRACE/trace | xargs)"
	: >$TRACE/trace
}

trace_loads_stop() {
	[ -d $TRACE/events ] || return 0
	echo 0 >$TRACE/events/syscalls/sys_enter_finit_module/enable
	echo 0 >$TRACE/events/syscalls/sys_enter_init_module/enable
	: >$TRACE/trace
}

# libkmod KEY CONSUMER: a note of the libkmod.so.2 that a consumer's wrapper in $TOOLS
# (systemd-udevd, ...) makes it load, as the dynamic loader resolves it, or why the
# wrapper cannot run it (no lkm libkmod.so.2 in the initramfs); KEY.source, where the
# library came from; for lkm's, KEY.lacks, the consumers' functions it does not define.
libkmod() {
	local out v
	out=$(LD_TRACE_LOADED_OBJECTS=1 "$2" 2>&1)
	v=$(echo "$out" | sed -n 's/^[[:space:]]*libkmod\.so\.2 => \([^ ]*\) .*/\1/p')
	note "$1" "${v:-none: $out}"
	if [ -f "/$TOOL/lib/SOURCE" ]; then
		note "$1.source" "$(cat "/$TOOL/lib/SOURCE")"
	else
		note "$1.source" "$(cat "/$TOOL/lib/MISSING" 2>/dev/null)"
	fi
	# The functions of the consumers' that the library does not define (run-vm.sh).
	[ -f "/$TOOL/lib/LACKS" ] && note "$1.lacks" "$(cat "/$TOOL/lib/LACKS")"
	return 0
}
