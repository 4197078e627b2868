# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe load failures explained after kmod's "could not insert 'NAME'": a symbol no
# module exports, an init that fails, a rejected parameter value (the value and the
# parameter named), and a removal that a holder refuses.
# expect: symbol.rc=1
# expect: eio.rc=1
# expect: param.rc=1
# expect: param.loaded=no
# expect: table.symbol=*could not insert 'lkm_unknown_sym'*
# expect: table.eio=*could not insert 'lkm_init_eio'*
# expect: table.param=*could not insert 'lkm_params'*
# expect: table.held=*lkm_dep_a*in use*
# expect: held.rc=1
# expect-lkm: table.symbol=*lkm_unknown_sym needs a symbol that neither the kernel nor a loaded module exports: lkm_no_such_symbol*no module in*exports it*
# expect-lkm: table.eio=*lkm_init_eio was accepted, but its init function failed with EIO (Input/output error)*kernel: lkm_init_eio*
# expect-lkm: table.param=*lkm_params rejected the value 'abc' of its parameter 'intp'*modinfo -p lkm_params*
# expect-lkm: table.held=*Module lkm_dep_a is in use by: lkm_holder (reference count 1)*remove the modules that use it first*
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
diag symbol $TOOLS/modprobe lkm_unknown_sym
diag eio $TOOLS/modprobe lkm_init_eio
diag param $TOOLS/modprobe lkm_params intp=abc
loaded param.loaded lkm_params
/kmod/bin/modprobe lkm_holder
diag held $TOOLS/modprobe -r lkm_dep_a
