#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# --json of lsmod, modinfo, modprobe (-D, -R, -c, --check) and insmod --check on trees
# made here: a module tree from tests/tools/make-module.c (indexes by lkm's depmod) with
# a config of every kind, and the recorded lsmod fixtures (tests/tools/fixtures/lsmod).
# Each output is parsed by Python's json module and checked against the text output
# (tests/json-compare.py), and some members are checked exactly: numbers as numbers,
# arrays where the schema says, strings escaped (control characters, quotes, invalid
# UTF-8). Messages and exit codes stay those of the text.
set -u
: "${LKM_SOURCE_ROOT:?}"
# shellcheck source=../lib.sh
. "$LKM_SOURCE_ROOT/tests/lib.sh"
test_setup json LKM LKM_MAKE_MODULE
compare_py=$LKM_SOURCE_ROOT/tests/json-compare.py
command -v python3 >/dev/null || { skip "every check" "no python3 to parse the JSON"; finish; }

# A python expression over the document J (from FILE) must hold.
holds() { # file expression
	python3 -c 'import json, sys; J = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

# compare NAME KIND MIN TOOL ARGS...: text and --json of the same command, same exit
# code, the JSON matching the text with at least MIN items.
compare() {
	local name=$1 kind=$2 min=$3 tool=$4 trc jrc out
	shift 4
	"$LKM" "$tool" "$@" >"$tmp/t" 2>"$tmp/te"; trc=$?
	"$LKM" "$tool" --json "$@" >"$tmp/j" 2>"$tmp/je"; jrc=$?
	if [ "$trc" != "$jrc" ]; then bad "$name" "exit text $trc, json $jrc"; return; fi
	if ! cmp -s "$tmp/te" "$tmp/je"; then bad "$name" "stderr differs"; return; fi
	if ! out=$(python3 "$compare_py" "$kind" "$tmp/t" "$tmp/j"); then bad "$name" "$out"; return; fi
	at_least "$min" "$name" "${out%% *}" && ok "$name: $out"
}

# The tree: mod_a needs mod_b; mod_b has aliases, parameters, firmware and strings that
# need escaping; mod_c stands alone; bi is built in.
kver=1.0-test root=$tmp/root
dir=$root/lib/modules/$kver
mk() { "$LKM_MAKE_MODULE" "$@" license=GPL || need "make-module $*" false; }
mkdir -p "$dir/kernel" "$tmp/sys/module" "$tmp/proc" "$tmp/conf"
mk "$dir/kernel/mod_b.ko" mod_b export=printB:0000bbbb alias=my-alias-b alias=pci:v1234d* \
	firmware=b/fw.bin "description=say \"hi\"\\ there"$'\ttab\x01\x1f\x7f'"bad "$'\xff\xc3' \
	"parm=level:how loud" parmtype=level:int parmtype=mode:charp author=One author=Two
mk "$dir/kernel/mod-a.ko" mod_a import=printB:0000bbbb
mk "$dir/kernel/mod_c.ko" mod_c
printf 'kernel/mod-a.ko\nkernel/mod_b.ko\nkernel/mod_c.ko\n' >"$dir/modules.order"
printf 'kernel/bi.ko\n' >"$dir/modules.builtin"
printf 'bi.file=bi\0bi.license=GPL\0bi.alias=bi-alias\0' >"$dir/modules.builtin.modinfo"
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"
echo quiet >"$tmp/proc/cmdline"
cat >"$tmp/conf/a.conf" <<'CONF'
blacklist mod_c
alias my-a mod_a
options mod_b level=3 mode="x y"
install mod_c /bin/true --c
remove mod_c /bin/false
softdep mod_a pre: mod_c post: mod_b
weakdep mod_b mod_c
CONF
base=(-C "$tmp/conf" -d "$root" -S "$kver" --sys="$tmp/sys" --proc="$tmp/proc")

# modinfo
compare "modinfo: every module, by name" modinfo 10 modinfo -b "$root" -k "$kver" mod_a mod_b mod_c bi
compare "modinfo: a missing one among them (exit 1, same stderr)" modinfo 5 modinfo -b "$root" -k "$kver" mod_b nosuch
compare "modinfo -F alias" field-alias 3 modinfo -F alias -b "$root" -k "$kver" mod_b bi
"$LKM" modinfo --json -b "$root" -k "$kver" mod_b bi >"$tmp/mi.json" 2>/dev/null
check "modinfo: escaping of quotes, backslash, control characters, invalid UTF-8" \
	grep -qF '"description":"say \"hi\"\\ there\ttab\u0001\u001f\u007fbad \ufffd\ufffd"' "$tmp/mi.json"
check "modinfo: alias, author, firmware, depends are arrays" holds "$tmp/mi.json" \
	'J[0]["alias"] == ["my-alias-b", "pci:v1234d*"] and J[0]["author"] == ["One", "Two"] and J[0]["firmware"] == ["b/fw.bin"] and "depends" not in J[0]'
check "modinfo: parameters merged, raw parm kept" holds "$tmp/mi.json" \
	'J[0]["parm"] == ["level:how loud"] and J[0]["parmtype"] == ["level:int", "mode:charp"] and sorted(J[0]["parameters"], key=lambda p: p["name"]) == [{"name": "level", "type": "int", "description": "how loud"}, {"name": "mode", "type": "charp", "description": None}]'
check "modinfo: built in: filename null, builtin true" holds "$tmp/mi.json" \
	'J[1]["name"] == "bi" and J[1]["filename"] is None and J[1]["builtin"] is True and J[1]["alias"] == ["bi-alias"]'
"$LKM" modinfo --json -F license -b "$root" -k "$kver" mod_a >"$tmp/mf.json"
check "modinfo -F license: only that field" holds "$tmp/mf.json" \
	'list(J[0]) == ["name", "filename", "builtin", "license"] and J[0]["license"] == "GPL"'
"$LKM" modinfo --json -0 -b "$root" -k "$kver" mod_a >"$tmp/m0.json"
"$LKM" modinfo --json -b "$root" -k "$kver" mod_a >"$tmp/mn.json"
check "modinfo: -0 changes nothing in --json" cmp -s "$tmp/m0.json" "$tmp/mn.json"
"$LKM" modinfo --json -b "$root" -k "$kver" nosuch >"$tmp/none.json" 2>/dev/null
check "modinfo: nothing found: exit 1 and an empty array" sh -c "! \"$LKM\" modinfo --json -b \"$root\" -k \"$kver\" nosuch >/dev/null 2>&1 && [ \"\$(cat $tmp/none.json)\" = '[]' ]"

# modprobe
compare "modprobe -D of each" steps 4 modprobe "${base[@]}" -D -a mod_a mod_c bi
compare "modprobe -D with options" steps 1 modprobe "${base[@]}" -D mod_b extra=1
compare "modprobe -r -D" steps 1 modprobe "${base[@]}" -r -D mod_a
compare "modprobe -R" names 3 modprobe "${base[@]}" -R -a my-a my-alias-b mod_c
compare "modprobe -R of nothing found (exit 1)" names 0 modprobe "${base[@]}" -R nosuch
compare "modprobe -c" config 12 modprobe "${base[@]}" -c
compare "modprobe --check" check 3 modprobe "${base[@]}" --check -a mod_a mod_c
"$LKM" modprobe "${base[@]}" -D --json -a mod_a mod_c >"$tmp/d.json"
# mod_a: its dependency mod_b, its pre: softdep mod_c (an install command), itself, its
# post: softdep mod_b; then mod_c.
check "modprobe -D: insmod and install steps, options" holds "$tmp/d.json" \
	'[(s["action"], s["name"]) for s in J] == [("insmod", "mod_b"), ("install", "mod_c"), ("insmod", "mod_a"), ("insmod", "mod_b"), ("install", "mod_c")] and J[1]["command"] == "/bin/true --c" and J[2]["path"].endswith("/mod-a.ko") and J[0]["options"].startswith("level=3 mode=\"x y\"")'
"$LKM" modprobe "${base[@]}" -c --json >"$tmp/c.json"
check "modprobe -c: kinds, softdep groups, sources" holds "$tmp/c.json" \
	'list(J)[:7] == ["blacklists", "installs", "removes", "aliases", "options", "softdeps", "weakdeps"] and J["softdeps"][0]["pre"] == ["mod_c"] and J["softdeps"][0]["post"] == ["mod_b"] and J["blacklists"][0]["line"] == 1 and J["options"][0]["options"] == "level=3 mode=\"x y\"" and len(J["index_aliases"]) >= 2'
"$LKM" modprobe "${base[@]}" --check --json mod_a >"$tmp/k.json"
check "modprobe --check: levels and counts" holds "$tmp/k.json" \
	'isinstance(J[0]["problems"], int) and all(l["level"] in ("ok", "note", "problem", "info") for l in J[0]["lines"]) and any(l["depth"] == 1 for l in J[0]["lines"])'
check "modprobe --json without -D/-R/-c/--check: exit 1" sh -c "! \"$LKM\" modprobe ${base[*]} --json mod_a 2>/dev/null"
"$LKM" modprobe "${base[@]}" --json --report -D mod_a >"$tmp/jr.out" 2>"$tmp/jr.err"
jr=$?
check "modprobe --json --report -D: exit 1, said, nothing on stdout" \
	sh -c "[ $jr = 1 ] && [ ! -s $tmp/jr.out ] && grep -q -- 'not both' $tmp/jr.err"

# insmod --check
compare "insmod --check" check 3 insmod --check --sys="$tmp/sys" --proc="$tmp/proc" "$dir/kernel/mod_c.ko"
check "insmod --json without --check: exit 1" sh -c "! \"$LKM\" insmod --json \"$dir/kernel/mod_c.ko\" 2>/dev/null"

# lsmod, on the recorded fixtures (tests/tools/test-lsmod.sh builds them the same way)
FIX=$LKM_SOURCE_ROOT/tests/tools/fixtures/lsmod
for c in desktop race malformed empty; do
	d=$tmp/lsmod/$c
	mkdir -p "$d/sys/module" "$d/proc"
	cp "$FIX/$c/proc/modules" "$d/proc/modules"
	grep -v '^#' "$FIX/$c/sys.txt" | while read -r name init refcnt core holders; do
		[ -n "$name" ] || continue
		m=$d/sys/module/$name
		mkdir -p "$m"
		[ "$init" = builtin ] && continue
		echo "$init" >"$m/initstate"
		[ "$refcnt" = - ] || echo "$refcnt" >"$m/refcnt"
		[ "$core" = - ] || echo "$core" >"$m/coresize"
		mkdir -p "$m/holders"
		[ "$holders" = - ] && continue
		for h in $(echo "$holders" | tr ',' ' '); do ln -s "../../$h" "$m/holders/$h"; done
	done
	min=1; [ "$c" = empty ] && min=0
	compare "lsmod $c" lsmod "$min" lsmod --proc="$d/proc" --sys="$d/sys"
done
"$LKM" lsmod --json --proc="$tmp/lsmod/desktop/proc" --sys="$tmp/lsmod/desktop/sys" >"$tmp/l.json"
check "lsmod: size and use_count are numbers, used_by an array" holds "$tmp/l.json" \
	'all(isinstance(m["size"], int) and (m["use_count"] is None or isinstance(m["use_count"], int)) and isinstance(m["used_by"], list) for m in J) and len(J) > 3'
"$LKM" lsmod --json --proc="$tmp/none" --sys="$tmp/none" >"$tmp/l2.json" 2>"$tmp/l2.err"
check "lsmod: no /proc/modules: exit 1, nothing on stdout, the reason on stderr" \
	sh -c "! \"$LKM\" lsmod --json --proc=$tmp/none 2>/dev/null && [ ! -s $tmp/l2.json ] && grep -q 'could not get list of modules' $tmp/l2.err"
finish
