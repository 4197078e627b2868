# SPDX-License-Identifier: LGPL-2.1-or-later
# Signatures required (module.sig_enforce=1): an unsigned module is refused; lkm says
# that a signature is required, where kmod says only "Key was rejected by service".
# boot: own
# cmdline: module.sig_enforce=1
# kernel: 6.1.*
# expect: insmod.rc=1
# expect: modprobe.rc=1
# expect: loaded=no
# expect-kmod: table.insmod=*Key was rejected by service*
# expect-lkm: table.insmod=*lkm_log is not signed, and this kernel only loads signed modules*signatures are required*
# expect-lkm: table.modprobe=*lkm_log is not signed, and this kernel only loads signed modules*
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
diag insmod $TOOLS/insmod $EXTRA/lkm_log$KO
diag modprobe $TOOLS/modprobe lkm_log
loaded loaded lkm_log
