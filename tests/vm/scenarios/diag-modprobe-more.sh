# SPDX-License-Identifier: LGPL-2.1-or-later
# More of what modprobe and rmmod explain: a built-in module, a module that exists only
# for another kernel version, a softdep loop and an install-command loop, and a bad
# depmod.d line (file and line named). zswap is built into the 6.1 kernel only.
# kernel: 6.1.*
# expect: builtin.rc=0
# expect: rbuiltin.rc=1
# expect: rmbuiltin.rc=1
# expect: elsewhere.rc=1
# expect-lkm: table.rbuiltin=*zswap is builtin*
# expect-lkm: table.rmbuiltin=*Module zswap is builtin: it is part of the kernel image*
# expect-lkm: table.elsewhere=*not found in directory*exists for another kernel version: 0.0.1-lkm-other*
# expect-lkm: table.softloop=*loop*lkm_dep_a*
# expect-lkm: table.installloop=*loop*
# expect: depmodd.rc=0
# expect-lkm: table.depmodd=*/etc/depmod.d/bad.conf:1: ignoring bad line starting with 'serch'*
# kmod-bug: 0 softloop.rc
# kmod-bug: 0 installloop.rc
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
# A built-in module: loading it is a no-op, removing it is refused.
diag builtin $TOOLS/modprobe zswap
diag rbuiltin $TOOLS/modprobe -r zswap
diag rmbuiltin $TOOLS/rmmod zswap
# A module that only another kernel version under /lib/modules has.
mkdir -p /lib/modules/0.0.1-lkm-other/extra
cp "$EXTRA/lkm_log$KO" "/lib/modules/0.0.1-lkm-other/extra/lkm_elsewhere$KO"
/kmod/bin/depmod 0.0.1-lkm-other
diag elsewhere $TOOLS/modprobe lkm_elsewhere
# softdeps that need each other first; install commands that call each other.
mkdir -p /etc/modprobe.d
printf 'softdep lkm_dep_a pre: lkm_log\nsoftdep lkm_log pre: lkm_dep_a\n' >/etc/modprobe.d/loop.conf
diag softloop $TOOLS/modprobe lkm_dep_a
rm -f /etc/modprobe.d/loop.conf
printf 'install lkm_dep_a %s/modprobe lkm_log\ninstall lkm_log %s/modprobe lkm_dep_a\n' \
	"$TOOLS" "$TOOLS" >/etc/modprobe.d/iloop.conf
diag installloop timeout 20 $TOOLS/modprobe lkm_dep_a
rm -f /etc/modprobe.d/iloop.conf
# A malformed depmod.d line (-n: the indexes go to stdout, the tree stays as it is).
mkdir -p /etc/depmod.d
printf 'serch updates\n' >/etc/depmod.d/bad.conf
diag depmodd $TOOLS/depmod -n
rm -f /etc/depmod.d/bad.conf

scenario_cleanup() {
	rm -rf /lib/modules/0.0.1-lkm-other /etc/depmod.d/bad.conf /etc/modprobe.d/loop.conf \
		/etc/modprobe.d/iloop.conf
}
