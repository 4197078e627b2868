#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# insmod's argument handling and messages, compared with kmod's insmod where one is
# installed. Only files that are not modules are offered to the kernel, so nothing is
# ever loaded into the machine running the test; the real loads are the VM tests'.
set -u
: "${LKM:?LKM must point at the lkm binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-insmod.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
kmod_insmod=
if command -v insmod > /dev/null && readlink -f "$(command -v insmod)" | grep -q kmod; then
	kmod_insmod=$(command -v insmod)
fi
printf 'this is not an ELF module, only some text\n' > "$tmp/junk.ko"

# expect NAME RC STDERR args...
expect() {
	name=$1 rc=$2 msg=$3
	shift 3
	"$LKM" insmod "$@" > /dev/null 2> "$tmp/err"
	got=$?
	if [ "$got" = "$rc" ] && [ "$(cat "$tmp/err")" = "$msg" ]; then
		ok "$name"
	else
		bad "$name (exit $got)"
		sed 's/^/  got: /' "$tmp/err"
		echo "  want: $msg"
	fi
	[ -n "$kmod_insmod" ] || { skip "$name: same as kmod" "kmod's insmod is not installed"; return 0; }
	"$kmod_insmod" "$@" > /dev/null 2> "$tmp/kerr"
	krc=$?
	if [ "$krc" = "$got" ] && cmp -s "$tmp/err" "$tmp/kerr"; then
		ok "$name: same as kmod"
	else
		bad "$name: differs from kmod (exit $krc)"
		sed 's/^/  kmod: /' "$tmp/kerr"
	fi
}

expect "no filename" 1 "insmod: ERROR: missing filename."
expect "stdin refused" 1 "insmod: ERROR: this tool does not support loading from stdin!" -
expect "missing file" 1 \
	"insmod: ERROR: could not load module $tmp/absent.ko: No such file or directory" "$tmp/absent.ko"

# The kernel refuses junk: ENOEXEC where modules are supported, ENOSYS where not, EPERM
# without the right. lkm's first line keeps kmod's lead and replaces the bare errno
# words with what is wrong; the exit code is kmod's.
explains() { # kmod's errno words -> what lkm's first line must say instead (an ERE)
	case "$1" in
	"Invalid module format") echo "is not an ELF|is an ELF|is too small|is truncated|is .*ELF|built for linking into the kernel|refused its format" ;;
	"Function not implemented") echo "built without module support" ;;
	"Operation not permitted") echo "CAP_SYS_MODULE|disabled|locked down|did not permit" ;;
	*) echo "^$" ;;
	esac
}
lead="insmod: ERROR: could not insert module $tmp/junk.ko: "
"$LKM" insmod "$tmp/junk.ko" a=1 > /dev/null 2> "$tmp/err"
lrc=$?
first=$(head -n 1 "$tmp/err")
why=${first#"$lead"}
if [ "$lrc" = 1 ] && [ "$why" != "$first" ] && printf '%s\n' "$why" |
	grep -Eq "$(explains "Invalid module format")|$(explains "Function not implemented")|$(explains "Operation not permitted")"; then
	ok "kernel refusal: kmod's lead, then the cause"
else
	bad "kernel refusal: kmod's lead, then the cause (exit $lrc)"
	cat "$tmp/err"
fi
if [ -z "$kmod_insmod" ]; then
	skip "kernel refusal: same exit as kmod" "kmod's insmod is not installed"
else
	"$kmod_insmod" "$tmp/junk.ko" a=1 > /dev/null 2> "$tmp/kerr"
	krc=$?
	kwhy=$(head -n 1 "$tmp/kerr")
	kwhy=${kwhy#"$lead"}
	if [ "$krc" = "$lrc" ] && printf '%s\n' "$why" | grep -Eq "$(explains "$kwhy")"; then
		ok "kernel refusal: same exit as kmod, and its fact ($kwhy) explained"
	else
		bad "kernel refusal: kmod exits $krc ($kwhy), lkm $lrc"
		cat "$tmp/kerr" "$tmp/err"
	fi
fi

# Module options: joined with spaces, a spaced value quoted (kmod 34).
"$LKM" insmod -v "$tmp/junk.ko" 'msg=a b' x=1 'q="c d"' > /dev/null 2> "$tmp/err"
if grep -qF 'options "msg="a b" x=1 q="c d""' "$tmp/err"; then
	ok "options joined, spaced value quoted"
else
	bad "options joined, spaced value quoted"
	cat "$tmp/err"
fi
"$LKM" insmod --help | grep -q -- '--force' && ok "--help lists --force" || bad "--help lists --force"
"$LKM" insmod --bogus "$tmp/junk.ko" 2> /dev/null && bad "unknown option: exit 1" || ok "unknown option: exit 1"

finish
