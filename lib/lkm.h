/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lkm library: its public face, the one header tools/ and libkmod/ include. What lib/
 * shares only between its own files (and its unit tests) is in lib/lkm-internal.h.
 *
 * Contract, everywhere:
 *  - A fallible function returns 0 (or a count) on success and a negative errno on
 *    failure. It never prints. When it takes a `struct lkm_err *`, it also puts a
 *    sentence there that says what was wrong, so the tool can name the cause.
 *  - Constructors return the new object through an out-parameter. Objects that are
 *    shared are reference counted (ref/unref); single-owner ones have a _free().
 *  - Strings returned by getters belong to the object and live as long as it does.
 *  - Objects (lkm_ctx, lkm_file, lkm_elf, lkm_index, lkm_modinfo, lkm_modinfo_jobs,
 *    lkm_config, lkm_loaded_list, lkm_depmod, lkm_load_plan) are opaque: a caller,
 *    libkmod's face above all, holds them across calls and reads them through
 *    getters. Records (an entry of a list, a result, a set of options) are plain
 *    structs the caller reads or fills; they never hold hidden state.
 *
 * Sections are grouped by the source file that implements them.
 */
#ifndef LKM_H
#define LKM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define LKM_MUST_CHECK __attribute__((warn_unused_result))
#define LKM_PRINTF(a, b) __attribute__((format(printf, a, b)))
/* The pointer arguments (by position) that must not be NULL: GCC warns at a call site. */
#define LKM_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))

/* ==== util.c: errors, buffers, names ==== */

/*
 * A loop that stops a load (-ELOOP): the modules in the order each asks for the next,
 * ending with the one met again ("a", "b", "a"). A longer loop keeps its first
 * LKM_LOOP_MAX - 1 names and the last; a longer name is cut.
 */
#define LKM_LOOP_MAX 32
struct lkm_loop {
	const char *kind; /* "softdep", "install" or "remove" (static); NULL: no loop */
	size_t n;
	char names[LKM_LOOP_MAX][64];
};

/* The detail of a failure, carried up to the tool that words it for people. */
struct lkm_err {
	int code;        /* negative errno */
	char why[256];   /* "section 12 ends past the end of the file", no trailing newline */
	struct lkm_loop loop; /* filled by load-plan.c, command.c: the failure is a loop */
};

/* The reason text: err->why if set, else strerror(-code). */
const char *lkm_err_reason(const struct lkm_err *err, int code);

/* Growable byte buffer; always NUL-terminated after any append. */
struct lkm_buf {
	char *data;
	size_t len;
	size_t cap;
};
LKM_MUST_CHECK int lkm_buf_append(struct lkm_buf *b, const void *data, size_t len);
LKM_MUST_CHECK int lkm_buf_puts(struct lkm_buf *b, const char *s);
LKM_MUST_CHECK int lkm_buf_printf(struct lkm_buf *b, const char *fmt, ...) LKM_PRINTF(2, 3);
void lkm_buf_free(struct lkm_buf *b);

/*
 * Module names: '-' and '_' are the same. lkm_name_normalize() copies @src into @dst
 * (of size @dstsize) with '-' turned into '_', stopping at the end of the string.
 * lkm_name_from_path() takes the basename and cuts it at the first '.' (so
 * "/x/snd-hda.ko.xz" gives "snd_hda"). Both return -ENAMETOOLONG if it does not fit.
 */
#define LKM_NAME_MAX 256
int lkm_name_normalize(char *dst, size_t dstsize, const char *src);
int lkm_name_from_path(char *dst, size_t dstsize, const char *path);

/*
 * @path made absolute as kmod makes it: kept when it starts with '/', else the working
 * directory, '/' and @path as given (no "." or ".." taken out). The working directory is
 * the logical one, $PWD, when that names it (as the shell shows it: /lib/modules on a
 * merged-/usr system, not /usr/lib/modules), else the physical one. *out is malloc'd.
 * Return: 0, -ENOMEM, or the negative errno of a working directory that is gone.
 */
LKM_MUST_CHECK int lkm_path_absolute(const char *path, char **out);

/*
 * One request of a tool's --batch: @line (one line of input, its '\n' cut) split into
 * words as a shell splits simple commands. Words are separated by spaces and tabs; '...'
 * keeps everything up to the next ' as it is; "..." does too, but \" and \\ in it are "
 * and \; outside quotes \ keeps the next character as it is. A word that starts with
 * an unquoted '#' begins a comment, to the end of the line. No variables, no globs,
 * no other shell syntax. @argv0 becomes word 0.
 * Return: 0, the NULL-terminated vector in @out (one block: free(*out)) and its length
 * in @argc (1 for an empty line or a comment); -E2BIG when @line is longer than
 * LKM_BATCH_LINE_MAX; -EINVAL for a quote that does not end (then @out is NULL); -ENOMEM.
 */
#define LKM_BATCH_LINE_MAX 4096
LKM_MUST_CHECK int lkm_batch_split(const char *line, const char *argv0, int *argc,
				   char ***out);

/* ==== json.c: JSON output (the tools' --json) ==== */

/*
 * A streaming JSON writer onto a FILE*. The document's layout is fixed, so that two
 * runs give the same bytes: compact, except that each member of the outermost array or
 * object starts a line of its own, and each top-level value ends with a newline:
 *
 *   [
 *   {"name":"vfat","size":24576},
 *   {"name":"fat","size":86016}
 *   ]
 *
 * Strings are escaped as RFC 8259 asks: '"' and '\\' with a backslash, \b \f \n \r \t
 * in short form, every other byte below 0x20 and DEL as \u00XX. Valid UTF-8 passes
 * through; each invalid sequence (the maximal subpart of an ill-formed one, as Unicode
 * recommends and Python's "replace" decodes: a stray byte, a truncated or overlong
 * sequence, a surrogate, a value past U+10FFFF) becomes one U+FFFD, written "\ufffd".
 *
 * Errors are sticky: a misuse (a value where a key is due, a key outside an object, an
 * end that does not match, nesting deeper than LKM_JSON_MAX_DEPTH) or a failed write
 * makes every later call do nothing and return the first error, which
 * lkm_json_free() returns too. Several top-level values may follow one another (one
 * per line, as with --batch).
 */
struct lkm_json;
#define LKM_JSON_MAX_DEPTH 32

/* A writer onto @out, which it does not close. Return: 0 or -ENOMEM. */
LKM_MUST_CHECK int lkm_json_new(FILE *out, struct lkm_json **json) LKM_NONNULL(1, 2);
/*
 * Check that every array and object was closed, flush @out, and free @json (NULL: no-op).
 * Return: 0, the first error (-EINVAL misuse, -EIO a failed write), or -EINVAL
 * for a document left open.
 */
LKM_MUST_CHECK int lkm_json_free(struct lkm_json *json);
/* Each returns 0 or the writer's (sticky) error. */
int lkm_json_begin_object(struct lkm_json *json) LKM_NONNULL(1);
int lkm_json_end_object(struct lkm_json *json) LKM_NONNULL(1);
int lkm_json_begin_array(struct lkm_json *json) LKM_NONNULL(1);
int lkm_json_end_array(struct lkm_json *json) LKM_NONNULL(1);
/* The key of the next member of the object being written. */
int lkm_json_key(struct lkm_json *json, const char *key) LKM_NONNULL(1, 2);
/* @s as a string; NULL writes null. */
int lkm_json_string(struct lkm_json *json, const char *s) LKM_NONNULL(1);
/* @len bytes of @s (NUL bytes included, as \u0000). */
int lkm_json_string_len(struct lkm_json *json, const char *s, size_t len) LKM_NONNULL(1, 2);
int lkm_json_int(struct lkm_json *json, long long v) LKM_NONNULL(1);
int lkm_json_uint(struct lkm_json *json, unsigned long long v) LKM_NONNULL(1);
int lkm_json_bool(struct lkm_json *json, bool v) LKM_NONNULL(1);
int lkm_json_null(struct lkm_json *json) LKM_NONNULL(1);
/* A key and its value, for the common members. */
int lkm_json_member_string(struct lkm_json *json, const char *key, const char *s)
	LKM_NONNULL(1, 2);
int lkm_json_member_int(struct lkm_json *json, const char *key, long long v) LKM_NONNULL(1, 2);
int lkm_json_member_uint(struct lkm_json *json, const char *key, unsigned long long v)
	LKM_NONNULL(1, 2);
int lkm_json_member_bool(struct lkm_json *json, const char *key, bool v) LKM_NONNULL(1, 2);
/* @key: [@v[0], ... @v[n-1]] as strings. */
int lkm_json_member_strings(struct lkm_json *json, const char *key, const char *const *v,
			    size_t n) LKM_NONNULL(1, 2);

/* ==== ctx.c: the context object ==== */

/*
 * Everything outside the process goes through the context: the module directory,
 * the config directories, /proc, /sys, /dev/kmsg and the syscalls. Tools build the
 * default one; tests point it at fixture trees.
 */
struct lkm_ctx;

struct lkm_syscalls {
	long (*finit_module)(int fd, const char *params, int flags);
	long (*init_module)(const void *image, unsigned long len, const char *params);
	long (*delete_module)(const char *name, unsigned int flags);
};

struct lkm_ctx_config {
	const char *basedir;     /* -b: prefix for the module directory ("" or NULL = none) */
	const char *moduledir;   /* default "/lib/modules" */
	const char *kver;        /* default: uname -r */
	const char *dirname;     /* full module directory; overrides basedir+moduledir+kver */
	const char *const *config_paths; /* modprobe.d dirs/files, NULL-terminated, or NULL */
	const char *proc;        /* default "/proc" */
	const char *sys;         /* default "/sys" */
	const char *kmsg;        /* default "/dev/kmsg" */
	const char *cache_dir;   /* lkm's own caches; default "/var/cache/lkm" */
	const struct lkm_syscalls *syscalls; /* default: the real ones */
	const char *firmware_dir; /* what the kernel's /lib/firmware is; default basedir's */
};

LKM_MUST_CHECK int lkm_ctx_new(const struct lkm_ctx_config *cfg, struct lkm_ctx **out);
struct lkm_ctx *lkm_ctx_ref(struct lkm_ctx *ctx);
struct lkm_ctx *lkm_ctx_unref(struct lkm_ctx *ctx);
const char *lkm_ctx_get_dirname(const struct lkm_ctx *ctx);   /* /lib/modules/KVER */
const char *lkm_ctx_get_kver(const struct lkm_ctx *ctx);
const char *lkm_ctx_get_proc(const struct lkm_ctx *ctx);
const char *lkm_ctx_get_sys(const struct lkm_ctx *ctx);
const char *lkm_ctx_get_kmsg(const struct lkm_ctx *ctx);
const char *lkm_ctx_get_cache_dir(const struct lkm_ctx *ctx);
const char *lkm_ctx_get_firmware_dir(const struct lkm_ctx *ctx); /* /lib/firmware */
const char *const *lkm_ctx_get_config_paths(const struct lkm_ctx *ctx);
const struct lkm_syscalls *lkm_ctx_get_syscalls(const struct lkm_ctx *ctx);
/* Default modprobe.d search path, in precedence order. */
extern const char *const lkm_default_config_paths[];

/* ==== file.c: module file bytes ==== */

enum lkm_compression {
	LKM_COMP_NONE = 0,
	LKM_COMP_GZIP,
	LKM_COMP_XZ,
	LKM_COMP_ZSTD,
};

/* An opened module file: its uncompressed bytes, held until lkm_file_free(). */
struct lkm_file;

/* "gzip", "xz", "zstd" or "none". */
const char *lkm_compression_name(enum lkm_compression c);
/* Open a module file: mmap a plain one, decompress a compressed one. */
LKM_MUST_CHECK int lkm_file_open(const char *path, struct lkm_file **out, struct lkm_err *err);
void lkm_file_free(struct lkm_file *f);
/* The path as given to lkm_file_open(). */
const char *lkm_file_get_path(const struct lkm_file *f) LKM_NONNULL(1);
/* Detected from the magic bytes, not the name. */
enum lkm_compression lkm_file_get_compression(const struct lkm_file *f) LKM_NONNULL(1);
/* The uncompressed bytes, and their number; valid until lkm_file_free(). */
const void *lkm_file_get_data(const struct lkm_file *f, size_t *size) LKM_NONNULL(1, 2);

/* ==== elf.c: ELF32/64, either endianness ==== */

/*
 * The ELF image of an opened module file, its header and section table checked: every
 * offset, size and name against the image size. It points into @file, which must
 * outlive it. Return: 0 and *@out; -ENOEXEC with the reason in @err for a file that is
 * not ELF or not a relocatable object; -ENOMEM.
 */
struct lkm_elf;
LKM_MUST_CHECK int lkm_elf_new(const struct lkm_file *file, struct lkm_elf **out,
			       struct lkm_err *err) LKM_NONNULL(1, 2);
void lkm_elf_free(struct lkm_elf *elf);

enum lkm_symbol_bind { LKM_BIND_LOCAL, LKM_BIND_GLOBAL, LKM_BIND_WEAK };

/* A symbol a module uses (undefined in it), with its CRC from __versions if any. */
struct lkm_elf_import {
	const char *name;
	uint64_t crc;
	bool has_crc;
	enum lkm_symbol_bind bind;
};

/* A symbol a module exports (EXPORT_SYMBOL*), with its CRC if modversions. */
struct lkm_elf_export {
	const char *name;
	uint64_t crc;
	bool has_crc;
};

/* A __versions entry. */
struct lkm_elf_version {
	const char *name;
	uint64_t crc;
};

/* "x86_64", "aarch64", ... or NULL when unknown. */
const char *lkm_elf_machine_name(uint16_t machine);

/*
 * Whether @elf has a section called @name (the first one of that name), and its size:
 * libkmod's face tells a missing section from an empty one, as kmod's errors do.
 * Return: 0 and *@size (may be NULL), or -ENOENT when there is none.
 */
LKM_MUST_CHECK int lkm_elf_get_section_size(const struct lkm_elf *elf, const char *name,
					    uint64_t *size) LKM_NONNULL(1, 2);

/* __versions entries, in file order (malloc'd array); -ENOENT if there is no __versions. */
LKM_MUST_CHECK int lkm_elf_get_versions(const struct lkm_elf *elf, struct lkm_elf_version **out,
					size_t *count, struct lkm_err *err);
/* Exported symbol names (from __ksymtab_strings or the symbol table), with CRCs. */
LKM_MUST_CHECK int lkm_elf_get_exports(const struct lkm_elf *elf, struct lkm_elf_export **out,
				       size_t *count, struct lkm_err *err);
/* Undefined symbols the module needs, CRCs filled from __versions. */
LKM_MUST_CHECK int lkm_elf_get_imports(const struct lkm_elf *elf, struct lkm_elf_import **out,
				       size_t *count, struct lkm_err *err);
/*
 * modprobe --show-exports (@exports) or --show-modversions of @file, as kmod prints
 * them: "0x%08x\tNAME\n" per symbol, appended to @out. A module that exports
 * nothing, or has no __versions, gives -ENOENT as in kmod.
 * Return: 0, or -errno with the reason in @err.
 */
LKM_MUST_CHECK int lkm_elf_show_symbols(const struct lkm_file *file, bool exports,
					struct lkm_buf *out, struct lkm_err *err)
					LKM_NONNULL(1, 3);
/* ==== index-read.c, index-write.c: .bin trie indexes (kmod format) ==== */

/*
 * The trie files depmod writes (modules.dep.bin, modules.alias.bin, ...) in kmod's
 * format 2.1; lib/index-format.h describes the bytes. A key maps to one or more values,
 * each with a priority; values of a key are kept in ascending priority.
 */
struct lkm_index;

/* Longest key either side accepts (kmod's depmod builds alias keys in PATH_MAX). */
#define LKM_INDEX_KEY_MAX 4095

/* A result list: a copy, owned by the caller, freed with lkm_index_values_free(). */
struct lkm_index_value {
	struct lkm_index_value *next;
	uint32_t priority;
	size_t len;
	char value[];
};
void lkm_index_values_free(struct lkm_index_value *values);

/*
 * Map an index and check its header (magic, major version) and root node: -EBADMSG
 * with the reason in @err otherwise. The other nodes are checked as the functions below
 * read them, so a malformed file may open and then fail there with -EBADMSG; none of
 * them reads outside the file or runs without bound on any input.
 */
LKM_MUST_CHECK int lkm_index_open(const char *path, struct lkm_index **out, struct lkm_err *err);
void lkm_index_close(struct lkm_index *idx);
/*
 * Check every node reachable from the root, for tools that want a whole file vouched
 * for: parts and strings inside the file, each node reached once (no cycle, no shared
 * subtree), no child under byte 0, keys no longer than LKM_INDEX_KEY_MAX. -EBADMSG with
 * the reason in @err. Costs a walk of the whole file.
 */
LKM_MUST_CHECK int lkm_index_verify(struct lkm_index *idx, struct lkm_err *err);

/*
 * Exact key. lkm_index_lookup() returns the number of values (0 and *out = NULL when the
 * key is absent), in stored order. lkm_index_lookup_first() returns 1 and points
 * *value into the index (valid until close) at the first value, as kmod's index_search
 * does for modules.dep.bin, or 0 when absent. @priority may be NULL. -ENOMEM, or
 * -EBADMSG for a malformed node on the key's path.
 */
LKM_MUST_CHECK int lkm_index_lookup(struct lkm_index *idx, const char *key,
				    struct lkm_index_value **out);
LKM_MUST_CHECK int lkm_index_lookup_first(struct lkm_index *idx, const char *key,
					  const char **value, uint32_t *priority);
/*
 * kmod's index_searchwild: the values of every stored key that, read as an fnmatch(3)
 * pattern, matches @key, and of @key itself. The order is kmod's, which modprobe loads
 * in: ascending priority, and for equal priority the reverse of the trie walk. Returns
 * the number of values (0 and *out = NULL for none), -ENOMEM, or -EBADMSG for a
 * malformed node among those searched (with no partial result).
 */
LKM_MUST_CHECK int lkm_index_match_wildcards(struct lkm_index *idx, const char *key,
					     struct lkm_index_value **out);
/*
 * Visit every value in key order (bytewise), a key's values in stored order. A non-zero
 * return from @fn stops the walk and is returned. -EBADMSG for a malformed node, after
 * the values visited before it (a shared subtree may show its keys twice first).
 */
typedef int (*lkm_index_foreach_fn)(const char *key, const char *value, uint32_t priority,
				    void *data);
int lkm_index_foreach(struct lkm_index *idx, lkm_index_foreach_fn fn, void *data);
/*
 * Every value as a "KEY\tPRIORITY\tVALUE\n" line, in foreach order, appended to @out:
 * the text of `lkm index dump`, which the tests compare with kmod's indexes.
 * Return: 0, or a negative errno as lkm_index_foreach's (@out then holds the lines before).
 */
LKM_MUST_CHECK int lkm_index_dump(struct lkm_index *idx, struct lkm_buf *out)
	LKM_NONNULL(1, 2);

/* ==== modinfo.c: the fields a module declares ==== */

/* One field; key and value point into the owning struct lkm_modinfo. */
struct lkm_modinfo_entry {
	const char *key;
	const char *value;
};

/* A module's fields, in kmod's order: one block, freed with lkm_modinfo_free(). */
struct lkm_modinfo;

/*
 * The .modinfo fields of an opened module file, split at the first '=' (a string
 * without '=' is a key with an empty value), then the signature fields sig_id, signer,
 * sig_key, sig_hashalgo and signature when the file is signed. The fields are copies:
 * @file may be closed after.
 * Return: 0 and *@out, or -errno with the reason in @err (*@out NULL).
 */
LKM_MUST_CHECK int lkm_modinfo_from_file(const struct lkm_file *file, struct lkm_modinfo **out,
					 struct lkm_err *err) LKM_NONNULL(1, 2);
/* The fields of a built-in module, from modules.builtin.modinfo; as above. */
LKM_MUST_CHECK int lkm_modinfo_from_builtin(struct lkm_ctx *ctx, const char *name,
					    struct lkm_modinfo **out, struct lkm_err *err)
					    LKM_NONNULL(1, 2, 3);
void lkm_modinfo_free(struct lkm_modinfo *info);
/* The fields and their number; they live as long as @info. */
const struct lkm_modinfo_entry *lkm_modinfo_get_entries(const struct lkm_modinfo *info,
							size_t *count) LKM_NONNULL(1, 2);

/* One parameter as kmod's modinfo shows it: its parm and parmtype records merged. */
struct lkm_modinfo_param {
	const char *name;  /* namelen bytes, not NUL-terminated: it points into a record */
	int namelen;
	const char *desc;  /* after "NAME:" in the last parm record; NULL: none */
	const char *type;  /* after "NAME:" in the last parmtype record; NULL: none */
};

struct lkm_modinfo_params {
	struct lkm_modinfo_param *items; /* in kmod's order */
	size_t count;
	/* parm and parmtype entries without ':', which kmod reports and leaves out */
	const struct lkm_modinfo_entry **invalid;
	size_t invalid_count;
};

/*
 * The parameters of @info in kmod's order: the reverse of the order of each name's first
 * record (kmod puts each new name at the head of a list), a later record of one kind
 * replacing the earlier. Everything points into @info, which must outlive @out.
 * Return: 0 or -ENOMEM. Release @out with lkm_modinfo_params_release().
 */
LKM_MUST_CHECK int lkm_modinfo_get_params(const struct lkm_modinfo *info,
					  struct lkm_modinfo_params *out)
					  LKM_NONNULL(1, 2);
void lkm_modinfo_params_release(struct lkm_modinfo_params *params);

/* ==== modinfo-jobs.c: many modules decoded in parallel, given back in order ==== */

enum lkm_modinfo_jobs_flags {
	LKM_MODINFO_JOBS_BY_NAME = 1 << 0,   /* a spec is a name, never a path or alias */
	LKM_MODINFO_JOBS_NO_DECODE = 1 << 1, /* find the modules only (modinfo -n) */
};

struct lkm_modinfo_jobs;

/* One module a spec found, or the spec's failure; valid until the next call. */
struct lkm_modinfo_result {
	const char *spec;        /* the argument it came from */
	const char *name;        /* NULL: the spec found no module, error says why */
	const char *path;        /* absolute, as kmod shows it; NULL: built in */
	int error;               /* 0, or the lookup's (name NULL) or decode's -errno */
	const char *reason;      /* the words for error, when it is < 0 */
	const struct lkm_modinfo *info; /* the fields; NULL with NO_DECODE or an error */
};

/*
 * Find the modules of @specs (a path to a regular file with a module's extension is a
 * file, anything else a name or alias, as in kmod), then decode their fields with one
 * thread per CPU; a single module is decoded by the caller, in lkm_modinfo_jobs_next().
 * A built-in module's fields come from modules.builtin.modinfo, and a kernel too old to
 * have that file gives none, without an error, as in kmod. @specs must outlive @out.
 * Return: 0 or -ENOMEM; a spec's own failure is one of its results.
 */
LKM_MUST_CHECK int lkm_modinfo_jobs_new(struct lkm_ctx *ctx, char *const specs[],
					size_t count, unsigned flags,
					struct lkm_modinfo_jobs **out) LKM_NONNULL(1, 5);
/* The next result in the specs' order. Return: 1 with *out set, 0 after the last. */
int lkm_modinfo_jobs_next(struct lkm_modinfo_jobs *jobs,
			  const struct lkm_modinfo_result **out) LKM_NONNULL(1, 2);
/*
 * The worker threads @jobs started (0 when the caller decodes): they end once every
 * module is claimed, so the process's thread count cannot tell.
 */
size_t lkm_modinfo_jobs_threads(const struct lkm_modinfo_jobs *jobs) LKM_NONNULL(1);
/* Stops the threads after the module each is decoding, and frees every result. */
void lkm_modinfo_jobs_free(struct lkm_modinfo_jobs *jobs);

/* ==== resolve.c: name or alias to modules, through the indexes ==== */

/* The module directory's indexes, opened once per context when first needed. */
enum lkm_index_kind {
	LKM_INDEX_DEP,           /* modules.dep.bin */
	LKM_INDEX_ALIAS,         /* modules.alias.bin */
	LKM_INDEX_SYMBOLS,       /* modules.symbols.bin */
	LKM_INDEX_BUILTIN,       /* modules.builtin.bin */
	LKM_INDEX_BUILTIN_ALIAS, /* modules.builtin.alias.bin */
	LKM_INDEX_KIND_COUNT,
};
/*
 * The open index of that kind, owned by @ctx. -ENOENT when the file is missing, and
 * another negative errno when it is unreadable or malformed; either way @err names the
 * file and the reason ("/lib/modules/KVER/modules.dep.bin: ...").
 */
LKM_MUST_CHECK int lkm_ctx_get_index(struct lkm_ctx *ctx, enum lkm_index_kind kind,
				     struct lkm_index **out, struct lkm_err *err)
				     LKM_NONNULL(1, 3);
const char *lkm_index_kind_filename(enum lkm_index_kind kind);

/* A module found by a lookup. */
struct lkm_resolved {
	char *name;    /* the module's name, '-' turned into '_' */
	char *path;    /* absolute path from modules.dep; NULL for a built-in module */
	char *deps;    /* the modules.dep dependency list (space-separated paths), or NULL */
	bool builtin;
	/*
	 * The alias that led here (a config alias pattern, or the string looked up in
	 * modules.alias / modules.symbols), NULL when found by its name. kmod applies the
	 * blacklist to such modules and also takes "options ALIAS ...".
	 */
	char *alias;
	/* Found through an install/remove command naming it exactly: that command. */
	char *install;
	char *remove;
};

struct lkm_config;

/*
 * kmod's lookup of a name or alias, in kmod's order, stopping at the first source that
 * gives anything: aliases in @config (may be NULL), a module name in modules.dep,
 * "symbol:" aliases in modules.symbols, install/remove commands in @config, wildcard
 * aliases in modules.alias, modules.builtin, then modules.builtin.alias. The alias is
 * normalized first ('-' is '_' outside [...]). A missing index is a source that knows
 * nothing; one that is unreadable or malformed fails the lookup when it is asked.
 * Return: the number found (0: none) in *out (free with lkm_resolved_free()), or a
 * negative errno; for a broken index, @err (may be NULL) names the file and the reason.
 */
LKM_MUST_CHECK int lkm_resolve_lookup(struct lkm_ctx *ctx, const struct lkm_config *config,
				      const char *alias, struct lkm_resolved **out,
				      size_t *count, struct lkm_err *err)
				      LKM_NONNULL(1, 3, 4, 5);
/* A module name only: modules.dep, modules.builtin, modules.builtin.alias; as above. */
LKM_MUST_CHECK int lkm_resolve_name(struct lkm_ctx *ctx, const char *name,
				    struct lkm_resolved **out, size_t *count,
				    struct lkm_err *err) LKM_NONNULL(1, 2, 3, 4);
void lkm_resolved_free(struct lkm_resolved *found, size_t count);
/* Deep copy of one entry into @dst. */
LKM_MUST_CHECK int lkm_resolved_copy(struct lkm_resolved *dst, const struct lkm_resolved *src)
	LKM_NONNULL(1, 2);

/*
 * The modules.dep dependencies of @mod in the order they must be loaded (modules.dep
 * lists them last-needed first), each with its name and path; none for a built-in
 * module. Returns the count.
 */
LKM_MUST_CHECK int lkm_resolve_deps(struct lkm_ctx *ctx, const struct lkm_resolved *mod,
				    struct lkm_resolved **out, size_t *count)
				    LKM_NONNULL(1, 2, 3, 4);
/*
 * Soft dependencies of @name: the pre: and post: names of EVERY softdep entry whose
 * wildcard matches, in config order (modprobe.d files and modules.softdep), each
 * looked up with lkm_resolve_lookup(). kmod takes only the first entry, so a
 * modprobe.d softdep hides the module's own ones (kmod issue 33); here they add up.
 * A name that finds nothing (or meets a broken index) is skipped, as kmod does.
 */
struct lkm_softdeps {
	struct lkm_resolved *pre, *post;
	size_t n_pre, n_post;
};
LKM_MUST_CHECK int lkm_resolve_softdeps(struct lkm_ctx *ctx, const struct lkm_config *config,
					const char *name, struct lkm_softdeps *out)
					LKM_NONNULL(1, 3, 4);
void lkm_softdeps_release(struct lkm_softdeps *sd) LKM_NONNULL(1);
/*
 * Whether @mod is built in: flagged by its lookup, or named in modules.builtin.bin.
 * Return: 0 when it is; -ENOENT when it is not (or there is no modules.builtin.bin);
 * another negative errno when that index is unreadable or malformed, with the file
 * named in @err.
 */
LKM_MUST_CHECK int lkm_resolve_is_builtin(struct lkm_ctx *ctx, const struct lkm_resolved *mod,
					  struct lkm_err *err) LKM_NONNULL(1, 2);
/*
 * kmod's initstate: LKM_INITSTATE_BUILTIN for a built-in module (from the indexes,
 * without asking /sys), otherwise lkm_kernel_get_initstate(), also when
 * modules.builtin.bin is broken.
 */
int lkm_resolve_initstate(struct lkm_ctx *ctx, const struct lkm_resolved *mod)
	LKM_NONNULL(1, 2);
/*
 * kmod 31: modprobe takes an argument that starts with "/" or "./" for a module file;
 * anything else ("fat.ko", "dir/fat.ko") is a name or an alias.
 */
bool lkm_resolve_is_path(const char *arg) LKM_NONNULL(1);
/*
 * The module file @path as one lookup result, as kmod's modprobe takes it: its name
 * from the file name (lkm_name_from_path), its path made absolute by putting the working
 * directory before it (as given: "/cwd/./x.ko"), and the dependencies that modules.dep
 * gives for that name (none when it is not there). The file need only exist: it is read
 * when loaded.
 * Return: 1 and the entry in *out (free with lkm_resolved_free()), or -errno: stat's
 * (-ENOENT: no such file), -ENOENT with @err->why for a path with no file name, or a
 * broken modules.dep.bin named in @err.
 */
LKM_MUST_CHECK int lkm_resolve_path(struct lkm_ctx *ctx, const char *path,
				    struct lkm_resolved **out, size_t *count,
				    struct lkm_err *err) LKM_NONNULL(1, 2, 3, 4);
/*
 * modprobe's argument. With LKM_RESOLVE_PATHS a path (lkm_resolve_is_path) is that file
 * (lkm_resolve_path); anything else is looked up (lkm_resolve_lookup). With
 * LKM_RESOLVE_FILE_FALLBACK a name that finds nothing but is a regular file is that file:
 * kmod up to 34 took any argument of --show-modversions and --show-exports for a file,
 * kmod's main branch takes only paths, so "modprobe --show-modversions fat.ko" still
 * works here. With LKM_RESOLVE_NAMES a lookup gives the modules' names (and how they
 * were found) but no path or dependencies: modules.dep is not read for them, as kmod's
 * modprobe -R does not read it. *@file tells whether @arg was taken for a file (also on
 * failure).
 * Return: as lkm_resolve_lookup() (0: nothing found), or lkm_resolve_path()'s -errno.
 */
#define LKM_RESOLVE_PATHS         0x1u
#define LKM_RESOLVE_FILE_FALLBACK 0x2u
#define LKM_RESOLVE_NAMES         0x4u
LKM_MUST_CHECK int lkm_resolve_arg(struct lkm_ctx *ctx, const struct lkm_config *config,
				   const char *arg, unsigned flags,
				   struct lkm_resolved **out, size_t *count, bool *file,
				   struct lkm_err *err) LKM_NONNULL(1, 3, 5, 6, 7);
/*
 * --show-exports (@exports) or --show-modversions of a looked-up module: its file read
 * and shown as lkm_elf_show_symbols() shows it, appended to @out.
 * Return: 0, or -errno with the reason in @err: -ENOENT for a module without a file
 * (built in, or not in modules.dep), the file's or the ELF's errors.
 */
LKM_MUST_CHECK int lkm_resolved_show_symbols(const struct lkm_resolved *mod, bool exports,
					     struct lkm_buf *out, struct lkm_err *err)
					     LKM_NONNULL(1, 3);

/* ==== config*.c: modprobe.d, depmod.d and the kernel command line ==== */
/*
 * modprobe.d(5): files named *.conf in the ctx's config paths (lkm_ctx_get_config_paths,
 * highest precedence first; a path may also be a single file, as with modprobe -C).
 * A file name seen in an earlier path hides the same name in later ones; the surviving
 * files are read in strcmp order of their names, whatever their directory. The module
 * directory's modules.softdep and modules.weakdep (written by depmod) join that order
 * under their own names. Then <proc>/cmdline adds `mod.param=value` options and
 * `modprobe.blacklist=a,b` blacklists, after everything from the files.
 *
 * Every array keeps kmod's order (file order, then the kernel command line). Module
 * names are normalized ('-' is '_', except inside [...] of a wildcard); softdep and
 * weakdep targets are kept as written, since they are looked up like any name.
 * A bad line never fails the load: it becomes a warning naming the file and line.
 */
struct lkm_config_source {
	const char *file; /* the config file, or "kernel command line" */
	unsigned line;    /* 1-based; the last physical line of a continued line; 0 for cmdline */
};

struct lkm_config_alias {
	const char *pattern; /* fnmatch(3) wildcard, normalized outside [...] */
	const char *modname;
	struct lkm_config_source src;
};

/* options, install and remove: a module (a wildcard for install/remove) and a string. */
struct lkm_config_entry {
	const char *modname;
	const char *value; /* options: tabs turned to spaces; commands: as written */
	struct lkm_config_source src;
};

struct lkm_config_blacklist {
	const char *modname;
	struct lkm_config_source src;
};

/*
 * pre and post are split out of the line when first asked for (lkm_config_list_softdeps,
 * lkm_config_get_softdep): a modprobe call asks for the few that name its modules.
 */
struct lkm_config_softdep {
	const char *modname;      /* fnmatch(3) wildcard */
	const char *const *pre;   /* every pre: group, in order */
	size_t n_pre;
	const char *const *post;  /* every post: group, in order */
	size_t n_post;
	struct lkm_config_source src;
	char *unsplit;            /* the words not split yet, or NULL */
};

struct lkm_config_weakdep {
	const char *modname;      /* fnmatch(3) wildcard */
	const char *const *deps;
	size_t n_deps;
	struct lkm_config_source src;
};

/* A line or file that was skipped; text is the whole sentence, worded as kmod does. */
struct lkm_config_warning {
	const char *file; /* may be NULL (directory-level problems) */
	unsigned line;    /* 0 when not about one line */
	const char *text; /* "/etc/modprobe.d/x.conf line 3: ignoring bad line starting with 'aliass'" */
};

/*
 * The whole modprobe configuration, one block freed with lkm_config_free().
 * lkm_config_list_KIND() gives every entry of a kind, in the order above, and their
 * number; the entries live as long as the configuration.
 */
struct lkm_config;

#define LKM_CONFIG_NO_KCMDLINE    0x1 /* skip <proc>/cmdline */
#define LKM_CONFIG_NO_MODULE_DEPS 0x2 /* skip <dirname>/modules.softdep and modules.weakdep */

/* Read the whole modprobe configuration. Fails only on -ENOMEM; see ->warnings. */
LKM_MUST_CHECK int lkm_config_new(const struct lkm_ctx *ctx, unsigned flags,
				  struct lkm_config **out);
void lkm_config_free(struct lkm_config *cfg);
const struct lkm_config_alias *lkm_config_list_aliases(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);
const struct lkm_config_entry *lkm_config_list_options(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);
const struct lkm_config_entry *lkm_config_list_installs(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);
const struct lkm_config_entry *lkm_config_list_removes(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);
const struct lkm_config_blacklist *lkm_config_list_blacklists(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);
/* (softdeps: NULL and *n 0 when out of memory, as their words are split then) */
const struct lkm_config_softdep *lkm_config_list_softdeps(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);
const struct lkm_config_weakdep *lkm_config_list_weakdeps(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);
const struct lkm_config_warning *lkm_config_list_warnings(const struct lkm_config *cfg, size_t *n)
	LKM_NONNULL(1, 2);

/*
 * '-' to '_' outside [...], as for alias patterns and names being looked up.
 * -EINVAL on a stray ']' or an unclosed '['; -ENAMETOOLONG if @dst is too small.
 */
int lkm_alias_normalize(char *dst, size_t dstsize, const char *src);

/*
 * Lookups, as libkmod does them. Names passed in are already normalized.
 * - next_alias: the config aliases whose pattern matches @name, in order; pass NULL
 *   first, then the previous result. NULL when there are no more.
 * - get_options: the options of every entry for @modname, or for @alias (the name the
 *   module was found by: a config alias's pattern, or the alias looked up in the index;
 *   may be NULL), joined by ' ' in file order with the kernel command line last. *out
 *   is malloc'd, or NULL when there are none.
 * - get_install, get_remove, get_softdep, get_weakdep: the first entry whose wildcard
 *   matches @modname (later ones are ignored, as module-init-tools did), or NULL
 *   (get_softdep: also when out of memory).
 * - get_blacklist: the first blacklist entry naming exactly @modname, or NULL; its src
 *   says where ("blacklisted by FILE line N").
 */
const struct lkm_config_alias *lkm_config_next_alias(const struct lkm_config *cfg,
						     const char *name,
						     const struct lkm_config_alias *prev);
LKM_MUST_CHECK int lkm_config_get_options(const struct lkm_config *cfg, const char *modname,
					  const char *alias, char **out);
const struct lkm_config_entry *lkm_config_get_install(const struct lkm_config *cfg,
						      const char *modname);
const struct lkm_config_entry *lkm_config_get_remove(const struct lkm_config *cfg,
						     const char *modname);
const struct lkm_config_softdep *lkm_config_get_softdep(const struct lkm_config *cfg,
							const char *modname);
const struct lkm_config_weakdep *lkm_config_get_weakdep(const struct lkm_config *cfg,
							const char *modname);
const struct lkm_config_blacklist *lkm_config_get_blacklist(const struct lkm_config *cfg,
							    const char *modname);

/*
 * Append `modprobe -c` output for the configuration to @out: blacklist, install, remove,
 * alias, options, softdep, weakdep lines, then the "# End of configuration files.
 * Dumping indexes now:" trailer. lkm_config_show_indexes() gives the modules.alias and
 * modules.symbols index dumps that follow it. Unlike kmod, a softdep with both
 * groups prints "pre: a post: b" (kmod glues them: "pre: apost: b").
 */
LKM_MUST_CHECK int lkm_config_show(const struct lkm_config *cfg, struct lkm_buf *out);
/*
 * What follows lkm_config_show() in `modprobe -c`: the modules.alias and modules.symbols
 * indexes of @ctx as "alias KEY VALUE" lines, appended to @out; a missing index shows
 * nothing, a broken one what it has. Return: 0 or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_config_show_indexes(struct lkm_ctx *ctx, struct lkm_buf *out);
/*
 * (config-json.c) `modprobe -c --json`: the same as one JSON object onto @json, its
 * members "blacklists" [{module}], "installs" and "removes" [{module, command}],
 * "aliases" [{pattern, module}], "options" [{module, options}], "softdeps" [{module,
 * pre: [...], post: [...]}], "weakdeps" [{module, deps: [...]}], each entry also with
 * its "file" and "line", then "index_aliases" and "index_symbols" [{alias, module}].
 * Return: 0 or -ENOMEM; the writer's own errors stay in @json (lkm_json_free()).
 */
LKM_MUST_CHECK int lkm_config_show_json(const struct lkm_config *cfg, struct lkm_ctx *ctx,
					struct lkm_json *json) LKM_NONNULL(1, 2, 3);

/* ==== kernel.c: /proc/modules, /sys/module, syscalls ==== */

/* The state column of /proc/modules. */
enum lkm_loaded_state {
	LKM_LOADED_LIVE = 0,
	LKM_LOADED_LOADING,   /* "Loading": its init function is running */
	LKM_LOADED_UNLOADING, /* "Unloading": delete_module is tearing it down */
};

/* One line of <proc>/modules. Strings point into the list's own storage. */
struct lkm_loaded {
	const char *name;
	unsigned long size;
	int refcount;          /* may be -1 while unloading */
	bool has_refcount;     /* false on kernels without CONFIG_MODULE_UNLOAD ("-") */
	const char **used_by;  /* the 4th column, without "[permanent]" / "[unsafe]" */
	size_t n_used_by;
	bool permanent;        /* has init but no exit: can never be removed */
	bool unsafe;           /* was force-removed while in use */
	enum lkm_loaded_state state;
	uint64_t address;      /* 0 when the kernel hides it from this user */
	const char *taints;    /* "OE" from "(OE)", or NULL */
};

/* All loaded modules, in /proc/modules order: one block, freed with lkm_loaded_list_free(). */
struct lkm_loaded_list;

/* Read <proc>/modules. Return: 0 and *@out, or -errno with the file named in @err. */
LKM_MUST_CHECK int lkm_kernel_get_loaded(struct lkm_ctx *ctx, struct lkm_loaded_list **out,
					 struct lkm_err *err) LKM_NONNULL(1, 2);
void lkm_loaded_list_free(struct lkm_loaded_list *list);
/* The modules and their number; they live as long as @list. */
const struct lkm_loaded *lkm_loaded_list_get(const struct lkm_loaded_list *list, size_t *count)
	LKM_NONNULL(1, 2);
/*
 * Lines that do not parse are skipped: their number, and in *@first_bad_line the first
 * one's (1-based), so a caller can warn.
 */
size_t lkm_loaded_list_get_skipped(const struct lkm_loaded_list *list, size_t *first_bad_line)
	LKM_NONNULL(1, 2);
/* The entry for @name ('-' and '_' alike), or NULL. */
const struct lkm_loaded *lkm_loaded_list_find(const struct lkm_loaded_list *list,
					      const char *name);
/* "Live", "Loading", "Unloading". */
const char *lkm_loaded_state_name(enum lkm_loaded_state state);

/* <sys>/module/<name>/initstate, with built-in modules told apart. */
enum lkm_initstate {
	LKM_INITSTATE_BUILTIN = 1, /* the directory exists without initstate */
	LKM_INITSTATE_LIVE,
	LKM_INITSTATE_COMING,
	LKM_INITSTATE_GOING,
};

/*
 * Return: a positive enum lkm_initstate; -ENOENT when the kernel knows no such
 * module; -EINVAL for an unknown initstate word; another -errno on read errors.
 */
LKM_MUST_CHECK int lkm_kernel_get_initstate(struct lkm_ctx *ctx, const char *name);
/* "builtin", "live", "coming", "going" (NULL for anything else). */
const char *lkm_initstate_name(int state);
/* <sys>/module/<name>/refcnt. -ENOENT if absent (gone, built in, or no unload support). */
LKM_MUST_CHECK int lkm_kernel_get_refcnt(struct lkm_ctx *ctx, const char *name, int *out);
/* <sys>/module/<name>/coresize. -ENOENT if absent. */
LKM_MUST_CHECK int lkm_kernel_get_coresize(struct lkm_ctx *ctx, const char *name,
					   unsigned long *out);
/*
 * The entries of <sys>/module/<name>/holders/, in readdir order (what kmod prints),
 * as a NULL-terminated malloc'd array; *count excludes the NULL. -ENOENT if the
 * directory is absent. Free with lkm_kernel_holders_free().
 */
LKM_MUST_CHECK int lkm_kernel_get_holders(struct lkm_ctx *ctx, const char *name,
					  char ***out, size_t *count);
void lkm_kernel_holders_free(char **holders);
/* A section of a loaded module: <sys>/module/<name>/sections/<name>, its address. */
struct lkm_section {
	char *name;
	unsigned long long address; /* 0 when the kernel hides it from this user */
};
/*
 * The sections of a loaded module, in readdir order, as kmod lists them. -ENOENT if the
 * directory is absent (built in, or gone); -EINVAL for a file that holds no hex number,
 * another -errno on read errors; none is kept then. Free with lkm_kernel_sections_free().
 */
LKM_MUST_CHECK int lkm_kernel_get_sections(struct lkm_ctx *ctx, const char *name,
					   struct lkm_section **out, size_t *count)
					   LKM_NONNULL(1, 2, 3, 4);
void lkm_kernel_sections_free(struct lkm_section *sections, size_t count);
/*
 * The compression the kernel can undo itself (<sys>/module/compression), or
 * LKM_COMP_NONE when it cannot (no file, or a word we do not know).
 */
enum lkm_compression lkm_kernel_get_compression(struct lkm_ctx *ctx);

/* Load flags; the first two are the kernel's MODULE_INIT_IGNORE_* values. */
#define LKM_LOAD_IGNORE_MODVERSIONS 0x1u /* --force-modversion */
#define LKM_LOAD_IGNORE_VERMAGIC    0x2u /* --force-vermagic */
#define LKM_LOAD_FORCE (LKM_LOAD_IGNORE_MODVERSIONS | LKM_LOAD_IGNORE_VERMAGIC)

/*
 * Insert the module file @path with @params (NULL = none).
 *  - plain file: finit_module(fd, params, flags);
 *  - compressed file the kernel can decompress: finit_module with
 *    MODULE_INIT_COMPRESSED_FILE;
 *  - otherwise, or when finit_module gives ENOSYS: read (and decompress) the file
 *    and call init_module. init_module has no flags, so for a forced load a copy
 *    of the image is stripped first, as kmod does: __versions loses SHF_ALLOC (the
 *    kernel then finds no CRCs) and the vermagic= string of .modinfo is blanked.
 * Return: 0, or the kernel's -errno (-EEXIST: already loaded; -ENOEXEC: bad format,
 * ...). A failure before the kernel was asked (open, decompress, strip) also fills
 * @err->why; a kernel refusal leaves @err->why empty, for the caller to explain.
 */
LKM_MUST_CHECK int lkm_kernel_load(struct lkm_ctx *ctx, const char *path, const char *params,
				   unsigned flags, struct lkm_err *err);
/* Unload flags. */
#define LKM_UNLOAD_FORCE 0x1u /* O_TRUNC: remove even if in use (CONFIG_MODULE_FORCE_UNLOAD) */

/*
 * delete_module(name, O_NONBLOCK [| O_TRUNC]). Never waits for users to go away.
 * Return: 0 or -errno (-EWOULDBLOCK/-EAGAIN: in use, -ENOENT: not loaded, -EBUSY).
 */
LKM_MUST_CHECK int lkm_kernel_unload(struct lkm_ctx *ctx, const char *name, unsigned flags);

/* ==== depmod.c: the depmod engine ==== */

/*
 * The engine behind depmod: scan a module directory (in parallel), resolve symbols
 * into dependencies, order them as kmod does and write every index kmod's depmod
 * writes. The library never prints: warnings and errors go to @log, already worded
 * (no "depmod: " prefix, no newline), in a deterministic order.
 */
enum lkm_depmod_level {
	LKM_DEPMOD_ERROR,
	LKM_DEPMOD_WARNING,
	LKM_DEPMOD_INFO,     /* -v: "PATH needs \"SYM\": OWNER" lines */
};
typedef void (*lkm_depmod_log_fn)(void *data, enum lkm_depmod_level level, const char *msg);

/* (Named "options": struct lkm_depmod_config is the parsed depmod.d, in config-depmod.c.) */
struct lkm_depmod_options {
	const char *dirname;     /* module directory that is scanned: ROOT/lib/modules/KVER */
	const char *outdir;      /* where the indexes go; NULL: dirname */
	const char *kver;        /* matched by depmod.d override/external version patterns */
	const char *const *config_paths; /* depmod.d dirs/files, NULL-terminated; NULL: default */
	const char *symvers;     /* -E: Module.symvers, also turns on CRC checks */
	const char *system_map;  /* -F: System.map (ignored when symvers is set) */
	const char *const *files; /* explicit module paths, NULL-terminated; NULL: scan */
	char sym_prefix;         /* -P, or 0 */
	bool print_unknown;      /* -e: warn about unknown symbols and CRC mismatches */
	bool warn_dups;          /* -w: warn about duplicate index entries */
	unsigned threads;        /* scanner and writer threads; 0: one per online CPU */
	/*
	 * The incremental cache file; NULL: none. The tool's default comes from
	 * lkm_depmod_default_cache(). Read by lkm_depmod_build(); written by
	 * lkm_depmod_write() unless dry run, through a temporary file and a rename. A
	 * corrupt or foreign file is ignored with a warning; output never depends on it.
	 */
	const char *cache;
	lkm_depmod_log_fn log;
	void *log_data;
};

struct lkm_depmod;

LKM_MUST_CHECK int lkm_depmod_new(const struct lkm_depmod_options *cfg, struct lkm_depmod **out,
				  struct lkm_err *err);
/*
 * Scan, resolve symbols and sort. A dependency cycle is reported through the log
 * ("Cycle detected: a -> b -> a", then "Found N modules in dependency cycles!") and
 * gives -ELOOP. Unreadable modules are reported and kept with no symbols, as kmod does.
 */
LKM_MUST_CHECK int lkm_depmod_build(struct lkm_depmod *d, struct lkm_err *err);
/*
 * Write every index. With @dry_run_fd >= 0 the text files go there, one after the
 * other, and no .bin is made (kmod's -n). Otherwise each file is written to a
 * temporary file in the output directory; only when all are complete and synced are
 * they renamed over the old ones, so a failure leaves the previous indexes intact.
 */
LKM_MUST_CHECK int lkm_depmod_write(struct lkm_depmod *d, int dry_run_fd, struct lkm_err *err);
void lkm_depmod_free(struct lkm_depmod *d);
/* Number of modules found by lkm_depmod_build(). */
size_t lkm_depmod_count(const struct lkm_depmod *d);
/* -A: 1 when modules.dep is newer than every module file, 0 when not, or -errno. */
int lkm_depmod_up_to_date(const char *dirname);
/*
 * The cache depmod uses when none is named: CACHE_DIR/depmod/KVER, outside the module
 * directory, for the running system's own tree only. The tree is the running
 * system's when @dirname is @ctx's module directory (same file), @outdir is NULL or
 * that same directory, @ctx's kernel version is the running kernel's
 * (PROC/sys/kernel/osrelease) and this process's root is PID 1's (PROC/1/root, else
 * the mount on / in PROC/self/mountinfo shows its filesystem from its root): a tree
 * below -b or written to -o, another kernel's tree, a chroot, or a /proc that cannot
 * tell, gets no cache, so nothing of lkm's lands in an image built for another system.
 * Return: 1 and *@path (to free), 0 and NULL for another system's tree, or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_depmod_default_cache(const struct lkm_ctx *ctx, const char *dirname,
					    const char *outdir, char **path);
/*
 * Remove from CACHE_DIR/depmod the caches of kernels whose module directory (next to
 * @ctx's) is gone, and temporary files left there over an hour ago by a killed depmod.
 * Return: the number of files removed, or -errno when the directory cannot be read
 * (-ENOENT: there is none).
 */
int lkm_depmod_cache_prune(const struct lkm_ctx *ctx);
/* What depmod once wrote into the module directory itself; lkm_depmod_write() removes it. */
#define LKM_DEPMOD_OLD_CACHE "modules.lkm-cache"

/* ==== load-plan.c, load.c, unload.c, command.c: modprobe's loads and removals ==== */

/*
 * modprobe's work, in two parts. lkm_load_plan_new() decides what a load means: the
 * module's dependencies (modules.dep order), soft dependencies (pre: before, post:
 * after), install commands in place of loads, and each module's options. The plan
 * holds data only (load-plan.c); lkm_load_plan_run() carries it out through the ctx's
 * syscalls (load.c), and hands install commands to the caller (running a shell is the
 * tool's job, with command.c's lkm_command_run()). lkm_remove_module() (unload.c) does
 * modprobe -r: softdeps, holders, the module, then the dependencies that became
 * unused. Nothing here prints: ops->show and ops->log do.
 */
#define LKM_PROBE_IGNORE_COMMANDS  0x001u /* -i: the target's install/remove command and softdeps */
#define LKM_PROBE_IGNORE_LOADED    0x002u /* -D: plan as if nothing were loaded */
#define LKM_PROBE_FIRST_TIME       0x004u /* fail when already loaded (or, -r, not loaded) */
#define LKM_PROBE_USE_BLACKLIST    0x008u /* -b: the blacklist also holds for names */
#define LKM_PROBE_DRY_RUN          0x010u /* show, do not load or run */
#define LKM_PROBE_FORCE_MODVERSION 0x020u
#define LKM_PROBE_FORCE_VERMAGIC   0x040u
#define LKM_PROBE_REMOVE_HOLDERS   0x080u /* -r: remove the modules holding it first */
#define LKM_PROBE_FORCE_REMOVE     0x100u /* -r -f */
/*
 * Plan the target whatever the blacklist says of it: its caller decided already
 * (libkmod, whose callers choose with KMOD_PROBE_APPLY_BLACKLIST*). Soft dependencies
 * reached through an alias still obey the blacklist.
 */
#define LKM_PROBE_IGNORE_BLACKLIST 0x200u

enum lkm_step_action {
	LKM_STEP_INSMOD,  /* load path with options */
	LKM_STEP_INSTALL, /* run the install command instead of loading */
	LKM_STEP_BUILTIN, /* built into the kernel: nothing to load */
	LKM_STEP_MISSING, /* no file in modules.dep: loading it fails (-ENOENT) */
	LKM_STEP_RMMOD,   /* delete_module(name) */
	LKM_STEP_REMOVE,  /* run the remove command instead of unloading */
};

struct lkm_load_step {
	enum lkm_step_action action;
	char *name;
	char *path;     /* NULL unless the module has a file */
	char *options;  /* merged options; "" for none */
	char *command;  /* install/remove: as configured, else NULL */
	char *cmdline;  /* install/remove: $CMDLINE_OPTS replaced by the options */
	bool target;    /* a module the user named */
	bool required;  /* the target or one of its dependencies: a failure stops the load */
};

/*
 * The step as kmod's modprobe -v and -D print it ("insmod PATH OPTIONS", "install
 * COMMAND OPTIONS", "builtin NAME", "rmmod NAME", "remove CMDLINE"), one line appended
 * to @out; nothing for a module that is missing. Return: 0 or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_load_step_show(const struct lkm_load_step *step, struct lkm_buf *out);
/*
 * The same step as a JSON object onto @json (modprobe -D --json): {"action": "insmod",
 * "name", "path", "options"}, {"action": "install", "name", "command", "options"},
 * {"action": "builtin" or "rmmod", "name"}, {"action": "remove", "name", "command"}
 * (the command line run); nothing for a module that is missing, as in the text.
 * Return: the writer's error, or 0.
 */
int lkm_load_step_json(const struct lkm_load_step *step, struct lkm_json *json)
	LKM_NONNULL(1, 2);

enum lkm_plan_status {
	LKM_PLAN_READY,       /* steps to carry out */
	LKM_PLAN_LOADED,      /* the target is already loaded or built in: nothing to do */
	LKM_PLAN_BLACKLISTED, /* reached through an alias (or -b) and blacklisted */
};

/* What a load means, step by step; freed with lkm_load_plan_free(). */
struct lkm_load_plan;

enum lkm_load_level { LKM_LOAD_ERROR, LKM_LOAD_WARNING, LKM_LOAD_INFO };
struct lkm_diagnosis; /* diagnose.c */

struct lkm_load_ops {
	/* Called for each step as it is carried out (modprobe -v, -n, -D). May be NULL. */
	void (*show)(void *data, const struct lkm_load_step *step);
	/* Run step->cmdline with MODPROBE_MODULE=step->name: 0 or a negative errno. */
	int (*run_command)(void *data, const struct lkm_load_step *step);
	/* Messages, already worded (no tool prefix, no newline). May be NULL. */
	void (*log)(void *data, enum lkm_load_level level, const char *msg);
	/*
	 * A failure (or a load's warning) explained by lib/diagnose.c: @lead is kmod's
	 * words that go before @d->first ("could not insert 'vfat'"), or NULL when
	 * @d->first stands alone. May be NULL: then ->log gets "LEAD: FIRST" only.
	 */
	void (*explain)(void *data, enum lkm_load_level level, const char *lead,
			const struct lkm_diagnosis *d);
	void *data;
	/* -r: wait up to this long for a module in use to become unused (0: fail at once). */
	unsigned long wait_msec;
	/*
	 * The modules whose install or remove commands led to this run, outermost first,
	 * separated by spaces (modprobe hands it down to the commands it runs), or NULL.
	 * A command for one of them again is a loop and is not run: -ELOOP, with the
	 * loop in lkm_load_plan_run()'s @err (kind "install"), or explained by
	 * lkm_remove_module() (kind "remove").
	 */
	const char *command_chain;
	/*
	 * After each step of lkm_load_plan_run(), with its result: 0 (done, or nothing done
	 * with LKM_PROBE_DRY_RUN), -EEXIST (in the kernel already) or the failure (modprobe
	 * --report snapshots here). May be NULL.
	 */
	void (*step_done)(void *data, const struct lkm_load_step *step, int result);
};

/*
 * Plan the loading of @target (one result of lkm_resolve_lookup) with @extra_options
 * (the command line's, for the target only; may be NULL). LKM_PROBE_* flags apply.
 * Return: 0 and a plan (see ->status); -EEXIST when LKM_PROBE_FIRST_TIME and it is
 * already loaded; -ELOOP for a soft dependency loop, with "softdep loop: a -> b -> a"
 * in @err->why and the names in @err->loop; -ENOMEM.
 */
LKM_MUST_CHECK int lkm_load_plan_new(struct lkm_ctx *ctx, const struct lkm_config *config,
				     const struct lkm_resolved *target, unsigned flags,
				     const char *extra_options, struct lkm_load_plan **out,
				     struct lkm_err *err);
void lkm_load_plan_free(struct lkm_load_plan *plan);
enum lkm_plan_status lkm_load_plan_get_status(const struct lkm_load_plan *plan) LKM_NONNULL(1);
/* The steps in order, and their number; they live as long as @plan. */
const struct lkm_load_step *lkm_load_plan_get_steps(const struct lkm_load_plan *plan,
						    size_t *count) LKM_NONNULL(1, 2);
/*
 * Carry the plan out, in order, as kmod does: a step whose module is already in the
 * kernel is skipped (unless LKM_PROBE_IGNORE_LOADED); a failure of a soft dependency
 * is ignored; a failure of a required step stops the run. The kernel log is captured
 * around each load: a refusal is explained (lkm_diagnose_load) through ops->explain,
 * led by "could not insert 'TARGET'" (or "... soft dependency 'NAME'", as info), and
 * then @err->why stays empty; a load that worked with a warning is explained too.
 * Return: 0, or the failing step's -errno (-EEXIST: the target was loaded meanwhile
 * and LKM_PROBE_FIRST_TIME). @err names the step's module and, when known, why; a
 * required step's install command that loops back (ops->command_chain) is in
 * @err->loop, a soft dependency's is explained (level error, no lead).
 */
LKM_MUST_CHECK int lkm_load_plan_run(struct lkm_ctx *ctx, const struct lkm_load_plan *plan,
				     unsigned flags, const struct lkm_load_ops *ops,
				     struct lkm_err *err);
/*
 * modprobe's load of @target: lkm_load_plan_new(), then lkm_load_plan_run() when the
 * plan has steps. @status (may be NULL) gets the plan's status: LKM_PLAN_BLACKLISTED
 * when the blacklist kept the module from loading, which is no error (0, as kmod's exit
 * code), LKM_PLAN_LOADED when it is in the kernel already.
 * Return: 0 or -errno, with @err, as those two functions.
 */
LKM_MUST_CHECK int lkm_load_module(struct lkm_ctx *ctx, const struct lkm_config *config,
				   const struct lkm_resolved *target, unsigned flags,
				   const char *extra_options, const struct lkm_load_ops *ops,
				   enum lkm_plan_status *status, struct lkm_err *err);
/*
 * modprobe --check of @target: its plan checked (lkm_diagnose_check_plan) into @out;
 * one in the kernel already is said so in @out->first; a blacklisted one leaves @out
 * empty. @status gets the plan's status. Release @out either way.
 * Return: the number of problems (0: it would load), or -errno.
 */
LKM_MUST_CHECK int lkm_load_check(struct lkm_ctx *ctx, const struct lkm_config *config,
				  const struct lkm_resolved *target, unsigned flags,
				  const char *extra_options, enum lkm_plan_status *status,
				  struct lkm_diagnosis *out);
/*
 * modprobe -a --jobs N, and anything else that loads many modules at once
 * (load-parallel.c). Each request is what one lkm_load_module() call would do; the
 * outcome is a serial run's, request after request in array order: the same modules
 * loaded, the same results, the same messages in the same order. Only the waiting for
 * the kernel runs side by side: independent loads (finit_module, which blocks while the
 * module's init runs) go to up to @jobs worker threads; everything else (plans, checks
 * of /sys, diagnoses, messages) happens in the caller's thread. A request waits for the
 * earlier requests that also load one of its modules, so a module is loaded once and a
 * failure in an earlier request is met as in a serial run; a request with an install
 * command runs alone, after the earlier ones and before the later ones start.
 */
struct lkm_load_request {
	const struct lkm_resolved *target; /* in: as for lkm_load_module() */
	const char *extra_options;         /* in: the command line's options, or NULL */
	/*
	 * in: its messages, install commands and ->step_done, called in the caller's thread
	 * only, in request order: after the steps ran (->step_done too), except for a
	 * request that runs alone
	 */
	const struct lkm_load_ops *ops;
	int result;                        /* out: what lkm_load_module() would return */
	enum lkm_plan_status status;       /* out */
	struct lkm_err err;                /* out */
};

/* One module's load, for --time: the ms waited for before it started, and its syscall. */
struct lkm_load_timing {
	const char *name;
	double wait_ms;  /* from its turn in its request until finit_module began */
	double load_ms;  /* the finit_module (or init_module) call */
};

struct lkm_load_many_opts {
	unsigned jobs; /* worker threads: 0 for the number of online CPUs; 1: a serial run */
	/*
	 * Called in request order in the caller's thread: @begin before the request's
	 * messages go to its ops, @done after, with the results set. Either may be NULL.
	 */
	void (*begin)(void *data, size_t index, struct lkm_load_request *req);
	void (*done)(void *data, size_t index, struct lkm_load_request *req);
	/*
	 * Each finit_module, in the order they ended (@t and its name live for the call
	 * only). A request that runs alone (an install command) reports none. May be NULL.
	 */
	void (*timed)(void *data, const struct lkm_load_timing *t);
	void *data;
};

/*
 * Carry out @reqs[0..@n) with LKM_PROBE_* @flags as described above.
 * Return: 0 when the requests ran (each one's result is in ->result), or -errno
 * (-ENOMEM) when they could not be started; a request not run then has -ENOMEM.
 */
LKM_MUST_CHECK int lkm_load_many(struct lkm_ctx *ctx, const struct lkm_config *config,
				 struct lkm_load_request *reqs, size_t n, unsigned flags,
				 const struct lkm_load_many_opts *opts);
/*
 * insmod: one load of the module file @path (@name: NULL to take it from the file) with
 * @options (NULL: none) and LKM_LOAD_* @lflags, the kernel log read around the attempt.
 * A refusal by the kernel is explained into @why (lkm_diagnose_load; why->code != 0);
 * a load that worked but deserves a word (lkm_diagnose_loaded) too, with why->code 0;
 * otherwise @why stays empty (first.len 0), and so it does when a failure before the
 * syscall (the file) is in @err->why instead. Release @why either way.
 * Return: lkm_kernel_load()'s: 0 or -errno.
 */
LKM_MUST_CHECK int lkm_load_explained(struct lkm_ctx *ctx, const char *path, const char *name,
				      const char *options, unsigned lflags, struct lkm_err *err,
				      struct lkm_diagnosis *why);
/*
 * modprobe -r for one module: its post: softdeps (reversed), its holders with
 * LKM_PROBE_REMOVE_HOLDERS, the module itself (or its remove command), the
 * dependencies nobody uses any more, then its pre: softdeps (reversed). With
 * ops->wait_msec a module in use is retried until that time has passed, and then the
 * removal fails (kmod issue 386: never a silent success, never an endless loop).
 * A refusal (in use, built in, the kernel's) is explained with lkm_diagnose_unload()
 * through ops->explain. Return: 0 or -errno; the reasons went to ops->log/explain.
 */
LKM_MUST_CHECK int lkm_remove_module(struct lkm_ctx *ctx, const struct lkm_config *config,
				     const struct lkm_resolved *mod, unsigned flags,
				     const struct lkm_load_ops *ops);
/*
 * $CMDLINE_OPTS in @command replaced by @options (NULL: "").
 * Return: 0 and the malloc'd command in @out, or -ENOMEM (then @out is NULL).
 */
LKM_MUST_CHECK int lkm_command_expand(const char *command, const char *options, char **out);
/*
 * Run an install/remove @cmdline for module @name through the shell, with
 * MODPROBE_MODULE set. A command that calls modprobe again finds the chain of names
 * (outermost first) in $LKM_MODPROBE_CHAIN, so the library finds a loop instead of
 * repeating it; both variables are as they were after. Return: 0 when the command
 * exited 0; else -EINVAL and its exit code (-1: it could not run) in @retcode.
 */
LKM_MUST_CHECK int lkm_command_run(const char *cmdline, const char *name, int *retcode);
/*
 * Module options given as separate arguments ("a=1" "b=x y"), joined as kmod 34 joins
 * them: one space between two, and a value that holds a space and is not quoted already
 * put in double quotes (b="x y"), so the kernel keeps it whole.
 * Return: 0 and the malloc'd line in @out ("" for none), or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_options_join(char *const *args, size_t n, char **out);
/*
 * $MODPROBE_OPTIONS put before the arguments as kmod does: @text split into words at
 * spaces, a quoted part ('' or "") kept whole and without its quotes, within a word or
 * as one; the words go after argv[0], before argv[1].
 * Return: 0, the new NULL-terminated vector in @out (one block: free(*out) frees its
 * words too; the strings of @argv stay @argv's) and its length in @argc; -EINVAL
 * without argv[0]; -ENOMEM.
 */
LKM_MUST_CHECK int lkm_options_prepend(const char *text, int *argc, char **argv,
				       char ***out);

/* ==== coldplug.c: modprobe --coldplug, drivers for the devices in /sys ==== */

/* A device: a directory below <sys>/devices with a modalias file that is not empty. */
struct lkm_coldplug_device {
	char *path;     /* below the ctx's sys dir: "devices/pci0000:00/0000:00:02.0" */
	char *modalias; /* the modalias file, without its newline */
	char *driver;   /* the name its driver link points to; NULL: no driver bound */
	/* "0x8086": the vendor/device file, else the id in the modalias; NULL: unknown */
	char *vendor, *device;
	size_t alias;   /* lkm_coldplug_plan_scan(): its modalias in plan->aliases[] */
};
/*
 * Every device below <sys>/devices (real directories only: sysfs's links would loop),
 * sorted by path. A device that goes away during the walk is skipped.
 * Return: 0 and the devices in *@out (free with lkm_coldplug_devices_free()), or -errno
 * with @err naming the directory or file (-ENOENT: no <sys>/devices).
 */
LKM_MUST_CHECK int lkm_coldplug_scan(struct lkm_ctx *ctx, struct lkm_coldplug_device **out,
				     size_t *count, struct lkm_err *err) LKM_NONNULL(1, 2, 3);
void lkm_coldplug_devices_free(struct lkm_coldplug_device *devices, size_t count);

/* A distinct modalias and the modules it matches. */
struct lkm_coldplug_alias {
	char *modalias;
	/* As lkm_resolve_lookup() gives them for it (each ->alias set), blacklisted too. */
	struct lkm_resolved *modules;
	size_t n_modules;
	unsigned round; /* the scan that found it first, from 0 */
};
/*
 * What coldplug found and loads; zero it before the first scan, release it with
 * lkm_coldplug_plan_release(). Every field is the caller's to read.
 */
struct lkm_coldplug_plan {
	struct lkm_coldplug_device *devices; /* the last scan's, by path */
	size_t n_devices;
	struct lkm_coldplug_alias *aliases;  /* each modalias once, in order of first appearance */
	size_t n_aliases;
	/*
	 * The modules to load, each once, in the order of their modaliases' first
	 * appearance (then the lookup's): what the aliases match, less the blacklisted
	 * ones (udev's kmod builtin applies the blacklist, so does modprobe for an alias).
	 */
	struct lkm_resolved *loads;
	size_t n_loads;
	size_t n_loaded; /* lkm_coldplug_run(): the first n_loaded of loads[] went to ->load */
	unsigned rounds; /* the scans made */
};
/*
 * Scan the devices again (lkm_coldplug_scan) into @plan->devices, look up the
 * modaliases not seen before (@config may be NULL) and queue their modules.
 * Return: the number of modules newly queued in @plan->loads (0: nothing new to load),
 * or -errno with @err: the scan's, or a broken index's (named).
 */
LKM_MUST_CHECK int lkm_coldplug_plan_scan(struct lkm_ctx *ctx, const struct lkm_config *config,
					  struct lkm_coldplug_plan *plan, struct lkm_err *err)
					  LKM_NONNULL(1, 3);
void lkm_coldplug_plan_release(struct lkm_coldplug_plan *plan) LKM_NONNULL(1);

struct lkm_coldplug_ops {
	/*
	 * Load one round's new modules, in order: modprobe's load of each (the tool's, so
	 * it words the failures). 0 or the -errno of a failure; the rounds go on either
	 * way. NULL: load nothing (modprobe --coldplug -n), one scan only.
	 */
	int (*load)(void *data, const struct lkm_resolved *modules, size_t count);
	void *data;
	unsigned max_rounds; /* scans with loads after them, at most */
	/*
	 * After a round, wait until no uevent came for settle_quiet_ms (the kernel's
	 * <sys>/kernel/uevent_seqnum), settle_max_ms at most: devices a driver adds from a
	 * work queue (USB behind its host controller) come after its init. 0: no wait.
	 */
	unsigned settle_quiet_ms, settle_max_ms;
};
/*
 * Coldplug: scan, load the new modules (ops->load), settle, and again, until a scan
 * finds nothing new to load or ops->max_rounds rounds ran; then @plan->devices is the
 * state after the last loads (bound drivers), rescanned when the rounds ran out.
 * Return: 0, a failed load's -errno (the last), or a scan's -errno with @err.
 */
LKM_MUST_CHECK int lkm_coldplug_run(struct lkm_ctx *ctx, const struct lkm_config *config,
				    struct lkm_coldplug_plan *plan,
				    const struct lkm_coldplug_ops *ops, struct lkm_err *err)
				    LKM_NONNULL(1, 3, 4);

/* ==== diagnose.c: explaining load and unload failures ==== */
/*
 * Implemented by lib/kmsg.c (the kernel log), lib/diagnose.c (load and unload),
 * lib/diagnose-probe.c (not found, blacklisted, config, loops), lib/diagnose-check.c
 * (the pre-flight check), lib/diagnose-text.c (the formatting and the errno names) and
 * lib/diagnose-facts.c (shared, private: diagnose-internal.h).
 */

/*
 * A diagnosis: one sentence that says what went wrong and names the module, then
 * detail lines (the evidence and what to do), never printed by the library. A tool
 * prints "tool: ERROR: <first>" and each detail line indented.
 */
struct lkm_diagnosis {
	int code;              /* the -errno explained; 0 for a warning about a success */
	struct lkm_buf first;  /* one sentence, no newline */
	struct lkm_buf detail; /* zero or more lines, each ending in '\n' */
};
void lkm_diagnosis_release(struct lkm_diagnosis *d) LKM_NONNULL(1);

/* kmod's words for a refused load ("Invalid module format", ...): what kmod prints. */
const char *lkm_diagnose_load_reason(int errnum);
/*
 * Why @name cannot be (or was not) removed: not loaded, built in, held by modules
 * (named, with the reference count), used, permanent (no exit function: what -f needs
 * and the risk), no unload support. @error is delete_module's -errno, or 0 to check
 * before calling it.
 * Return: 0 and @out filled (release it) when removal is refused; -ENODATA when nothing
 * stands in the way (only with @error 0; @out is empty); -ENOMEM.
 */
LKM_MUST_CHECK int lkm_diagnose_unload(struct lkm_ctx *ctx, const char *name, int error,
				       unsigned flags, struct lkm_diagnosis *out)
				       LKM_NONNULL(1, 2, 5);
/*
 * No module @name: a module file for it under the module directory that the index does
 * not know (depmod has not run since it was installed: the file, both mtimes, the depmod
 * command; a bounded walk that stops at the first), else the names in modules.dep close
 * to it ("did you mean") and the other kernel versions under the module root that have
 * it. Return: 0 or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_diagnose_not_found(struct lkm_ctx *ctx, const char *name,
					  struct lkm_diagnosis *out) LKM_NONNULL(1, 2, 3);
/* @name is blacklisted by @bl (file and line). */
LKM_MUST_CHECK int lkm_diagnose_blacklisted(const char *name,
					    const struct lkm_config_blacklist *bl,
					    struct lkm_diagnosis *out) LKM_NONNULL(1, 3);
/* A config line that was skipped: its file, line and what to fix. */
LKM_MUST_CHECK int lkm_diagnose_config(const struct lkm_config_warning *w,
				       struct lkm_diagnosis *out) LKM_NONNULL(1, 2);
/* A loop: @kind "softdep" or "install", @chain the names in order, ending where it began. */
LKM_MUST_CHECK int lkm_diagnose_loop(const char *kind, const char *const *chain, size_t n,
				     struct lkm_diagnosis *out) LKM_NONNULL(1, 4);
/*
 * Pre-flight (insmod --check, modprobe --check): every problem that can be found
 * without loading: format (ELF, type, machine, not a module), vermagic against the
 * running kernel (its release, ctx kver), needed symbols against <proc>/kallsyms,
 * CRCs against <dirname>/build/Module.symvers when present, signature against
 * sig_enforce, permissions, modules_disabled, lockdown, already loaded; and each
 * firmware: file against the kernel's firmware search path (firmware_class.path, then
 * <firmware_dir>/updates/KVER, /updates, /KVER, itself; also .zst and .xz).
 * @out->first sums up; each problem is a detail line starting with "problem: ", each
 * fact checked with "ok: " and each check skipped with "note: " (so is a missing
 * firmware: the module loads without it).
 * Return: the number of problems (0: it would load), or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_diagnose_check(struct lkm_ctx *ctx, const char *path,
				      struct lkm_diagnosis *out) LKM_NONNULL(1, 2, 3);
/*
 * A check's report (lkm_diagnose_check or lkm_load_check, with the @problems it
 * returned) as one JSON object onto @json: {"summary": first line, "problems": N,
 * "lines": [{"depth", "level", "text"}]}, one object a detail line in order: "depth"
 * its indentation (modprobe --check indents each module's lines under its own: 1),
 * "text" the line without that indentation, "level" "ok", "note" or "problem" when the
 * line starts so (or "NAME: ok: ..."), "info" otherwise.
 * Return: the writer's error, or 0.
 */
int lkm_diagnose_check_json(const struct lkm_diagnosis *d, int problems,
			    struct lkm_json *json) LKM_NONNULL(1, 3);

/* ==== report.c: what a load did (modprobe/insmod --report) ==== */

/*
 * The things a module registered, found by comparing the kernel's state (the ctx's
 * /proc and /sys) before and after its load: lkm_report_new() takes the first
 * snapshot, lkm_report_step() one after each module's load and files what is new
 * under that module, or under the module sysfs says owns it (a device's driver's
 * module) when that module was loaded in this report too.
 */
enum lkm_report_kind {
	LKM_REPORT_FILESYSTEM,   /* /proc/filesystems: @name the type */
	LKM_REPORT_NETDEV,       /* /sys/class/net: @name the interface, @driver its device's */
	LKM_REPORT_CLASS,        /* a new /sys/class/@name */
	LKM_REPORT_CLASS_DEVICE, /* /sys/class/@group/@name, @node, @driver of its device */
	LKM_REPORT_MAJOR,        /* /proc/devices: @group "char" or "block", @number, @name */
	LKM_REPORT_MISC,         /* /proc/misc: @name, @number the minor, @node */
	LKM_REPORT_BOUND,        /* /sys/bus/@group/drivers/@driver/@name: a device bound */
	LKM_REPORT_LOG,          /* a kernel log line of the load: @name, @number its level */
};

/* One thing registered; the strings are the report's, NULL when not known or not used. */
struct lkm_report_item {
	enum lkm_report_kind kind;
	char *name;
	char *group;
	char *driver;
	char *node;      /* "/dev/NAME" (the uevent's DEVNAME) */
	unsigned number;
};

enum lkm_report_state {
	LKM_REPORT_LOADED,     /* loaded by this run: its items say what it registered */
	LKM_REPORT_DRY_RUN,    /* would have been loaded (-n): nothing was, so no items */
	LKM_REPORT_WAS_LOADED, /* in the kernel already: not loaded by this run */
};

struct lkm_report_module {
	char *name;
	enum lkm_report_state state;
	int device_aliases; /* its modinfo's bus aliases (pci:, usb:, of: ...); -1 unknown */
	struct lkm_report_item *items; /* registrations in the order found, then log lines */
	size_t n_items;
};

struct lkm_report;

/*
 * A report whose first snapshot is the state now; the kernel log is read from now on
 * (without it the report has no log lines, and no error). Free with lkm_report_free().
 * Return: 0 and *@out, or -ENOMEM / -E2BIG (more entries than any /sys holds).
 */
LKM_MUST_CHECK int lkm_report_new(struct lkm_ctx *ctx, struct lkm_report **out)
	LKM_NONNULL(1, 2);
/*
 * Module @name (file @path, NULL if none: its device aliases are counted from it) had
 * @state. LKM_REPORT_LOADED: a snapshot is taken, and what is new since the last one,
 * with the log lines since, is filed (see above). A module named twice is one entry.
 * Return: 0 or -ENOMEM / -E2BIG.
 */
LKM_MUST_CHECK int lkm_report_step(struct lkm_report *rep, const char *name, const char *path,
				   enum lkm_report_state state) LKM_NONNULL(1, 2);
/*
 * lkm_report_step() for a load's @step that ended with @result (0 or -errno), for
 * lkm_load_ops->step_done: an insmod, or an install command (its work is its
 * module's), that did not fail is filed as LKM_REPORT_DRY_RUN when @flags has
 * LKM_PROBE_DRY_RUN, else LKM_REPORT_LOADED; any other step, or a failed one, files
 * nothing. Return: 0 or lkm_report_step()'s -errno.
 */
LKM_MUST_CHECK int lkm_report_step_done(struct lkm_report *rep,
					const struct lkm_load_step *step, int result,
					unsigned flags) LKM_NONNULL(1, 2);
/* The modules in the order of their first step, and their number. */
const struct lkm_report_module *lkm_report_get_modules(const struct lkm_report *rep, size_t *n)
	LKM_NONNULL(1, 2);
/*
 * The report as text, appended to @out: one line a thing, "report: MODULE: WHAT"
 * (see man/modprobe.8); a module that registered nothing gets one line saying so.
 * Return: 0 or -ENOMEM.
 */
LKM_MUST_CHECK int lkm_report_show(const struct lkm_report *rep, struct lkm_buf *out)
	LKM_NONNULL(1, 2);
/*
 * The report as JSON (--report --json), into @json: one object a module, in the text's
 * order: {"name", "state": "loaded" | "dry_run" | "already_loaded", "device_aliases":
 * N or null, "registered": [{"kind", ...}], "log": [{"kind": "log", "level", "text"}]}.
 * The kinds and their members: filesystem (name), network_interface (name, driver),
 * device_class (name), device (class, name, node, driver), major (type, major, name),
 * misc_device (name, minor, node), bound (device, bus, driver); null where not known.
 * The writer's errors stay in @json (lkm_json_free()).
 */
void lkm_report_json(const struct lkm_report *rep, struct lkm_json *json) LKM_NONNULL(1, 2);
void lkm_report_free(struct lkm_report *rep);

/* ==== static-nodes.c: modules.devname, the nodes that load modules on open ==== */

enum lkm_static_nodes_format {
	LKM_STATIC_NODES_HUMAN,    /* "Module: fuse\n\tDevice node: /dev/fuse\n..." */
	LKM_STATIC_NODES_TMPFILES, /* tmpfiles.d(5): "c! /dev/fuse 0600 - - - 10:229" */
	LKM_STATIC_NODES_DEVNAME,  /* modules.devname's own: "fuse fuse c10:229" */
};
/* By kmod's name ("human", "tmpfiles", "devname"). Return: 0, or -EINVAL. */
LKM_MUST_CHECK int lkm_static_nodes_format_from_name(const char *name,
						     enum lkm_static_nodes_format *out)
						     LKM_NONNULL(1, 2);
/* The name and kmod's one-line description; NULL for a value out of range. */
const char *lkm_static_nodes_format_name(enum lkm_static_nodes_format f);
const char *lkm_static_nodes_format_description(enum lkm_static_nodes_format f);

/* One entry of modules.devname. The strings are the node's (lkm_static_node_release). */
struct lkm_static_node {
	char *module;         /* "tun" */
	char *devname;        /* below /dev: "net/tun" */
	char type;            /* 'c' or 'b' */
	unsigned int major, minor;
};
/*
 * Parse one line (or chunk: see lkm_devname_read) as kmod does: a '#' first is a
 * comment; anything else must read as "%s %s %c%u:%u" with 'c' or 'b'.
 * Return: 1 and @node filled (release it), 0 for a comment, -EINVAL for an invalid
 * entry, -ENOMEM; @node is empty unless 1 is returned.
 */
LKM_MUST_CHECK int lkm_static_node_parse(const char *line, struct lkm_static_node *node)
	LKM_NONNULL(1, 2);
void lkm_static_node_release(struct lkm_static_node *node) LKM_NONNULL(1);
/* Append @node in format @f to @out, byte for byte kmod's. Return: 0, -EINVAL, -ENOMEM. */
LKM_MUST_CHECK int lkm_static_node_format(const struct lkm_static_node *node,
					  enum lkm_static_nodes_format f, struct lkm_buf *out)
					  LKM_NONNULL(1, 3);

/* A modules.devname read whole: its lines in order, comments left out. */
struct lkm_devname;
struct lkm_devname_line {
	char *text;                  /* as read, with its '\n' when it has one */
	bool valid;                  /* false: not an entry (kmod says "invalid devname entry") */
	struct lkm_static_node node; /* when valid */
};
/*
 * Read @path in kmod's chunks (a line, or 4095 bytes of a longer one).
 * Return: 0 and @out (lkm_devname_free); -ENOENT when there is no such file (kmod
 * warns and succeeds: no module has a static node); another -errno, @err says it.
 */
LKM_MUST_CHECK int lkm_devname_read(const char *path, struct lkm_devname **out,
				    struct lkm_err *err) LKM_NONNULL(1, 2);
const struct lkm_devname_line *lkm_devname_get_lines(const struct lkm_devname *d, size_t *n)
	LKM_NONNULL(1, 2);
void lkm_devname_free(struct lkm_devname *d);
/*
 * mkdir -p of the directory that holds @path (nothing when it has no '/'), each missing
 * component made with @mode. Return: 0, -ENOTDIR when a component is not a directory,
 * or mkdir's -errno.
 */
LKM_MUST_CHECK int lkm_mkdir_parents(const char *path, mode_t mode) LKM_NONNULL(1);
#endif
