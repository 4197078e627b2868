/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lkm library internals: what lib/ shares between its files and with its own unit
 * tests, and no tool or libkmod/ sees. The public face, lib/lkm.h, is included first;
 * the contract written there holds here too. Sections follow the source files.
 */
#ifndef LKM_INTERNAL_H
#define LKM_INTERNAL_H

#include "lkm.h"

/* ==== util.c: errors, buffers, names ==== */

/* An empty record, as = { 0 } gives, without writing the whole of its names. */
static inline void lkm_err_clear(struct lkm_err *err)
{
	err->code = 0;
	err->why[0] = '\0';
	err->loop.kind = NULL;
	err->loop.n = 0;
}

/* Fill @err (if not NULL) and return @code, so callers can `return lkm_err_set(...)`. */
int lkm_err_set(struct lkm_err *err, int code, const char *fmt, ...) LKM_PRINTF(3, 4);

/*
 * A loop's record (struct lkm_loop, in lkm_err) started for @kind ("softdep", "install",
 * "remove"), and one name of @len bytes added to it.
 */
void lkm_loop_begin(struct lkm_loop *l, const char *kind);
void lkm_loop_add(struct lkm_loop *l, const char *name, size_t len);

/*
 * Make room for @need elements of @elem bytes in the array at *@arrp (the address of
 * any pointer, NULL at first) whose room is *@cap elements: the capacity starts at
 * @first and doubles until @need fits. On failure the array and *@cap are unchanged.
 * Return: 0, or -ENOMEM (also when @need elements would overflow a size_t).
 */
LKM_MUST_CHECK int lkm_array_grow(void *arrp, size_t *cap, size_t need, size_t elem,
				  size_t first);

/*
 * fnmatch(@pat, @str, 0) for the patterns of modules.alias, an order of magnitude
 * faster than glibc's: '*' and '?' and every other byte itself, in ASCII. With @prefix,
 * whether @pat could still be the start of a pattern that matches @str (@pat followed
 * by '*' matches it): a search can drop every longer pattern when it is not.
 * Return: 1 (match), 0 (none), or -1 when @pat has '[' or '\' or either string a byte
 * past ASCII (a '?' is then a character of the locale): ask fnmatch(3) instead.
 */
int lkm_glob_match(const char *pat, const char *str, bool prefix);

/* fnmatch(@pat, @str, 0) == 0, through lkm_glob_match() where it can answer. */
bool lkm_fnmatch_any(const char *pat, const char *str);
/* The same, first ruling out (inline) a pattern whose plain first byte differs. */
static inline bool lkm_fnmatch(const char *pat, const char *str)
{
	char c = *pat;

	if (c != *str && c != '*' && c != '?' && c != '[' && c != '\\')
		return false;
	return lkm_fnmatch_any(pat, str);
}

/* lkm_name_from_path() of the first @len bytes of @path (which need not end there). */
int lkm_name_from_path_len(char *dst, size_t dstsize, const char *path, size_t len);

/* The NULL-terminated @words one after the other, malloc'd; NULL for -ENOMEM. */
char *lkm_strcat_all(const char *const *words);
/* *@out = "@dir/@name" with the first @name_len bytes of @name, malloc'd. 0 or -ENOMEM. */
LKM_MUST_CHECK int lkm_path_join(char **out, const char *dir, const char *name,
				 size_t name_len);

/*
 * Read a whole (small, text) file. @max bounds the size; a bigger file gives -EFBIG.
 * The result is NUL-terminated; *len excludes the NUL.
 */
LKM_MUST_CHECK int lkm_read_file(const char *path, size_t max, char **out, size_t *len);

/* ==== file.c: module file bytes ==== */

struct lkm_file {
	char *path;
	enum lkm_compression compression; /* detected from the magic bytes, not the name */
	const void *data;                 /* the uncompressed bytes */
	size_t size;
	void *mem;     /* malloc'd data, or NULL */
	void *map;     /* mmap'd data, or NULL */
	size_t map_size;
};

/* Largest decompressed module we accept; bounds memory on hostile input. */
#define LKM_FILE_MAX_SIZE ((size_t)1 << 30)

/* Detect the compression from the first bytes; LKM_COMP_NONE when none matches. */
enum lkm_compression lkm_compression_detect(const void *data, size_t size);

/*
 * Decompress a whole stream held in memory. Output is bounded by @max (-EFBIG past it).
 * A corrupt or truncated stream gives -EBADMSG with the reason in @err.
 */
LKM_MUST_CHECK int lkm_decompress(enum lkm_compression c, const void *in, size_t in_size,
				  size_t max, void **out, size_t *out_size, struct lkm_err *err);

/*
 * ==== dl.c: zlib, liblzma, libzstd and libcrypto opened on first use ====
 * In dl.h, not here: it includes those libraries' headers, which only file.c,
 * signature.c and dl.c need.
 */

/* ==== elf.c: ELF32/64, either endianness ==== */

struct lkm_elf {
	const uint8_t *data;
	size_t size;
	bool is64;
	bool big_endian;
	uint16_t type;      /* ET_REL for modules */
	uint16_t machine;   /* EM_* */
	/* private */
	uint64_t shoff;
	uint32_t shnum;     /* can exceed 16 bits with extended numbering (SHN_XINDEX) */
	uint16_t shentsize;
	const char *shstrtab;
	uint64_t shstrtab_size;
};

/* A section, by name or index. data points into the ELF image. */
struct lkm_elf_section {
	const char *name;
	const uint8_t *data;    /* NULL for SHT_NOBITS */
	uint64_t size;
	uint64_t offset;
	uint32_t type;
	uint64_t flags;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
	unsigned index;
};

/*
 * Check the header and the section table: every offset, size and name is checked
 * against the image size. Returns -ENOEXEC with the reason in @err for a file that is
 * not ELF or not a relocatable object.
 */
LKM_MUST_CHECK int lkm_elf_parse(const void *data, size_t size, struct lkm_elf *elf,
				 struct lkm_err *err);
/* -ENOENT if there is no such section. */
LKM_MUST_CHECK int lkm_elf_find_section(const struct lkm_elf *elf, const char *name,
					struct lkm_elf_section *out);
LKM_MUST_CHECK int lkm_elf_get_section(const struct lkm_elf *elf, unsigned index,
				       struct lkm_elf_section *out);
unsigned lkm_elf_section_count(const struct lkm_elf *elf);

/*
 * .modinfo strings, in file order, as pointers into the image (each NUL-terminated).
 * *out is a malloc'd array of *count pointers. No .modinfo gives 0 strings.
 */
LKM_MUST_CHECK int lkm_elf_get_modinfo(const struct lkm_elf *elf, const char ***out,
				       size_t *count, struct lkm_err *err);

/*
 * How the module exports @sym, from its symbol table: whether the __ksymtab_<sym> entry
 * lies in __ksymtab_gpl (EXPORT_SYMBOL_GPL), and the namespace __kstrtabns_<sym> names
 * in __ksymtab_strings (*@ns "" when none; a pointer into the image).
 * Return: 0; -ENOENT when the module does not export @sym (or has no symbol table).
 */
LKM_MUST_CHECK int lkm_elf_get_export_kind(const struct lkm_elf *elf, const char *sym,
					   bool *gpl_only, const char **ns);

/* The module's own name from .gnu.linkonce.this_module; -ENOENT if absent. */
LKM_MUST_CHECK int lkm_elf_get_this_module_name(const struct lkm_elf *elf, char *buf,
						size_t bufsize);

/* ==== modinfo.c: the fields a module declares ==== */

struct lkm_modinfo {
	struct lkm_modinfo_entry *entries;
	size_t count;
	char *storage; /* the keys and values, one block */
};

/* ==== signature.c: appended PKCS#7 ==== */

#define LKM_SIG_MAGIC "~Module signature appended~\n"
#define LKM_SIG_MAGIC_LEN 28
#define LKM_SIG_TRAILER_LEN 12   /* struct module_signature */

/* The key identifier type in the trailer (the kernel's enum pkey_id_type). */
enum lkm_sig_id {
	LKM_SIG_ID_PGP = 0,
	LKM_SIG_ID_X509 = 1,
	LKM_SIG_ID_PKCS7 = 2,        /* the only one current kernels accept */
};

/*
 * What kmod's modinfo reports as sig_id, signer, sig_key, sig_hashalgo and signature.
 * For PKCS#7 the details come from the first SignerInfo (needs libcrypto):
 *   signer    the issuer name's first commonName (kmod: the last RDN if there is no CN)
 *   key_id    the issuer serial number, big-endian magnitude without leading zeros
 *   hash_algo kmod's name for the digest ("sha256", "rmd160", ...); an unknown digest
 *             gives OpenSSL's name for it (kmod 30 reads out of bounds there; kmod 34
 *             prints OpenSSL's name)
 *   sig       the SignerInfo's encryptedDigest octets
 * Without libcrypto only the trailer is read: details is false, hash_algo "unknown",
 * signer "" and no key or signature bytes, as kmod built without OpenSSL reports.
 */
struct lkm_signature {
	enum lkm_sig_id id;
	const char *id_type;  /* static: "PKCS#7", "X509", "PGP" */
	const char *algo;     /* static: "RSA"/"DSA" for the legacy types; NULL for PKCS#7 */
	char *hash_algo;      /* owned, never NULL after a successful parse */
	char *signer;         /* owned, NUL-terminated, may be "" */
	size_t signer_len;
	uint8_t *key_id;      /* owned; NULL when key_id_len is 0 */
	size_t key_id_len;
	uint8_t *sig;         /* owned; NULL when sig_len is 0 */
	size_t sig_len;
	bool details;         /* false: PKCS#7 seen but not decoded (built without libcrypto) */
	size_t module_size;   /* bytes before the signature: what the kernel hashes */
	size_t blob_offset;   /* where the signature blob (PKCS#7 or legacy signature) starts */
	size_t blob_len;      /* its length: the trailer's sig_len */
};

/*
 * Look for a signature at the end of @data (the whole uncompressed file). Returns 0
 * and fills @out when there is one; -ENODATA when the file is unsigned (no magic);
 * -EBADMSG with the reason in @err when the trailer or the PKCS#7 message is
 * malformed; -ENOMEM. On failure @out is left empty (safe to release).
 * Note: kmod silently shows no signature fields for any malformed case, so a modinfo
 * that matches kmod treats every error as "no signature" (and may warn).
 */
/*
 * The fields above, read from a PKCS#7 message's DER by lkm itself (no libcrypto): 0 and
 * @s's hash_algo, signer, key_id and sig filled; LKM_PKCS7_OTHER when the message is not
 * of the shape this reader takes (sign-file's, with or without certificates and signed
 * attributes; a digest kmod names), with nothing allocated; -ENOMEM. lkm_signature_parse
 * tries it first and hands LKM_PKCS7_OTHER to libcrypto.
 */
#define LKM_PKCS7_OTHER 1
LKM_MUST_CHECK int lkm_pkcs7_read(const uint8_t *der, size_t len, struct lkm_signature *s);

LKM_MUST_CHECK int lkm_signature_parse(const void *data, size_t size, struct lkm_signature *out,
				       struct lkm_err *err);
void lkm_signature_release(struct lkm_signature *sig);
/*
 * Size of @data without the appended signature: @size when the file is unsigned or the
 * trailer does not hold together. Does not decode the PKCS#7 message.
 */
size_t lkm_signature_strip(const void *data, size_t size);

/*
 * Append @bytes to @out as kmod writes sig_key and signature values: uppercase hex
 * pairs joined by ':', and when @per_line is not 0, ":\n\t\t" instead of ':' after
 * every @per_line bytes (never after the last). kmod uses LKM_HEX_KMOD_PER_LINE for
 * both keys; a 20-byte key therefore fits one line. Zero bytes append nothing.
 *
 * modinfo prints that value unchanged in every mode, so the continuation lines start
 * with two tabs whatever the layout:
 *   plain:  "signature:      AA:...:BB:\n\t\tCC:...:DD\n"  (key, ':', padded to 16)
 *   -F signature:  "AA:...:BB:\n\t\tCC:...:DD\n"
 *   -0:     "signature=AA:...:BB:\n\t\tCC:...:DD\0"
 */
#define LKM_HEX_KMOD_PER_LINE 20
LKM_MUST_CHECK int lkm_hex_format(struct lkm_buf *out, const void *bytes, size_t len,
				  unsigned per_line);

/* ==== index-read.c, index-write.c: .bin trie indexes ==== */

/* The same on bytes held by the caller, which must outlive the index. */
LKM_MUST_CHECK int lkm_index_open_memory(const void *data, size_t size, struct lkm_index **out,
					 struct lkm_err *err);

/*
 * Build an index in memory and write it byte for byte as kmod 34's depmod would
 * (nodes in pre-order). add() follows depmod's index_insert: a value goes before the
 * key's first value of equal or higher priority, and a key+value pair that is already
 * there is stored again, as depmod does, so add() returns 0 for it too.
 * Keys and values must be 7-bit (kmod's readers refuse other bytes): -EINVAL otherwise,
 * or for a key longer than LKM_INDEX_KEY_MAX; -ENOMEM. Nothing is added on failure.
 */
struct lkm_index_builder;
LKM_MUST_CHECK int lkm_index_builder_new(struct lkm_index_builder **out);
LKM_MUST_CHECK int lkm_index_builder_add(struct lkm_index_builder *b, const char *key,
					 const char *value, uint32_t priority);
/* Whether @key already has @value: what depmod -w reports as a duplicate before add(). */
bool lkm_index_builder_contains(const struct lkm_index_builder *b, const char *key,
				const char *value);
/* Write the whole file to @fd; -EFBIG when it exceeds the format's 256 MiB offsets. */
LKM_MUST_CHECK int lkm_index_builder_write(struct lkm_index_builder *b, int fd,
					   struct lkm_err *err);
void lkm_index_builder_free(struct lkm_index_builder *b);

/* ==== config*.c: modprobe.d, depmod.d and the kernel command line ==== */

struct lkm_config {
	struct lkm_config_alias *aliases;
	size_t n_aliases;
	struct lkm_config_entry *options;
	size_t n_options;
	struct lkm_config_entry *installs;
	size_t n_installs;
	struct lkm_config_entry *removes;
	size_t n_removes;
	struct lkm_config_blacklist *blacklists;
	size_t n_blacklists;
	struct lkm_config_softdep *softdeps;
	size_t n_softdeps;
	struct lkm_config_weakdep *weakdeps;
	size_t n_weakdeps;
	struct lkm_config_warning *warnings;
	size_t n_warnings;
	struct lkm_config_pool *pool; /* every string and pointer array above */
};

/* Split @d's words out of its line, if not yet done. 0 or -ENOMEM. */
LKM_MUST_CHECK int lkm_config_softdep_split(const struct lkm_config *cfg,
					    const struct lkm_config_softdep *d);

/* ==== config-depmod.c: depmod.d ==== */

/*
 * depmod.d(5). Same file rules as modprobe.d (paths NULL = lkm_default_depmod_paths).
 * Lines whose kernel version (a POSIX extended regex searched in @kver, or "*") does
 * not match are skipped. Arrays are in file order:
 * - searches: first = highest priority. Without any search line it is "updates
 *   built-in". Modules in no listed subdirectory rank as built-in, or lowest when
 *   built-in is not listed. `external` ranks the external dirs (in their order) there.
 * - overrides: "subdir/modname" wins for that module; for two overrides of one module,
 *   the last one wins (kmod checks them newest first). modname is as written.
 * - externals: absolute directories also scanned, whether or not `external` is searched.
 * - excludes: directory names (not paths) skipped at any depth, besides build and source.
 */
enum lkm_depmod_search_type {
	LKM_DEPMOD_SEARCH_PATH,     /* path: a subdirectory of the module directory */
	LKM_DEPMOD_SEARCH_BUILTIN,  /* "built-in": every other subdirectory */
	LKM_DEPMOD_SEARCH_EXTERNAL, /* "external": the external directories */
};

struct lkm_depmod_search {
	enum lkm_depmod_search_type type;
	const char *path; /* for LKM_DEPMOD_SEARCH_PATH; else NULL */
	struct lkm_config_source src; /* file NULL for the default */
};

struct lkm_depmod_override {
	const char *modname;
	const char *subdir;
	struct lkm_config_source src;
};

struct lkm_depmod_dir {
	const char *path;
	struct lkm_config_source src;
};

struct lkm_depmod_config {
	struct lkm_depmod_search *searches;
	size_t n_searches;
	struct lkm_depmod_override *overrides;
	size_t n_overrides;
	struct lkm_depmod_dir *externals;
	size_t n_externals;
	struct lkm_depmod_dir *excludes;
	size_t n_excludes;
	struct lkm_config_warning *warnings;
	size_t n_warnings;
	/* private */
	struct lkm_config_pool *pool;
};

extern const char *const lkm_default_depmod_paths[];
LKM_MUST_CHECK int lkm_depmod_config_new(const char *const *paths, const char *kver,
					 struct lkm_depmod_config **out);
void lkm_depmod_config_free(struct lkm_depmod_config *cfg);

/* ==== kernel.c: /proc/modules, /sys/module, syscalls ==== */

/* All loaded modules, in /proc/modules order; skipped lines counted. */
struct lkm_loaded_list {
	struct lkm_loaded *mods;
	size_t count;
	size_t skipped;
	size_t first_bad_line;
	char *text;
	const char **slots;
};

/*
 * The same parse on @len bytes of text held by the caller (copied): what
 * lkm_kernel_get_loaded() does once it has read the file. A line holding a NUL byte
 * is skipped like any line that does not parse. -EFBIG past 64 MiB, -ENOMEM.
 */
LKM_MUST_CHECK int lkm_kernel_parse_loaded(const char *text, size_t len,
					   struct lkm_loaded_list **out);

/* The same, for an image already in memory: always init_module. */
LKM_MUST_CHECK int lkm_kernel_load_image(struct lkm_ctx *ctx, const void *image, size_t size,
					 const char *params, unsigned flags, struct lkm_err *err);

/* ==== kmsg.c and diagnose*.c: the kernel log, what load.c explains ==== */

/*
 * kmsg.c: the kernel log records of one attempt. lkm_kmsg_begin() opens <kmsg> and moves to
 * its end just before the syscall; lkm_kmsg_end() reads, without blocking, the records
 * written since, and closes. When the log cannot be read (no /dev/kmsg, no permission)
 * begin returns -errno but leaves @cap safe to end, which then gives no records: a
 * diagnosis works without them, only with less detail.
 */
struct lkm_kmsg_capture {
	int fd; /* -1 when the log is not readable */
};

/* One record: "prio,seq,usec,flags;text" (continuation lines are dropped). */
struct lkm_kmsg_record {
	int level;      /* syslog level (prio & 7) */
	uint64_t seq;
	uint64_t usec;  /* since boot */
	char *text;     /* owned; the kernel's escapes (\xNN) kept */
};

struct lkm_kmsg_log {
	struct lkm_kmsg_record *recs;
	size_t count;
};

/* At most this many records are kept from one attempt; older ones are dropped. */
#define LKM_KMSG_MAX_RECORDS 256

LKM_MUST_CHECK int lkm_kmsg_begin(struct lkm_ctx *ctx, struct lkm_kmsg_capture *cap);
LKM_MUST_CHECK int lkm_kmsg_end(struct lkm_kmsg_capture *cap, struct lkm_kmsg_log *out);
void lkm_kmsg_log_release(struct lkm_kmsg_log *log);
/* Parse one record ("6,1234,5678,-;text"); -EINVAL if it is not one. text is malloc'd. */
LKM_MUST_CHECK int lkm_kmsg_parse(const char *rec, size_t len, struct lkm_kmsg_record *out);

/* "EIO", "ENOENT", ... for a positive errno; NULL when unknown. */
const char *lkm_diagnose_errno_name(int errnum);

/* What was tried: a module file (or only a name), and the load's result. */
struct lkm_diag_load {
	const char *path;               /* the module file, or NULL */
	const char *name;               /* the module's name; NULL: from the file or path */
	int error;                      /* the negative errno of the failed load */
	const struct lkm_kmsg_log *log; /* records of this attempt, or NULL */
};

/*
 * Explain a failed load: unknown symbols (with the modules that export them), which
 * format check failed (ELF, type, machine, vermagic, CRC, not a module), a failed
 * init (the errno's name and the init's log lines), already loaded (its state),
 * permissions and policy (root, CAP_SYS_MODULE, modules_disabled, lockdown,
 * signatures), no module support. Uses the ctx's /proc, /sys and indexes.
 * Return: 0 and @out filled (release it), or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_diagnose_load(struct lkm_ctx *ctx, const struct lkm_diag_load *in,
				     struct lkm_diagnosis *out) LKM_NONNULL(1, 2, 3);
/*
 * After a load that worked: a warning in @out when the kernel's log says the init
 * function returned a positive value (the module stays loaded).
 * Return: 0 and @out filled (release it); -ENODATA when there is nothing to say (@out
 * is empty); -ENOMEM.
 */
LKM_MUST_CHECK int lkm_diagnose_loaded(struct lkm_ctx *ctx, const char *name,
				       const struct lkm_kmsg_log *log, struct lkm_diagnosis *out)
				       LKM_NONNULL(1, 2, 4);

/*
 * The same for one module of a modprobe load: the modules named in @coming are loaded
 * before it, so a symbol one of them exports (modules.symbols) is no problem.
 */
LKM_MUST_CHECK int lkm_diagnose_check_with(struct lkm_ctx *ctx, const char *path,
					   const char *const *coming, size_t n_coming,
					   struct lkm_diagnosis *out)
					   LKM_NONNULL(1, 2, 5);
/*
 * modprobe --check: each module of @plan in order, checked as above with the modules
 * before it counted as loaded; those in the kernel already, built in, or replaced by
 * an install command are only named. Problems of soft dependencies are shown but not
 * counted (modprobe goes on without them). @out->first sums up for the target.
 * Return: the number of problems (0: it would load), or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_diagnose_check_plan(struct lkm_ctx *ctx,
					   const struct lkm_load_plan *plan,
					   struct lkm_diagnosis *out)
					   LKM_NONNULL(1, 2, 3);
/*
 * diagnose-probe.c: modules.dep gives @path for @name, and no file is there: the index
 * is stale (depmod to run, the command for this ctx's tree). Return: 0 or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_diagnose_stale_file(struct lkm_ctx *ctx, const char *name,
					   const char *path, struct lkm_diagnosis *out)
					   LKM_NONNULL(1, 2, 3, 4);

/* ==== load-plan.c, load.c: load plans, and a plan carried out ==== */

struct lkm_load_plan {
	enum lkm_plan_status status;
	struct lkm_load_step *steps;
	size_t count;
	size_t cap;
};

/*
 * The pieces of lkm_load_plan_run() that load-parallel.c runs apart: whether a step's
 * module is in the kernel already (load-plan.c, which asks it of the target too); its
 * LKM_LOAD_* flags from LKM_PROBE_* @flags; a step carried out (no show, no dry run);
 * a step's outcome worded through @ops (0 to go on, or the -errno that stops the plan,
 * in @err). lkm_load_attempt() is the syscall with the kernel log's records around it
 * (@log, released by the caller), and lkm_load_diagnose() what lkm_load_explained()
 * says of it afterwards: the attempt may run on a worker thread, the diagnosis reads
 * the ctx and runs on the caller's.
 */
bool lkm_load_step_loaded(struct lkm_ctx *ctx, const struct lkm_load_step *s);
unsigned lkm_load_step_lflags(unsigned flags);
int lkm_load_step_do(struct lkm_ctx *ctx, const struct lkm_load_step *s, unsigned flags,
		     const struct lkm_load_ops *ops, struct lkm_err *err,
		     struct lkm_diagnosis *why);
int lkm_load_step_outcome(const struct lkm_load_plan *plan, const struct lkm_load_step *s,
			  int r, unsigned flags, const struct lkm_load_ops *ops,
			  const struct lkm_err *e, const struct lkm_diagnosis *why,
			  struct lkm_err *err);
int lkm_load_attempt(struct lkm_ctx *ctx, const char *path, const char *options,
		     unsigned lflags, struct lkm_err *err, struct lkm_kmsg_log *log);
void lkm_load_diagnose(struct lkm_ctx *ctx, const char *path, const char *name, int r,
		       const struct lkm_err *err, const struct lkm_kmsg_log *log,
		       struct lkm_diagnosis *why);

/*
 * What a load or a removal says, through @ops (nothing without ops->log): one line at
 * @level; a diagnosis (@lead before it) through ops->explain, or as one line when there
 * is none; a loop explained on its own, as an error.
 */
void lkm_load_say(const struct lkm_load_ops *ops, enum lkm_load_level level,
		  const char *fmt, ...) LKM_PRINTF(3, 4);
void lkm_load_explain(const struct lkm_load_ops *ops, enum lkm_load_level level,
		      const char *lead, const struct lkm_diagnosis *d);
void lkm_load_explain_loop(const struct lkm_load_ops *ops, const struct lkm_loop *l);

/* ==== command.c: install and remove commands ==== */

/*
 * A command (kind @kind, "install" or "remove") for @name, a module whose own command
 * led to this run (ops->command_chain), would start it all again: -ELOOP and the loop
 * in @err; 0 when there is none.
 */
int lkm_command_loop(const struct lkm_load_ops *ops, const char *kind, const char *name,
		     struct lkm_err *err);

#endif
