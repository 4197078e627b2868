#!/bin/bash
# modinfo on fixtures made here: bad files get one error line that names the file and
# exit 1, never a crash; relative paths, several arguments and lookups that fail behave
# as kmod's modinfo (the oracle) does.
set -u
LKM=$(realpath "${LKM:?path of the lkm binary}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "skip $1"; skipped=$((skipped + 1)); }

# expect_error NAME FILE WORDS...: exit 1, one stderr line naming FILE and holding WORDS.
expect_error() {
	local name=$1 file=$2; shift 2
	"$LKM" modinfo "$file" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qF "$file" "$tmp/err"; then
		bad "$name: exit $rc, $lines stderr lines: $(head -c 300 "$tmp/err")"
		return
	fi
	for w in "$@"; do
		grep -qiF -- "$w" "$tmp/err" || { bad "$name: no '$w' in: $(cat "$tmp/err")"; return; }
	done
	ok "$name: $(cat "$tmp/err")"
}

printf 'hello, not a module\n' >"$tmp/text.ko"
expect_error "text file" "$tmp/text.ko" "ELF"
: >"$tmp/empty.ko"
expect_error "empty file" "$tmp/empty.ko" "empty"
cp /bin/true "$tmp/prog.ko"
expect_error "executable" "$tmp/prog.ko" "relocatable"
printf '\xfd7zXZ\0garbage-garbage-garbage' >"$tmp/corrupt.ko.xz"
expect_error "corrupt xz" "$tmp/corrupt.ko.xz" "xz"
printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03broken' >"$tmp/corrupt.ko.gz"
expect_error "corrupt gzip" "$tmp/corrupt.ko.gz" "gzip"
printf '\x28\xb5\x2f\xfd\x04\x58broken' >"$tmp/corrupt.ko.zst"
expect_error "corrupt zstd" "$tmp/corrupt.ko.zst" "zstd"
# A real ELF header whose section table lies past the end of the file.
{ printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  printf '\x01\x00\x3e\x00\x01\x00\x00\x00'; printf '\x00%.0s' $(seq 16)
  printf '\x00\x00\x01\x00\x00\x00\x00\x00'   # e_shoff = 65536
  printf '\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x40\x00\x05\x00\x01\x00'; } >"$tmp/shoff.ko"
expect_error "section table past the end" "$tmp/shoff.ko" "section"
# -n names a file without opening it: bad files are no error, as in kmod; the modules
# are found, never decoded.
if command -v modinfo >/dev/null && modinfo -V 2>/dev/null | grep -q kmod &&
	! modinfo -V | grep -q '^lkm version'; then
	for args in "-n" "-F filename" "-n -0"; do
		# shellcheck disable=SC2086
		(modinfo $args "$tmp/text.ko" "$tmp/empty.ko" "$tmp/corrupt.ko.xz"; echo "exit $?") >"$tmp/k" 2>&1
		# shellcheck disable=SC2086
		("$LKM" modinfo $args "$tmp/text.ko" "$tmp/empty.ko" "$tmp/corrupt.ko.xz"; echo "exit $?") >"$tmp/l" 2>&1
		cmp -s "$tmp/k" "$tmp/l" && ok "modinfo $args of three bad files: their names, as kmod" ||
			bad "modinfo $args of three bad files: $(tr '\0' ' ' <"$tmp/l")"
	done
else
	skip "-n of bad files against kmod: no kmod modinfo here"
fi

trees=$("$(dirname "$0")/fetch-trees.sh" 2>/dev/null) || trees=""
if [ -n "$trees" ] && command -v modinfo >/dev/null; then
	read -r kver root <<<"$(head -n 1 <<<"$trees")"
	dir="$root/lib/modules/$kver/kernel/fs/fat"
	# Every truncation of a real module: an error naming the file, or kmod-equal output.
	real=$(ls "$dir"/msdos.ko* | head -n 1)
	size=$(stat -c %s "$real"); crashes=0
	for cut in $(seq 0 331 "$size"); do
		head -c "$cut" "$real" >"$tmp/cut.ko"
		"$LKM" modinfo "$tmp/cut.ko" >/dev/null 2>"$tmp/err"; rc=$?
		[ $rc -le 1 ] || crashes=$((crashes + 1))
	done
	[ $crashes -eq 0 ] && ok "truncations of $(basename "$real") at every 331 bytes: no crash" ||
		bad "truncations: $crashes crashes"
	(cd "$dir" && modinfo ./fat.ko* >"$tmp/k" 2>&1; echo $? >>"$tmp/k"
	 "$LKM" modinfo ./fat.ko* >"$tmp/l" 2>&1; echo $? >>"$tmp/l")
	cmp -s "$tmp/k" "$tmp/l" && ok "relative path as kmod" || bad "relative path differs"
	# Through a symbolic link (/lib on merged /usr): kmod names the file by the logical
	# working directory, $PWD, not the physical one.
	ln -s "$dir" "$tmp/fatlink"
	(cd "$tmp/fatlink" && modinfo -F filename ./fat.ko* fat.ko* >"$tmp/k" 2>&1
	 echo $? >>"$tmp/k"; "$LKM" modinfo -F filename ./fat.ko* fat.ko* >"$tmp/l" 2>&1
	 echo $? >>"$tmp/l")
	if grep -q "^$tmp/fatlink/./fat.ko" "$tmp/l" && cmp -s "$tmp/k" "$tmp/l"; then
		ok "relative path under a linked directory: \$PWD's name, as kmod"
	else
		bad "relative path under a linked directory" "$(paste -d'|' "$tmp/k" "$tmp/l")"
	fi
	for args in "-b $root -k $kver no_such_module" "-b $root -k $kver -m no_such_module" \
		    "-b $root -k $kver fat no_such_module msdos" "-b $root -k $kver -F alias -0 fat vfat"; do
		# shellcheck disable=SC2086
		modinfo $args >"$tmp/k" 2>/dev/null; echo "exit $?" >>"$tmp/k"
		# shellcheck disable=SC2086
		"$LKM" modinfo $args >"$tmp/l" 2>/dev/null; echo "exit $?" >>"$tmp/l"
		cmp -s "$tmp/k" "$tmp/l" && ok "modinfo $args as kmod" || bad "modinfo $args differs"
	done
	"$LKM" modinfo -b "$root" -k "$kver" no_such_module 2>"$tmp/err"
	grep -q "no_such_module" "$tmp/err" && ok "not found names the module" || bad "not found message"
else
	skip "real trees: no Debian module tree (fetch-trees.sh) or no kmod modinfo here"
fi

# parm/parmtype merge: a module of .modinfo records only, made with objcopy from an empty
# object. records AWK_PROGRAM FILE: the program's lines become NUL-terminated records.
records() { awk "BEGIN { $1 }" </dev/null | tr '\n' '\0' >"$tmp/$2.modinfo"
	objcopy --add-section .modinfo="$tmp/$2.modinfo" --set-section-flags .modinfo=alloc,readonly \
		"$tmp/empty.o" "$tmp/$2.ko"; }
if command -v cc >/dev/null && command -v objcopy >/dev/null && cc -c -x c /dev/null -o "$tmp/empty.o"; then
	# Every shape of record kmod merges: parm then parmtype, the reverse, either alone,
	# both twice (the later wins), a late replacement and one without ':'.
	records 'print "license=GPL"; for (i = 0; i < 3000; i++) { m = i % 5
		if (m == 0) printf "parm=p%d:d%d\nparmtype=p%d:int\n", i, i, i
		else if (m == 1) printf "parmtype=q%d:charp\nparm=q%d:d%d\n", i, i, i
		else if (m == 2) printf "parm=r%d:only desc %d\n", i, i
		else if (m == 3) printf "parmtype=s%d:bool\n", i
		else printf "parm=t%d:first\nparmtype=t%d:int\nparm=t%d:second\nparmtype=t%d:uint\n", i, i, i, i
		if (i == 1500) print "parm=nocolon"; if (i == 10) print "parm=p0:late" }
		print "description=mixed"' mixed
	if command -v modinfo >/dev/null && modinfo -V 2>/dev/null | grep -q kmod &&
	! modinfo -V | grep -q '^lkm version'; then
		for args in "" "-p" "-0" "-F parm" "-F parmtype"; do
			# stdout and stderr apart: each tool orders the two streams its own way.
			# shellcheck disable=SC2086
			(modinfo $args "$tmp/mixed.ko"; echo "exit $?") >"$tmp/k" 2>"$tmp/k.err"
			# shellcheck disable=SC2086
			("$LKM" modinfo $args "$tmp/mixed.ko"; echo "exit $?") >"$tmp/l" 2>"$tmp/l.err"
			cmp -s "$tmp/k" "$tmp/l" && cmp -s "$tmp/k.err" "$tmp/l.err" && ok "3000 mixed parameters, modinfo $args: as kmod" ||
				bad "3000 mixed parameters, modinfo $args: differs from kmod"
		done
	else
		skip "mixed parameters against kmod: no kmod modinfo here"
	fi
	# 200,000 parameters took lkm past 120 s when each record searched all the earlier
	# ones; kmod's own modinfo is as slow. Now it is linear: seconds even under ASan.
	records 'for (i = 0; i < 200000; i++) printf "parmtype=p%d:int\nparm=p%d:description %d\n", i, i, i' many
	start=$(date +%s)
	timeout 60 "$LKM" modinfo -p "$tmp/many.ko" >"$tmp/out" 2>"$tmp/err"; rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ] && [ $secs -le 10 ] && [ "$(wc -l <"$tmp/out")" -eq 200000 ] &&
	   [ "$(head -n 1 "$tmp/out")" = "p199999:description 199999 (int)" ] &&
	   [ "$(tail -n 1 "$tmp/out")" = "p0:description 0 (int)" ]; then
		ok "200,000 parameters in ${secs} s, in kmod's order"
	else
		bad "200,000 parameters: exit $rc after ${secs} s (limit 10), $(wc -l <"$tmp/out") lines, first: $(head -n 1 "$tmp/out")"
	fi
else
	skip "parameter merge: no cc or objcopy here to make the modules"
fi

"$LKM" modinfo --help | grep -q -- "--field" && ok "--help lists the options" || bad "--help"
"$LKM" modinfo -V | grep -qE '^[+-]ZSTD [+-]XZ [+-]ZLIB [+-]LIBCRYPTO -EXPERIMENTAL$' && ok "-V features" || bad "-V"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
