#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# depmod's cycle report ("Cycle detected: a -> b -> a" lines, then "Found N modules in
# dependency cycles!") and exit status against kmod's depmod, on small trees of modules
# made here with the assembler: fixed ones (two separate cycles, cycles sharing modules,
# modules around a cycle, a 300-module cycle) and 150 random graphs. kmod 30's report
# (Debian 12's, installed here) is kmod 34's: git log -p v30..v34 -- tools/depmod.c only
# changes its error paths. Where kmod's walk never ends (it reaches a cycle that does not
# go back through its start: it names longer and longer "cycles" for ever, runs out of
# memory or dies on an assertion), or its stack is too small for the walk (the same
# assertion), lkm follows lib/depmod-graph.c's rules instead: those cases are checked
# against the lines the rules give, or, for the random graphs, against what they promise
# (each line a real cycle with no module twice, every module of a cycle named, the count
# right).
set -uo pipefail
LKM=$(realpath "${LKM:?set LKM to the lkm binary}")
src=${LKM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib.sh"
tmp=$(mktemp -d) || { bad "setup: mktemp"; finish; }
trap 'rm -rf "$tmp"' EXIT
kver=6.1.0

if ! command -v as >/dev/null || ! printf '\t.text\n' | as -o "$tmp/t.o" -; then
	skip "cycle report" "no assembler (as) here to make the modules"
	finish
fi
KMOD=""
for k in /sbin/depmod /usr/sbin/depmod; do
	if "$k" -V 2>/dev/null | grep -q '^kmod version' && ! "$k" -V | grep -q '^lkm version'; then KMOD=$k; break; fi
done

# tree GRAPH [ORDER]: $tmp/t, one module per word of GRAPH ("a:b,c b:a c:": a.ko exports
# a_fn and needs b_fn then c_fn) and, with ORDER ("b a c"), a modules.order listing those.
tree() {
	local dir=$tmp/t/lib/modules/$kver spec n deps d
	rm -rf "$tmp/t" && mkdir -p "$dir/kernel" || return 1
	for spec in $1; do
		n=${spec%%:*} deps=${spec#*:}
		{
			printf '\t.section .modinfo,"a"\n\t.asciz "license=GPL"\n'
			printf '\t.section __ksymtab_strings,"a"\n\t.asciz "%s_fn"\n' "$n"
			printf '\t.text\n\t.globl %s_init\n%s_init:\n\tret\n' "$n" "$n"
			for d in ${deps//,/ }; do printf '\t.globl %s_fn\n' "$d"; done
		} | as -o "$dir/kernel/$n.ko" - || return 1
	done
	if [ -n "${2:-}" ]; then
		for n in $2; do echo "kernel/$n.ko"; done >"$dir/modules.order"
	fi
}

# run OUT CMD...: CMD's stderr but warnings, at most 300 lines, then its exit status.
# kmod's endless walks end here: on SIGPIPE past 300 lines, on the 5 s timeout, or on
# its memory limit (a walk can go round a cycle allocating without printing).
run() {
	local out=$1; shift
	("$@" -b "$tmp/t" "$kver" 2>&1 >/dev/null | grep -v 'WARNING' | head -n 300 >"$out"
	 exit "${PIPESTATUS[0]}") 2>/dev/null # not bash's word of kmod's abort
	echo "exit $?" >>"$out"
}
run_kmod() { (ulimit -v 262144; run "$1" timeout 5 "$KMOD"); }

# kmod_ended OUT: kmod's walks all ended, so its report is whole.
kmod_ended() {
	local last
	last=$(tail -n 2 "$1" | head -n 1)
	case $(tail -n 1 "$1") in
	"exit 0") [ "$(wc -l <"$1")" -eq 1 ] ;;
	"exit 1") [[ $last == "depmod: ERROR: Found "* ]] && ! grep -q 'No memory' "$1" ;;
	*) false ;;
	esac
}

# same_as_kmod NAME GRAPH [ORDER]
same_as_kmod() {
	local name=$1
	if [ -z "$KMOD" ]; then skip "$name" "no kmod depmod here"; return; fi
	tree "$2" "${3:-}" || { bad "$name: tree"; return; }
	run "$tmp/lkm" "$LKM" depmod
	run_kmod "$tmp/kmod"
	if ! kmod_ended "$tmp/kmod"; then
		bad "$name: kmod's report does not end here: $(tail -n 1 "$tmp/kmod")"
	elif cmp -s "$tmp/kmod" "$tmp/lkm"; then
		ok "$name: as kmod ($(($(wc -l <"$tmp/lkm") - 1)) lines)"
	else
		bad "$name: differs from kmod" "$(diff "$tmp/kmod" "$tmp/lkm" | head -n 8 | cut -c1-160)"
	fi
}

# by_rules NAME GRAPH ORDER LINE...: kmod gives no whole report here; lkm gives these
# lines, exit 1.
by_rules() {
	local name=$1 graph=$2 order=$3 k=""
	shift 3
	tree "$graph" "$order" || { bad "$name: tree"; return; }
	run "$tmp/lkm" timeout 20 "$LKM" depmod
	printf 'depmod: ERROR: %s\n' "$@" >"$tmp/want"
	echo "exit 1" >>"$tmp/want"
	if [ -n "$KMOD" ]; then
		run_kmod "$tmp/kmod"
		kmod_ended "$tmp/kmod" && k=", though kmod ended there: compare by hand"
	fi
	if cmp -s "$tmp/want" "$tmp/lkm"; then
		ok "$name: by lkm's rules (kmod's report never ends)$k"
	else
		bad "$name: not the rules' lines" "$(diff "$tmp/want" "$tmp/lkm" | head -n 8)"
	fi
}

same_as_kmod "one cycle, in hash order" "a:b b:c c:a d:a"
same_as_kmod "one cycle, modules.order" "a:b b:c c:a d:a" "d a b c"
same_as_kmod "a module needing itself" "s:s t:s"
same_as_kmod "two separate cycles, hash order" "a:b b:a c:d d:e e:c"
same_as_kmod "two separate cycles, the next walk after the removed module" \
	"a:b b:a p:q q:p" "a p b q"
same_as_kmod "two separate cycles, reversed" "a:b b:a c:d d:e e:c" "e d c b a"
same_as_kmod "two cycles sharing a module, from it" "a:b b:a,c c:b" "b a c"
same_as_kmod "two cycles sharing a module, its dependencies the other way" \
	"a:b b:c,a c:b" "b a c"
same_as_kmod "a diamond from its top" "a:b,c b:d c:d d:a" "a b c d"
same_as_kmod "a chord" "a:b,c b:c c:a" "a b c"
same_as_kmod "a cycle with users and dependencies" "q:p p:a a:b b:c c:a,x x:y y:" \
	"q p a b c x y"
same_as_kmod "a cycle with dependencies, hash order" "a:b b:a,x x:y y:"
same_as_kmod "dependencies named alone, in ring order" "a: b:d c:g d:f e: f:e g:c,b"
long="" order=""
for i in $(seq 0 299); do
	long+=" cycle_member_with_a_long_name_$i:cycle_member_with_a_long_name_$(((i + 1) % 300))"
	order+=" cycle_member_with_a_long_name_$(((i + 150) % 300))"
done
same_as_kmod "a 300-module cycle, in hash order" "$long"
same_as_kmod "a 300-module cycle, modules.order" "$long" "$order"
if [ "$(head -c 20000 "$tmp/lkm" | head -n 1 | wc -c)" -gt 8192 ]; then
	ok "the 300-module cycle's line is whole: $(head -n 1 "$tmp/lkm" | wc -c) bytes"
else
	bad "the 300-module cycle's line is cut: $(head -n 1 "$tmp/lkm" | wc -c) bytes"
fi

by_rules "two cycles sharing a module, from another" "a:b b:a,c c:b" "a b c" \
	"Cycle detected: a -> b -> a" "Cycle detected: c -> b -> c" \
	"Found 3 modules in dependency cycles!"
by_rules "two cycles sharing a module, from another, the other way" "a:b b:c,a c:b" "a b c" \
	"Cycle detected: a -> b -> a" "Cycle detected: c -> b -> c" \
	"Found 3 modules in dependency cycles!"
by_rules "a diamond from below its top" "a:b,c b:d c:d d:a" "c b a d" \
	"Cycle detected: c -> d -> a -> c" "Cycle detected: b -> d -> a -> b" \
	"Found 4 modules in dependency cycles!"
# r is below one cycle and above another: kmod goes round d -> e for ever, silent.
by_rules "a module between two cycles walked from first" "c:k k:c,r r:d d:e e:d" \
	"r c k d e" "Cycle detected: c -> k -> c" "Cycle detected: d -> e -> d" \
	"Found 4 modules in dependency cycles!"

# kmod's stack has room for 5 entries (the roots), this walk needs more: kmod dies on
# its assertion though its walk would end. lkm gives the lines that walk would.
by_rules "a walk kmod's stack cannot hold" \
	"r:m4,m3,m2,m1 m1:m4,m3,m2 m2:m4,m3 m3:m4 m4:r" "r m1 m2 m3 m4" \
	"Cycle detected: r -> m1 -> m2 -> m3 -> m4 -> r" "Cycle detected: r -> m1 -> m2 -> m4 -> r" \
	"Cycle detected: r -> m1 -> m3 -> m4 -> r" "Cycle detected: r -> m1 -> m4 -> r" \
	"Cycle detected: r -> m2 -> m3 -> m4 -> r" "Cycle detected: r -> m2 -> m4 -> r" \
	"Cycle detected: r -> m3 -> m4 -> r" "Cycle detected: r -> m4 -> r" \
	"Found 5 modules in dependency cycles!"

# promised OUT GRAPH: lkm's report keeps the rules' promises (for kmod's endless walks).
promised() {
	awk -v graph="$2" '
	BEGIN {
		n = split(graph, specs, " ")
		for (i = 1; i <= n; i++) {
			split(specs[i], p, ":"); names[i] = p[1]; k = split(p[2], d, ",")
			for (j = 1; j <= k; j++) reach[p[1], d[j]] = edge[p[1], d[j]] = 1
		}
		for (k = 1; k <= n; k++) for (i = 1; i <= n; i++) for (j = 1; j <= n; j++)
			if (reach[names[i], names[k]] && reach[names[k], names[j]])
				reach[names[i], names[j]] = 1
		for (i = 1; i <= n; i++) if (reach[names[i], names[i]]) { incycle[names[i]] = 1; want++ }
	}
	/^exit / { status = $2; next }
	/^depmod: ERROR: Found / { found = $4; next }
	sub(/^depmod: ERROR: Cycle detected: /, "") {
		k = split($0, m, " -> ")
		if (k == 1) { if (m[1] in incycle) { print "alone: " m[1]; err = 1 } next }
		if (m[1] != m[k]) { print "open: " $0; err = 1 }
		delete seen
		for (i = 1; i < k; i++) {
			if (!edge[m[i], m[i + 1]]) { print "no edge: " m[i] " " m[i + 1]; err = 1 }
			if (m[i] in seen) { print "twice: " m[i]; err = 1 }
			seen[m[i]] = 1; named[m[i]] = 1
		}
		next
	}
	{ print "other: " $0; err = 1 }
	END {
		for (x in incycle) if (!(x in named)) { print "not named: " x; err = 1 }
		if (status != (want ? 1 : 0) || (want && found != want)) {
			print "status " status ", found " found ", in cycles " want; err = 1
		}
		exit err
	}' "$1"
}

# Random graphs of 2 to 9 modules, the same ones on every run.
RANDOM=2025
n_same=0 n_rules=0 n_bad=0
for g in $(seq 150); do
	n=$((2 + RANDOM % 8)) p=$((10 + RANDOM % 30)) graph="" order=""
	names=(a b c d e f g h i)
	for ((i = 0; i < n; i++)); do
		deps=""
		for ((j = 0; j < n; j++)); do
			((RANDOM % 100 < p)) && deps+="${deps:+,}${names[j]}"
		done
		graph+=" ${names[i]}:$deps"
	done
	if ((RANDOM % 10 < 7)); then
		for i in $(shuf -e --random-source=<(yes "$g") "${names[@]:0:n}" | head -n $((1 + RANDOM % n))); do
			order+=" $i"
		done
	fi
	tree "$graph" "$order" || { bad "random graph $g: tree"; continue; }
	run "$tmp/lkm" timeout 20 "$LKM" depmod
	if [ -n "$KMOD" ]; then
		run_kmod "$tmp/kmod"
		if kmod_ended "$tmp/kmod"; then
			if cmp -s "$tmp/kmod" "$tmp/lkm"; then
				n_same=$((n_same + 1))
			else
				n_bad=$((n_bad + 1))
				bad "random graph$graph | order$order: differs from kmod" \
					"$(diff "$tmp/kmod" "$tmp/lkm" | head -n 6)"
			fi
			continue
		fi
	fi
	if why=$(promised "$tmp/lkm" "$graph"); then
		n_rules=$((n_rules + 1))
	else
		n_bad=$((n_bad + 1))
		bad "random graph$graph | order$order: breaks the rules' promises" "$why"
	fi
done
if [ "$n_bad" -eq 0 ]; then
	ok "150 random graphs: $n_same as kmod, $n_rules where kmod's report never ends as the rules promise"
fi
[ -z "$KMOD" ] || at_least 30 "random graphs compared with kmod" "$n_same"
finish
