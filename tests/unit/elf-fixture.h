/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A builder of small synthetic ELF relocatable images, for any class and byte order,
 * written field by field so the tests never depend on the host's layout. The image is:
 *
 *   ELF header | section data (8-byte aligned) ... | .shstrtab | section headers
 *
 * or, with shdr_first, the section headers right after the ELF header. The tests then
 * patch fields with fx_put() to build each kind of damage. fx_module() fills such an
 * image as a module built with modversions is (.modinfo, __versions, exports with their
 * CRCs); fx_append_sig() adds sign-file's trailer, fx_sign() a real PKCS#7 signature
 * made with libcrypto, and fx_xz() compresses as the kernel's build does.
 */
#ifndef LKM_ELF_FIXTURE_H
#define LKM_ELF_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_MAX_SECTIONS 24

struct fx_section {
	const char *name;
	uint32_t type;          /* 1 PROGBITS, 2 SYMTAB, 3 STRTAB, 8 NOBITS */
	const void *data;
	size_t size;
	uint32_t link;
	uint64_t entsize;
};

struct fx_image {
	uint8_t *data;
	size_t size;
	bool is64, be;
	size_t shoff;
	int nsec;                          /* including the null section 0 */
	const char *names[FX_MAX_SECTIONS];
	size_t off[FX_MAX_SECTIONS];       /* data offset of each section */
	size_t len[FX_MAX_SECTIONS];
};

/* Byte-order aware stores, into any buffer. */
static inline void fx_store(uint8_t *p, bool be, unsigned width, uint64_t v)
{
	unsigned i;

	for (i = 0; i < width; i++) {
		unsigned shift = be ? 8 * (width - 1 - i) : 8 * i;

		p[i] = (uint8_t)(v >> shift);
	}
}

static inline void fx_put(struct fx_image *img, size_t off, unsigned width, uint64_t v)
{
	fx_store(img->data + off, img->be, width, v);
}

static inline unsigned fx_word(const struct fx_image *img)
{
	return img->is64 ? 8 : 4;
}

/* Offsets of ELF header fields. */
#define FX_E_TYPE 16
#define FX_E_MACHINE 18
static inline size_t fx_e_shoff(const struct fx_image *i) { return i->is64 ? 40 : 32; }
static inline size_t fx_e_shnum(const struct fx_image *i) { return i->is64 ? 60 : 48; }
static inline size_t fx_e_shstrndx(const struct fx_image *i) { return i->is64 ? 62 : 50; }
static inline size_t fx_shdr_size(const struct fx_image *i) { return i->is64 ? 64 : 40; }

enum fx_shdr_field { FX_SH_NAME, FX_SH_TYPE, FX_SH_OFFSET, FX_SH_SIZE, FX_SH_LINK };

/* Offset and width of a field of section header @idx. */
static inline size_t fx_shdr_field(const struct fx_image *img, int idx, enum fx_shdr_field f,
				   unsigned *width)
{
	static const unsigned off64[] = { 0, 4, 24, 32, 40 }, off32[] = { 0, 4, 16, 20, 24 };
	size_t base = img->shoff + (size_t)idx * fx_shdr_size(img);

	*width = (f == FX_SH_OFFSET || f == FX_SH_SIZE) ? fx_word(img) : 4;
	return base + (img->is64 ? off64[f] : off32[f]);
}

static inline void fx_set_shdr(struct fx_image *img, int idx, enum fx_shdr_field f, uint64_t v)
{
	unsigned w;
	size_t off = fx_shdr_field(img, idx, f, &w);

	fx_put(img, off, w, v);
}

static inline int fx_index(const struct fx_image *img, const char *name)
{
	int i;

	for (i = 1; i < img->nsec; i++) {
		if (strcmp(img->names[i], name) == 0)
			return i;
	}
	return -1;
}

static inline size_t fx_align(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static inline void fx_shdr(struct fx_image *img, int i, uint32_t name, const struct fx_section *s,
			   size_t off)
{
	uint8_t *h = img->data + img->shoff + (size_t)i * fx_shdr_size(img);
	unsigned w = fx_word(img);
	bool be = img->be;

	fx_store(h, be, 4, name);
	fx_store(h + 4, be, 4, s->type);
	if (img->is64) {
		fx_store(h + 24, be, 8, off);
		fx_store(h + 32, be, 8, s->size);
		fx_store(h + 40, be, 4, s->link);
		fx_store(h + 48, be, 8, 8);
		fx_store(h + 56, be, 8, s->entsize);
	} else {
		fx_store(h + 16, be, 4, off);
		fx_store(h + 20, be, 4, s->size);
		fx_store(h + 24, be, 4, s->link);
		fx_store(h + 32, be, 4, 8);
		fx_store(h + 36, be, 4, s->entsize);
	}
	(void)w;
}

/* Build an image of @type (1 = ET_REL) holding @secs (without the null section). */
static inline struct fx_image fx_build(bool is64, bool be, uint16_t type, uint16_t machine,
				       const struct fx_section *secs, int n, bool shdr_first)
{
	struct fx_image img = { .is64 = is64, .be = be, .nsec = n + 2 };
	size_t ehsize = is64 ? 64 : 52, shsize = is64 ? 64 : 40, tabsize, strsize = 1, pos;
	uint32_t name_off[FX_MAX_SECTIONS];
	struct fx_section shstr = { ".shstrtab", 3 };
	char *strs;
	int i;

	for (i = 0; i < n; i++)
		strsize += strlen(secs[i].name) + 1;
	strsize += strlen(".shstrtab") + 1;
	tabsize = shsize * (size_t)(n + 2);
	pos = fx_align(ehsize);
	if (shdr_first) {
		img.shoff = pos;
		pos = fx_align(pos + tabsize);
	}
	for (i = 0; i < n; i++) {
		img.off[i + 1] = pos;
		img.len[i + 1] = secs[i].size;
		img.names[i + 1] = secs[i].name;
		if (secs[i].type != 8)
			pos = fx_align(pos + secs[i].size);
	}
	img.off[n + 1] = pos;
	img.len[n + 1] = strsize;
	img.names[n + 1] = ".shstrtab";
	img.names[0] = "";
	pos = fx_align(pos + strsize);
	if (!shdr_first) {
		img.shoff = pos;
		pos += tabsize;
	}
	img.size = pos;
	img.data = calloc(1, pos);

	memcpy(img.data, "\x7f" "ELF", 4);
	img.data[4] = is64 ? 2 : 1;
	img.data[5] = be ? 2 : 1;
	img.data[6] = 1;
	fx_put(&img, FX_E_TYPE, 2, type);
	fx_put(&img, FX_E_MACHINE, 2, machine);
	fx_put(&img, 20, 4, 1);
	fx_put(&img, fx_e_shoff(&img), fx_word(&img), img.shoff);
	fx_put(&img, is64 ? 52 : 40, 2, ehsize);
	fx_put(&img, is64 ? 58 : 46, 2, shsize);
	fx_put(&img, fx_e_shnum(&img), 2, (uint64_t)(n + 2));
	fx_put(&img, fx_e_shstrndx(&img), 2, (uint64_t)(n + 1));

	strs = (char *)img.data + img.off[n + 1];
	pos = 1;
	for (i = 0; i < n; i++) {
		name_off[i + 1] = (uint32_t)pos;
		strcpy(strs + pos, secs[i].name);
		pos += strlen(secs[i].name) + 1;
		if (secs[i].type != 8 && secs[i].size)
			memcpy(img.data + img.off[i + 1], secs[i].data, secs[i].size);
		fx_shdr(&img, i + 1, name_off[i + 1], &secs[i], img.off[i + 1]);
	}
	strcpy(strs + pos, ".shstrtab");
	shstr.size = strsize;
	fx_shdr(&img, n + 1, (uint32_t)pos, &shstr, img.off[n + 1]);
	return img;
}

/* A symbol table builder: entries appended in the image's class and byte order. */
struct fx_syms {
	uint8_t buf[64 * 24];
	size_t size;
	bool is64, be;
};

static inline void fx_sym(struct fx_syms *t, uint32_t name, uint8_t bind, uint8_t type,
			  uint16_t shndx, uint64_t value)
{
	uint8_t *p = t->buf + t->size;
	uint8_t info = (uint8_t)(bind << 4 | type);

	if (t->is64) {
		fx_store(p, t->be, 4, name);
		p[4] = info;
		fx_store(p + 6, t->be, 2, shndx);
		fx_store(p + 8, t->be, 8, value);
		t->size += 24;
	} else {
		fx_store(p, t->be, 4, name);
		fx_store(p + 4, t->be, 4, value);
		p[12] = info;
		fx_store(p + 14, t->be, 2, shndx);
		t->size += 16;
	}
}


/* ------------------------------------------------------------ a whole module */

struct fx_crc_sym {
	const char *name;
	uint32_t crc;
};

/*
 * What a module built with modversions holds: .modinfo (NUL-separated strings, given
 * with their length), .gnu.linkonce.this_module with @name, an undefined symbol and a
 * __versions entry for each import, and for each export its name in __ksymtab_strings
 * and a __crc_ symbol pointing at its CRC in __kcrctab.
 */
struct fx_module_spec {
	bool is64, be;
	uint16_t machine;
	const char *name;
	const char *modinfo;
	size_t modinfo_len;
	const struct fx_crc_sym *imports;
	size_t n_imports;
	const struct fx_crc_sym *exports;
	size_t n_exports;
};

static inline struct fx_image fx_module(const struct fx_module_spec *m)
{
	unsigned ws = m->is64 ? 8 : 4;
	size_t nvers = m->n_imports, nexp = m->n_exports, i, strsize = 1, kstrsize = 0;
	uint8_t *vers = calloc(nvers ? nvers : 1, 64), *kcrctab = calloc(nexp ? nexp : 1, 4);
	uint8_t this_module[0x100] = { 0 };
	struct fx_syms *syms = calloc(1, sizeof(*syms));
	char *strtab = calloc(1, 64 * 1024), *kstr = calloc(1, 32 * 1024);
	struct fx_image img = { 0 };

	if (!vers || !kcrctab || !syms || !strtab || !kstr ||
	    1 + nvers + 2 * nexp > sizeof(syms->buf) / 24)
		abort();
	syms->is64 = m->is64;
	syms->be = m->be;
	strcpy((char *)this_module + (m->is64 ? 24 : 12), m->name);
	fx_sym(syms, 0, 0, 0, 0, 0);
	for (i = 0; i < nvers; i++) {
		fx_store(vers + 64 * i, m->be, ws, m->imports[i].crc);
		strcpy((char *)vers + 64 * i + ws, m->imports[i].name);
		fx_sym(syms, (uint32_t)strsize, 1 /* GLOBAL */, 0, 0 /* UNDEF */, 0);
		strcpy(strtab + strsize, m->imports[i].name);
		strsize += strlen(m->imports[i].name) + 1;
	}
	for (i = 0; i < nexp; i++) {
		fx_store(kcrctab + 4 * i, m->be, 4, m->exports[i].crc);
		strcpy(kstr + kstrsize, m->exports[i].name);
		kstrsize += strlen(m->exports[i].name) + 1;
		/* the exported function, in .text (section 1) */
		fx_sym(syms, (uint32_t)strsize, 1, 2 /* FUNC */, 1, 0);
		strcpy(strtab + strsize, m->exports[i].name);
		strsize += strlen(m->exports[i].name) + 1;
		/* its CRC: a symbol in __kcrctab (section 5) whose value is the offset */
		fx_sym(syms, (uint32_t)strsize, 0, 0, 5, 4 * i);
		{
			/* Bounded: GCC's -Wformat-overflow, under ASan, lost the NULL check. */
			size_t room = 64 * 1024 - strsize;
			int n = snprintf(strtab + strsize, room, "__crc_%s", m->exports[i].name);

			if (n < 0 || (size_t)n >= room)
				abort();
			strsize += (size_t)n + 1;
		}
	}
	{
		/* section indices: fx_build numbers them from 1 in this order */
		struct fx_section secs[] = {
			{ ".text", 1, "\xc3\xc3\xc3\xc3", 4 },
			{ ".modinfo", 1, m->modinfo, m->modinfo_len },
			{ "__versions", 1, vers, 64 * nvers },
			{ "__ksymtab_strings", 1, kstr, kstrsize },
			{ "__kcrctab", 1, kcrctab, 4 * nexp },
			{ ".gnu.linkonce.this_module", 1, this_module, sizeof(this_module) },
			{ ".symtab", 2, syms->buf, syms->size, 8, m->is64 ? 24 : 16 },
			{ ".strtab", 3, strtab, strsize },
		};

		img = fx_build(m->is64, m->be, 1, m->machine, secs,
			       sizeof(secs) / sizeof(secs[0]), false);
	}
	free(vers);
	free(kcrctab);
	free(syms);
	free(strtab);
	free(kstr);
	return img;
}

/* ------------------------------------------------------ signature trailer, xz */

/*
 * What scripts/sign-file appends: the module, the signature blob, struct
 * module_signature (algo, hash, id_type, signer_len, key_id_len, 3 pad bytes, then the
 * blob's length big-endian) and the magic string.
 */
#define FX_SIG_MAGIC "~Module signature appended~\n"

static inline uint8_t *fx_append_sig(const void *mod, size_t mod_len, const void *blob,
				     size_t blob_len, const uint8_t hdr[8], uint32_t sig_len,
				     size_t *out_len)
{
	size_t n = mod_len + blob_len + 12 + sizeof(FX_SIG_MAGIC) - 1;
	uint8_t *p = malloc(n), *at = p;

	*out_len = 0;
	if (!p)
		return NULL;
	if (mod_len)
		memcpy(at, mod, mod_len);
	at += mod_len;
	if (blob_len)
		memcpy(at, blob, blob_len);
	at += blob_len;
	memcpy(at, hdr, 8);
	fx_store(at + 8, true, 4, sig_len);
	memcpy(at + 12, FX_SIG_MAGIC, sizeof(FX_SIG_MAGIC) - 1);
	*out_len = n;
	return p;
}

#if HAVE_XZ
#include <lzma.h>

/* @in compressed as the kernel's build does (xz --check=crc32); NULL on failure. */
static inline uint8_t *fx_xz(const void *in, size_t len, size_t *out_len)
{
	size_t cap = lzma_stream_buffer_bound(len), pos = 0;
	uint8_t *out = malloc(cap);

	if (!out || lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, out, &pos,
					    cap) != LZMA_OK) {
		free(out);
		return NULL;
	}
	*out_len = pos;
	return out;
}
#endif

#if HAVE_LIBCRYPTO
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

enum fx_key { FX_KEY_RSA, FX_KEY_P256, FX_KEY_P384 };

struct fx_signer {
	EVP_PKEY *key;
	X509 *cert;
};

static inline void fx_signer_free(struct fx_signer *sg)
{
	EVP_PKEY_free(sg->key);
	X509_free(sg->cert);
	sg->key = NULL;
	sg->cert = NULL;
}

/*
 * A self-signed certificate like the kernel's build key: @rdn is attribute, value
 * pairs ending in NULL, @serial_hex the serial number (the key id modinfo shows).
 */
static inline int fx_signer_make(struct fx_signer *sg, enum fx_key kind,
				 const char *const *rdn, const char *serial_hex)
{
	X509_NAME *name;
	BIGNUM *bn = NULL;
	int i;

	sg->key = kind == FX_KEY_RSA    ? EVP_RSA_gen(2048)
		  : kind == FX_KEY_P256 ? EVP_EC_gen("P-256")
					: EVP_EC_gen("P-384");
	sg->cert = X509_new();
	if (!sg->key || !sg->cert)
		return -1;
	X509_set_version(sg->cert, 2);
	if (!BN_hex2bn(&bn, serial_hex) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(sg->cert))) {
		BN_free(bn);
		return -1;
	}
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(sg->cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(sg->cert), 3600);
	X509_set_pubkey(sg->cert, sg->key);
	name = X509_get_subject_name(sg->cert);
	for (i = 0; rdn[i]; i += 2)
		if (!X509_NAME_add_entry_by_txt(name, rdn[i], MBSTRING_UTF8,
						(const unsigned char *)rdn[i + 1], -1, -1, 0))
			return -1;
	X509_set_issuer_name(sg->cert, name);
	return X509_sign(sg->cert, sg->key, EVP_sha256()) > 0 ? 0 : -1;
}

/* A signed module: the file's bytes, and the parts a reader should find in it. */
struct fx_signed {
	uint8_t *data;          /* module + PKCS#7 DER + trailer */
	size_t len;
	size_t der_len;
	uint8_t *sig;           /* the signature value inside the SignerInfo */
	size_t sig_len;
};

static inline void fx_signed_free(struct fx_signed *s)
{
	free(s->data);
	free(s->sig);
	memset(s, 0, sizeof(*s));
}

/* What sign-file does: detached, binary, no certificates, no signed attributes. */
static inline int fx_sign(const struct fx_signer *sg, const EVP_MD *md, const void *mod,
			  size_t mod_len, struct fx_signed *out)
{
	static const uint8_t pkcs7_hdr[8] = { 0, 0, 2 /* PKEY_ID_PKCS7 */, 0, 0, 0, 0, 0 };
	int flags = PKCS7_NOCERTS | PKCS7_NOATTR | PKCS7_BINARY | PKCS7_DETACHED;
	BIO *in = BIO_new_mem_buf(mod, (int)mod_len);
	PKCS7 *p7 = PKCS7_sign(NULL, NULL, NULL, NULL, flags | PKCS7_PARTIAL);
	PKCS7_SIGNER_INFO *si;
	unsigned char *der = NULL;
	int n, r = -1;

	memset(out, 0, sizeof(*out));
	if (!in || !p7 || !PKCS7_sign_add_signer(p7, sg->cert, sg->key, md, flags) ||
	    !PKCS7_final(p7, in, flags))
		goto out;
	si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
	n = i2d_PKCS7(p7, &der);
	if (!si || n <= 0)
		goto out;
	out->sig_len = (size_t)ASN1_STRING_length(si->enc_digest);
	out->sig = malloc(out->sig_len ? out->sig_len : 1);
	out->der_len = (size_t)n;
	out->data = fx_append_sig(mod, mod_len, der, (size_t)n, pkcs7_hdr, (uint32_t)n,
				  &out->len);
	if (!out->sig || !out->data) {
		fx_signed_free(out);
		goto out;
	}
	memcpy(out->sig, ASN1_STRING_get0_data(si->enc_digest), out->sig_len);
	r = 0;
out:
	OPENSSL_free(der);
	PKCS7_free(p7);
	BIO_free(in);
	return r;
}
#endif

#endif
