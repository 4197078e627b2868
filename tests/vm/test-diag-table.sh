#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's "Errors that explain themselves" table must match what the diag-*
# scenarios print today: boot the first kernel with those scenarios, then
# tests/vm/diag-table.sh --check against that console log.
# Environment: as run-vm.sh (LKM_STATIC, ...).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${LKM_CACHE:-/var/cache/lkm-test}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

kernels=$("$here/setup.sh") || { ko "setup.sh failed"; finish; }
kver=$(echo "$kernels" | awk 'NR == 1 { print $1 }')
log=$(mktemp "${TMPDIR:-/tmp}/lkm-diag-table.XXXXXX")
trap 'rm -f "$log"' EXIT
scenarios=$(cd "$here/scenarios" && ls diag-*.sh | sed 's/\.sh$//' | xargs)
# shellcheck disable=SC2086
if LKM_VM_QUIET=1 LKM_VM_LOG=$log "$here/run-vm.sh" "$kver" $scenarios >/dev/null 2>&1; then
	ok "$kver: VM run of $scenarios"
else
	ko "$kver: VM run failed"
	finish
fi
if "$here/diag-table.sh" --check "$log"; then
	ok "README table is up to date"
else
	ko "README table is stale: run tests/vm/diag-table.sh after test-vm.sh"
fi
finish
