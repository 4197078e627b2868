# SPDX-License-Identifier: LGPL-2.1-or-later
# Unknown symbols: a symbol nobody exports, and one whose exporter is not loaded (lkm_holder
# needs lkm_dep_a). lkm names each symbol, its exporter and suggests modprobe.
# expect: nobody.rc=1
# expect: holder.rc=1
# expect: table.nobody=*lkm_unknown_sym needs a symbol that neither the kernel nor a loaded module exports: lkm_no_such_symbol*no module in*modules.symbols.bin exports it*
# expect: table.holder=*lkm_holder needs a symbol*lkm_dep_a_get*exported by lkm_dep_a, which is not loaded*modprobe lkm_holder*
# kmod-bug: terse table.nobody kmod says only "Unknown symbol in module"
# kmod-bug: terse table.holder kmod says only "Unknown symbol in module"
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
diag nobody $TOOLS/insmod $EXTRA/lkm_unknown_sym$KO
diag holder $TOOLS/insmod $EXTRA/lkm_holder$KO
