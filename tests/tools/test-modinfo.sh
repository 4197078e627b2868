#!/bin/bash
# modinfo on fixtures made here: bad files get one error line that names the file and
# exit 1, never a crash; relative paths, several arguments and lookups that fail behave
# as kmod's modinfo (the oracle) does.
set -u
LKM=$(realpath "${LKM:?path of the lkm binary}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

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
fi

"$LKM" modinfo --help | grep -q -- "--field" && ok "--help lists the options" || bad "--help"
"$LKM" modinfo -V | grep -qE '^[+-]ZLIB [+-]XZ [+-]ZSTD [+-]LIBCRYPTO$' && ok "-V features" || bad "-V"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
