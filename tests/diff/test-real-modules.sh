#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The library on Debian's real module trees (tests/diff/real-modules.c): msdos and fat
# of the 6.1 (.ko) and 6.12 (.ko.xz) trees through file.c and elf.c, their signatures
# against kmod's modinfo, and the indexes kmod's depmod wrote. The program prints the
# checks and the summary line.
set -u
. "$(dirname "$0")/../lib.sh"
: "${LKM_REAL_MODULES:?LKM_REAL_MODULES must point at the real-modules program}"
# "KVER ROOT" lines of the Debian trees, downloaded on first use.
trees=$("$(dirname "$0")/../tools/fetch-trees.sh") || { bad "setup: fetch-trees.sh"; finish; }
at_least 2 "Debian trees from fetch-trees.sh" "$(printf '%s\n' "$trees" | grep -c .)" || finish
LKM_REAL_TREES=$trees exec "$LKM_REAL_MODULES"
