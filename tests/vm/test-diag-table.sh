#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's "Errors that explain themselves" table must match what the diag-*
# scenarios print today: boot the first kernel with those scenarios (those with
# "# boot: own" in boots of their own), then tests/vm/diag-table.sh --check against
# those console logs.
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
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-diag-table.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The shared boot, then one boot per "# boot: own" scenario for this kernel, at most
# LKM_VM_JOBS (default: the number of cores) at once; the logs in diag-table.sh's order.
shared=
own=
for f in "$here/scenarios"/diag-*.sh; do
	s=$(basename "$f" .sh)
	glob=$(sed -n 's/^# kernel: *//p' "$f" | head -n 1)
	# shellcheck disable=SC2254
	[ -z "$glob" ] || case $kver in $glob) ;; *) continue ;; esac
	if grep -q '^# boot: *own' "$f"; then own="$own $s"; else shared="$shared $s"; fi
done
maxjobs=${LKM_VM_JOBS:-$(nproc)}
declare -A pid
logs=("$tmp/log-$kver.txt")
# shellcheck disable=SC2086
LKM_VM_QUIET=1 LKM_VM_LOG=$tmp/log-$kver.txt "$here/run-vm.sh" "$kver" $shared >/dev/null 2>&1 &
pid[shared]=$!
for s in $own; do
	while [ "$(jobs -rp | wc -l)" -ge "$maxjobs" ]; do wait -n; done
	logs+=("$tmp/log-$kver--$s.txt")
	LKM_VM_QUIET=1 LKM_VM_LOG=$tmp/log-$kver--$s.txt "$here/run-vm.sh" "$kver" "$s" >/dev/null 2>&1 &
	pid[$s]=$!
done
for s in shared $own; do
	if wait "${pid[$s]}"; then
		ok "$kver: VM run of ${s/#shared/$shared}"
	else
		ko "$kver: VM run of $s failed"
	fi
done
[ "$fail" -eq 0 ] || finish
if "$here/diag-table.sh" --check "${logs[@]}"; then
	ok "README table is up to date"
else
	ko "README table is stale: run tests/vm/diag-table.sh after test-vm.sh"
fi
finish
