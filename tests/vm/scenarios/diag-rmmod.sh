# SPDX-License-Identifier: LGPL-2.1-or-later
# rmmod refusals: held (the holder named, with the reference count), permanent (no exit
# function: what -f needs and the risk), not loaded.
# expect: held.rc=1
# expect: perm.rc=1
# expect: absent.rc=1
# expect: table.held=*Module lkm_dep_a is in use by: lkm_holder (reference count 1)*
# expect: table.perm=*Module lkm_noexit cannot be removed: it has no exit function*CONFIG_MODULE_FORCE_UNLOAD*
# expect: table.absent=*Module lkm_absent is not currently loaded*
# kmod-bug: terse table.held kmod gives no reference count and no way out
# kmod-bug: terse table.perm kmod says only "Device or resource busy"
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
/kmod/bin/insmod $EXTRA/lkm_dep_a$KO
/kmod/bin/insmod $EXTRA/lkm_holder$KO
/kmod/bin/insmod $EXTRA/lkm_noexit$KO
diag held $TOOLS/rmmod lkm_dep_a
diag perm $TOOLS/rmmod lkm_noexit
diag absent $TOOLS/rmmod lkm_absent
