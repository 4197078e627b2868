# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for scenarios (sourced in the guest). A scenario reports facts:
#   "@@ key=value"   compared between kmod and lkm, and checked by "# expect:" lines
#   "@@~ key=value"  informational (messages): shown, checkable, never compared
# Variables: TOOLS (/kmod/bin or /lkm/bin), TOOL (kmod|lkm), KVER, MODDIR, EXTRA (the
# test modules' directory), KO (.ko or .ko.xz).
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
EXTRA=$MODDIR/extra

fact() { # key value...
	local k=$1
	shift
	echo "@@ $k=$(echo "$*" | tr '\n' ' ' | sed 's/ *$//')"
}

note() { # key value...
	local k=$1
	shift
	echo "@@~ $k=$(echo "$*" | tr '\n' ' ' | sed 's/ *$//')"
}

# run KEY CMD...: run a command, show its output, record KEY.rc (compared) and
# KEY.out / KEY.err (informational, first 300 bytes).
run() {
	local k=$1 rc
	shift
	echo "\$ $*"
	"$@" >/tmp/run.out 2>/tmp/run.err
	rc=$?
	sed 's/^/  1| /' /tmp/run.out
	sed 's/^/  2| /' /tmp/run.err
	fact "$k.rc" "$rc"
	note "$k.out" "$(head -c 300 /tmp/run.out)"
	note "$k.err" "$(head -c 300 /tmp/run.err)"
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
	if grep -q "^$2 " /proc/modules; then fact "$1" yes; else fact "$1" no; fi
}

param() { # key module parameter
	if [ -r "/sys/module/$2/parameters/$3" ]; then
		fact "$1" "$(cat "/sys/module/$2/parameters/$3")"
	else
		fact "$1" "<none>"
	fi
}

# Did the kernel log a line matching the pattern since the scenario started? yes/no
klog() { # key grep-pattern
	if dmesg | grep -q -e "$2"; then fact "$1" yes; else fact "$1" no; fi
	note "$1.lines" "$(dmesg | grep -e "$2" | sed 's/^\[[^]]*\] //' | head -n 3)"
}

# The order in which test modules ran their init, from their "lkm_x: init" lines.
initorder() { # key
	fact "$1" "$(dmesg | sed -n 's/^\[[^]]*\] \(lkm_[a-z_]*\): init.*/\1/p' | xargs)"
}
