#!/bin/bash
# meson install puts lkm and a symlink per tool in place, and each symlink runs its tool
# (chosen by argv[0]) with its own --help; the man pages come along.
set -u
build=${LKM_BUILD_ROOT:?}
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
meson install -C "$build" --destdir "$d" --no-rebuild >"$d.log" 2>&1
check "meson install" "[ \$? -eq 0 ] || [ -x $d/usr/local/bin/lkm ]"
lkm=$(find "$d" -name lkm -type f | head -n 1)
check "lkm installed" "[ -x '$lkm' ]"
for t in insmod rmmod lsmod modprobe depmod modinfo; do
	link=$(find "$d" -name "$t" -type l | head -n 1)
	check "$t is a symlink to lkm" "[ -n '$link' ] && [ \"\$(readlink -f '$link')\" = \"\$(readlink -f '$lkm')\" ]"
	# Run through a copy of the link that points at the installed binary (the link is absolute).
	ln -sf "$lkm" "$d/$t"
	check "$t --help names its tool's options" "'$d/$t' --help 2>&1 | grep -q -- '--'"
	check "lkm $t --help works too" "'$lkm' $t --help >/dev/null 2>&1"
done
check "man pages installed" "[ \$(find '$d' -name '*.8' | wc -l) -ge 6 ]"
check "-V lists features" "'$lkm' --version | grep -qE '[+-]ZLIB [+-]XZ [+-]ZSTD [+-]LIBCRYPTO'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
