# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe -a --jobs 2 on two CPUs: lkm loads independent modules at once, and must end
# where serial modprobe -a ends: the same modules loaded, the same exit code, the same
# messages in argument order. The list mixes real modules with shared dependencies
# (fat under msdos and vfat), test modules with dependencies (lkm_dep_c -> b -> a) and
# softdeps (lkm_softdep_main: pre and post), an options line, a blacklisted alias, an
# install command, an unknown name and a failing init (lkm_init_eio). Each tool loads
# the list serially, everything is unloaded, then loads it again: with --jobs 2 for
# lkm, serially again for kmod (it has no --jobs), so every fact compares with kmod's
# serial run. lkm's serial and parallel stderr must be the same bytes.
# boot: own
# smp: 2
# modules: msdos vfat nls_cp437 nls_utf8 dummy
# expect: cpus=2
# expect: serial.rc=1
# expect: jobs.rc=1
# expect: same.state=yes
# expect: same.err=yes
# expect: serial.state=*lkm_dep_a*lkm_dep_c*lkm_params*lkm_softdep_main*lkm_softdep_post*lkm_softdep_pre*msdos*vfat*
# expect: eio=no
# expect: params.intp=7
# expect: time.rc=1
# expect-lkm: time.err=*module*load ms*waited ms*total ms*loads in*
fact cpus "$(grep -c '^processor' /proc/cpuinfo)"
cat >/etc/modprobe.d/jobs.conf <<'CONF'
options lkm_params intp=7
alias lkm-jobs-blacklisted dummy
blacklist dummy
install lkm_noexit echo installing lkm_noexit
CONF
list="lkm_softdep_main msdos lkm_dep_c vfat lkm_init_eio nls_cp437 lkm-jobs-blacklisted
	lkm_params lkm_dep_a nosuch_jobs_module lkm_noexit nls_utf8 lkm_softdep_pre lkm_dep_b"
list=$(echo $list)

# The modules loaded since boot, names only, sorted.
names() {
	awk 'NR == FNR { b[$1] = 1; next } !($1 in b) { print $1 }' /run/baseline /proc/modules |
		sort | xargs
}

unload() { # the list by kmod's modprobe -r (holders first), then whatever is left
	/kmod/bin/modprobe -r -a $list 2>/dev/null
	i=0
	while [ $i -lt 8 ] && [ -n "$(names)" ]; do
		for m in $(names); do /kmod/bin/rmmod "$m" 2>/dev/null; done
		i=$((i + 1))
	done
}

run serial $TOOLS/modprobe -a $list
modstate serial.state
s_names=$(names)
cp /tmp/run.err /tmp/serial.err
unload
fact unloaded "$(names)"

jobs=
[ "$TOOL" = lkm ] && jobs="--jobs 2"
run jobs $TOOLS/modprobe -a $jobs $list
modstate jobs.state
loaded eio lkm_init_eio
param params.intp lkm_params intp
fact same.state "$([ "$s_names" = "$(names)" ] && echo yes || echo "no: $s_names / $(names)")"
fact same.err "$(cmp -s /tmp/serial.err /tmp/run.err && echo yes || echo no)"
unload

# --time (lkm; kmod, which has none, loads serially): the table on stderr. A short list:
# a scenario run has 30 s of TCG.
timing=
[ "$TOOL" = lkm ] && timing="--jobs 2 --time"
run time $TOOLS/modprobe -a $timing msdos lkm_dep_c lkm_init_eio
modstate time.state
unload
