#!/bin/bash
# Differential test: lkm's modprobe against kmod's (the oracle) on the two Debian
# trees, for the queries that need no kernel: -D for every module of the 6.1 tree (and a
# sample of the 6.12 one), -R for a sample of modules.alias, -c with a fixture config,
# --show-modversions and --show-exports. Both tools read the fixture config (-C), never
# the host's. Many names go to one call with -a; a batch that differs is split down to
# the names that differ. Loading a module file ("./x.ko", kmod 31) and --show-* of a
# module name (kmod's main branch) are not in kmod 30: tools/test-modprobe-path.sh has
# those; here --show-* of relative files, which kmod 30 reads as files too.
#
# Known, intended differences (kmod issue 33): a module with several softdep lines
# (ksmbd, btrfs, bcachefs in modules.softdep) gets all of them with lkm, only the first
# with kmod. For those we check that lkm's plan holds every line of kmod's.
set -u
LKM=${LKM:?path of the lkm binary}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
command -v modprobe >/dev/null || PATH=$PATH:/sbin:/usr/sbin
need "kmod's modprobe" command -v modprobe >/dev/null
trees=$("$here/../tools/fetch-trees.sh") || need "fetch the Debian trees" false
[ "$(echo "$trees" | wc -l)" -eq 2 ] || need "two Debian trees" false
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkm-test-modprobe.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
BATCH=${BATCH:-300}
mkdir -p "$tmp/empty"
issue33=" ksmbd btrfs bcachefs "

# stdout and exit code must be kmod's; so must stderr, once lkm's explanations (the
# detail lines it indents under a message: "did you mean", ...) are left out.
run_both() { # out-prefix args...
	local p=$1; shift
	modprobe "$@" >"$p.k" 2>"$p.ke"; echo $? >"$p.kx"
	"$LKM" modprobe "$@" >"$p.l" 2>"$p.lfull"; echo $? >"$p.lx"
	grep -v '^  ' "$p.lfull" >"$p.le"
	cmp -s "$p.k" "$p.l" && cmp -s "$p.kx" "$p.lx" && cmp -s "$p.ke" "$p.le"
}

# check_list LABEL "OPTS" LIST-FILE MIN-ITEMS MIN-LINES: the mismatch count in $bad_count,
# which is also set (to the number of checks short) when the list has fewer than MIN-ITEMS
# names or kmod printed fewer than MIN-LINES lines for them: empty answers agree and
# prove nothing.
check_list() {
	local label=$1 opts=$2 list=$3 min=$4 minlines=$5 total i m lines=0
	mapfile -t items <"$list"
	total=${#items[@]}
	bad_count=0
	at_least "$min" "$label: names" "$total" || { bad_count=1; return; }
	for ((i = 0; i < total; i += BATCH)); do
		local batch=("${items[@]:i:BATCH}")
		# shellcheck disable=SC2086
		run_both "$tmp/b" $opts -a "${batch[@]}"
		local same=$?
		lines=$((lines + $(wc -l <"$tmp/b.k")))
		[ "$same" -eq 0 ] && continue
		for m in "${batch[@]}"; do
			# shellcheck disable=SC2086
			run_both "$tmp/one" $opts "$m" && continue
			if [[ $issue33 == *" $m "* ]] && [ "$(cat "$tmp/one.kx")" = 0 ] &&
			   [ -z "$(grep -vxF -f "$tmp/one.l" "$tmp/one.k")" ]; then
				echo "  expected [$label] $m: lkm adds the softdeps kmod drops (issue 33)"
				continue
			fi
			bad_count=$((bad_count + 1))
			if [ "$bad_count" -le 3 ]; then
				echo "  mismatch [$label] modprobe $opts $m"
				diff "$tmp/one.k" "$tmp/one.l" | head -6 | sed 's/^/    /'
				diff "$tmp/one.ke" "$tmp/one.le" | head -4 | sed 's/^/    /'
			fi
		done
	done
	echo "  [$label] $total names, $lines lines from kmod, $bad_count mismatches"
	at_least "$minlines" "$label: lines of kmod's answers" "$lines" || bad_count=$((bad_count + 1))
}

while read -r kver root; do
	dir=$root/lib/modules/$kver
	base="-C $tmp/empty -d $root -S $kver"
	find "$dir/kernel" -name '*.ko*' | sed 's|.*/||; s|\.ko.*||' | sort -u >"$tmp/names"
	case $kver in
	6.1.*) cp "$tmp/names" "$tmp/dnames" ;;
	*) awk 'NR % 10 == 1' "$tmp/names" >"$tmp/dnames" ;;
	esac
	echo "== $kver"
	check_list "-D $kver" "$base -D" "$tmp/dnames" 400 400
	[ "$bad_count" = 0 ] && ok "-D $kver" || bad "-D $kver ($bad_count mismatches)"

	grep '^alias ' "$dir/modules.alias" | awk 'NR % 40 == 1 {print $2}' >"$tmp/aliases"
	grep '^alias ' "$dir/modules.symbols" | awk 'NR % 500 == 1 {print $2}' >>"$tmp/aliases"
	printf '%s\n' nosuch-module 'pci:v0000DEADd*' fs-ext4 char-major-10-229 crypto-crc32c >>"$tmp/aliases"
	check_list "-R $kver" "$base -R" "$tmp/aliases" 500 500
	[ "$bad_count" = 0 ] && ok "-R $kver" || bad "-R $kver ($bad_count mismatches)"

	# Names given one by one, with parameters, through errors.
	n=0
	: >"$tmp/p.all"
	for args in "i915 modeset=0" "crc32c foo=bar x='a b'" "nosuch" "fs-ext4 x=1" "ext4"; do
		# shellcheck disable=SC2086
		eval "set -- $args"
		# shellcheck disable=SC2086
		run_both "$tmp/p" $base -D "$@" || { n=$((n + 1)); echo "  mismatch: -D $args"; diff "$tmp/p.k" "$tmp/p.l" | head -4; }
		cat "$tmp/p.k" >>"$tmp/p.all"
	done
	# i915 alone needs a dozen modules.
	at_least 15 "-D with parameters $kver: lines" "$(wc -l <"$tmp/p.all")" &&
		{ [ "$n" = 0 ] && ok "-D with parameters $kver" || bad "-D with parameters $kver"; }

	# --show-modversions and --show-exports on a sample of files.
	find "$dir/kernel" -name '*.ko*' | sort | awk 'NR % 150 == 1' >"$tmp/files"
	n=0 lines=0
	while read -r f; do
		for q in --show-modversions --show-exports; do
			run_both "$tmp/s" $base $q "$f" || { n=$((n + 1)); [ $n -le 3 ] && echo "  mismatch: $q $f"; }
			lines=$((lines + $(wc -l <"$tmp/s.k")))
		done
	done <"$tmp/files"
	if ! at_least 20 "--show-* $kver: files" "$(wc -l <"$tmp/files")" ||
		! at_least 1000 "--show-* $kver: lines of kmod's answers" "$lines"; then :
	elif [ "$n" = 0 ]; then
		ok "--show-modversions/--show-exports $kver ($(wc -l <"$tmp/files") files, $lines lines)"
	else
		bad "--show-modversions/--show-exports $kver ($n mismatches)"
	fi

	# The same as ./FILE and as a bare FILE, from the file's directory: kmod 30 takes both
	# for files; so does lkm (a path, and a name that finds nothing but is a file).
	n=0 lines=0
	while read -r f; do
		for a in "./${f##*/}" "${f##*/}"; do
			for q in --show-modversions --show-exports; do
				# shellcheck disable=SC2086
				(cd "${f%/*}" && run_both "$tmp/r" $base $q "$a") ||
					{ n=$((n + 1)); [ $n -le 3 ] && echo "  mismatch: (cd ${f%/*}) $q $a"; }
				lines=$((lines + $(wc -l <"$tmp/r.k")))
			done
		done
	done < <(awk 'NR % 4 == 1' "$tmp/files")
	if at_least 200 "--show-* of relative files $kver: lines of kmod's answers" "$lines"; then
		[ "$n" = 0 ] && ok "--show-* of ./FILE and FILE $kver" ||
			bad "--show-* of ./FILE and FILE $kver ($n mismatches)"
	fi

	# -c with a fixture config; kmod 30 knows no weakdep and glues "pre: apost: b",
	# so the fixture avoids both.
	mkdir -p "$tmp/conf"
	cat >"$tmp/conf/a.conf" <<-'EOF'
	alias my-alias ext4
	alias pci:v0000ABCDd* e1000e
	options ext4 foo=1 \
	  bar=2
	options snd-hda-intel index=0
	install dummy /bin/true $CMDLINE_OPTS
	remove dummy /bin/false
	blacklist pcspkr
	softdep ext4 pre: crc16
	EOF
	cat >"$tmp/conf/b.conf" <<-'EOF'
	options ext4 baz=3
	softdep xfs post: crc32c
	EOF
	run_both "$tmp/c" -C "$tmp/conf" -d "$root" -S "$kver" -c &&
		grep -qx 'alias my_alias ext4' "$tmp/c.k" && ok "-c $kver ($(wc -l <"$tmp/c.k") lines)" ||
		{ bad "-c $kver"; diff "$tmp/c.k" "$tmp/c.l" | head -10; }
	# The same config drives -D: aliases, options (file order), install commands.
	n=0 lines=0
	for m in my-alias ext4 dummy 'pci:v0000ABCDd00001234sv0sd0bc0sc0i0' xfs; do
		run_both "$tmp/d" -C "$tmp/conf" -d "$root" -S "$kver" -D "$m" ||
			{ n=$((n + 1)); echo "  mismatch: -D $m"; diff "$tmp/d.k" "$tmp/d.l" | head -6; }
		lines=$((lines + $(wc -l <"$tmp/d.k")))
	done
	at_least 8 "-D with a config $kver: lines" "$lines" &&
		{ [ "$n" = 0 ] && ok "-D with a config $kver" || bad "-D with a config $kver"; }
done <<<"$trees"

# Explanations, on the 6.1 tree: kmod's exit code and words, then lkm's detail.
read -r kver root <<<"$(head -n 1 <<<"$trees")"
base="-C $tmp/empty -d $root -S $kver"
# explained NAME WANT-IN-LKM-STDERR [IN-KMOD-STDERR-TOO] -- args...
explained() {
	local name=$1 want=$2 both=$3; shift 4
	modprobe "$@" >/dev/null 2>"$tmp/x.ke"; krc=$?
	"$LKM" modprobe "$@" >"$tmp/x.lo" 2>"$tmp/x.le"; lrc=$?
	if [ "$krc" = "$lrc" ] && grep -qF -- "$want" "$tmp/x.le" &&
	   { [ -z "$both" ] || { grep -qF -- "$both" "$tmp/x.ke" && grep -qF -- "$both" "$tmp/x.le"; }; }; then
		ok "$name"
	else
		bad "$name (exit kmod $krc, lkm $lrc)"; sed 's/^/  kmod: /' "$tmp/x.ke"; sed 's/^/  lkm:  /' "$tmp/x.le"
	fi
}
# shellcheck disable=SC2086
explained "not found: did you mean" "  did you mean vfat?" "Module vfta not found in directory" -- $base vfta
# shellcheck disable=SC2086
explained "-r not found: did you mean" "  did you mean ext4?" "Module ext5 not found." -- $base -r ext5
# shellcheck disable=SC2086
"$LKM" modprobe $base -q vfta 2>"$tmp/x.le"
[ $? = 1 ] && [ ! -s "$tmp/x.le" ] && ok "-q: exit 1, no message, no explanation" ||
	bad "-q: exit 1, no message, no explanation"
mkdir -p "$tmp/bad"
printf 'aliass foo bar\nblacklist ext4\n' >"$tmp/bad/bad.conf"
explained "malformed config line: file and line" "that line was skipped" \
	"$tmp/bad/bad.conf line 1: ignoring bad line starting with 'aliass'" -- \
	-C "$tmp/bad" -d "$root" -S "$kver" -n fs-ext4
explained "blacklisted alias: file and line" \
	"Module ext4 is blacklisted by $tmp/bad/bad.conf line 2" "" -- -C "$tmp/bad" -d "$root" -S "$kver" -n fs-ext4
# --check: resolves, never loads; a name that finds nothing fails as modprobe would.
# shellcheck disable=SC2086
"$LKM" modprobe $base --check vfta >/dev/null 2>"$tmp/x.le"
[ $? = 1 ] && grep -qF "did you mean vfat?" "$tmp/x.le" && ok "--check: not found" || bad "--check: not found"
# shellcheck disable=SC2086
"$LKM" modprobe $base --check vfat >"$tmp/x.lo" 2>&1; crc=$?
if grep -q '^vfat would \(not \)\?load' "$tmp/x.lo" && grep -q '^fat would' "$tmp/x.lo" &&
   grep -qF 'ok: fat_attach: exported by fat, which is loaded before it' "$tmp/x.lo" &&
   { [ $crc = 0 ] || grep -q '^  problem: ' "$tmp/x.lo"; }; then
	ok "--check: the module and its dependency, the dependency's symbols counted"
else
	bad "--check vfat (exit $crc)"; head -5 "$tmp/x.lo"
fi

finish
