// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The signature the kernel's sign-file appends to a module:
 *
 *   +--------------------------------+  0
 *   | module (ELF)                   |  what the kernel hashes: module_size bytes
 *   +--------------------------------+  module_size
 *   | signer name   (signer_len)     |  legacy PGP/X509 only; 0 bytes for PKCS#7
 *   | key id        (key_id_len)     |  legacy PGP/X509 only; 0 bytes for PKCS#7
 *   | signature     (sig_len)        |  PKCS#7: a DER SignedData, content detached
 *   +--------------------------------+  size - 40
 *   | struct module_signature (12)   |  u8 algo, hash, id_type, signer_len, key_id_len,
 *   |                                |  u8 pad[3], __be32 sig_len
 *   +--------------------------------+  size - 28
 *   | "~Module signature appended~\n"|
 *   +--------------------------------+  size
 *
 * For PKCS#7 (id_type 2), the kernel wants algo, hash, signer_len, key_id_len and pad
 * all zero: everything else is inside the message. The legacy types carry indexes into
 * the tables below, as kernels before 4.3 wrote them.
 *
 * Mechanism only: this file reports what is there and why it does not hold together;
 * it does not verify the signature against any key.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dl.h"

#define SIG_TAIL (LKM_SIG_MAGIC_LEN + LKM_SIG_TRAILER_LEN)

/* The kernel's enum pkey_algo and enum hash_algo as sign-file once wrote them. */
static const char *const legacy_algo[] = { "DSA", "RSA" };
static const char *const legacy_hash[] = {
	"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3",
};
static const char *const id_names[] = { "PGP", "X509", "PKCS#7" };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct trailer {
	uint8_t algo;
	uint8_t hash;
	uint8_t id_type;
	uint8_t signer_len;
	uint8_t key_id_len;
	uint8_t pad[3];
	uint32_t sig_len; /* host order */
	size_t module_size;
	size_t blob_offset;
};

static bool has_magic(const uint8_t *p, size_t size)
{
	return size >= LKM_SIG_MAGIC_LEN && memcmp(p + size - LKM_SIG_MAGIC_LEN,
						   LKM_SIG_MAGIC, LKM_SIG_MAGIC_LEN) == 0;
}

/* Read and check the fixed trailer; @p/@size is the whole file, known to end in magic. */
static int read_trailer(const uint8_t *p, size_t size, struct trailer *t,
			struct lkm_err *err)
{
	size_t before, need;
	const uint8_t *m;

	if (size < SIG_TAIL)
		return lkm_err_set(
			err, -EBADMSG,
			"signature magic found, but the file has only %zu bytes "
			"before it, too few for the %d-byte signature trailer",
			size - LKM_SIG_MAGIC_LEN, LKM_SIG_TRAILER_LEN);
	m = p + size - SIG_TAIL;
	t->algo = m[0];
	t->hash = m[1];
	t->id_type = m[2];
	t->signer_len = m[3];
	t->key_id_len = m[4];
	memcpy(t->pad, m + 5, 3);
	t->sig_len = (uint32_t)m[8] << 24 | (uint32_t)m[9] << 16 | (uint32_t)m[10] << 8 |
		     m[11];
	before = size - SIG_TAIL;

	if (t->id_type >= ARRAY_SIZE(id_names))
		return lkm_err_set(err, -EBADMSG,
				   "signature trailer has unknown id type %u",
				   t->id_type);
	if (t->sig_len == 0)
		return lkm_err_set(err, -EBADMSG,
				   "signature trailer says 0 bytes of signature");
	need = (size_t)t->sig_len + t->signer_len + t->key_id_len;
	if (need > before)
		return lkm_err_set(
			err, -EBADMSG,
			"signature trailer says %zu bytes of signature, but the file "
			"has only %zu before it",
			need, before);
	if (t->id_type == LKM_SIG_ID_PKCS7) {
		if (t->algo || t->hash || t->signer_len || t->key_id_len || t->pad[0] ||
		    t->pad[1] || t->pad[2])
			return lkm_err_set(
				err, -EBADMSG,
				"PKCS#7 signature trailer has nonzero fields (algo %u, "
				"hash %u, signer_len %u, key_id_len %u): the kernel "
				"refuses it",
				t->algo, t->hash, t->signer_len, t->key_id_len);
	} else {
		if (t->algo >= ARRAY_SIZE(legacy_algo))
			return lkm_err_set(
				err, -EBADMSG,
				"signature trailer has unknown key algorithm %u",
				t->algo);
		if (t->hash >= ARRAY_SIZE(legacy_hash))
			return lkm_err_set(
				err, -EBADMSG,
				"signature trailer has unknown hash algorithm %u",
				t->hash);
	}
	t->module_size = before - need;
	t->blob_offset = before - t->sig_len;
	return 0;
}

static int dup_bytes(uint8_t **dst, size_t *dst_len, const void *src, size_t len)
{
	*dst = NULL;
	*dst_len = 0;
	if (!len)
		return 0;
	*dst = malloc(len);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, len);
	*dst_len = len;
	return 0;
}

static int set_signer(struct lkm_signature *s, const void *name, size_t len)
{
	s->signer = malloc(len + 1);
	if (!s->signer)
		return -ENOMEM;
	if (len)
		memcpy(s->signer, name, len);
	s->signer[len] = '\0';
	s->signer_len = len;
	return 0;
}

/* PGP and X509: signer, key id and signature lie in the file, sized by the trailer. */
static int fill_legacy(const uint8_t *p, const struct trailer *t, struct lkm_signature *s)
{
	const uint8_t *at = p + t->module_size;
	int r;

	s->algo = legacy_algo[t->algo];
	s->hash_algo = strdup(legacy_hash[t->hash]);
	if (!s->hash_algo)
		return -ENOMEM;
	r = set_signer(s, at, t->signer_len);
	if (r < 0)
		return r;
	at += t->signer_len;
	r = dup_bytes(&s->key_id, &s->key_id_len, at, t->key_id_len);
	if (r < 0)
		return r;
	at += t->key_id_len;
	r = dup_bytes(&s->sig, &s->sig_len, at, t->sig_len);
	if (r < 0)
		return r;
	s->details = true;
	return 0;
}

/* Without libcrypto, report what kmod reports when built without OpenSSL. */
static int fill_undecoded(struct lkm_signature *s)
{
	s->hash_algo = strdup("unknown");
	if (!s->hash_algo)
		return -ENOMEM;
	return set_signer(s, "", 0);
}

/* ------------------------------------------------------------ DER, read directly */

/*
 * A module's PKCS#7 message is small and always of one shape (sign-file's): reading the
 * four fields modinfo shows straight from its DER costs nothing, where loading libcrypto
 * to do it costs more than the rest of a modinfo run (a dynamic loader's ~0.7 ms).
 * This reader takes only definite lengths and the exact types on its path, and skips
 * what it does not show (certificates, attributes, algorithm parameters) by their
 * lengths. Anything else, and every malformed message, goes to libcrypto's decoder
 * below, which gives the answer (and the error) kmod's OpenSSL gives.
 */
struct der {
	const uint8_t *p, *end;
};

/* The next element: its tag byte and its contents in @in. -1 when it does not fit. */
static int der_next(struct der *d, uint8_t *tag, struct der *in)
{
	size_t left = (size_t)(d->end - d->p), len, n, i;

	if (left < 2 || (d->p[0] & 0x1f) == 0x1f) /* multi-byte tags: not on our path */
		return -1;
	*tag = d->p[0];
	len = d->p[1];
	n = 2;
	if (len & 0x80) {
		size_t bytes = len & 0x7f;

		/* 0x80 is BER's indefinite length; DER's lengths take at most 4 bytes here */
		if (bytes == 0 || bytes > 4 || left < 2 + bytes)
			return -1;
		for (len = 0, i = 0; i < bytes; i++)
			len = len << 8 | d->p[2 + i];
		n += bytes;
	}
	if (len > left - n)
		return -1;
	in->p = d->p + n;
	in->end = in->p + len;
	d->p = in->end;
	return 0;
}

static int der_expect(struct der *d, uint8_t tag, struct der *in)
{
	uint8_t t;

	return der_next(d, &t, in) == 0 && t == tag ? 0 : -1;
}

#define DER_INTEGER 0x02
#define DER_OCTETS 0x04
#define DER_OID 0x06
#define DER_SEQ 0x30
#define DER_SET 0x31
#define DER_CTX0 0xa0 /* [0] constructed */

static bool der_is(const struct der *d, const uint8_t *val, size_t len)
{
	return (size_t)(d->end - d->p) == len && memcmp(d->p, val, len) == 0;
}

/* The digests kmod names (the OIDs' DER contents); others go to libcrypto for a name. */
static const struct {
	uint8_t oid[10];
	uint8_t len;
	const char *name;
} der_digests[] = {
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x04 }, 8, "md4" },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05 }, 8, "md5" },
	{ { 0x2b, 0x0e, 0x03, 0x02, 0x1a }, 5, "sha1" },
	{ { 0x2b, 0x24, 0x03, 0x02, 0x01 }, 5, "rmd160" },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9, "sha256" },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 9, "sha384" },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9, "sha512" },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04 }, 9, "sha224" },
	{ { 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11 }, 8, "sm3" },
};

/* The issuer's first commonName, else its last attribute (see fill_signer below). */
static int der_signer(struct der name, struct der *value)
{
	static const uint8_t cn[] = { 0x55, 0x04, 0x03 };
	struct der rdn, atv, type, v;
	bool any = false;
	uint8_t tag;

	while (name.p < name.end) {
		if (der_expect(&name, DER_SET, &rdn) < 0)
			return -1;
		while (rdn.p < rdn.end) {
			if (der_expect(&rdn, DER_SEQ, &atv) < 0 ||
			    der_expect(&atv, DER_OID, &type) < 0 || der_next(&atv, &tag, &v) < 0 ||
			    atv.p != atv.end)
				return -1;
			/* the string types OpenSSL keeps as they are; others: libcrypto's call */
			if (tag != 0x0c && tag != 0x13 && tag != 0x14 && tag != 0x16 && tag != 0x1e)
				return -1;
			*value = v;
			any = true;
			if (der_is(&type, cn, sizeof(cn)))
				return 1;
		}
	}
	return any ? 1 : 0;
}

int lkm_pkcs7_read(const uint8_t *der, size_t len, struct lkm_signature *s)
{
	static const uint8_t signed_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
	struct der d = { der, der + len }, ci, content, sd, x, infos, si, ias, issuer, serial,
		   alg, oid, digest, signer = { NULL, NULL };
	const char *hash = NULL;
	uint8_t tag;
	size_t i;
	int found;

	if (der_expect(&d, DER_SEQ, &ci) < 0 || d.p != d.end ||
	    der_expect(&ci, DER_OID, &oid) < 0 || !der_is(&oid, signed_data, sizeof(signed_data)) ||
	    der_expect(&ci, DER_CTX0, &content) < 0 || ci.p != ci.end ||
	    der_expect(&content, DER_SEQ, &sd) < 0 || content.p != content.end)
		return LKM_PKCS7_OTHER;
	/* version, digestAlgorithms, contentInfo, then [0] certificates and [1] crls */
	if (der_expect(&sd, DER_INTEGER, &x) < 0 || der_expect(&sd, DER_SET, &x) < 0 ||
	    der_expect(&sd, DER_SEQ, &x) < 0)
		return LKM_PKCS7_OTHER;
	do {
		if (der_next(&sd, &tag, &infos) < 0)
			return LKM_PKCS7_OTHER;
	} while (tag == 0xa0 || tag == 0xa1);
	if (tag != DER_SET || sd.p != sd.end)
		return LKM_PKCS7_OTHER;
	/* the first signer: version, issuerAndSerialNumber, digestAlgorithm, ... */
	if (der_expect(&infos, DER_SEQ, &si) < 0 || der_expect(&si, DER_INTEGER, &x) < 0 ||
	    der_expect(&si, DER_SEQ, &ias) < 0 || der_expect(&ias, DER_SEQ, &issuer) < 0 ||
	    der_expect(&ias, DER_INTEGER, &serial) < 0 || ias.p != ias.end ||
	    der_expect(&si, DER_SEQ, &alg) < 0 || der_expect(&alg, DER_OID, &oid) < 0)
		return LKM_PKCS7_OTHER;
	for (i = 0; i < ARRAY_SIZE(der_digests); i++)
		if (der_is(&oid, der_digests[i].oid, der_digests[i].len))
			hash = der_digests[i].name;
	/* [0] authenticatedAttributes, digestEncryptionAlgorithm, encryptedDigest */
	if (der_next(&si, &tag, &x) < 0 || (tag == DER_CTX0 && der_next(&si, &tag, &x) < 0) ||
	    tag != DER_SEQ || der_expect(&si, DER_OCTETS, &digest) < 0)
		return LKM_PKCS7_OTHER;
	/* a negative serial (OpenSSL shows its magnitude) and unknown digests: libcrypto */
	if (!hash || serial.p == serial.end || (serial.p[0] & 0x80))
		return LKM_PKCS7_OTHER;
	found = der_signer(issuer, &signer);
	if (found < 0)
		return LKM_PKCS7_OTHER;
	while (serial.p < serial.end && serial.p[0] == 0) /* BN_bn2bin's magnitude */
		serial.p++;

	s->hash_algo = strdup(hash);
	if (!s->hash_algo)
		return -ENOMEM;
	/* kmod takes the name up to its first NUL */
	if (set_signer(s, signer.p, found ? strnlen((const char *)signer.p,
						    (size_t)(signer.end - signer.p)) : 0) < 0 ||
	    dup_bytes(&s->key_id, &s->key_id_len, serial.p, (size_t)(serial.end - serial.p)) < 0 ||
	    dup_bytes(&s->sig, &s->sig_len, digest.p, (size_t)(digest.end - digest.p)) < 0)
		return -ENOMEM;
	s->details = true;
	return 0;
}

#if HAVE_LIBCRYPTO

/* kmod's names for the digests it knows; the rest get OpenSSL's name. */
static const struct {
	int nid;
	const char *name;
} digest_names[] = {
	{ NID_md4, "md4" },	     { NID_md5, "md5" },       { NID_sha1, "sha1" },
	{ NID_ripemd160, "rmd160" }, { NID_sha256, "sha256" }, { NID_sha384, "sha384" },
	{ NID_sha512, "sha512" },    { NID_sha224, "sha224" },
#ifndef OPENSSL_NO_SM3
	{ NID_sm3, "sm3" },
#endif
};

static char *digest_name(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *o = NULL;
	char buf[128];
	size_t i;
	int nid;

	X509_ALGOR_get0(&o, NULL, NULL, alg);
	if (!o)
		return strdup("unknown");
	nid = OBJ_obj2nid(o);
	for (i = 0; i < ARRAY_SIZE(digest_names); i++)
		if (digest_names[i].nid == nid)
			return strdup(digest_names[i].name);
	if (OBJ_obj2txt(buf, sizeof(buf), o, 0) <= 0)
		return strdup("unknown");
	return strdup(buf);
}

/*
 * kmod shows the first commonName of the issuer. With no CN its loop ends on the last
 * entry and shows that one; we keep that so both print the same.
 */
static int fill_signer(struct lkm_signature *s, const X509_NAME *name)
{
	const X509_NAME_ENTRY *e = NULL;
	const ASN1_STRING *d;
	const char *str;
	int i, n = X509_NAME_entry_count(name);

	for (i = 0; i < n; i++) {
		e = X509_NAME_get_entry(name, i);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == NID_commonName)
			break;
	}
	if (!e)
		return set_signer(s, "", 0);
	d = X509_NAME_ENTRY_get_data(e);
	str = (const char *)ASN1_STRING_get0_data(d);
	if (!str || ASN1_STRING_length(d) <= 0)
		return set_signer(s, "", 0);
	/* kmod takes the string up to its first NUL. */
	return set_signer(s, str, strnlen(str, (size_t)ASN1_STRING_length(d)));
}

/* The serial as a big-endian magnitude without leading zeros, as BN_bn2bin gives it. */
static int fill_serial(struct lkm_signature *s, const ASN1_INTEGER *serial)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	int len, r = 0;

	if (!bn)
		return -ENOMEM;
	len = BN_num_bytes(bn);
	if (len > 0) {
		s->key_id = malloc((size_t)len);
		if (!s->key_id) {
			r = -ENOMEM;
			goto out;
		}
		BN_bn2bin(bn, s->key_id);
		s->key_id_len = (size_t)len;
	}
out:
	BN_free(bn);
	return r;
}

static int fill_pkcs7(const uint8_t *p, const struct trailer *t, struct lkm_signature *s,
		      struct lkm_err *err)
{
	const unsigned char *der = p + t->blob_offset, *end = der + t->sig_len;
	STACK_OF(PKCS7_SIGNER_INFO) *sis;
	PKCS7_SIGNER_INFO *si;
	X509_ALGOR *dig_alg = NULL;
	PKCS7 *p7;
	int r;

	r = lkm_pkcs7_read(der, t->sig_len, s);
	if (r <= 0)
		return r;
	/*
	 * libcrypto missing at run time is a build without it: modinfo still shows the
	 * module and the signature's trailer, as kmod without OpenSSL does.
	 */
	if (lkm_dl_open(LKM_DL_LIBCRYPTO, "decode the PKCS#7 signature", NULL) < 0)
		return fill_undecoded(s);
	/*
	 * Decoding needs no openssl.cnf; reading it would cost more than the whole
	 * modinfo run. OpenSSL takes the first initialisation and ignores the rest.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	p7 = d2i_PKCS7(NULL, &der, (long)t->sig_len);
	if (!p7) {
		/* the reason goes in @err; leave no stale entry in OpenSSL's queue */
		ERR_clear_error();
		return lkm_err_set(err, -EBADMSG,
				   "the %u-byte PKCS#7 signature cannot be decoded",
				   t->sig_len);
	}
	if (der != end) {
		r = lkm_err_set(err, -EBADMSG,
				"%zu bytes follow the PKCS#7 message inside "
				"its %u-byte signature",
				(size_t)(end - der), t->sig_len);
		goto out;
	}
	if (!PKCS7_type_is_signed(p7)) {
		r = lkm_err_set(err, -EBADMSG, "the PKCS#7 message is not signed data");
		goto out;
	}
	sis = PKCS7_get_signer_info(p7);
	si = sis ? sk_PKCS7_SIGNER_INFO_value(sis, 0) : NULL;
	if (!si || !si->issuer_and_serial || !si->issuer_and_serial->issuer ||
	    !si->issuer_and_serial->serial || !si->enc_digest) {
		r = lkm_err_set(err, -EBADMSG,
				"the PKCS#7 message has no complete signer");
		goto out;
	}
	PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig_alg, NULL);
	r = -ENOMEM;
	s->hash_algo = dig_alg ? digest_name(dig_alg) : strdup("unknown");
	if (!s->hash_algo)
		goto out;
	r = fill_signer(s, si->issuer_and_serial->issuer);
	if (r < 0)
		goto out;
	r = fill_serial(s, si->issuer_and_serial->serial);
	if (r < 0)
		goto out;
	r = dup_bytes(&s->sig, &s->sig_len, ASN1_STRING_get0_data(si->enc_digest),
		      (size_t)ASN1_STRING_length(si->enc_digest));
	if (r < 0)
		goto out;
	s->details = true;
out:
	PKCS7_free(p7);
	return r;
}

#else /* !HAVE_LIBCRYPTO */

static int fill_pkcs7(const uint8_t *p, const struct trailer *t, struct lkm_signature *s,
		      struct lkm_err *err)
{
	int r = lkm_pkcs7_read(p + t->blob_offset, t->sig_len, s);

	return r <= 0 ? r : fill_undecoded(s);
}

#endif

int lkm_signature_parse(const void *data, size_t size, struct lkm_signature *out,
			struct lkm_err *err)
{
	const uint8_t *p = data;
	struct trailer t;
	int r;

	memset(out, 0, sizeof(*out));
	if (!has_magic(p, size))
		return -ENODATA;
	r = read_trailer(p, size, &t, err);
	if (r < 0)
		return r;
	out->id = t.id_type;
	out->id_type = id_names[t.id_type];
	out->module_size = t.module_size;
	out->blob_offset = t.blob_offset;
	out->blob_len = t.sig_len;
	if (t.id_type == LKM_SIG_ID_PKCS7)
		r = fill_pkcs7(p, &t, out, err);
	else
		r = fill_legacy(p, &t, out);
	if (r < 0)
		goto fail;
	return 0;
fail:
	lkm_signature_release(out);
	if (r == -ENOMEM)
		lkm_err_set(err, r, "out of memory reading the module signature");
	return r;
}

void lkm_signature_release(struct lkm_signature *sig)
{
	if (!sig)
		return;
	free(sig->hash_algo);
	free(sig->signer);
	free(sig->key_id);
	free(sig->sig);
	memset(sig, 0, sizeof(*sig));
}

size_t lkm_signature_strip(const void *data, size_t size)
{
	struct trailer t;

	if (!has_magic(data, size) || read_trailer(data, size, &t, NULL) < 0)
		return size;
	return t.module_size;
}

int lkm_hex_format(struct lkm_buf *out, const void *bytes, size_t len, unsigned per_line)
{
	static const char digits[] = "0123456789ABCDEF";
	const uint8_t *b = bytes;
	char cell[6];
	size_t i;
	int r;

	for (i = 0; i < len; i++) {
		size_t n = 0;

		cell[n++] = digits[b[i] >> 4];
		cell[n++] = digits[b[i] & 0xf];
		if (i + 1 < len) {
			cell[n++] = ':';
			if (per_line && (i + 1) % per_line == 0) {
				cell[n++] = '\n';
				cell[n++] = '\t';
				cell[n++] = '\t';
			}
		}
		r = lkm_buf_append(out, cell, n);
		if (r < 0)
			return r;
	}
	return 0;
}
