# SPDX-License-Identifier: LGPL-2.1-or-later
# Init failures: -EIO (its name, its meaning and the module's own log lines), and a
# positive return (the module stays loaded; the kernel only warns, and so does lkm).
# expect: eio.rc=1
# expect: positive.rc=0
# expect: table.eio=*lkm_init_eio was accepted, but its init function failed with EIO (Input/output error)*kernel: lkm_init_eio*
# expect: table.positive=*lkm_init_positive was loaded, but its init function returned 42*
# kmod-bug: terse table.eio kmod says only "Input/output error"
# kmod-bug: terse table.positive kmod says nothing about the kernel's warning
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
diag eio $TOOLS/insmod $EXTRA/lkm_init_eio$KO
diag positive $TOOLS/insmod $EXTRA/lkm_init_positive$KO
