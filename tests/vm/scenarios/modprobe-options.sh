# SPDX-License-Identifier: LGPL-2.1-or-later
# Module options merged from /etc/modprobe.d, the kernel command line and the command
# line of modprobe (last wins).
# cmdline: lkm_params.boolp=Y lkm_params.arr=4,5
# expect: load.rc=0
# expect: intp=5
# expect: boolp=Y
# expect: arr=4,5
# expect: strp=fromargs
echo "options lkm_params intp=5 strp=fromconf" >/etc/modprobe.d/opt.conf
run load $TOOLS/modprobe lkm_params strp=fromargs
param intp lkm_params intp
param boolp lkm_params boolp
param arr lkm_params arr
param strp lkm_params strp
