#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Print the path of the lkm binary to put in the VM: $LKM_STATIC if set, else a static
# build in <build root>/../build-static (set up and compiled here), else $LKM (dynamic;
# run-vm.sh then copies its libraries). Prints nothing if there is no lkm at all.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${LKM_CACHE:-/var/cache/lkm-test}
blog=$cache/vm/build-static.log
log() { echo "lkm-static: $*" >&2; }
is_static() { ! ldd "$1" >/dev/null 2>&1; }

if [ -n "${LKM_STATIC:-}" ]; then
	echo "$LKM_STATIC"
	exit 0
fi
mkdir -p "$cache/vm"
sdir=$(cd "${LKM_BUILD_ROOT:-$src/build}/.." 2>/dev/null && pwd || echo "$src")/build-static
exe=$sdir/tools/lkm
[ -f "$sdir/build.ninja" ] || meson setup -Dstatic=true "$sdir" "$src" >"$blog" 2>&1
if meson compile -C "$sdir" tools/lkm:executable >>"$blog" 2>&1 && is_static "$exe"; then
	echo "$exe"
elif [ -n "${LKM:-}" ] && [ -x "$LKM" ]; then
	log "WARNING: the static build failed (see $blog); using $LKM with its libraries"
	echo "$LKM"
elif [ -x "$exe" ] && is_static "$exe"; then
	log "WARNING: the static build failed (see $blog); using the last one built, $exe"
	echo "$exe"
else
	log "WARNING: no lkm binary (static build failed, see $blog): lkm runs will fail"
fi
