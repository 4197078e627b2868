# SPDX-License-Identifier: LGPL-2.1-or-later
# No module support as the tools see it: no /proc/modules (an empty tmpfs over /proc, in
# a mount namespace of its own so that nothing else loses /proc). The exit codes are
# kmod's; lkm's insmod --check names the missing /proc/modules (kmod has no --check).
# expect: lsmod.rc=1
# expect: rmmod.rc=1
# expect-kmod: table.lsmod=*could not open /proc/modules*
# expect-lkm: table.lsmod=*could not get list of modules: /proc/modules: No such file*
# expect-lkm: check.rc=1
# expect-lkm: check.out=*problem: this kernel has no module support (no /proc/modules)*
cat >noproc.sh <<'INNER'
. /vm/lib.sh
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
mount -t tmpfs none /proc
diag lsmod $TOOLS/lsmod
diag rmmod $TOOLS/rmmod lkm_absent
$TOOLS/insmod --check $EXTRA/lkm_log$KO >/tmp/check.out 2>&1
note check.rc $?
note check.out "$(cat /tmp/check.out)"
INNER
TOOLS=$TOOLS KO=$KO unshare -m sh noproc.sh
