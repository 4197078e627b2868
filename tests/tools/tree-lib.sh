# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the tests that run depmod on copies of a module tree.

# Every file depmod writes into the module directory (lkm's cache goes elsewhere).
generated="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname"

# The number of module files below a directory.
count_modules() { # dir
	find "$1" -name '*.ko' -o -name '*.ko.[gx]z' -o -name '*.ko.zst' | wc -l
}

# A copy of the module dir without the generated files. Modules are hard-linked where
# the copy is on the tree's filesystem, and copied where it is not (a /tmp on tmpfs).
# Fails, saying why, unless the copy holds as many modules as the tree, and at least one.
copy_tree() { # root kver dest
	local from=$1/lib/modules/$2 to=$3/lib/modules f n m
	mkdir -p "$to" || return 1
	cp -al "$from" "$to/" 2>/dev/null || {
		rm -rf "${to:?}/$2"
		cp -a "$from" "$to/" || { echo "copy_tree: cannot copy $from to $to" >&2; return 1; }
	}
	# And the cache an earlier lkm kept in the tree.
	for f in $generated modules.lkm-cache; do rm -f "$to/$2/$f"; done
	n=$(count_modules "$from")
	m=$(count_modules "$to/$2")
	[ "$n" -gt 0 ] && [ "$n" -eq "$m" ] ||
		{ echo "copy_tree: $to/$2 holds $m modules, $from has $n" >&2; return 1; }
}
