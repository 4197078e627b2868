# SPDX-License-Identifier: LGPL-2.1-or-later
# Blacklists from /etc/modprobe.d and from the kernel command line. A blacklist stops
# loading through an alias; a module asked for by name still loads unless -b is given.
# cmdline: modprobe.blacklist=lkm_log
# expect: alias.loaded=no
# expect: byname.rc=0
# expect: byname.loaded=yes
# expect: useb.loaded=no
# expect: cmdline_b.loaded=no
echo "blacklist lkm_alias" >/etc/modprobe.d/bl.conf
run alias $TOOLS/modprobe lkm-test-alias
loaded alias.loaded lkm_alias
run byname $TOOLS/modprobe lkm_alias
loaded byname.loaded lkm_alias
/kmod/bin/rmmod lkm_alias
run useb $TOOLS/modprobe -b lkm_alias
loaded useb.loaded lkm_alias
run cmdline $TOOLS/modprobe lkm_log
loaded cmdline.loaded lkm_log
/kmod/bin/rmmod lkm_log 2>/dev/null
run cmdline_b $TOOLS/modprobe -b lkm_log
loaded cmdline_b.loaded lkm_log
