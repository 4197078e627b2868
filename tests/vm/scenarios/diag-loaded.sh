# SPDX-License-Identifier: LGPL-2.1-or-later
# A module loaded twice: lkm gives its state.
# expect: first.rc=0
# expect: twice.rc=1
# expect: table.twice=*lkm_log already exists in the kernel: it is loaded (state: live)*
# kmod-bug: terse table.twice kmod says only "File exists"
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
run first $TOOLS/insmod $EXTRA/lkm_log$KO
diag twice $TOOLS/insmod $EXTRA/lkm_log$KO
