# SPDX-License-Identifier: LGPL-2.1-or-later
# Symbol refusals that are not "nobody exports it": a proprietary module using a GPL-only
# export of a loaded module (the kernel hides it and logs only "Unknown symbol"), and a
# module using a namespaced export without MODULE_IMPORT_NS (-EINVAL). lkm_export
# exports both; lkm_proprietary is built apart from it (tests/modules/apart/).
# expect: export.rc=0
# expect: gpl.rc=1
# expect: gpl.klog=yes
# expect: ns.rc=1
# expect: ns.klog=yes
# expect: table.gpl=*lkm_proprietary cannot use lkm_export_gplonly: lkm_export exports it to GPL-compatible modules only (EXPORT_SYMBOL_GPL), and the licence of lkm_proprietary is 'Proprietary'*lkm_export_gplonly: exported by lkm_export with EXPORT_SYMBOL_GPL, which is loaded*--force does not help*
# expect: table.ns=*lkm_ns_noimport uses lkm_export_ns from the namespace LKM_TEST_NS without importing that namespace*exported by lkm_export in the namespace LKM_TEST_NS; lkm_ns_noimport imports: none*MODULE_IMPORT_NS(LKM_TEST_NS)*--force does not help*
# kmod-bug: terse table.gpl kmod says only "Unknown symbol in module", though lkm_export, which is loaded, exports the symbol
# kmod-bug: terse table.ns kmod says "Invalid parameters", though no parameter was given
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
run export /kmod/bin/insmod $EXTRA/lkm_export$KO
diag gpl $TOOLS/insmod $EXTRA/lkm_proprietary$KO
klog gpl.klog 'lkm_proprietary: Unknown symbol lkm_export_gplonly'
diag ns $TOOLS/insmod $EXTRA/lkm_ns_noimport$KO
klog ns.klog 'lkm_ns_noimport: module uses symbol (lkm_export_ns) from namespace LKM_TEST_NS, but does not import it'
