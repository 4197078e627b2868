# SPDX-License-Identifier: LGPL-2.1-or-later
# A real consumer of libkmod.so.2: Debian's systemd-modules-load, through the wrapper in
# $TOOLS (so with kmod's libkmod or lkm's), loads what /etc/modules-load.d lists: by name
# and by a modprobe.d alias, with options and softdeps, a blacklisted module (not loaded),
# one already loaded, one built in and one that does not exist (logged, not an error).
# A list given as an argument holds a module whose init fails: the exit code says so.
# consumers: systemd
# expect-kmod: libkmod=/kmod/lib/libkmod.so.2
# expect-lkm: libkmod=/lkm/lib/libkmod.so.2
# expect-lkm: libkmod.lacks=
# expect: list.rc=0
# expect: list.err=*Inserted module 'lkm_params'*
# expect: list.err=*Module 'minix' is deny-listed*
# expect: list.err=*Inserted module 'msdos'*
# expect: list.err=*Module 'loop' is already loaded*
# expect: list.err=*Module 'xz_dec' is built in*
# expect: list.err=*Failed to find module 'lkm_no_such_module'*
# expect: lkm_params=yes
# expect: intp=7
# expect: strp=modules-load
# expect: vxlan=yes
# expect: udp_port=4790
# expect: msdos=yes
# expect: fat=yes
# expect: minix=no
# expect: softdep=lkm_params lkm_softdep_pre lkm_softdep_main lkm_softdep_post
# expect: bad.rc=1
# expect: bad.err=*Failed to insert module 'lkm_init_eio': Input/output error*
# expect: lkm_init_eio=no
libkmod libkmod $TOOLS/systemd-modules-load
cat >/etc/modprobe.d/consumer.conf <<EOC
options lkm_params intp=7 strp=modules-load
options vxlan udp_port=4790
alias lkm-consumer-fat msdos
blacklist minix
EOC
cat >/etc/modules-load.d/consumer.conf <<EOC
# modules for the consumer scenario
; a comment in the other style
lkm_params
vxlan
lkm-consumer-fat
lkm_softdep_main
minix
loop
xz_dec
lkm_no_such_module
EOC
echo lkm_init_eio >/tmp/scenario/bad.conf
export SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console
run list $TOOLS/systemd-modules-load
loaded lkm_params lkm_params
param intp lkm_params intp
param strp lkm_params strp
# Set by modprobe-options' "# cmdline:" when it shares the boot: compared, not expected.
param boolp lkm_params boolp
param arr lkm_params arr
loaded vxlan vxlan
param udp_port vxlan udp_port
loaded msdos msdos
loaded fat fat
loaded minix minix
initorder softdep
run bad $TOOLS/systemd-modules-load /tmp/scenario/bad.conf
loaded lkm_init_eio lkm_init_eio
unset SYSTEMD_LOG_LEVEL SYSTEMD_LOG_TARGET
modstate modules
