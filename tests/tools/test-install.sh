#!/bin/bash
# meson install puts lkm and a symlink per tool in place, and each symlink runs its tool
# (chosen by argv[0]) with its own --help; the man pages come along.
set -u
build=${LKM_BUILD_ROOT:?}
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
d=$(mktemp -d); trap 'rm -rf "$d" "$d.log"' EXIT
# Checks here are shell expressions.
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
meson install -C "$build" --destdir "$d" --no-rebuild >"$d.log" 2>&1 ||
	{ tail -5 "$d.log"; need "meson install" false; }
ok "meson install"
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
check "-V lists features" "'$lkm' --version | grep -qE '^[+-]ZSTD [+-]XZ [+-]ZLIB [+-]LIBCRYPTO -EXPERIMENTAL$'"
finish
