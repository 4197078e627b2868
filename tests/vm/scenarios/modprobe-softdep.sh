# SPDX-License-Identifier: LGPL-2.1-or-later
# MODULE_SOFTDEP("pre: lkm_softdep_pre post: lkm_softdep_post"): pre loads before main,
# post after it; modprobe -r removes all three.
# expect: load.rc=0
# expect: order=lkm_softdep_pre lkm_softdep_main lkm_softdep_post
# expect: rm.rc=0
run load $TOOLS/modprobe lkm_softdep_main
initorder order
modstate state
run rm $TOOLS/modprobe -r lkm_softdep_main
modstate rm.state
