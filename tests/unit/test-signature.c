// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Appended module signatures: modules signed here with libcrypto as sign-file does
 * (RSA on a plain module, ECDSA P-384 on one then xz-compressed, as Debian's 6.1 and
 * 6.12 packages ship them), and malformed trailers that must give a reason. Debian's
 * own signed modules are compared with kmod's modinfo in tests/diff/real-modules.c.
 */
#include <stdint.h>
#include <unistd.h>

#include "elf-fixture.h"
#include "fixture.h"
#include "lkm-internal.h"
#include "test.h"

static const uint8_t magic[] = LKM_SIG_MAGIC;

/* ---------------------------------------------------------------- helpers */

static char *hex(const void *bytes, size_t len, unsigned per_line)
{
	struct lkm_buf b = { 0 };

	if (lkm_hex_format(&b, bytes, len, per_line) < 0 || lkm_buf_puts(&b, "") < 0) {
		lkm_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

/* Bytes of a module file, decompressed with liblzma for .xz (file.c is not needed). */
static int load_module(const char *path, uint8_t **out, size_t *len)
{
	char *raw;
	size_t raw_len;
	int r = lkm_read_file(path, 64 << 20, &raw, &raw_len);

	if (r < 0)
		return r;
	if (raw_len < sizeof(xz_magic) || memcmp(raw, xz_magic, sizeof(xz_magic)) != 0) {
		*out = (uint8_t *)raw;
		*len = raw_len;
		return 0;
	}
#if HAVE_XZ
	{
		uint64_t memlimit = 256 << 20;
		size_t in_pos = 0, out_pos = 0, cap = 16 * raw_len;
		uint8_t *buf = NULL;
		lzma_ret ret;

		do {
			uint8_t *nb = realloc(buf, cap);

			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			in_pos = out_pos = 0;
			memlimit = 256 << 20;
			ret = lzma_stream_buffer_decode(&memlimit, 0, NULL,
							(uint8_t *)raw, &in_pos, raw_len,
							buf, &out_pos, cap);
			cap *= 2;
		} while (ret == LZMA_BUF_ERROR && cap < (64 << 20));
		if (r == 0 && ret != LZMA_OK)
			r = -EBADMSG;
		free(raw);
		if (r < 0) {
			free(buf);
			return r;
		}
		*out = buf;
		*len = out_pos;
		return 0;
	}
#else
	free(raw);
	return -ENOTSUP;
#endif
}

static const uint8_t pkcs7_hdr[8] = { 0, 0, LKM_SIG_ID_PKCS7, 0, 0, 0, 0, 0 };
static const char fake_module[] =
	"\177ELF pretend this is a module, with some bytes of code";

/* ---------------------------------------------------------------- hex format */

TEST(hex_format_matches_kmod_layout)
{
	uint8_t b[41];
	char *s;
	size_t i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 37 + 0x0a);
	s = hex(b, 0, 20);
	CHECK_STR(s, "");
	free(s);
	s = hex(b, 1, 20);
	CHECK_STR(s, "0A");
	free(s);
	s = hex("\x00\xff\xab", 3, 20);
	CHECK_STR(s, "00:FF:AB");
	free(s);
	/* exactly one line: no trailing separator */
	s = hex(b, 20, 20);
	CHECK_INT(strlen(s), ==, 20 * 3 - 1);
	CHECK(strchr(s, '\n') == NULL);
	free(s);
	/* the 21st byte starts a new line; the break follows the ':' */
	s = hex(b, 21, 20);
	CHECK_INT(strlen(s), ==, 20 * 3 + 3 + 2);
	CHECK(strncmp(s + 20 * 3 - 1, ":\n\t\t", 4) == 0);
	free(s);
	/* 40 bytes: one break only, none at the end */
	s = hex(b, 40, 20);
	CHECK_INT(strlen(s), ==, 40 * 3 - 1 + 3);
	CHECK(s[strlen(s) - 1] != ':' && s[strlen(s) - 1] != '\t');
	free(s);
	s = hex(b, 41, 0);
	CHECK_INT(strlen(s), ==, 41 * 3 - 1);
	CHECK(strchr(s, '\n') == NULL);
	free(s);
	s = hex(b, 5, 2);
	CHECK_STR(s, "0A:2F:\n\t\t54:79:\n\t\t9E");
	free(s);
}

/* ----------------------------------------------------------- unsigned data */

TEST(unsigned_data_gives_enodata_and_strips_nothing)
{
	struct lkm_signature s;
	struct lkm_err e = { 0 };

	CHECK_INT(lkm_signature_parse(fake_module, sizeof(fake_module), &s, &e), ==,
		  -ENODATA);
	CHECK_INT(lkm_signature_parse("", 0, &s, &e), ==, -ENODATA);
	CHECK_INT(lkm_signature_parse(magic, sizeof(magic) - 2, &s, &e), ==, -ENODATA);
	CHECK_INT(lkm_signature_strip(fake_module, sizeof(fake_module)), ==,
		  sizeof(fake_module));
	CHECK_INT(lkm_signature_strip("", 0), ==, 0);
	lkm_signature_release(&s);
}

/* -------------------------------------------------------- malformed trailers */

static void check_bad(const void *data, size_t len, const char *reason_part)
{
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	int r = lkm_signature_parse(data, len, &s, &e);

	CHECK_INT(r, ==, -EBADMSG);
	CHECK(e.code == r && e.why[0]);
	if (!strstr(e.why, reason_part)) {
		fprintf(stderr, "  reason \"%s\" lacks \"%s\"\n", e.why, reason_part);
		test_failed = 1;
	}
	CHECK(s.signer == NULL && s.hash_algo == NULL && s.sig == NULL &&
	      s.key_id == NULL);
	lkm_signature_release(&s);
}

TEST(magic_alone_or_truncated_struct_is_malformed)
{
	uint8_t buf[64];

	check_bad(magic, sizeof(magic) - 1, "only 0 bytes before it");
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 5, magic, sizeof(magic) - 1);
	check_bad(buf, 5 + sizeof(magic) - 1, "only 5 bytes before it");
	CHECK_INT(lkm_signature_strip(buf, 5 + sizeof(magic) - 1), ==,
		  5 + sizeof(magic) - 1);
}

TEST(sig_len_past_the_start_is_malformed)
{
	uint8_t blob[400] = { 0 };
	size_t len;
	uint8_t *p = fx_append_sig(NULL, 0, blob, sizeof(blob), pkcs7_hdr, 9999, &len);

	check_bad(p, len,
		  "says 9999 bytes of signature, but the file has only 400 before it");
	CHECK_INT(lkm_signature_strip(p, len), ==, len);
	free(p);
	p = fx_append_sig(NULL, 0, blob, sizeof(blob), pkcs7_hdr, 0xffffffffu, &len);
	check_bad(p, len, "says 4294967295 bytes");
	free(p);
	p = fx_append_sig(NULL, 0, blob, sizeof(blob), pkcs7_hdr, 0, &len);
	check_bad(p, len, "0 bytes of signature");
	free(p);
	/* legacy: signer and key id count too */
	{
		const uint8_t hdr[8] = { 1, 4, LKM_SIG_ID_X509, 200, 201, 0, 0, 0 };

		p = fx_append_sig(NULL, 0, blob, sizeof(blob), hdr, 100, &len);
		check_bad(p, len,
			  "says 501 bytes of signature, but the file has only 400");
		free(p);
	}
}

TEST(unknown_id_type_and_inconsistent_fields_are_malformed)
{
	uint8_t blob[64] = { 0x30 };
	uint8_t hdr[8] = { 0, 0, 3, 0, 0, 0, 0, 0 };
	uint8_t *p;
	size_t len;

	p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob), hdr, 64,
		       &len);
	check_bad(p, len, "unknown id type 3");
	free(p);
	hdr[2] = 255;
	p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob), hdr, 64,
		       &len);
	check_bad(p, len, "unknown id type 255");
	free(p);
	/* PKCS#7 keeps every detail inside the message: the kernel refuses these */
	hdr[2] = LKM_SIG_ID_PKCS7;
	hdr[3] = 4;
	p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob), hdr, 60,
		       &len);
	check_bad(p, len, "nonzero fields");
	free(p);
	hdr[3] = 0;
	hdr[1] = 4;
	p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob), hdr, 64,
		       &len);
	check_bad(p, len, "nonzero fields");
	free(p);
	hdr[1] = 0;
	hdr[7] = 1;
	p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob), hdr, 64,
		       &len);
	check_bad(p, len, "nonzero fields");
	free(p);
	/* legacy tables end at RSA and sm3 */
	{
		const uint8_t bad_algo[8] = { 2, 0, LKM_SIG_ID_PGP, 0, 0, 0, 0, 0 };
		const uint8_t bad_hash[8] = { 1, 9, LKM_SIG_ID_X509, 0, 0, 0, 0, 0 };

		p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob),
			       bad_algo, 64, &len);
		check_bad(p, len, "unknown key algorithm 2");
		free(p);
		p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob),
			       bad_hash, 64, &len);
		check_bad(p, len, "unknown hash algorithm 9");
		free(p);
	}
}

TEST(legacy_x509_trailer_reports_its_fields)
{
	const uint8_t hdr[8] = { 1, 4, LKM_SIG_ID_X509, 9, 3, 0, 0, 0 };
	const char blob[] = "Magrathea\x01\x02\x03SIGNATURE";
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	size_t len;
	uint8_t *p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob) - 1,
				hdr, 9, &len);

	CHECK_INT(lkm_signature_parse(p, len, &s, &e), ==, 0);
	CHECK_STR(s.id_type, "X509");
	CHECK_STR(s.algo, "RSA");
	CHECK_STR(s.hash_algo, "sha256");
	CHECK_STR(s.signer, "Magrathea");
	CHECK_INT(s.key_id_len, ==, 3);
	CHECK(s.key_id && memcmp(s.key_id, "\x01\x02\x03", 3) == 0);
	CHECK_INT(s.sig_len, ==, 9);
	CHECK(s.sig && memcmp(s.sig, "SIGNATURE", 9) == 0);
	CHECK(s.details);
	CHECK_INT(s.module_size, ==, sizeof(fake_module));
	CHECK_INT(lkm_signature_strip(p, len), ==, sizeof(fake_module));
	lkm_signature_release(&s);
	free(p);
}

TEST(pkcs7_garbage_is_malformed_but_strippable)
{
	uint8_t blob[300];
	size_t i, len;
	uint8_t *p;

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7 + 3);
	p = fx_append_sig(fake_module, sizeof(fake_module), blob, sizeof(blob), pkcs7_hdr,
		       sizeof(blob), &len);
#if HAVE_LIBCRYPTO
	check_bad(p, len, "the 300-byte PKCS#7 signature cannot be decoded");
#else
	{
		/* as kmod without OpenSSL: the trailer alone is reported */
		struct lkm_signature s;

		CHECK_INT(lkm_signature_parse(p, len, &s, NULL), ==, 0);
		CHECK(!s.details);
		CHECK_STR(s.id_type, "PKCS#7");
		CHECK_STR(s.hash_algo, "unknown");
		lkm_signature_release(&s);
	}
#endif
	/* the trailer itself holds together, so loading can still cut the blob off */
	CHECK_INT(lkm_signature_strip(p, len), ==, sizeof(fake_module));
	free(p);
}

/* ------------------------------------------------- modules signed right here */
#if HAVE_LIBCRYPTO

/* What sign-file does, through elf-fixture.h: the signed file's bytes, or NULL. */
static uint8_t *sign_module(const struct fx_signer *sg, const EVP_MD *md, const void *mod,
			    size_t mod_len, size_t *out_len, size_t *der_len)
{
	struct fx_signed sd;

	if (fx_sign(sg, md, mod, mod_len, &sd) < 0)
		return NULL;
	free(sd.sig);
	*out_len = sd.len;
	*der_len = sd.der_len;
	return sd.data;
}

static bool sig_verifies(const struct fx_signer *sg, const EVP_MD *md, const void *mod,
			 size_t mod_len, const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = c && EVP_DigestVerifyInit(c, NULL, md, NULL, sg->key) == 1 &&
		  EVP_DigestVerify(c, sig, sig_len, mod, mod_len) == 1;

	EVP_MD_CTX_free(c);
	return ok;
}

static const char *const test_rdn[] = {
	"O", "lkm", "CN", "lkm test key", "emailAddress", "lkm@example.org", NULL
};

/* The subject and serial of a kernel's build key, as Debian's packages are signed. */
static const char *const build_key_rdn[] = {
	"O", "Debian", "CN", "Build time autogenerated kernel key",
	"emailAddress", "debian-kernel@lists.debian.org", NULL
};
#define BUILD_KEY_SERIAL "66F54E1566A043CC3030420E181CF850FB9F42AC"
#define BUILD_KEY_ID "66:F5:4E:15:66:A0:43:CC:30:30:42:0E:18:1C:F8:50:FB:9F:42:AC"

/* kmod's layout, written out here: "XX" joined by ':', "\n\t\t" after every 20th ':'. */
static char *kmod_hex(const uint8_t *b, size_t n)
{
	char *out = malloc(n * 6 + 1), *p = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		p += sprintf(p, "%02X", b[i]);
		if (i + 1 < n)
			p += sprintf(p, (i + 1) % 20 == 0 ? ":\n\t\t" : ":");
	}
	*p = '\0';
	return out;
}

static char tmpdir[256];

/* A module as Debian ships it: msdos, needing fat, its section table last. */
static struct fx_image debian_module(void)
{
	static const char mi[] = "license=GPL\0depends=fat\0name=msdos\0";
	static const struct fx_crc_sym imports[] = { { "fat_fill_super", 0x4f1b2c3d } };
	struct fx_module_spec m = {
		.is64 = true, .machine = 62, .name = "msdos", .modinfo = mi,
		.modinfo_len = sizeof(mi) - 1, .imports = imports, .n_imports = 1,
	};

	return fx_module(&m);
}

/*
 * What was checked on Debian's signed msdos.ko files, on one signed here: the file
 * read back from @path is @sd, and every field is the one put in.
 */
static void check_signed_file(const char *path, const struct fx_signer *sg, const EVP_MD *md,
			      const struct fx_signed *sd, size_t mod_len, const char *hash)
{
	struct lkm_buf line = { 0 };
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	char *k = NULL, *sg_hex = NULL, *want = NULL;
	uint8_t *data;
	size_t len;
	int r;

	r = load_module(path, &data, &len);
	CHECK_INT(r, ==, 0);
	if (r < 0)
		return;
	CHECK(len == sd->len && memcmp(data, sd->data, len) == 0);
	r = lkm_signature_parse(data, len, &s, &e);
	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", path, lkm_err_reason(&e, r));
		free(data);
		return;
	}
	CHECK_STR(s.id_type, "PKCS#7");
	CHECK_INT(s.id, ==, LKM_SIG_ID_PKCS7);
	CHECK(s.algo == NULL);
	CHECK_INT(s.module_size, ==, mod_len);
	CHECK_INT(s.blob_len, ==, sd->der_len);
	CHECK_INT(s.module_size + s.blob_len + 40, ==, len);
	CHECK_INT(s.blob_offset, ==, s.module_size);
	CHECK_INT(lkm_signature_strip(data, len), ==, s.module_size);
	/* The unsigned module is ELF; its section table ends where the blob begins. */
	CHECK(memcmp(data, "\177ELF", 4) == 0);
	{
		uint64_t shoff;
		uint16_t shentsize, shnum;

		memcpy(&shoff, data + 0x28, 8);
		memcpy(&shentsize, data + 0x3a, 2);
		memcpy(&shnum, data + 0x3c, 2);
		CHECK_INT(shoff + (uint64_t)shentsize * shnum, ==, s.module_size);
	}
	CHECK(s.details);
	CHECK_STR(s.signer, "Build time autogenerated kernel key");
	CHECK_INT(s.signer_len, ==, strlen("Build time autogenerated kernel key"));
	CHECK_STR(s.hash_algo, hash);
	k = hex(s.key_id, s.key_id_len, LKM_HEX_KMOD_PER_LINE);
	CHECK_STR(k, BUILD_KEY_ID);
	CHECK_INT(s.sig_len, ==, sd->sig_len);
	CHECK(s.sig && s.sig_len == sd->sig_len && memcmp(s.sig, sd->sig, s.sig_len) == 0);
	CHECK(sig_verifies(sg, md, data, s.module_size, s.sig, s.sig_len));
	sg_hex = hex(s.sig, s.sig_len, LKM_HEX_KMOD_PER_LINE);
	want = kmod_hex(sd->sig, sd->sig_len);
	CHECK_STR(sg_hex, want);
	/* plain modinfo: "%s:%-*s%s\n" with the key padded to 16 columns */
	CHECK_INT(lkm_buf_printf(&line, "%s:%-*s%s\n", "signature", 15 - 9, "", sg_hex), ==, 0);
	CHECK(line.data && strncmp(line.data, "signature:      ", 16) == 0 &&
	      strncmp(line.data + 16, want, strlen(want)) == 0 &&
	      strcmp(line.data + 16 + strlen(want), "\n") == 0);
	free(k);
	free(sg_hex);
	free(want);
	lkm_buf_free(&line);
	lkm_signature_release(&s);
	CHECK(s.signer == NULL && s.sig == NULL);
	free(data);
}

TEST(rsa_signed_plain_module_as_debian_6_1_ships_them)
{
	struct fx_image img = debian_module();
	struct fx_signer sg = { 0 };
	struct fx_signed sd = { 0 };
	char path[512];

	CHECK_INT(fx_signer_make(&sg, FX_KEY_RSA, build_key_rdn, BUILD_KEY_SERIAL), ==, 0);
	CHECK_INT(fx_sign(&sg, EVP_sha256(), img.data, img.size, &sd), ==, 0);
	if (sd.data) {
		/* RSA-4096 in Debian, 2048 here: the signature is the key's size */
		CHECK_INT(sd.sig_len, ==, 256);
		fixture_write(tmpdir, "msdos.ko", sd.data, sd.len, "w");
		snprintf(path, sizeof(path), "%s/msdos.ko", tmpdir);
		check_signed_file(path, &sg, EVP_sha256(), &sd, img.size, "sha256");
	}
	fx_signed_free(&sd);
	fx_signer_free(&sg);
	free(img.data);
}

TEST(ecdsa_p384_signed_xz_module_as_debian_6_12_ships_them)
{
#if HAVE_XZ
	struct fx_image img = debian_module();
	struct fx_signer sg = { 0 };
	struct fx_signed sd = { 0 };
	uint8_t *z = NULL;
	char path[512];
	size_t zlen;

	CHECK_INT(fx_signer_make(&sg, FX_KEY_P384, build_key_rdn, BUILD_KEY_SERIAL), ==, 0);
	CHECK_INT(fx_sign(&sg, EVP_sha256(), img.data, img.size, &sd), ==, 0);
	if (sd.data)
		z = fx_xz(sd.data, sd.len, &zlen);
	CHECK(z != NULL);
	if (z) {
		/* a DER SEQUENCE of two P-384 integers: 0x30, its length, then INTEGER */
		CHECK(sd.sig_len >= 102 && sd.sig_len <= 104);
		CHECK(sd.sig[0] == 0x30 && sd.sig[2] == 0x02);
		fixture_write(tmpdir, "msdos.ko.xz", z, zlen, "w");
		snprintf(path, sizeof(path), "%s/msdos.ko.xz", tmpdir);
		check_signed_file(path, &sg, EVP_sha256(), &sd, img.size, "sha256");
	}
	free(z);
	fx_signed_free(&sd);
	fx_signer_free(&sg);
	free(img.data);
#else
	SKIP("lkm is built without xz support");
#endif
}

__attribute__((constructor(101))) static void setup(void)
{
	fixture_tmpdir(tmpdir, sizeof(tmpdir), "signature");
}

TEST(self_signed_rsa_sha512_reports_signer_serial_and_a_valid_signature)
{
	struct fx_signer sg = { 0 };
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	size_t len, der_len;
	uint8_t *p = NULL;
	char *k = NULL;

	CHECK_INT(fx_signer_make(&sg, FX_KEY_RSA, test_rdn, "0123456789ABCDEF42"), ==, 0);
	p = sign_module(&sg, EVP_sha512(), fake_module, sizeof(fake_module), &len,
			&der_len);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_INT(lkm_signature_parse(p, len, &s, &e), ==, 0);
	CHECK_STR(s.id_type, "PKCS#7");
	CHECK_STR(s.signer, "lkm test key");
	CHECK_STR(s.hash_algo, "sha512");
	k = hex(s.key_id, s.key_id_len, LKM_HEX_KMOD_PER_LINE);
	CHECK_STR(k, "01:23:45:67:89:AB:CD:EF:42");
	CHECK_INT(s.sig_len, ==, 256);
	CHECK(sig_verifies(&sg, EVP_sha512(), fake_module, sizeof(fake_module), s.sig,
			   s.sig_len));
	CHECK_INT(s.module_size, ==, sizeof(fake_module));
	CHECK_INT(s.blob_len, ==, der_len);
	CHECK_INT(lkm_signature_strip(p, len), ==, sizeof(fake_module));
	lkm_signature_release(&s);
out:
	free(k);
	free(p);
	fx_signer_free(&sg);
}

/*
 * Messages of other shapes than sign-file's: lkm reads the fields from the DER itself
 * (signature.c), skipping by length what it does not show; libcrypto wrote these.
 * @flags: PKCS7_sign()'s, @rdn the issuer, @serial its serial in hex.
 */
static void check_shape(int flags, const char *const *rdn, const char *serial,
			const char *signer, const char *key_id)
{
	struct fx_signer sg = { 0 };
	BIO *in = BIO_new_mem_buf(fake_module, (int)sizeof(fake_module));
	PKCS7 *p7 = NULL;
	unsigned char *der = NULL;
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	uint8_t *p = NULL;
	size_t len;
	char *k;
	int n = 0;

	CHECK_INT(fx_signer_make(&sg, FX_KEY_RSA, rdn, serial), ==, 0);
	if (in && sg.cert)
		p7 = PKCS7_sign(sg.cert, sg.key, NULL, in, flags);
	if (p7)
		n = i2d_PKCS7(p7, &der);
	CHECK(n > 0);
	if (n > 0)
		p = fx_append_sig(fake_module, sizeof(fake_module), der, (size_t)n, pkcs7_hdr,
				  (uint32_t)n, &len);
	if (p) {
		CHECK_INT(lkm_signature_parse(p, len, &s, &e), ==, 0);
		CHECK(s.details);
		CHECK_STR(s.signer, signer);
		CHECK_STR(s.hash_algo, "sha256");
		k = hex(s.key_id, s.key_id_len, LKM_HEX_KMOD_PER_LINE);
		CHECK_STR(k, key_id);
		free(k);
		CHECK(sig_verifies(&sg, EVP_sha256(), fake_module, sizeof(fake_module), s.sig,
				   s.sig_len) || (flags & PKCS7_NOATTR) == 0);
		CHECK(s.sig_len == 256);
		lkm_signature_release(&s);
		/* and it was lkm's own reader that read it, not libcrypto's */
		CHECK_INT(lkm_pkcs7_read(der, (size_t)n, &s), ==, 0);
		CHECK_STR(s.signer, signer);
		lkm_signature_release(&s);
	}
	free(p);
	OPENSSL_free(der);
	PKCS7_free(p7);
	BIO_free(in);
	fx_signer_free(&sg);
}

TEST(other_message_shapes_read_the_same)
{
	static const char *const no_cn[] = { "O", "lkm", "emailAddress", "last@example.org", NULL };
	int sign_file = PKCS7_NOCERTS | PKCS7_NOATTR | PKCS7_BINARY | PKCS7_DETACHED;

	/* with the certificate inside ([0] certificates, skipped) */
	check_shape(sign_file & ~PKCS7_NOCERTS, test_rdn, "42", "lkm test key", "42");
	/* with signed attributes ([0] authenticatedAttributes, skipped) */
	check_shape(sign_file & ~PKCS7_NOATTR, test_rdn, "42", "lkm test key", "42");
	/* an issuer without a commonName: its last attribute, as kmod shows it */
	check_shape(sign_file, no_cn, "42", "last@example.org", "42");
	/* a serial whose top bit is set: DER's leading zero is not part of the key id */
	check_shape(sign_file, test_rdn, "80FF", "lkm test key", "80:FF");
	/* a serial of 0: no key id bytes, as BN_bn2bin gives none */
	check_shape(sign_file, test_rdn, "0", "lkm test key", "");
}

/*
 * OpenSSL's PKCS7_sign() knows no signature algorithm for SM3 (sign-file pairs it with
 * SM2): sign with SHA-256, then put @md's OID and an ECDSA signature over @md's digest
 * into the SignerInfo. The message reads as one signed with @md.
 */
static uint8_t *sign_module_as(const struct fx_signer *ec, const EVP_MD *md, const void *mod,
			       size_t mod_len, size_t *out_len)
{
	int flags = PKCS7_NOCERTS | PKCS7_NOATTR | PKCS7_BINARY | PKCS7_DETACHED;
	BIO *in = BIO_new_mem_buf(mod, (int)mod_len);
	PKCS7 *p7 = PKCS7_sign(NULL, NULL, NULL, NULL, flags | PKCS7_PARTIAL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char sig[512], *der = NULL;
	size_t sig_len = sizeof(sig);
	PKCS7_SIGNER_INFO *si;
	uint8_t *out = NULL;
	int n;

	if (!in || !p7 || !c || !PKCS7_sign_add_signer(p7, ec->cert, ec->key, EVP_sha256(), flags) ||
	    !PKCS7_final(p7, in, flags))
		goto out;
	si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
	if (!si || EVP_DigestSignInit(c, NULL, md, NULL, ec->key) != 1 ||
	    EVP_DigestSign(c, sig, &sig_len, mod, mod_len) != 1 ||
	    !X509_ALGOR_set0(si->digest_alg, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL,
			     NULL) ||
	    !ASN1_STRING_set(si->enc_digest, sig, (int)sig_len))
		goto out;
	n = i2d_PKCS7(p7, &der);
	if (n > 0)
		out = fx_append_sig(mod, mod_len, der, (size_t)n, pkcs7_hdr, (uint32_t)n,
				    out_len);
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(c);
	PKCS7_free(p7);
	BIO_free(in);
	return out;
}

TEST(self_signed_digests_map_to_kmod_names)
{
	static const struct {
		const char *md;
		const char *kmod;
	} cases[] = {
		{ "SHA1", "sha1" },	{ "SHA224", "sha224" },
		{ "SHA256", "sha256" }, { "SHA384", "sha384" },
		{ "SHA512", "sha512" }, { "RIPEMD160", "rmd160" },
		{ "SM3", "sm3" },	{ "SHA3-256", "sha3-256" },
	};
	struct fx_signer sg = { 0 }, ec = { 0 };
	size_t i, len, der_len;
	const char *missing = NULL;

	CHECK_INT(fx_signer_make(&sg, FX_KEY_RSA, test_rdn, "1"), ==, 0);
	CHECK_INT(fx_signer_make(&ec, FX_KEY_P256, test_rdn, "1"), ==, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_MD *md = EVP_MD_fetch(NULL, cases[i].md, NULL);
		const struct fx_signer *by = &sg;
		struct lkm_signature s;
		struct lkm_err e = { 0 };
		uint8_t *p = NULL;

		if (md)
			p = sign_module(&sg, md, fake_module, sizeof(fake_module), &len,
					&der_len);
		if (md && !p && strcmp(cases[i].md, "SM3") == 0) {
			p = sign_module_as(&ec, md, fake_module, sizeof(fake_module), &len);
			by = &ec;
		}
		if (!p) {
			/* this libcrypto lacks the digest: the others are still checked */
			missing = cases[i].md;
			EVP_MD_free(md);
			continue;
		}
		CHECK_INT(lkm_signature_parse(p, len, &s, &e), ==, 0);
		CHECK_STR(s.hash_algo, cases[i].kmod);
		{
			/* lkm reads the digests kmod names; libcrypto names the others */
			struct lkm_signature own = { 0 };
			int r = lkm_pkcs7_read(p + s.blob_offset, s.blob_len, &own);

			CHECK_INT(r, ==, strcmp(cases[i].md, "SHA3-256") ? 0 : LKM_PKCS7_OTHER);
			if (r == 0)
				CHECK_STR(own.hash_algo, cases[i].kmod);
			lkm_signature_release(&own);
		}
		CHECK_STR(s.signer, "lkm test key");
		CHECK(sig_verifies(by, md, fake_module, sizeof(fake_module), s.sig, s.sig_len));
		lkm_signature_release(&s);
		EVP_MD_free(md);
		free(p);
	}
	fx_signer_free(&sg);
	fx_signer_free(&ec);
	if (missing)
		SKIP("this libcrypto cannot sign with %s", missing);
}

/* Sign, then name another digest in the SignerInfo: only the reported name matters. */
static char *hash_name_for(const char *oid)
{
	struct fx_signer sg = { 0 };
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	int flags = PKCS7_NOCERTS | PKCS7_NOATTR | PKCS7_BINARY | PKCS7_DETACHED;
	BIO *in = BIO_new_mem_buf("x", 1);
	PKCS7 *p7 = PKCS7_sign(NULL, NULL, NULL, NULL, flags | PKCS7_PARTIAL);
	PKCS7_SIGNER_INFO *si;
	unsigned char *der = NULL;
	uint8_t *p = NULL;
	char *r = NULL;
	size_t len;
	int n;

	if (fx_signer_make(&sg, FX_KEY_P256, test_rdn, "1") < 0 || !in || !p7 ||
	    !PKCS7_sign_add_signer(p7, sg.cert, sg.key, EVP_sha256(), flags) ||
	    !PKCS7_final(p7, in, flags))
		goto out;
	si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
	if (!si ||
	    !X509_ALGOR_set0(si->digest_alg, OBJ_txt2obj(oid, 1), V_ASN1_NULL, NULL))
		goto out;
	n = i2d_PKCS7(p7, &der);
	if (n > 0)
		p = fx_append_sig("x", 1, der, (size_t)n, pkcs7_hdr, (uint32_t)n, &len);
	if (p && lkm_signature_parse(p, len, &s, &e) == 0) {
		r = strdup(s.hash_algo);
		lkm_signature_release(&s);
	}
out:
	free(p);
	OPENSSL_free(der);
	PKCS7_free(p7);
	BIO_free(in);
	fx_signer_free(&sg);
	return r;
}

TEST(digest_oids_kmod_knows_and_does_not_know)
{
	static const char *const cases[][2] = {
		{ "1.2.156.10197.1.401", "sm3" }, /* sm3 */
		{ "1.3.36.3.2.1", "rmd160" }, /* ripemd160 */
		{ "1.2.840.113549.2.4", "md4" },
		{ "1.2.840.113549.2.5", "md5" },
		{ "2.16.840.1.101.3.4.2.4", "sha224" },
		{ "2.16.840.1.101.3.4.2.10",
		  "sha3-512" }, /* OpenSSL's name, as kmod 34 */
		{ "1.2.3.4.5.6.7", "1.2.3.4.5.6.7" }, /* nobody's name: the OID */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *h = hash_name_for(cases[i][0]);

#ifdef OPENSSL_NO_SM3
		if (i == 0) {
			free(h);
			SKIP("this libcrypto has no SM3: its OID is not checked");
			continue;
		}
#endif
		CHECK_STR(h, cases[i][1]);
		free(h);
	}
}

static char *signer_of(const char *const *rdn, const char *serial_hex, char **key_hex)
{
	struct fx_signer sg = { 0 };
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	size_t len, der_len;
	uint8_t *p = NULL;
	char *r = NULL;

	if (fx_signer_make(&sg, FX_KEY_P256, rdn, serial_hex) == 0)
		p = sign_module(&sg, EVP_sha256(), "x", 1, &len, &der_len);
	if (p && lkm_signature_parse(p, len, &s, &e) == 0) {
		r = strdup(s.signer);
		*key_hex = hex(s.key_id, s.key_id_len, LKM_HEX_KMOD_PER_LINE);
		lkm_signature_release(&s);
	}
	free(p);
	fx_signer_free(&sg);
	return r;
}

TEST(signer_is_first_cn_else_last_entry_like_kmod)
{
	/* attribute, value pairs */
	static const char *const cn_middle[] = {
		"C", "DE", "CN", "first", "CN", "second", "OU", "unit", NULL,
	};
	static const char *const no_cn[] = {
		"C", "DE", "O", "Org only", "OU", "the unit", NULL,
	};
	static const char *const none[] = { NULL };
	char *s, *k = NULL;

	s = signer_of(cn_middle, "1", &k);
	CHECK_STR(s, "first");
	free(s);
	free(k);
	s = signer_of(no_cn, "1", &k);
	CHECK_STR(s, "the unit");
	free(s);
	free(k);
	s = signer_of(none, "1", &k);
	CHECK_STR(s, "");
	free(s);
	free(k);
}

TEST(serial_is_the_magnitude_without_der_padding)
{
	static const char *const rdn[] = { "CN", "k", NULL };
	char *s, *k = NULL;

	/* DER pads 0x80... with a zero byte; kmod shows the number's bytes */
	s = signer_of(rdn, "80FF", &k);
	CHECK_STR(k, "80:FF");
	free(s);
	free(k);
	s = signer_of(rdn, "6A1C0F5B2E9D3A4B5C6D7E8F90A1B2C3D4E5F607", &k);
	CHECK_STR(k, "6A:1C:0F:5B:2E:9D:3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4:E5:F6:07");
	free(s);
	free(k);
	s = signer_of(rdn, "0", &k);
	CHECK_STR(s, "k");
	CHECK_STR(k, "");
	free(s);
	free(k);
}

TEST(pkcs7_with_trailing_bytes_or_wrong_type_is_malformed)
{
	struct fx_signer sg = { 0 };
	size_t len, der_len;
	uint8_t *p, *q;
	PKCS7 *data7;
	unsigned char *der = NULL;
	int n;

	CHECK_INT(fx_signer_make(&sg, FX_KEY_P256, test_rdn, "1"), ==, 0);
	p = sign_module(&sg, EVP_sha256(), fake_module, sizeof(fake_module), &len,
			&der_len);
	CHECK(p != NULL);
	if (p) {
		/* blob = the DER message + 5 bytes of junk, all counted in sig_len */
		q = malloc(der_len + 5);
		CHECK(q != NULL);
		if (!q) {
			free(p);
			goto fail;
		}
		memcpy(q, p + sizeof(fake_module), der_len);
		memset(q + der_len, 0, 5);
		free(p);
		p = fx_append_sig(fake_module, sizeof(fake_module), q, der_len + 5,
			       pkcs7_hdr, (uint32_t)der_len + 5, &len);
		check_bad(p, len, "5 bytes follow the PKCS#7 message");
		CHECK_INT(lkm_signature_strip(p, len), ==, sizeof(fake_module));
		free(q);
		free(p);
	}
fail:
	data7 = PKCS7_new();
	CHECK(data7 && PKCS7_set_type(data7, NID_pkcs7_data));
	n = i2d_PKCS7(data7, &der);
	CHECK(n > 0);
	if (n > 0) {
		p = fx_append_sig(fake_module, sizeof(fake_module), der, (size_t)n,
			       pkcs7_hdr, (uint32_t)n, &len);
		check_bad(p, len, "not signed data");
		free(p);
	}
	OPENSSL_free(der);
	PKCS7_free(data7);
	fx_signer_free(&sg);
}

/*
 * Every truncation and every single-byte change of the tail must give 0 or a negative
 * errno with a reason, and never touch memory outside the data (run under ASan too).
 */
TEST(corrupt_tails_never_crash)
{
	struct fx_signer sg = { 0 };
	size_t len, der_len, i, cut, ok = 0, bad = 0;
	uint8_t *p;

	CHECK_INT(fx_signer_make(&sg, FX_KEY_P256, test_rdn, "7F"), ==, 0);
	p = sign_module(&sg, EVP_sha256(), fake_module, sizeof(fake_module), &len,
			&der_len);
	CHECK(p != NULL);
	if (!p)
		goto out;
	for (cut = 1; cut <= len; cut++) {
		/* a copy of exactly the prefix, so ASan sees any read past it */
		uint8_t *c = malloc(cut);
		struct lkm_signature s;
		struct lkm_err e = { 0 };
		int r;

		memcpy(c, p + len - cut, cut);
		r = lkm_signature_parse(c, cut, &s, &e);
		CHECK(r == 0 || r == -ENODATA || (r == -EBADMSG && e.why[0]));
		CHECK(lkm_signature_strip(c, cut) <= cut);
		lkm_signature_release(&s);
		free(c);
	}
	for (i = sizeof(fake_module); i < len - sizeof(magic) + 1; i++) {
		static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
		size_t v;

		for (v = 0; v < sizeof(vals); v++) {
			uint8_t *c = malloc(len);
			struct lkm_signature s;
			struct lkm_err e = { 0 };
			int r;

			memcpy(c, p, len);
			c[i] = (uint8_t)(c[i] + vals[v]);
			r = lkm_signature_parse(c, len, &s, &e);
			CHECK(r == 0 || (r == -EBADMSG && e.why[0]));
			if (r == 0) {
				CHECK(s.signer && s.hash_algo);
				ok++;
			} else {
				bad++;
			}
			CHECK(lkm_signature_strip(c, len) <= len);
			lkm_signature_release(&s);
			free(c);
		}
	}
	CHECK(ok > 0 && bad > 0);
	free(p);
out:
	fx_signer_free(&sg);
}

#else

TEST(modules_signed_here)
{
	SKIP("lkm is built without libcrypto: no signing here, no PKCS#7 details to read");
}

#endif /* HAVE_LIBCRYPTO */

TEST_MAIN()
