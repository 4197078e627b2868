# SPDX-License-Identifier: LGPL-2.1-or-later
# A stale index on the real kernel: a module copied into extra/ after depmod ran (the
# initramfs's indexes were written on the host), and a module whose file was removed
# after it. Both exit 1 with both tool sets; lkm says depmod has not run and to run it.
# Its notes are stale.*, not table.*: the README's table does not list them.
# kernel: 6.1.*
# expect: notfound.rc=1
# expect: gone.rc=1
# expect: check.rc=1
# expect: loaded=no
# expect-lkm: stale.notfound=*Module lkm_stale not found in directory /lib/modules/*<br>  depmod has not run since /lib/modules/*/extra/lkm_stale.ko* was installed: the file is from *, /lib/modules/*/modules.dep from *<br>  run `depmod` to index it
# expect-lkm: stale.gone=*could not insert 'lkm_log': lkm_log has no module file: /lib/modules/*/modules.dep lists /lib/modules/*/extra/lkm_log.ko*, which no longer exists (the index is stale)*run `depmod` to rewrite the index*
# expect-lkm: stale.check=*lkm_log: problem: modules.dep lists /lib/modules/*/extra/lkm_log.ko*, which no longer exists: the index is stale; run `depmod`*
# kmod-bug: nocheck check.rc kmod has no --check (its 1 is an unknown option)
stale() { # CASE: the whole stderr (stdout for check) as note stale.CASE
	note "stale.$1" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' "$2")"
}
# The new file must be newer than modules.dep, whatever the clocks of host and guest;
# cleanup puts modules.dep's time back.
[ -f /tmp/lkm-dep.time ] || touch -r "$MODDIR/modules.dep" /tmp/lkm-dep.time
touch -d '2001-01-01 00:00:00' "$MODDIR/modules.dep"
cp "$EXTRA/lkm_log$KO" "$EXTRA/lkm_stale$KO"
run notfound $TOOLS/modprobe lkm_stale
stale notfound /tmp/run.err
rm -f "$EXTRA/lkm_stale$KO"
mv "$EXTRA/lkm_log$KO" /tmp/lkm_log.saved
run gone $TOOLS/modprobe lkm_log
stale gone /tmp/run.err
run check $TOOLS/modprobe --check lkm_log
stale check /tmp/run.out
mv /tmp/lkm_log.saved "$EXTRA/lkm_log$KO"
loaded loaded lkm_log

scenario_cleanup() {
	rm -f "$EXTRA/lkm_stale$KO"
	[ -f /tmp/lkm_log.saved ] && mv /tmp/lkm_log.saved "$EXTRA/lkm_log$KO"
	[ -f /tmp/lkm-dep.time ] && touch -r /tmp/lkm-dep.time "$MODDIR/modules.dep" &&
		rm -f /tmp/lkm-dep.time
	return 0
}
