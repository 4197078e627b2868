#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# modprobe -a --jobs N must say and do what modprobe -a says and does: the same stdout,
# the same stderr (in argument order), the same exit code, for names, aliases, unknown
# names, blacklists, install commands, softdeps, options and --first-time. Only dry runs
# (-n, -D) on a tree made here: nothing is loaded (the real loads are the VM scenario
# modprobe-jobs' and the unit test test-load-parallel's, with a fake kernel).
set -u
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
test_setup modprobe-jobs LKM LKM_MAKE_MODULE

# mod_a needs mod_b; mod_e has softdeps (pre: mod_b, post: mod_f); mod_c is loaded and
# has an install command; mod_d (alias my-alias-d) is blacklisted; two modules share an
# alias (my-pair); mod_g needs mod_a.
kver=1.0-test root=$tmp/root
dir=$root/lib/modules/$kver
mk() { "$LKM_MAKE_MODULE" "$@" license=GPL || need "make-module $*" false; }
mkdir -p "$dir/kernel/sub" "$tmp/sys/module/mod_c" "$tmp/proc" "$tmp/conf"
mk "$dir/kernel/sub/mod_b.ko" mod_b export=printB:0000bbbb alias=my-alias-b
mk "$dir/kernel/mod-a.ko" mod_a export=printA:0000aaaa import=printB:0000bbbb
mk "$dir/kernel/mod_c.ko" mod_c
mk "$dir/kernel/mod_d.ko" mod_d alias=my-alias-d
mk "$dir/kernel/mod_e.ko" mod_e alias=my-pair
mk "$dir/kernel/mod_f.ko" mod_f alias=my-pair
mk "$dir/kernel/mod_g.ko" mod_g import=printA:0000aaaa
(cd "$dir" && find kernel -name '*.ko' | sort) >"$dir/modules.order"
printf 'kernel/bi.ko\n' >"$dir/modules.builtin"
: >"$dir/modules.builtin.modinfo"
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"
echo quiet >"$tmp/proc/cmdline"
echo "mod_c 16384 0 - Live 0x0000000000000000" >"$tmp/proc/modules"
echo live >"$tmp/sys/module/mod_c/initstate"
echo 0 >"$tmp/sys/module/mod_c/refcnt"
cat >"$tmp/conf/a.conf" <<'CONF'
options mod_a debug=1
options mod_f f=2
install mod_c echo installing $CMDLINE_OPTS
blacklist mod_d
softdep mod_e pre: mod_b post: mod_f
CONF
common=(-C "$tmp/conf" -d "$root" -S "$kver" --sys="$tmp/sys" --proc="$tmp/proc")

# same NAME ARGS...: modprobe -a ARGS, then with --jobs 1 and --jobs 4.
same() {
	local name=$1 want got jobs; shift
	"$LKM" modprobe "${common[@]}" -a "$@" >"$tmp/s.out" 2>"$tmp/s.err"
	want=$?
	at_least 1 "$name: output" "$(cat "$tmp/s.out" "$tmp/s.err" | wc -l)" || return
	for jobs in 1 4; do
		"$LKM" modprobe "${common[@]}" -a --jobs "$jobs" "$@" >"$tmp/p.out" 2>"$tmp/p.err"
		got=$?
		check "$name, --jobs $jobs: stdout as serial" cmp -s "$tmp/s.out" "$tmp/p.out" ||
			diff "$tmp/s.out" "$tmp/p.out" | head -20
		check "$name, --jobs $jobs: stderr as serial" cmp -s "$tmp/s.err" "$tmp/p.err" ||
			diff "$tmp/s.err" "$tmp/p.err" | head -20
		check "$name, --jobs $jobs: exit $want as serial" [ "$got" = "$want" ]
	done
}

same "-D, names and aliases" -D mod_g mod-a my-alias-b mod_e my-pair
same "-n -v, deps shared by several arguments" -n -v mod_b mod_g mod_a mod_e mod_f
same "-n -v, unknown names between known ones" -n -v nope mod_a bogus-alias mod_e nothing
same "-n -v, an install command among loads" -n -v mod_a mod_c mod_e
same "-n -v -i, the install command ignored" -n -v -i mod_c mod_a
same "-n -v, blacklisted alias and name" -n -v my-alias-d mod_d mod_a
same "-n -v -b, blacklist on names" -n -v -b mod_d mod_a
same "-n --first-time, one loaded" -n --first-time mod_a mod_c mod_b
same "-n -v -v, unknown names explained" -n -v -v nope mod_e mod-a
same "-D, loaded module" -D mod_c mod_a

# A real tree: every module of Debian's 6.1 tree (and a few unknown names) in one -a,
# with -D and with -n -v against an empty /sys (nothing loaded).
if trees=$("$(dirname "$0")/fetch-trees.sh" 2>/dev/null) && [ -n "$trees" ]; then
	read -r tkver troot <<<"$(head -n 1 <<<"$trees")"
	mkdir -p "$tmp/empty-sys/module" "$tmp/empty-conf"
	names=$(awk -F: '{ n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); print n }' \
		"$troot/lib/modules/$tkver/modules.dep" | sort)
	at_least 1000 "modules of the $tkver tree" "$(wc -l <<<"$names")" &&
	{
		common=(-C "$tmp/empty-conf" -d "$troot" -S "$tkver" --sys="$tmp/empty-sys"
			--proc="$tmp/proc")
		# shellcheck disable=SC2086
		same "-D, every module of the $tkver tree" -D $names nosuch_a nosuch_b
		# shellcheck disable=SC2086
		same "-n -v, every module of the $tkver tree" -n -v nosuch_c $names
		common=(-C "$tmp/conf" -d "$root" -S "$kver" --sys="$tmp/sys" --proc="$tmp/proc")
	}
else
	skip "every module of a Debian tree" "tests/tools/fetch-trees.sh found no tree"
fi

# --time: a table on stderr (its header and its total), nothing on stdout beyond -v's.
"$LKM" modprobe "${common[@]}" -a -n --time mod_a mod_e >"$tmp/t.out" 2>"$tmp/t.err"
check "--time: exit 0" [ $? = 0 ]
check "--time: the table's header" grep -qE '^module +load ms +waited ms +total ms$' "$tmp/t.err"
check "--time: its total line (dry run: no loads)" grep -qE '^0 loads in [0-9.]+ ms$' "$tmp/t.err"
check "--time: stdout empty without -v" [ ! -s "$tmp/t.out" ]
"$LKM" modprobe "${common[@]}" -a --jobs x mod_a >/dev/null 2>"$tmp/j.err"
check "--jobs x: exit 1" [ $? = 1 ]
check "--jobs x: said" grep -qx "modprobe: ERROR: unexpected jobs value 'x' (0 to 1024)." "$tmp/j.err"
"$LKM" modprobe "${common[@]}" -a --jobs 2 --report -n mod_a >/dev/null 2>"$tmp/j.err"
check "--jobs --report: exit 1" [ $? = 1 ]
check "--jobs --report: said" grep -qx "modprobe: ERROR: --report tells what each load did, one after the other: not with --jobs or --time." "$tmp/j.err"
finish
