# SPDX-License-Identifier: LGPL-2.1-or-later
# insmod --check: loads nothing; exit 0 when the module would load, else each problem.
# kmod has no --check (its exit code 1 is an unknown option), so the results are notes.
# expect: check.good=0
# expect: check.unknown=1
# expect: check.vermagic=1
# expect: table.good=*
# expect: table.unknown=*
# expect: check.out.good=*lkm_dep_a would load*
# expect: check.out.unknown=*problem: lkm_no_such_symbol: no module*
# expect: check.out.vermagic=*problem: lkm_dep_a was built for another kernel: version magic '5.* SMQ *' does not match*
# expect: loaded=no
# kmod-bug: nocheck check.good kmod has no --check
# kmod-bug: nocheck check.unknown kmod has no --check
# kmod-bug: nocheck check.vermagic kmod has no --check
# kmod-bug: nocheck check.out.good kmod has no --check
# kmod-bug: nocheck check.out.unknown kmod has no --check
# kmod-bug: nocheck check.out.vermagic kmod has no --check
# plain NAME: ./NAME.ko, decompressed from the test module. patch FILE OFFSET BYTE (decimal).
plain() {
	case $KO in
	*.xz) xzcat "$EXTRA/$1$KO" >"$1.ko" ;;
	*) cp "$EXTRA/$1$KO" "$1.ko" ;;
	esac
}
patch() {
	printf "\\$(printf %03o "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
check() { # CASE FILE
	$TOOLS/insmod --check "$2" >/tmp/check.out 2>&1
	note "check.$1" "$?"
	note "check.out.$1" "$(cat /tmp/check.out)"
	note "table.$1" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/check.out)"
	sed 's/^/  | /' /tmp/check.out
}
plain lkm_dep_a
cp lkm_dep_a.ko vermagic.ko
off=$(strings -t d vermagic.ko | awk '$2 ~ /^vermagic=6/ { print $1; exit }')
if [ -n "$off" ]; then
	patch vermagic.ko $((off + 9)) 53
	smp=$(strings -t d vermagic.ko | awk '$2 ~ /^vermagic=/ { print index($0, "SMP") - index($0, "vermagic=") }')
	patch vermagic.ko $((off + smp + 2)) 81
fi
check good $EXTRA/lkm_dep_a$KO
check unknown $EXTRA/lkm_unknown_sym$KO
check vermagic vermagic.ko
loaded loaded lkm_dep_a
