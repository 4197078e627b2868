# SPDX-License-Identifier: LGPL-2.1-or-later
# A signed module changed after signing (one byte of its code): the kernel rejects the
# signature even when signatures are not required; lkm names the signer and key.
# expect: rejected.rc=1
# expect: table.rejected=*the kernel rejected the signature of nls_utf8*is signed by*with key*
# kmod-bug: terse table.rejected kmod says only "Key was rejected by service"
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
case $KO in
*.xz) xzcat $MODDIR/kernel/fs/nls/nls_utf8$KO >nls_utf8.ko ;;
*) cp $MODDIR/kernel/fs/nls/nls_utf8$KO nls_utf8.ko ;;
esac
b=$(od -A n -t u1 -j 100 -N 1 nls_utf8.ko | xargs)
printf "\\$(printf %03o $(((b + 1) % 256)))" | dd of=nls_utf8.ko bs=1 seek=100 conv=notrunc 2>/dev/null
diag rejected $TOOLS/insmod nls_utf8.ko
