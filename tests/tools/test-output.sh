#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Standard output that cannot be written: every tool flushes it once at its end and a
# failed write is an error, "TOOL: ERROR: cannot write the output: REASON" and exit 1
# (kmod exits 0 with the output lost). A reader that went away is not an error: with
# SIGPIPE ignored, a pipe closed early leaves the exit status as it was. The output of a
# tool that succeeds is the same whether it ends through this path or not.
set -uo pipefail
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
test_setup output LKM LKM_MAKE_MODULE

mkdir -p "$tmp/bin" "$tmp/root/lib/modules/9.9/kernel" "$tmp/conf" || need "fixture dirs" false
for t in modprobe modinfo depmod lsmod kmod; do
	ln -s "$LKM" "$tmp/bin/$t" || need "link $t" false
done
mod=$tmp/root/lib/modules/9.9/kernel/lkm_out.ko
need "a module" "$LKM_MAKE_MODULE" "$mod" lkm_out alias=lkm-out-alias description=out
need "depmod" "$tmp/bin/depmod" -b "$tmp/root" 9.9
printf 'options lkm_out x=1\n' >"$tmp/conf/out.conf"

# full NAME TOOL ARGS...: to /dev/full: exit 1, an error line naming TOOL and the reason
# (depmod says it in its own words: "writing to standard output").
full() {
	local name=$1 tool=$2; shift 2
	"$tmp/bin/$tool" "$@" >/dev/full 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 1 ] && grep -q "^$tool: ERROR: .*: No space left on device$" "$tmp/err"; then
		ok "$name to a full disk: exit 1, said"
	else
		bad "$name to a full disk" "exit $rc, stderr: $(head -c 300 "$tmp/err")"
	fi
}
full "modinfo FILE" modinfo "$mod"
full "modinfo NAME" modinfo -b "$tmp/root" -k 9.9 lkm_out
full "modprobe -c" modprobe -C "$tmp/conf" -c
full "modprobe -D" modprobe -d "$tmp/root" -S 9.9 -C "$tmp/conf" -D lkm_out
full "modprobe -R" modprobe -d "$tmp/root" -S 9.9 -C "$tmp/conf" -R lkm-out-alias
full "depmod -n" depmod -n -b "$tmp/root" 9.9
full "kmod --help" kmod --help
full "kmod --version" kmod --version

# What it printed before: a tool's own failure keeps its status (modinfo of a missing
# module exits 1 already; the write error adds its line, not another status).
"$tmp/bin/modinfo" -b "$tmp/root" -k 9.9 lkm_out no_such_module >/dev/full 2>"$tmp/err"
rc=$?
check "a failure and a failed write: exit 1" [ $rc = 1 ]
check "a failure and a failed write: both said" \
	bash -c "grep -q 'no_such_module' '$tmp/err' && grep -q 'cannot write the output' '$tmp/err'"

# Closed stdout: the reason is the descriptor.
"$tmp/bin/modprobe" -C "$tmp/conf" -c >&- 2>"$tmp/err"
rc=$?
check "closed stdout: exit 1" [ $rc = 1 ]
check "closed stdout: named" grep -q 'cannot write the output: Bad file descriptor' "$tmp/err"

# A reader that leaves early, SIGPIPE ignored: no error, status 0. The output is long
# enough (a config dump of many lines) to outgrow the pipe's buffer.
for i in $(seq 1 4000); do echo "alias lkm-many-$i lkm_out"; done >"$tmp/conf/many.conf"
rc=$(trap '' PIPE; "$tmp/bin/modprobe" -C "$tmp/conf" -c 2>"$tmp/err" | head -1 >/dev/null;
     echo "${PIPESTATUS[0]}")
check "a reader gone early (EPIPE): exit 0" [ "$rc" = 0 ]
check "a reader gone early (EPIPE): nothing said" [ ! -s "$tmp/err" ]

# Output that is written: whole, to a file and through a pipe.
"$tmp/bin/modprobe" -C "$tmp/conf" -c >"$tmp/c.file" 2>"$tmp/err"; rc=$?
"$tmp/bin/modprobe" -C "$tmp/conf" -c 2>/dev/null | cat >"$tmp/c.pipe"
lines=$(wc -l <"$tmp/c.file")
at_least 4000 "modprobe -c lines" "$lines" &&
	check "modprobe -c: exit 0, the same to a file and a pipe" \
		bash -c "[ $rc = 0 ] && cmp -s '$tmp/c.file' '$tmp/c.pipe' && grep -q 'End of configuration files' '$tmp/c.file'"
"$tmp/bin/modinfo" -F description "$mod" >"$tmp/d" 2>&1
check "modinfo -F description: the output" grep -qx out "$tmp/d"
finish
