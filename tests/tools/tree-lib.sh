# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the tests that run depmod on copies of a module tree.

# Every file depmod writes (lkm's cache included).
generated="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname modules.lkm-cache"

# A copy of the module dir, modules hard-linked, without the generated files.
copy_tree() { # root kver dest
	mkdir -p "$3/lib/modules"
	cp -al "$1/lib/modules/$2" "$3/lib/modules/"
	for f in $generated; do rm -f "$3/lib/modules/$2/$f"; done
}
