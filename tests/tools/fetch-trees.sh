#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Download the two Debian amd64 kernel module trees pinned in tests/kernels.pin into a
# cache outside the source tree and give each the indexes that kmod's depmod writes (the
# packages ship none):
#   6.1  : linux-image-<abi>-amd64-unsigned, plain .ko files
#   6.12 : linux-image-6.12.*-amd64-unsigned from bookworm-security, .ko.xz files
# Prints the two tree roots as "KVER ROOT" lines on stdout, 6.1 first.
set -euo pipefail
log() { echo "fetch-trees: $*" >&2; }
# shellcheck source=pins.sh
. "$(dirname "$0")/pins.sh"

prepare_tree() { # root: kmod's depmod is the oracle for the indexes
	depmod -b "$1" "$(ls "$1/lib/modules")" >&2
}

command -v depmod >/dev/null || apt-get install -y --no-install-recommends kmod >&2
for name in 6.1 6.12; do
	root=$(pin_tree "$name") || { log "no $name tree"; exit 1; }
	echo "$(ls "$root/lib/modules") $root"
done
