# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the test scripts: one way to count checks and end with the summary line
# "N passed, N failed, N skipped" that tests/run adds up.
#
#   ok NAME            a check passed
#   bad NAME [WHY]     a check failed
#   skip NAME WHY      a check could not run here: counted and named, never a pass
#   check NAME CMD...  ok or bad by CMD's exit status
#   at_least N WHAT COUNT
#                      bad unless COUNT >= N: a comparison of empty data proves nothing
#   need NAME CMD...   a setup step: run CMD, and on failure report it and stop the script
#   finish             print the summary and exit 0 only when nothing failed
#   test_setup NAME [VAR...]
#                      a tool test's start: each VAR (LKM, LKM_MAKE_MODULE: what meson
#                      sets) made an absolute path, and $tmp a new directory
#                      $TMPDIR/lkm-test-NAME.XXXXXX (its physical path), removed at exit
#                      unless KEEP is set; a missing VAR or no directory stops the script

t_pass=0 t_fail=0 t_skip=0
ok() { t_pass=$((t_pass + 1)); echo "PASS $1"; }
bad() { t_fail=$((t_fail + 1)); echo "FAIL $1${2:+: $2}"; }
skip() { t_skip=$((t_skip + 1)); echo "SKIP $1: $2"; }
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
at_least() { # N WHAT COUNT
	if [ "${3:-0}" -ge "$1" ] 2>/dev/null; then
		return 0
	fi
	bad "$2: only ${3:-0} to compare, at least $1 expected"
	return 1
}
finish() {
	echo "$t_pass passed, $t_fail failed, $t_skip skipped"
	[ "$t_fail" -eq 0 ]
	exit $?
}
need() {
	local name=$1; shift
	"$@" && return 0
	bad "setup: $name"
	finish
}
test_setup() { # NAME [VAR...]
	local name=$1 var val abs
	shift
	for var in "$@"; do
		eval "val=\${$var-}"
		if [ -z "$val" ]; then
			bad "setup: $var must point at the program (meson test sets it)"
			finish
		fi
		abs=$(realpath "$val") || { bad "setup: $var: $val is not there"; finish; }
		eval "$var=\$abs"
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-$name.XXXXXX") ||
		{ bad "setup: a temporary directory for $name"; finish; }
	trap '[ -n "${KEEP-}" ] || rm -rf "$tmp"' EXIT
	tmp=$(cd "$tmp" && pwd -P) || { bad "setup: $tmp"; finish; }
}
