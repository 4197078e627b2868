# SPDX-License-Identifier: LGPL-2.1-or-later
# install and remove commands from the configuration run instead of loading/unloading.
# expect: install.rc=0
# expect: install.ran=installed lkm_log
# expect: install.loaded=yes
# expect: remove.rc=0
# expect: remove.ran=removed lkm_log
# expect: remove.loaded=no
cat >/etc/modprobe.d/inst.conf <<CONF
install lkm_log echo installed lkm_log >/tmp/scenario/ran; $TOOLS/modprobe --ignore-install lkm_log
remove lkm_log echo removed lkm_log >/tmp/scenario/ran; $TOOLS/modprobe -r --ignore-remove lkm_log
CONF
run install $TOOLS/modprobe lkm_log
fact install.ran "$(cat /tmp/scenario/ran 2>/dev/null)"
loaded install.loaded lkm_log
run remove $TOOLS/modprobe -r lkm_log
fact remove.ran "$(cat /tmp/scenario/ran 2>/dev/null)"
loaded remove.loaded lkm_log
