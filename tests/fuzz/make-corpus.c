// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * make-corpus: writes the seed corpus of every fuzz target, from the tests' own fixture
 * writers (tests/unit/elf-fixture.h for ELF modules of the four class and byte-order
 * combinations, lib/index.c's builder for .bin files, the depmod cache's own writer)
 * and from text written here. The output is committed under tests/fuzz/corpus/; run
 *
 *   build-x/tests/fuzz/make-corpus tests/fuzz/corpus
 *
 * after changing a seed. Everything is deterministic (fixed names, times and keys; the
 * signing key below is a throwaway made for these seeds, and RSA PKCS#1 v1.5 signing
 * has no randomness), so a second run writes the same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <lzma.h>
#include <zstd.h>
#if HAVE_LIBCRYPTO
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#endif

#include "depmod-internal.h"
#include "elf-fixture.h"
#include "lkm-internal.h"

static const char *out_root;

struct blob {
	uint8_t *data;
	size_t size;
};

static void die(const char *what)
{
	fprintf(stderr, "make-corpus: %s\n", what);
	exit(1);
}

static void blob_add(struct blob *b, const void *data, size_t size)
{
	b->data = realloc(b->data, b->size + size + 1);
	if (!b->data)
		die("out of memory");
	if (size)
		memcpy(b->data + b->size, data, size);
	b->size += size;
}

static void blob_str(struct blob *b, const char *s)
{
	blob_add(b, s, strlen(s));
}

static void seed(const char *target, const char *name, const void *data, size_t size)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_root, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", out_root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		die(path);
}

static void seed_text(const char *target, const char *name, const char *text)
{
	seed(target, name, text, strlen(text));
}

/* ------------------------------------------------------------------ ELF modules */

static const char modinfo_text[] =
	"license=GPL\0author=lkm\0description=a fuzz seed\0alias=pci:v00008086d*sv*\0"
	"alias=fs-seed\0depends=dep_a,dep-b\0softdep=pre: dep_c post: dep_d\0"
	"parm=debug:Enable debug output\0parmtype=debug:int\0parmtype=mode:charp\0"
	"parm=mode:Operating mode\0parmtype=novalue:bool\0intree=Y\0name=seed\0"
	"vermagic=6.1.0-fuzz SMP preempt mod_unload modversions \0";

/* A module with every section lkm reads: .modinfo, __versions, exports, imports. */
static struct fx_image module(bool is64, bool be, const char *modinfo, size_t modinfo_len)
{
	static const char ksym[] = "seed_export\0seed_other\0";
	static const char strtab[] = "\0printk\0dep_a_fn\0__crc_seed_export\0seed_export\0weak_fn";
	struct fx_syms syms = { .is64 = is64, .be = be };
	uint8_t versions[3 * 64] = { 0 }, this_module[128] = { 0 };
	unsigned w = is64 ? 8 : 4;
	struct fx_section secs[7];
	int i;

	static const char *const vnames[] = { "module_layout", "printk", "dep_a_fn" };
	for (i = 0; i < 3; i++) {
		fx_store(versions + 64 * i, be, w, 0x12345678u + (unsigned)i);
		strcpy((char *)versions + 64 * i + w, vnames[i]);
	}
	strcpy((char *)this_module + (is64 ? 24 : 12), "seed");
	fx_sym(&syms, 0, 0, 0, 0, 0);
	fx_sym(&syms, 1, 1, 0, 0, 0);             /* printk: GLOBAL, undefined */
	fx_sym(&syms, 8, 1, 0, 0, 0);             /* dep_a_fn */
	fx_sym(&syms, 17, 1, 0, 0xfff1, 0xabcdef); /* __crc_seed_export: ABS */
	fx_sym(&syms, 35, 1, 2, 1, 0);            /* seed_export: FUNC in section 1 */
	fx_sym(&syms, 47, 2, 0, 0, 0);            /* weak_fn: WEAK, undefined */
	secs[0] = (struct fx_section){ ".text", 1, "\xc3", 1 };
	secs[1] = (struct fx_section){ ".modinfo", 1, modinfo, modinfo_len };
	secs[2] = (struct fx_section){ "__versions", 1, versions, sizeof(versions) };
	secs[3] = (struct fx_section){ "__ksymtab_strings", 1, ksym, sizeof(ksym) };
	secs[4] = (struct fx_section){ ".symtab", 2, syms.buf, syms.size, 6, is64 ? 24 : 16 };
	secs[5] = (struct fx_section){ ".strtab", 3, strtab, sizeof(strtab) };
	secs[6] = (struct fx_section){ ".gnu.linkonce.this_module", 1, this_module,
				       sizeof(this_module) };
	return fx_build(is64, be, 1, is64 ? 62 : 3, secs, 7, false);
}

static void trailer(struct blob *b, uint8_t algo, uint8_t hash, uint8_t id, uint8_t signer_len,
		    uint8_t key_id_len, uint32_t sig_len)
{
	uint8_t t[12] = { algo, hash, id, signer_len, key_id_len, 0, 0, 0,
			  (uint8_t)(sig_len >> 24), (uint8_t)(sig_len >> 16),
			  (uint8_t)(sig_len >> 8), (uint8_t)sig_len };

	blob_add(b, t, sizeof(t));
	blob_add(b, LKM_SIG_MAGIC, LKM_SIG_MAGIC_LEN);
}

#if HAVE_LIBCRYPTO
/* A throwaway RSA key, made for these seeds only: it signs nothing else. */
static const char seed_key_pem[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIICWwIBAAKBgQDdwAzzi4/fEadRryk50HS6LGPDYYq5TiAM9noG1zLq8H4y5Bxe\n"
	"IqUgnnRspRps5MUVUiFesLnR4GmkyEFoQsfOypxuhWMJQfcoLAO4AiZLojRVvjwn\n"
	"EhnOavBUlx4FpfOtlH3+6dUFma98HgQaFn6BuHKN7BMqkeUjNKK3PRQSXwIDAQAB\n"
	"AoGAXOBITGVC0AI72ymLEczuZt+atUWQbcZ8BBHj0COoDuDFaplCDGdkVAIp7ytD\n"
	"oyI6LZDlqxxH59CfTsYVJw75UiqIqMXltM7fpCwOidzr0KnsgDNLvQx9we76nSA5\n"
	"a3SRZ2FOVFVCDZN6wgfg05VxBisQQUvca3fFuE0TWCLzt9kCQQD7av1SuFRYn2xb\n"
	"n5ollf5kcS2JPBfoxHgU+H4hWsIZhBTunUSEUJMD9HS/tEMC6xpJqqhsWchDppjV\n"
	"RgkAGZ+rAkEA4cqk1TsJB7SKRAgabzvDC5ga9MUc/Yd0CvXQHDluovhEAR7fib8t\n"
	"alm2Zm1aldm1wUJsVrf7Yx1ww5++o/r0HQJAK1KzVja3KhJGnL8y07k1/d7WxugZ\n"
	"Ap4gRxTOvzahbb4p0Tg+X0J3It5T49jPF0il3f3PSeRqsuWZPl70HBVOQwJAQjtH\n"
	"DqU6iOAUjtAxsN8+32/GuHX5gwTwrSZd3WmbYoKgsBN2TtmdYMzgDDuXjs1F22K4\n"
	"lNdzDifcpAV/zmoWoQJAcL0s8xuhPFTkWtWgRkD1S8WZIP3bq3Ybelm6+aw1efKo\n"
	"ZE+/oNXEsfRT/3BQo14kuZaMU35C1Ei1IfI1LlAZow==\n"
	"-----END RSA PRIVATE KEY-----\n"
	;

/* A detached PKCS#7 signature as sign-file makes it (no attributes, no certs). */
static struct blob pkcs7_sign(const void *data, size_t size)
{
	BIO *kb = BIO_new_mem_buf(seed_key_pem, -1), *in = BIO_new_mem_buf(data, (int)size);
	EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	X509 *cert = X509_new();
	X509_NAME *name = X509_NAME_new();
	PKCS7 *p7;
	struct blob out = { 0 };
	unsigned char *der = NULL;
	int len = 0;

	if (!key || !cert || !name || !in)
		die("openssl: key");
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"lkm", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"lkm fuzz seed key", -1, -1, 0);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 0x1234567);
	ASN1_TIME_set_string(X509_getm_notBefore(cert), "20260101000000Z");
	ASN1_TIME_set_string(X509_getm_notAfter(cert), "20360101000000Z");
	X509_set_subject_name(cert, name);
	X509_set_issuer_name(cert, name);
	X509_set_pubkey(cert, key);
	if (!X509_sign(cert, key, EVP_sha256()))
		die("openssl: certificate");
	p7 = PKCS7_sign(cert, key, NULL, in,
			PKCS7_NOATTR | PKCS7_BINARY | PKCS7_DETACHED | PKCS7_NOCERTS);
	if (!p7 || (len = i2d_PKCS7(p7, &der)) <= 0)
		die("openssl: PKCS#7");
	blob_add(&out, der, (size_t)len);
	OPENSSL_free(der);
	PKCS7_free(p7);
	X509_NAME_free(name);
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(kb);
	BIO_free(in);
	return out;
}
#endif

static void elf_seeds(void)
{
	static const char *const combo[] = { "elf32-le", "elf32-be", "elf64-le", "elf64-be" };
	struct fx_image img;
	struct blob b = { 0 }, parms = { 0 };
	char name[64];
	int c, i;

	for (c = 0; c < 4; c++) {
		img = module(c >= 2, c & 1, modinfo_text, sizeof(modinfo_text));
		snprintf(name, sizeof(name), "%s.ko", combo[c]);
		seed("elf", name, img.data, img.size);
		/* Cut at the end of .modinfo: the section table is gone. */
		snprintf(name, sizeof(name), "%s-truncated.ko", combo[c]);
		seed("elf", name, img.data, img.off[2] + img.len[2]);
		free(img.data);
	}

	/* Section headers first, and one section that runs past the end of the file. */
	img = module(true, false, modinfo_text, sizeof(modinfo_text));
	fx_set_shdr(&img, 3, FX_SH_SIZE, 1u << 20);
	seed("elf", "elf64-le-section-past-end.ko", img.data, img.size);
	free(img.data);

	/* Many parameters, for modinfo's parm/parmtype merge. */
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "parm=p%d:param %d", i, i);
		blob_add(&parms, name, strlen(name) + 1);
		snprintf(name, sizeof(name), "parmtype=p%d:int", i % 48);
		blob_add(&parms, name, strlen(name) + 1);
	}
	blob_add(&parms, "parm=nocolon", 13);
	img = module(true, false, (const char *)parms.data, parms.size);
	seed("elf", "elf64-le-many-parms.ko", img.data, img.size);
	free(parms.data);

	/* Legacy X.509 trailer: signer, key id and signature before the struct. */
	blob_add(&b, img.data, img.size);
	blob_str(&b, "seed signer");
	blob_add(&b, "\x01\x02\x03\x04", 4);
	blob_add(&b, "\xaa\xbb\xcc\xdd\xee\xff\x00\x11", 8);
	trailer(&b, 1, 4, LKM_SIG_ID_X509, 11, 4, 8);
	seed("elf", "elf64-le-signed-legacy.ko", b.data, b.size);
	free(b.data);
	b = (struct blob){ 0 };
	/* The magic alone, with a trailer that claims more than the file. */
	blob_add(&b, img.data, img.size);
	trailer(&b, 0, 0, LKM_SIG_ID_PKCS7, 0, 0, 0x7fffffff);
	seed("elf", "elf64-le-signed-too-long.ko", b.data, b.size);
	free(b.data);
	free(img.data);

#if HAVE_LIBCRYPTO
	for (c = 0; c < 4; c += 3) {
		struct blob sig;

		b = (struct blob){ 0 };
		img = module(c >= 2, c & 1, modinfo_text, sizeof(modinfo_text));
		sig = pkcs7_sign(img.data, img.size);
		blob_add(&b, img.data, img.size);
		blob_add(&b, sig.data, sig.size);
		trailer(&b, 0, 0, LKM_SIG_ID_PKCS7, 0, 0, (uint32_t)sig.size);
		snprintf(name, sizeof(name), "%s-signed-pkcs7.ko", combo[c]);
		seed("elf", name, b.data, b.size);
		free(sig.data);
		free(b.data);
		free(img.data);
	}
#endif
}

/* ------------------------------------------------------------------ compressed files */

static struct blob gzip(const void *in, size_t size)
{
	struct blob out = { 0 };
	z_stream zs = { 0 };
	uint8_t buf[1 << 16];

	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("zlib");
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)size;
	zs.next_out = buf;
	zs.avail_out = sizeof(buf);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		die("zlib: deflate");
	blob_add(&out, buf, sizeof(buf) - zs.avail_out);
	deflateEnd(&zs);
	return out;
}

static struct blob xz(const void *in, size_t size)
{
	struct blob out = { 0 };
	uint8_t buf[1 << 16];
	size_t pos = 0;

	if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, size, buf, &pos, sizeof(buf)) !=
	    LZMA_OK)
		die("xz");
	blob_add(&out, buf, pos);
	return out;
}

static struct blob zstd(const void *in, size_t size)
{
	struct blob out = { 0 };
	uint8_t buf[1 << 16];
	size_t n = ZSTD_compress(buf, sizeof(buf), in, size, 19);

	if (ZSTD_isError(n))
		die("zstd");
	blob_add(&out, buf, n);
	return out;
}

static void file_seeds(void)
{
	static const char *const ext[] = { "gz", "xz", "zst" };
	struct blob (*const comp[])(const void *, size_t) = { gzip, xz, zstd };
	struct fx_image img = module(true, false, modinfo_text, sizeof(modinfo_text));
	struct blob b;
	char name[64];
	uint8_t zeros[4096] = { 0 };
	int i;

	seed("file", "plain.ko", img.data, img.size);
	for (i = 0; i < 3; i++) {
		b = comp[i](img.data, img.size);
		snprintf(name, sizeof(name), "seed.ko.%s", ext[i]);
		seed("file", name, b.data, b.size);
		snprintf(name, sizeof(name), "truncated.ko.%s", ext[i]);
		seed("file", name, b.data, b.size / 2);
		b.data[b.size / 2] ^= 0x55;
		snprintf(name, sizeof(name), "corrupt.ko.%s", ext[i]);
		seed("file", name, b.data, b.size);
		free(b.data);
		/* Highly compressible: a small stream for a large output. */
		b = comp[i](zeros, sizeof(zeros));
		snprintf(name, sizeof(name), "zeros.%s", ext[i]);
		seed("file", name, b.data, b.size);
		free(b.data);
	}
	free(img.data);
}

/* ------------------------------------------------------------------ .bin indexes */

struct kv {
	const char *key, *value;
	uint32_t prio;
};

static void index_seed(const char *name, const struct kv *kv, size_t n, const char *keys)
{
	struct lkm_index_builder *b;
	struct lkm_err err = { 0 };
	char path[] = "/tmp/lkm-make-corpus-XXXXXX";
	struct blob out = { 0 };
	uint8_t buf[4096];
	ssize_t got;
	size_t i;
	int fd = mkstemp(path);

	if (fd < 0 || lkm_index_builder_new(&b) < 0)
		die("index builder");
	for (i = 0; i < n; i++)
		if (lkm_index_builder_add(b, kv[i].key, kv[i].value, kv[i].prio) < 0)
			die("index builder: add");
	if (lkm_index_builder_write(b, fd, &err) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		die("index builder: write");
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		blob_add(&out, buf, (size_t)got);
	close(fd);
	unlink(path);
	lkm_index_builder_free(b);
	if (keys) {
		blob_str(&out, "\n%%\n");
		blob_str(&out, keys);
	}
	seed("index", name, out.data, out.size);
	free(out.data);
}

static void index_seeds(void)
{
	static const struct kv dep[] = {
		{ "ext4", "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko kernel/fs/mbcache.ko", 0 },
		{ "jbd2", "kernel/fs/jbd2/jbd2.ko:", 1 },
		{ "mbcache", "kernel/fs/mbcache.ko:", 2 },
		{ "snd_hda_intel", "kernel/sound/pci/hda/snd-hda-intel.ko: kernel/sound/snd.ko", 3 },
		{ "snd", "kernel/sound/snd.ko:", 4 },
	};
	static const struct kv alias[] = {
		{ "pci:v00008086d00001234sv*sd*bc*sc*i*", "e1000e", 0 },
		{ "pci:v00008086d*sv*sd*bc03sc*i*", "i915", 1 },
		{ "pci:v00008086d*sv*sd*bc03sc*i*", "snd_hda_intel", 2 },
		{ "usb:v*p*d*dc*dsc*dp*ic09isc00ip*in*", "usbcore", 0 },
		{ "fs-ext4", "ext4", 0 },
		{ "char-major-10-[0-9]", "misc", 5 },
		{ "acpi?PNP0A0[38]:*", "pci_root", 0 },
	};
	static const struct kv symbols[] = {
		{ "symbol:jbd2_journal_start", "jbd2", 0 },
		{ "symbol:snd_card_new", "snd", 0 },
		{ "symbol:snd_card_new", "snd_compat", 1 },
	};
	static const struct kv empty_value[] = { { "a", "", 0 }, { "ab", "x", 0 } };

	index_seed("modules.dep.bin", dep, sizeof(dep) / sizeof(dep[0]), NULL);
	index_seed("modules.dep.bin-keys", dep, sizeof(dep) / sizeof(dep[0]),
		   "ext4\nsnd\nsnd_hda_intel\nmissing\n");
	index_seed("modules.alias.bin", alias, sizeof(alias) / sizeof(alias[0]),
		   "pci:v00008086d00001234sv00001028sd00000001bc03sc00i00\n"
		   "usb:v046Dp0825d0010dc09dsc00dp00ic09isc00ip00in00\nfs-ext4\nchar-major-10-7\n"
		   "acpiXPNP0A08:y\n");
	index_seed("modules.symbols.bin", symbols, sizeof(symbols) / sizeof(symbols[0]),
		   "symbol:snd_card_new\n");
	index_seed("empty-value.bin", empty_value, 2, "a\nab\n");
	index_seed("empty.bin", NULL, 0, NULL);
}

/* ------------------------------------------------------------------ config */

static void config_seeds(void)
{
	seed_text("config", "modprobe-every-command",
		  "# every modprobe.d command\n"
		  "alias pci:v00008086d*sv*sd*bc03sc*i* snd-hda-intel\n"
		  "alias fs-seed seed\n"
		  "options snd-hda-intel index=0 model=auto\tprobe_mask=1\n"
		  "options seed debug=1 \\\n  mode=fast\n"
		  "install seed /sbin/modprobe --ignore-install seed $CMDLINE_OPTS && echo done\n"
		  "remove seed /sbin/modprobe -r --ignore-remove seed\n"
		  "blacklist pcspkr\n"
		  "softdep seed pre: dep_a dep-b post: dep_c\n"
		  "weakdep seed dep_w\n"
		  "alias snd-card-[0-9] snd_[a-z]*\n"
		  "aliass typo here\n"
		  "options\n");
	seed_text("config", "depmod-every-command",
		  "\n%%\n"
		  "search updates extra built-in external\n"
		  "override seed 6.1.* extra\n"
		  "override * * updates\n"
		  "external 6.1.* /opt/modules\n"
		  "exclude debug\n"
		  "make_map_files no\n"
		  "serch typo\n"
		  "override seed [ extra\n");
	seed_text("config", "kernel-cmdline",
		  "\n%%\n\n%%\n"
		  "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet seed.debug=1 snd-hda-intel.model=x "
		  "modprobe.blacklist=pcspkr,floppy \"seed.mode=a b\" e1000e.\n");
	seed_text("config", "modules-softdep",
		  "softdep seed pre: dep_a\n\n%%\n\n%%\n\n%%\n"
		  "# Soft dependencies extracted from modules themselves.\n"
		  "softdep seed pre: dep_c post: dep_d\n"
		  "softdep other post: seed\n");
	seed("config", "nul-and-continuations",
	     "alias a\\\n b\nopt\0ions x y\n\\\\\n#\\\nblacklist c\\", 43);
	seed_text("config", "all-four",
		  "options x a=1\nalias y x\n\n%%\nsearch built-in\n\n%%\nx.b=2 y.c=3\n"
		  "\n%%\nsoftdep x pre: y\n");
}

/* ------------------------------------------------------------------ /proc/modules */

static void kernel_seeds(void)
{
	static const char proc[] =
		"snd_hda_intel 57344 3 - Live 0xffffffffc0a1b000\n"
		"snd 126976 12 snd_hda_intel,snd_pcm,[permanent], Live 0xffffffffc09f0000 (OE)\n"
		"fat 86016 2 vfat,msdos, Live 0x0000000000000000\n"
		"vfat 24576 1 - Loading 0xffffffffc0a00000 (E)\n"
		"going 16384 -1 - Unloading 0xffffffffc0b00000\n"
		"nounload 16384 - - Live 0xffffffffc0c00000\n"
		"unsafe 16384 0 [unsafe], Live 0xffffffffc0d00000\n";
	struct blob b = { 0 };
	size_t i;

	seed_text("kernel", "proc-modules", proc);
	blob_str(&b, proc);
	blob_str(&b, "\n%%\n"
		     "snd holders snd_hda_intel snd_pcm\n"
		     "snd refcnt 12\n"
		     "snd coresize 126976\n"
		     "snd initstate live\n"
		     "fat holders vfat msdos\n"
		     "builtin_one dir\n"
		     "vfat initstate coming\n"
		     "going initstate going\n"
		     "compression xz\n");
	seed("kernel", "proc-and-sys", b.data, b.size);
	free(b.data);

	/* A NUL byte first, then modules that must still be read. */
	b = (struct blob){ 0 };
	blob_add(&b, "\0", 1);
	blob_str(&b, " junk\n");
	blob_str(&b, proc);
	seed("kernel", "nul-first", b.data, b.size);
	free(b.data);
	/* A NUL in the middle of a line. */
	b = (struct blob){ 0 };
	blob_str(&b, "fat 86016 2 vfat,");
	blob_add(&b, "\0", 1);
	blob_str(&b, "msdos, Live 0x0\nvfat 24576 1 - Live 0x0\n");
	seed("kernel", "nul-in-line", b.data, b.size);
	free(b.data);
	/* One line of 20 KB (the unit test takes 100 KB): a module with 2000 users. */
	b = (struct blob){ 0 };
	blob_str(&b, "big 4096 2000 ");
	for (i = 0; i < 2000; i++) {
		char u[32];

		snprintf(u, sizeof(u), "user%zu,", i);
		blob_str(&b, u);
	}
	blob_str(&b, " Live 0x0\nsmall 1 0 - Live 0x0\n");
	seed("kernel", "long-line", b.data, b.size);
	free(b.data);
	seed_text("kernel", "junk-lines",
		  "a b c\n\n\nname 12x 1 - Live 0x0\nname 12 1 - Dead 0x0\nname 1 1 - Live 12\n"
		  "name 1 1 [x], Live 0x0\nname 1 1 - Live 0x0 (\nok 1 1 - Live 0x0 (O)\n"
		  "\n%%\n../etc holders x\nok holders . .. a/b y\nok refcnt 99999999999999999999\n"
		  "ok initstate bogus\n");
}

/* ------------------------------------------------------------------ depmod cache */

static struct dm_mod *cache_mod(const char *path, int64_t t, const char *const *strs, size_t n_exp,
				size_t n_imp, size_t n_alias, size_t n_soft, size_t n_weak)
{
	size_t n = n_exp + n_imp + n_alias + n_soft + n_weak, i, len = 0;
	struct dm_mod *m = calloc(1, sizeof(*m) + 8);
	struct dm_info *in = &m->info;

	m->path = strdup(path);
	m->have_key = true;
	m->key = (struct dm_key){ .ino = 1000 + (uint64_t)t, .size = 4096, .mtime_ns = t,
				  .ctime_ns = t };
	in->off = calloc(n + 1, sizeof(*in->off));
	in->crc = calloc(n_exp + n_imp + 1, sizeof(*in->crc));
	in->weak = calloc(n_imp + 1, 1);
	for (i = 0; i < n; i++)
		len += strlen(strs[i]) + 1;
	in->blob = calloc(len + 1, 1);
	for (i = 0, len = 0; i < n; i++) {
		in->off[i] = (uint32_t)len;
		strcpy(in->blob + len, strs[i]);
		len += strlen(strs[i]) + 1;
	}
	for (i = 0; i < n_exp + n_imp; i++)
		in->crc[i] = 0x1000 + i;
	if (n_imp)
		in->weak[n_imp - 1] = 1;
	in->blob_len = len;
	in->n_exp = (uint32_t)n_exp;
	in->n_imp = (uint32_t)n_imp;
	in->n_alias = (uint32_t)n_alias;
	in->n_soft = (uint32_t)n_soft;
	in->n_weak = (uint32_t)n_weak;
	return m;
}

static void cache_seed(const char *name, struct dm_mod **mods, size_t n, uint8_t flags)
{
	char dir[] = "/tmp/lkm-make-corpus-XXXXXX", path[128];
	struct lkm_depmod d = { 0 };
	struct blob b = { 0 };
	char *data = NULL;
	size_t len = 0;

	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/modules.lkm-cache", dir);
	d.cfg.cache = path;
	d.mods = mods;
	d.n_mods = n;
	d.scan_start_ns = INT64_MAX;
	if (depmod_cache_save(&d) < 0 || lkm_read_file(path, 1 << 20, &data, &len) < 0)
		die("depmod cache");
	unlink(path);
	rmdir(dir);
	blob_add(&b, &flags, 1);
	blob_add(&b, data, len);
	seed("depmod-cache", name, b.data, b.size);
	free(b.data);
	free(data);
}

static void cache_seeds(void)
{
	static const char *const a[] = { "seed_export", "seed_other", "printk", "dep_a_fn",
					 "weak_fn", "pci:v00008086d*", "fs-seed", "pre: dep_c",
					 "dep_w" };
	static const char *const b[] = { "jbd2_journal_start", "printk" };
	/* Path lengths 3 mod 4 ending in a byte >= 0x80: what found depmod_hash's UB. */
	static const char *const c[] = { "x" };
	struct dm_mod *mods[3];
	size_t i;

	mods[0] = cache_mod("/lib/modules/6.1.0-fuzz/kernel/seed.ko", 1, a, 2, 3, 2, 1, 1);
	mods[1] = cache_mod("/lib/modules/6.1.0-fuzz/kernel/fs/jbd2.ko.xz", 2, b, 1, 1, 0, 0, 0);
	mods[2] = cache_mod("/lib/modules/6.1.0-fuzz/\xe9t\xe9.ko\xff", 3, c, 0, 1, 0, 0, 0);
	cache_seed("two-modules", mods, 2, 0);
	cache_seed("two-modules-fixsum", mods, 2, 1);
	cache_seed("high-bytes-in-path", mods + 2, 1, 1);
	cache_seed("empty", mods, 0, 0);
	for (i = 0; i < 3; i++) {
		free(mods[i]->info.off);
		free(mods[i]->info.crc);
		free(mods[i]->info.weak);
		free(mods[i]->info.blob);
		free(mods[i]->path);
		free(mods[i]);
	}
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-corpus DIR (tests/fuzz/corpus)\n");
		return 2;
	}
	out_root = argv[1];
	mkdir(out_root, 0755);
	elf_seeds();
	file_seeds();
	index_seeds();
	config_seeds();
	kernel_seeds();
	cache_seeds();
	return 0;
}
