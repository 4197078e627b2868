#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The optional libraries on first use (lib/dl.c): the default build records no NEEDED
# entry for zlib, liblzma, libzstd or libcrypto, in lkm nor in libkmod.so.2, but a
# .note.dlopen note for each; modprobe -D maps none of them, modinfo of a .ko.xz maps
# liblzma, and with liblzma hidden (a private mount namespace, /dev/null bound over it)
# modinfo of a .ko.xz fails with one clear line naming the file and the library while a
# plain .ko still works; modinfo of a sha256-signed module maps no libcrypto (lkm reads
# the PKCS#7 fields itself), one signed with sha3-256 maps it. The static build links the
# libraries: only the modinfo checks apply there.
set -u
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
test_setup dlopen LKM LKM_MAKE_MODULE

sonames=(libz.so.1 liblzma.so.5 libzstd.so.1 libcrypto.so)
kver=1.0-test root=$tmp/root
dir=$root/lib/modules/$kver
mkdir -p "$dir/kernel"
need "make-module plain" "$LKM_MAKE_MODULE" "$dir/kernel/plain.ko" plain license=GPL
need "make-module packed" "$LKM_MAKE_MODULE" "$dir/kernel/packed.ko" packed license=GPL \
	description=packed-in-xz
need "xz of packed.ko" xz --check=crc32 "$dir/kernel/packed.ko"
printf 'kernel/plain.ko\nkernel/packed.ko.xz\n' >"$dir/modules.order"
: >"$dir/modules.builtin"
: >"$dir/modules.builtin.modinfo"
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"

# The modinfo checks, for both builds.
"$LKM" modinfo -F description "$dir/kernel/packed.ko.xz" >"$tmp/out" 2>"$tmp/err"
check "modinfo of a .ko.xz works" grep -qx packed-in-xz "$tmp/out"

if ! readelf -d "$LKM" | grep -q NEEDED; then
	skip "dlopen checks" "$LKM is linked statically (-Dstatic=true links the libraries)"
	finish
fi

# no_needed FILE: none of the four libraries among FILE's NEEDED entries.
no_needed() {
	local f=$1 s
	readelf -d "$f" >"$tmp/dyn" || { bad "readelf -d $f"; return; }
	for s in "${sonames[@]}"; do
		if grep NEEDED "$tmp/dyn" | grep -qF "[$s"; then
			bad "$(basename "$f") has no NEEDED $s" "$(grep NEEDED "$tmp/dyn" | grep -F "[$s")"
		else
			ok "$(basename "$f") has no NEEDED $s"
		fi
	done
}

# notes FILE: the sonames of FILE's FDO dlopen notes, one a line, each note parsed.
notes() {
	objcopy -O binary --only-section=.note.dlopen "$1" "$tmp/notes" || return 1
	python3 - "$tmp/notes" <<'PY'
import json, struct, sys
data = open(sys.argv[1], 'rb').read()
pos = 0
if not data:
    sys.exit('no .note.dlopen section')
while pos < len(data):
    namesz, descsz, ntype = struct.unpack_from('<III', data, pos)
    pos += 12
    name = data[pos:pos + namesz]
    pos += (namesz + 3) & ~3
    desc = data[pos:pos + descsz]
    pos += (descsz + 3) & ~3
    if name != b'FDO\0' or ntype != 0x407c0c0a:
        sys.exit('note owner %r type %#x' % (name, ntype))
    if not desc.endswith(b'\0'):
        sys.exit('payload not NUL-terminated')
    for entry in json.loads(desc[:-1].decode()):
        assert entry['priority'] in ('required', 'recommended', 'suggested')
        assert entry['feature'] and entry['description']
        for s in entry['soname']:
            print(s)
PY
}

check_notes() {
	local f=$1 s
	if ! notes "$f" >"$tmp/sonames" 2>"$tmp/why"; then
		bad "$(basename "$f"): .note.dlopen parses" "$(cat "$tmp/why")"
		return
	fi
	ok "$(basename "$f"): .note.dlopen parses"
	for s in "${sonames[@]}"; do
		check "$(basename "$f"): .note.dlopen names $s" grep -q "^$s" "$tmp/sonames"
	done
}

no_needed "$LKM"
check_notes "$LKM"
if [ -n "${LKM_LIBKMOD:-}" ]; then
	no_needed "$LKM_LIBKMOD"
	check_notes "$LKM_LIBKMOD"
else
	skip "libkmod.so.2 checks" "LKM_LIBKMOD not set"
fi

# loaded SONAME LOG: the dynamic loader's LD_DEBUG=libs log shows SONAME looked up or run.
loaded() { grep -E "(find library|calling init)=?:? ?.*$1" "$2" >/dev/null; }
LD_DEBUG=libs "$LKM" modprobe -d "$root" -S "$kver" -D plain >"$tmp/out" 2>"$tmp/ld"
check "modprobe -D plain prints its insmod" grep -q "insmod .*plain.ko" "$tmp/out"
at_least 1 "LD_DEBUG=libs lines" "$(grep -c 'calling init' "$tmp/ld")"
for s in "${sonames[@]}"; do
	if loaded "$s" "$tmp/ld"; then
		bad "modprobe -D maps no $s" "$(grep -F "$s" "$tmp/ld" | head -2)"
	else
		ok "modprobe -D maps no $s"
	fi
done
LD_DEBUG=libs "$LKM" modinfo -F description "$dir/kernel/packed.ko.xz" >"$tmp/out" 2>"$tmp/ld"
check "modinfo of a .ko.xz maps liblzma.so.5" loaded liblzma.so.5 "$tmp/ld"
cp "$tmp/ld" "$tmp/ld.xz"
if loaded libcrypto.so "$tmp/ld"; then
	bad "modinfo of an unsigned .ko.xz maps no libcrypto"
else
	ok "modinfo of an unsigned .ko.xz maps no libcrypto"
fi

# Signed as sign-file signs (openssl cms: detached, binary, no certificates, no
# attributes), then sign-file's trailer. lkm reads a sha256 message's fields from its DER
# itself: no libcrypto for modinfo; a digest outside kmod's names (sha3-256) is named by
# libcrypto, opened for it.
# sign MODULE DIGEST OUT: OUT is MODULE with its signature appended.
sign() {
	openssl cms -sign -in "$1" -signer "$tmp/cert.pem" -inkey "$tmp/key.pem" -nocerts \
		-noattr -binary -outform DER -md "$2" -out "$tmp/sig.der" 2>>"$tmp/openssl.err" || return 1
	local n
	n=$(stat -c %s "$tmp/sig.der")
	{ cat "$1" "$tmp/sig.der"; printf '\0\0\2\0\0\0\0\0'
	  printf "\\$(printf %03o $((n >> 24 & 255)))\\$(printf %03o $((n >> 16 & 255)))"
	  printf "\\$(printf %03o $((n >> 8 & 255)))\\$(printf %03o $((n & 255)))"
	  printf '~Module signature appended~\n'; } >"$3"
}
if ! command -v openssl >/dev/null; then
	skip "signed modules" "no openssl command here"
elif need "a signing key" openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -set_serial 0x4242 \
	-subj "/O=lkm/CN=lkm dlopen test/emailAddress=lkm@example.org" 2>>"$tmp/openssl.err"; then
	need "sign with sha256" sign "$dir/kernel/plain.ko" sha256 "$tmp/signed.ko"
	LD_DEBUG=libs "$LKM" modinfo "$tmp/signed.ko" >"$tmp/out" 2>"$tmp/ld"
	check "modinfo of a sha256-signed .ko: its signer" \
		grep -qx 'signer:         lkm dlopen test' "$tmp/out"
	check "modinfo of a sha256-signed .ko: its key and digest" sh -c \
		"grep -qx 'sig_key:        42:42' '$tmp/out' && grep -qx 'sig_hashalgo:   sha256' '$tmp/out'"
	check "modinfo of a sha256-signed .ko: 256 signature bytes" test \
		"$(sed -n '/^signature:/,$p' "$tmp/out" | grep -oE '[0-9A-F]{2}' | wc -l)" -eq 256
	if loaded libcrypto.so "$tmp/ld"; then
		bad "modinfo of a sha256-signed .ko maps no libcrypto" "$(grep -F libcrypto "$tmp/ld" | head -2)"
	else
		ok "modinfo of a sha256-signed .ko maps no libcrypto"
	fi
	if sign "$dir/kernel/plain.ko" sha3-256 "$tmp/signed3.ko"; then
		LD_DEBUG=libs "$LKM" modinfo -F sig_hashalgo "$tmp/signed3.ko" >"$tmp/out" 2>"$tmp/ld"
		check "modinfo of a sha3-256-signed .ko: libcrypto names the digest" \
			grep -qx sha3-256 "$tmp/out"
		check "modinfo of a sha3-256-signed .ko maps libcrypto" loaded libcrypto.so "$tmp/ld"
	else
		skip "sha3-256 signature" "this openssl cannot sign with sha3-256: $(tail -1 "$tmp/openssl.err")"
	fi
fi

# liblzma hidden: the file the loader would open, with /dev/null bound over it.
lzma=$(grep -oE "calling init: [^ ]*liblzma\.so\.5[^ ]*" "$tmp/ld.xz" | head -1 | cut -d' ' -f3)
if [ -z "$lzma" ] || ! unshare -m true 2>/dev/null; then
	skip "liblzma hidden" "no liblzma path ($lzma) or no unshare -m here"
	finish
fi
lzma=$(realpath "$lzma")
hidden() {
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lzma" "$@"
}
hidden "$LKM" modinfo "$dir/kernel/packed.ko.xz" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "liblzma hidden: modinfo of a .ko.xz exits 1 (exit $rc)" test "$rc" -eq 1
check "liblzma hidden: one stderr line" test "$(wc -l <"$tmp/err")" -eq 1
if grep -qF "$dir/kernel/packed.ko.xz" "$tmp/err" && grep -qF "liblzma.so.5 is not installed" "$tmp/err" &&
	grep -qF "dlopen: " "$tmp/err"; then
	ok "liblzma hidden: the error names the file and the library: $(cat "$tmp/err")"
else
	bad "liblzma hidden: the error names the file and the library" "$(cat "$tmp/err")"
fi
hidden "$LKM" modinfo -F name "$dir/kernel/plain.ko" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "liblzma hidden: modinfo of a plain .ko still works (exit $rc)" grep -qx plain "$tmp/out"
hidden "$LKM" modprobe -d "$root" -S "$kver" -D packed >"$tmp/out" 2>"$tmp/err"
check "liblzma hidden: modprobe -D of the .ko.xz module works" grep -q "insmod .*packed.ko.xz" "$tmp/out"
finish
