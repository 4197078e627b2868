# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe and its configuration: an alias whose module is blacklisted loads nothing and
# exits 0 (kmod says nothing; lkm names the file and line), and a malformed line is
# reported with its file and line by both (lkm adds what to do).
# expect: alias.rc=0
# expect: alias.loaded=no
# expect: badline.rc=0
# expect-lkm: table.alias=*Module lkm_alias is blacklisted by /etc/modprobe.d/diag-bl.conf line 2*
# expect: table.badline=*/etc/modprobe.d/diag-bad.conf line 1: ignoring bad line starting with 'aliass'*
# expect-lkm: table.badline=*line 1: ignoring bad line*<br>  that line was skipped; see modprobe.d(5)*
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
printf '# keep the test alias out\nblacklist lkm_alias\n' >/etc/modprobe.d/diag-bl.conf
diag alias $TOOLS/modprobe lkm-test-alias
loaded alias.loaded lkm_alias
printf 'aliass lkm-x lkm_dep_a\n' >/etc/modprobe.d/diag-bad.conf
diag badline $TOOLS/modprobe -n lkm_dep_a
