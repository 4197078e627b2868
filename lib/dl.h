/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The optional libraries (zlib, liblzma, libzstd, libcrypto), opened on first use.
 *
 * A modprobe -D or -R needs none of them, yet linking them makes the dynamic loader
 * map and relocate all four at every start. So the default build links none: the
 * first file that needs one (a .ko.gz, .ko.xz or .ko.zst to decompress, a PKCS#7
 * signature to decode) has lkm_dl_open() dlopen it and resolve the functions that
 * file.c and signature.c call. The static build (-Dstatic=true) links them as before:
 * there lkm_dl_open() is an inline stub and the names below stay the real functions.
 *
 * The libraries' headers are included here, for file.c, signature.c and dl.c only. In
 * the dynamic build each function used is then declared as a pointer of the same type
 * (__typeof__ of the header's prototype), and its name is redefined to that pointer,
 * so the decoders' code reads the same in both builds. A function used
 * but missing from these lists is an undefined reference when the default build links,
 * never a NULL pointer at run time.
 */
#ifndef LKM_DL_H
#define LKM_DL_H

#if HAVE_ZLIB
#include <zlib.h>
#endif
#if HAVE_XZ
#include <lzma.h>
#endif
#if HAVE_ZSTD
#include <zstd.h>
#endif
#if HAVE_LIBCRYPTO
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/safestack.h>
#include <openssl/x509.h>
#endif

#include "lkm-internal.h"

enum lkm_dl_lib {
	LKM_DL_ZLIB,
	LKM_DL_XZ,
	LKM_DL_ZSTD,
	LKM_DL_LIBCRYPTO,
	LKM_DL_COUNT,
};

#if LKM_DLOPEN

/*
 * Open @lib and resolve all its functions, once per process; safe from any thread.
 * @what says what the library was needed for ("decompress xz data").
 * Return: 0; -ELIBACC when it cannot be opened ("cannot decompress xz data: liblzma.so.5
 * is not installed (dlopen: ...)" in @err), -ELIBBAD when a function is missing from
 * it. A failure is remembered: later calls return it again without a second dlopen.
 */
LKM_MUST_CHECK int lkm_dl_open(enum lkm_dl_lib lib, const char *what, struct lkm_err *err);

/* The functions of each library that lib/ calls. */
#define LKM_DL_ZLIB_SYMS(X) X(inflateInit2_) X(inflate) X(inflateEnd) X(inflateReset)
#define LKM_DL_XZ_SYMS(X)                                                                 \
	X(lzma_code) X(lzma_end) X(lzma_stream_decoder) X(lzma_stream_footer_decode)     \
	X(lzma_index_buffer_decode) X(lzma_index_uncompressed_size) X(lzma_index_end)
#define LKM_DL_ZSTD_SYMS(X)                                                               \
	X(ZSTD_getFrameContentSize) X(ZSTD_createDStream) X(ZSTD_decompressStream)       \
	X(ZSTD_isError) X(ZSTD_getErrorName) X(ZSTD_freeDStream)
#define LKM_DL_LIBCRYPTO_SYMS(X)                                                          \
	X(OPENSSL_init_crypto) X(ERR_clear_error) X(d2i_PKCS7) X(PKCS7_free)             \
	X(PKCS7_get_signer_info) X(PKCS7_SIGNER_INFO_get0_algs) X(OPENSSL_sk_value)      \
	X(X509_ALGOR_get0) X(OBJ_obj2nid) X(OBJ_obj2txt) X(X509_NAME_entry_count)        \
	X(X509_NAME_get_entry) X(X509_NAME_ENTRY_get_object) X(X509_NAME_ENTRY_get_data) \
	X(ASN1_STRING_get0_data) X(ASN1_STRING_length) X(ASN1_INTEGER_to_BN)             \
	X(BN_num_bits) X(BN_bn2bin) X(BN_free)

#define LKM_DL_DECLARE(name) extern __typeof__(name) *lkm_dl_##name;

#if HAVE_ZLIB
LKM_DL_ZLIB_SYMS(LKM_DL_DECLARE)
#define inflateInit2_ lkm_dl_inflateInit2_
#define inflate lkm_dl_inflate
#define inflateEnd lkm_dl_inflateEnd
#define inflateReset lkm_dl_inflateReset
#endif

#if HAVE_XZ
LKM_DL_XZ_SYMS(LKM_DL_DECLARE)
#define lzma_code lkm_dl_lzma_code
#define lzma_end lkm_dl_lzma_end
#define lzma_stream_decoder lkm_dl_lzma_stream_decoder
#define lzma_stream_footer_decode lkm_dl_lzma_stream_footer_decode
#define lzma_index_buffer_decode lkm_dl_lzma_index_buffer_decode
#define lzma_index_uncompressed_size lkm_dl_lzma_index_uncompressed_size
#define lzma_index_end lkm_dl_lzma_index_end
#endif

#if HAVE_ZSTD
LKM_DL_ZSTD_SYMS(LKM_DL_DECLARE)
#define ZSTD_getFrameContentSize lkm_dl_ZSTD_getFrameContentSize
#define ZSTD_createDStream lkm_dl_ZSTD_createDStream
#define ZSTD_decompressStream lkm_dl_ZSTD_decompressStream
#define ZSTD_isError lkm_dl_ZSTD_isError
#define ZSTD_getErrorName lkm_dl_ZSTD_getErrorName
#define ZSTD_freeDStream lkm_dl_ZSTD_freeDStream
#endif

#if HAVE_LIBCRYPTO
LKM_DL_LIBCRYPTO_SYMS(LKM_DL_DECLARE)
#define OPENSSL_init_crypto lkm_dl_OPENSSL_init_crypto
#define ERR_clear_error lkm_dl_ERR_clear_error
#define d2i_PKCS7 lkm_dl_d2i_PKCS7
#define PKCS7_free lkm_dl_PKCS7_free
#define PKCS7_get_signer_info lkm_dl_PKCS7_get_signer_info
#define PKCS7_SIGNER_INFO_get0_algs lkm_dl_PKCS7_SIGNER_INFO_get0_algs
#define OPENSSL_sk_value lkm_dl_OPENSSL_sk_value
#define X509_ALGOR_get0 lkm_dl_X509_ALGOR_get0
#define OBJ_obj2nid lkm_dl_OBJ_obj2nid
#define OBJ_obj2txt lkm_dl_OBJ_obj2txt
#define X509_NAME_entry_count lkm_dl_X509_NAME_entry_count
#define X509_NAME_get_entry lkm_dl_X509_NAME_get_entry
#define X509_NAME_ENTRY_get_object lkm_dl_X509_NAME_ENTRY_get_object
#define X509_NAME_ENTRY_get_data lkm_dl_X509_NAME_ENTRY_get_data
#define ASN1_STRING_get0_data lkm_dl_ASN1_STRING_get0_data
#define ASN1_STRING_length lkm_dl_ASN1_STRING_length
#define ASN1_INTEGER_to_BN lkm_dl_ASN1_INTEGER_to_BN
#define BN_num_bits lkm_dl_BN_num_bits
#define BN_bn2bin lkm_dl_BN_bn2bin
#define BN_free lkm_dl_BN_free
#endif

#else /* !LKM_DLOPEN: the static build links the libraries */

static inline LKM_MUST_CHECK int lkm_dl_open(enum lkm_dl_lib lib, const char *what,
					      struct lkm_err *err)
{
	return 0;
}

#endif

#endif
