# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe of a name that finds nothing: kmod's words and exit code, then the close names
# in modules.dep ("did you mean"), for loading and for -r. -q silences both.
# expect: typo.rc=1
# expect: rtypo.rc=1
# expect: quiet.rc=1
# expect: quiet.err=
# expect: table.typo=*Module lkm_dpe_a not found in directory /lib/modules/*
# expect: table.rtypo=*Module lkm_dpe_a not found.*
# expect-lkm: table.typo=*not found in directory*<br>  did you mean lkm_dep_a?*
# expect-lkm: table.rtypo=*not found.<br>  did you mean lkm_dep_a?*
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
diag typo $TOOLS/modprobe lkm_dpe_a
diag rtypo $TOOLS/modprobe -r lkm_dpe_a
run quiet $TOOLS/modprobe -q lkm_dpe_a
