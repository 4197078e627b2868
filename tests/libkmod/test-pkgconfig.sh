#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libkmod.so.2 as a distribution installs it: `meson install --destdir` puts the
# library, its SONAME link, libkmod.h and libkmod.pc where kmod's are, and a consumer
# built with nothing but `pkg-config --cflags --libs libkmod` (as udev, dracut and
# pciutils are built) links against that library and gives the answers the build
# tree's copy gives.
set -u
src=${LKM_SOURCE_ROOT:?}
build=${LKM_BUILD_ROOT:?}
# shellcheck source=../lib.sh
. "$src/tests/lib.sh"
maker=${LKM_MAKE_TREE:-}
ours=${LKM_KMOD_DUMP:-}
need "make-tree" test -x "$maker"
need "kmod-dump built against lkm's libkmod" test -x "$ours"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/dest
need "meson install --destdir" meson install -C "$build" --destdir "$d" --quiet

prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print(o["prefix"], o["libdir"], o["includedir"], o["b_sanitize"])')
read -r pfx libdir incdir sanitize <<<"$prefix"
case $libdir in /*) ;; *) libdir=$pfx/$libdir ;; esac
case $incdir in /*) ;; *) incdir=$pfx/$incdir ;; esac
lib=$d$libdir
check "libkmod.so.2 installed in $libdir" test -f "$lib/libkmod.so.2"
check "libkmod.so (for -lkmod) points at it" test "$(readlink -f "$lib/libkmod.so")" = "$(readlink -f "$lib/libkmod.so.2")"
check "libkmod.h installed in $incdir" test -f "$d$incdir/libkmod.h"
check "libkmod.pc installed" test -f "$lib/pkgconfig/libkmod.pc"
soname=$(readelf -d "$lib/libkmod.so.2" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "the installed library's SONAME is libkmod.so.2 ($soname)" test "$soname" = libkmod.so.2

flags=$(PKG_CONFIG_SYSROOT_DIR=$d PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_LIBDIR=$lib/pkgconfig \
	pkg-config --cflags --libs libkmod) || flags=""
check "pkg-config gives the installed library's flags ($flags)" grep -q -- "-lkmod" <<<"$flags"
# A sanitized build's library needs the sanitizer runtime in the program too.
extra=()
[ "$sanitize" != none ] && extra=(-fsanitize="$sanitize")
# shellcheck disable=SC2086
need "a consumer builds with pkg-config's flags" \
	cc -std=gnu11 -O1 "${extra[@]}" -o "$tmp/consumer" "$src/tests/libkmod/kmod-dump.c" $flags
check "the consumer needs libkmod.so.2" grep -q "libkmod.so.2" <<<"$(readelf -d "$tmp/consumer")"
resolved=$(LD_LIBRARY_PATH=$lib ldd "$tmp/consumer" | sed -n 's/.*libkmod.so.2 => \([^ ]*\).*/\1/p')
check "at run time it finds the installed library ($resolved)" \
	test "$(readlink -f "$resolved")" = "$(readlink -f "$lib/libkmod.so.2")"

mkdir "$tmp/root"
need "the module tree" "$maker" "$tmp/root" >"$tmp/paths"
dir=$(sed -n 1p "$tmp/paths")
conf=$(sed -n 2p "$tmp/paths")
names=(foo bar-drv myalias pci:v0000ABCDd00001234 symbol:bar_fn inst_only nothing_at_all)
KMOD_LOG=0 "$ours" "$dir" "$conf" "${names[@]}" >"$tmp/built.out" 2>/dev/null
KMOD_LOG=0 LD_LIBRARY_PATH=$lib "$tmp/consumer" "$dir" "$conf" "${names[@]}" >"$tmp/installed.out" 2>/dev/null
at_least 30 "lines from the build tree's library" "$(wc -l <"$tmp/built.out")"
if cmp -s "$tmp/built.out" "$tmp/installed.out"; then
	ok "the installed library answers as the built one ($(wc -l <"$tmp/installed.out") lines)"
else
	bad "the installed library answers differently" "$(diff "$tmp/built.out" "$tmp/installed.out" | head -20)"
fi
finish
