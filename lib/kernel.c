// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The running kernel's side of modules: what is loaded (<proc>/modules), the state
 * of each module (<sys>/module/<name>/) and the three syscalls that load and unload.
 * Every path and syscall comes from the context, so tests can point it at fixture
 * trees and at fake syscalls.
 *
 * A /proc/modules line (kernel/module/procfs.c m_show):
 *
 *   name size refcnt used-by state address [(taints)]
 *   fat 86016 2 vfat,msdos, Live 0xffffffffc0a1b000 (E)
 *
 * "used-by" is "-" when empty, else each user followed by a comma, then
 * "[permanent]," (init without exit) or "[unsafe]," (forced out while in use).
 * Without CONFIG_MODULE_UNLOAD, refcnt and used-by are both "-".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"

#define PROC_MODULES_MAX ((size_t)64 << 20)
#define SYS_ATTR_MAX 4096

/* ---------------------------------------------------------------- /proc/modules */

static const char *const state_names[] = {
	[LKM_LOADED_LIVE] = "Live",
	[LKM_LOADED_LOADING] = "Loading",
	[LKM_LOADED_UNLOADING] = "Unloading",
};

const char *lkm_loaded_state_name(enum lkm_loaded_state state)
{
	if ((unsigned)state >= sizeof(state_names) / sizeof(state_names[0]))
		return NULL;
	return state_names[state];
}

static int parse_ulong(const char *s, int base, unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, base);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int parse_refcount(const char *s, struct lkm_loaded *m)
{
	char *end;
	long v;

	if (strcmp(s, "-") == 0)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	m->refcount = (int)v;
	m->has_refcount = true;
	return 0;
}

/* Split "a,b,[permanent]," in place; the array is sized by the caller. */
static int parse_used_by(char *s, struct lkm_loaded *m, const char **slots)
{
	char *save, *tok;

	m->used_by = slots;
	if (strcmp(s, "-") == 0)
		return 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "[permanent]") == 0)
			m->permanent = true;
		else if (strcmp(tok, "[unsafe]") == 0)
			m->unsafe = true;
		else if (tok[0] == '[' || strlen(tok) >= LKM_NAME_MAX)
			return -EINVAL;
		else
			slots[m->n_used_by++] = tok;
	}
	return 0;
}

static int parse_state(const char *s, enum lkm_loaded_state *out)
{
	unsigned i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_taints(char *s, struct lkm_loaded *m)
{
	size_t n = strlen(s);

	if (n < 3 || s[0] != '(' || s[n - 1] != ')')
		return -EINVAL;
	s[n - 1] = '\0';
	m->taints = s + 1;
	return 0;
}

/*
 * Parse one line, tokenizing it in place. @slots has room for every comma of the
 * line, so the used-by list cannot overflow it.
 */
static int parse_line(char *line, struct lkm_loaded *m, const char **slots)
{
	char *f[8], *save;
	unsigned long long v;
	size_t n = 0;
	char *tok;

	memset(m, 0, sizeof(*m));
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == 7)
			return -EINVAL;
		f[n++] = tok;
	}
	if (n < 6)
		return -EINVAL;
	if (strlen(f[0]) >= LKM_NAME_MAX)
		return -EINVAL;
	m->name = f[0];
	if (parse_ulong(f[1], 10, &v) < 0 || v > ULONG_MAX)
		return -EINVAL;
	m->size = (unsigned long)v;
	if (parse_refcount(f[2], m) < 0 || parse_used_by(f[3], m, slots) < 0 ||
	    parse_state(f[4], &m->state) < 0)
		return -EINVAL;
	if (strncmp(f[5], "0x", 2) != 0 || parse_ulong(f[5] + 2, 16, &v) < 0)
		return -EINVAL;
	m->address = v;
	if (n == 7 && parse_taints(f[6], m) < 0)
		return -EINVAL;
	return 0;
}

/*
 * Line by line over @len bytes of @text, tokenizing in place. A line holding a NUL
 * byte is junk like any line that does not parse: it is counted in ->skipped and the
 * lines after it are still read (a NUL must not hide the modules that follow).
 *
 * Both arrays grow with the lines that parse: the modules, and the used-by names of
 * all modules, one after the other in module order (a line has at most one more
 * used-by name than commas). Memory stays a small multiple of the text whatever its
 * shape: one huge line, or millions of empty or junk lines.
 */
static int parse_modules(struct lkm_loaded_list *out, char *text, size_t len)
{
	char *line = text, *end = text + len, *next;
	size_t lineno = 0, cap = 0, nslots = 0, slot_cap = 0, i;

	for (; line < end; line = next) {
		char *nl = memchr(line, '\n', (size_t)(end - line)), *c;
		size_t linelen = (size_t)((nl ? nl : end) - line), commas = 0;

		next = nl ? nl + 1 : end;
		line[linelen] = '\0'; /* the '\n', or the NUL lkm_read_file put after the text */
		lineno++;
		if (linelen == 0)
			continue;
		for (c = line; (c = memchr(c, ',', (size_t)(line + linelen - c))); c++)
			commas++;
		if (lkm_array_grow(&out->mods, &cap, out->count + 1,
				   sizeof(*out->mods), 16) < 0 ||
		    lkm_array_grow(&out->slots, &slot_cap, nslots + commas + 1,
				   sizeof(*out->slots), 16) < 0)
			return -ENOMEM;
		if (memchr(line, '\0', linelen) ||
		    parse_line(line, &out->mods[out->count], out->slots + nslots) < 0) {
			if (!out->skipped++)
				out->first_bad_line = lineno;
			continue;
		}
		nslots += out->mods[out->count++].n_used_by;
	}
	/* The slots array moved as it grew: point each list at its place now. */
	for (i = 0, nslots = 0; i < out->count; i++) {
		out->mods[i].used_by = out->slots + nslots;
		nslots += out->mods[i].n_used_by;
	}
	return 0;
}

void lkm_loaded_list_free(struct lkm_loaded_list *list)
{
	if (!list)
		return;
	free(list->mods);
	free(list->slots);
	free(list->text);
	free(list);
}

const struct lkm_loaded *lkm_loaded_list_get(const struct lkm_loaded_list *list, size_t *count)
{
	*count = list->count;
	return list->mods;
}

size_t lkm_loaded_list_get_skipped(const struct lkm_loaded_list *list, size_t *first_bad_line)
{
	*first_bad_line = list->first_bad_line;
	return list->skipped;
}

/* Parse @text (@len bytes, malloc'd, NUL-terminated), which the list then owns. */
static int loaded_list_new(char *text, size_t len, struct lkm_loaded_list **out)
{
	struct lkm_loaded_list *list = calloc(1, sizeof(*list));
	int r;

	*out = NULL;
	if (!list) {
		free(text);
		return -ENOMEM;
	}
	list->text = text;
	r = parse_modules(list, text, len);
	if (r < 0) {
		lkm_loaded_list_free(list);
		return r;
	}
	*out = list;
	return 0;
}

int lkm_kernel_parse_loaded(const char *text, size_t len, struct lkm_loaded_list **out)
{
	char *copy;

	*out = NULL;
	if (len > PROC_MODULES_MAX)
		return -EFBIG;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	return loaded_list_new(copy, len, out);
}

int lkm_kernel_get_loaded(struct lkm_ctx *ctx, struct lkm_loaded_list **out, struct lkm_err *err)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/modules", lkm_ctx_get_proc(ctx)) >= (int)sizeof(path))
		return lkm_err_set(err, -ENAMETOOLONG, "%s/modules: path too long",
				   lkm_ctx_get_proc(ctx));
	r = lkm_read_file(path, PROC_MODULES_MAX, &text, &len);
	if (r < 0)
		return lkm_err_set(err, r, "%s: %s", path, strerror(-r));
	r = loaded_list_new(text, len, out);
	if (r < 0)
		return lkm_err_set(err, r, "%s: %s", path, strerror(-r));
	return 0;
}

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

const struct lkm_loaded *lkm_loaded_list_find(const struct lkm_loaded_list *list,
					      const char *name)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (same_name(list->mods[i].name, name))
			return &list->mods[i];
	return NULL;
}

/* ---------------------------------------------------------------- /sys/module */

/* <sys>/module/<name>[/<attr>]; a name is one path component, never "." or "..". */
static int sys_path(struct lkm_ctx *ctx, char *buf, size_t size, const char *name,
		    const char *attr)
{
	int n;

	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	n = snprintf(buf, size, "%s/module/%s%s%s", lkm_ctx_get_sys(ctx), name,
		     attr ? "/" : "", attr ? attr : "");
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* A sysfs attribute with its trailing newline cut. */
static int read_attr(struct lkm_ctx *ctx, const char *name, const char *attr, char **out)
{
	char path[PATH_MAX];
	size_t len;
	int r;

	r = sys_path(ctx, path, sizeof(path), name, attr);
	if (r < 0)
		return r;
	r = lkm_read_file(path, SYS_ATTR_MAX, out, &len);
	if (r < 0)
		return r;
	while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
		(*out)[--len] = '\0';
	return 0;
}

static const char *const initstate_names[] = {
	[LKM_INITSTATE_BUILTIN] = "builtin",
	[LKM_INITSTATE_LIVE] = "live",
	[LKM_INITSTATE_COMING] = "coming",
	[LKM_INITSTATE_GOING] = "going",
};

const char *lkm_initstate_name(int state)
{
	if (state <= 0 || (size_t)state >= sizeof(initstate_names) / sizeof(initstate_names[0]))
		return NULL;
	return initstate_names[state];
}

/*
 * Every loadable module gets an initstate attribute; a built-in module only gets a
 * directory when it has parameters or a version, and never an initstate.
 */
int lkm_kernel_get_initstate(struct lkm_ctx *ctx, const char *name)
{
	char path[PATH_MAX], *word;
	struct stat st;
	int r, i;

	r = read_attr(ctx, name, "initstate", &word);
	if (r == -ENOENT) {
		r = sys_path(ctx, path, sizeof(path), name, NULL);
		if (r < 0)
			return r;
		if (stat(path, &st) < 0)
			return -errno;
		return S_ISDIR(st.st_mode) ? LKM_INITSTATE_BUILTIN : -ENOENT;
	}
	if (r < 0)
		return r;
	r = -EINVAL;
	for (i = LKM_INITSTATE_LIVE; i <= LKM_INITSTATE_GOING; i++)
		if (strcmp(word, initstate_names[i]) == 0)
			r = i;
	free(word);
	return r;
}

static int read_long_attr(struct lkm_ctx *ctx, const char *name, const char *attr, long *out)
{
	char *s, *end;
	int r;

	r = read_attr(ctx, name, attr, &s);
	if (r < 0)
		return r;
	errno = 0;
	*out = strtol(s, &end, 10);
	r = (errno || end == s || *end) ? -EINVAL : 0;
	free(s);
	return r;
}

int lkm_kernel_get_refcnt(struct lkm_ctx *ctx, const char *name, int *out)
{
	long v;
	int r;

	r = read_long_attr(ctx, name, "refcnt", &v);
	if (r < 0)
		return r;
	if (v < INT_MIN || v > INT_MAX)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

int lkm_kernel_get_coresize(struct lkm_ctx *ctx, const char *name, unsigned long *out)
{
	long v;
	int r;

	r = read_long_attr(ctx, name, "coresize", &v);
	if (r < 0)
		return r;
	if (v < 0)
		return -ERANGE;
	*out = (unsigned long)v;
	return 0;
}

void lkm_kernel_holders_free(char **holders)
{
	size_t i;

	if (!holders)
		return;
	for (i = 0; holders[i]; i++)
		free(holders[i]);
	free(holders);
}

static int push_name(char ***v, size_t *n, size_t *cap, const char *s)
{
	/* Room for the name and the NULL after it. */
	if (lkm_array_grow(v, cap, *n + 2, sizeof(**v), 8) < 0)
		return -ENOMEM;
	(*v)[*n] = strdup(s);
	if (!(*v)[*n])
		return -ENOMEM;
	(*v)[++*n] = NULL;
	return 0;
}

/*
 * Call @fn for each entry of <sys>/module/@name/@attr/ in readdir order, "." and ".."
 * left out. Return: 0, the directory's -errno (-ENOENT: absent), or @fn's first
 * negative return, which stops the walk.
 */
static int sys_dir_foreach(struct lkm_ctx *ctx, const char *name, const char *attr,
			   int (*fn)(void *data, const char *entry), void *data)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r;

	r = sys_path(ctx, path, sizeof(path), name, attr);
	if (r < 0)
		return r;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = fn(data, de->d_name);
		if (r < 0)
			break;
	}
	if (r >= 0 && errno)
		r = -errno;
	closedir(d);
	return r < 0 ? r : 0;
}

struct holders {
	char **v;
	size_t n, cap;
};

static int add_holder(void *data, const char *entry)
{
	struct holders *h = data;

	return push_name(&h->v, &h->n, &h->cap, entry);
}

int lkm_kernel_get_holders(struct lkm_ctx *ctx, const char *name, char ***out, size_t *count)
{
	struct holders h = { NULL, 0, 1 };
	int r;

	/* An empty list is an array holding only the NULL, never a NULL array. */
	h.v = calloc(h.cap, sizeof(char *));
	if (!h.v)
		return -ENOMEM;
	r = sys_dir_foreach(ctx, name, "holders", add_holder, &h);
	if (r < 0) {
		lkm_kernel_holders_free(h.v);
		return r;
	}
	*out = h.v;
	if (count)
		*count = h.n;
	return 0;
}

/* One section's address: the hex number the kernel writes ("0xffffffffc0a52000\n"). */
static int read_section(struct lkm_ctx *ctx, const char *name, const char *section,
			unsigned long long *address)
{
	char attr[PATH_MAX], *s, *end;
	int r;

	if (snprintf(attr, sizeof(attr), "sections/%s", section) >= (int)sizeof(attr))
		return -ENAMETOOLONG;
	r = read_attr(ctx, name, attr, &s);
	if (r < 0)
		return r;
	errno = 0;
	*address = strtoull(s, &end, 16);
	r = (errno || end == s || *end) ? -EINVAL : 0;
	free(s);
	return r;
}

void lkm_kernel_sections_free(struct lkm_section *sections, size_t count)
{
	size_t i;

	for (i = 0; sections && i < count; i++)
		free(sections[i].name);
	free(sections);
}

struct sections {
	struct lkm_ctx *ctx;
	const char *name;
	struct lkm_section *v;
	size_t n, cap;
};

static int add_section(void *data, const char *entry)
{
	struct sections *s = data;

	if (lkm_array_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v), 32) < 0)
		return -ENOMEM;
	s->v[s->n].name = strdup(entry);
	if (!s->v[s->n].name)
		return -ENOMEM;
	s->n++;
	return read_section(s->ctx, s->name, entry, &s->v[s->n - 1].address);
}

int lkm_kernel_get_sections(struct lkm_ctx *ctx, const char *name, struct lkm_section **out,
			    size_t *count)
{
	struct sections s = { ctx, name, NULL, 0, 0 };
	int r;

	*out = NULL;
	*count = 0;
	r = sys_dir_foreach(ctx, name, "sections", add_section, &s);
	if (r < 0) {
		lkm_kernel_sections_free(s.v, s.n);
		return r;
	}
	*out = s.v;
	*count = s.n;
	return 0;
}

enum lkm_compression lkm_kernel_get_compression(struct lkm_ctx *ctx)
{
	static const enum lkm_compression known[] = { LKM_COMP_GZIP, LKM_COMP_XZ, LKM_COMP_ZSTD };
	enum lkm_compression c = LKM_COMP_NONE;
	char path[PATH_MAX], *word;
	size_t i, len;

	if (snprintf(path, sizeof(path), "%s/module/compression", lkm_ctx_get_sys(ctx)) >=
	    (int)sizeof(path))
		return LKM_COMP_NONE;
	if (lkm_read_file(path, SYS_ATTR_MAX, &word, &len) < 0)
		return LKM_COMP_NONE;
	while (len > 0 && word[len - 1] == '\n')
		word[--len] = '\0';
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(word, lkm_compression_name(known[i])) == 0)
			c = known[i];
	free(word);
	return c;
}

/* ---------------------------------------------------------------- syscalls */

/* The kernel's flags for finit_module (include/uapi/linux/module.h). */
#define MODULE_INIT_IGNORE_MODVERSIONS 1
#define MODULE_INIT_IGNORE_VERMAGIC 2
#define MODULE_INIT_COMPRESSED_FILE 4

#ifndef SHF_ALLOC
#define SHF_ALLOC 0x2
#endif

/*
 * The context's syscalls follow the libc convention (-1 and errno). A fake may also
 * return -errno directly; both are accepted.
 */
static int syscall_result(long r, int saved_errno)
{
	if (r >= 0)
		return 0;
	if (r == -1)
		return saved_errno > 0 ? -saved_errno : -EIO;
	return r < -4095 ? -EIO : (int)r;
}

static int do_finit(struct lkm_ctx *ctx, int fd, const char *params, unsigned kflags)
{
	const struct lkm_syscalls *sc = lkm_ctx_get_syscalls(ctx);
	long r;

	if (!sc->finit_module)
		return -ENOSYS;
	errno = 0;
	r = sc->finit_module(fd, params, (int)kflags);
	return syscall_result(r, errno);
}

static int do_init(struct lkm_ctx *ctx, const void *image, size_t size, const char *params)
{
	const struct lkm_syscalls *sc = lkm_ctx_get_syscalls(ctx);
	long r;

	if (!sc->init_module)
		return -ENOSYS;
	errno = 0;
	r = sc->init_module(image, size, params);
	return syscall_result(r, errno);
}

/*
 * The kernel only looks at sections with SHF_ALLOC when it searches __versions, so
 * clearing that bit in the section header hides the CRCs. sh_flags sits at offset 8
 * in both Elf32_Shdr and Elf64_Shdr; SHF_ALLOC lives in its least significant byte.
 */
static int strip_versions(uint8_t *copy, const struct lkm_elf *elf)
{
	struct lkm_elf_section sec;
	size_t width = elf->is64 ? 8 : 4, off;

	if (lkm_elf_find_section(elf, "__versions", &sec) < 0)
		return 0;
	off = elf->shoff + (size_t)sec.index * elf->shentsize + 8;
	if (off + width > elf->size)
		return -ENOEXEC;
	copy[off + (elf->big_endian ? width - 1 : 0)] &= (uint8_t)~SHF_ALLOC;
	return 0;
}

/* Blank "vermagic=..." in .modinfo: the kernel then skips the check (and taints). */
static int strip_vermagic(uint8_t *copy, const struct lkm_elf *elf)
{
	static const char key[] = "vermagic=";
	struct lkm_elf_section sec;
	size_t i, len;

	if (lkm_elf_find_section(elf, ".modinfo", &sec) < 0 || !sec.data)
		return 0;
	for (i = 0; i < sec.size; i += len + 1) {
		const char *s = (const char *)sec.data + i;

		len = strnlen(s, sec.size - i);
		if (len >= sizeof(key) - 1 && memcmp(s, key, sizeof(key) - 1) == 0) {
			memset(copy + (sec.data - elf->data) + i, 0, len);
			return 0;
		}
	}
	return 0;
}

/*
 * A private copy of @image without the version checks the caller asked to skip:
 * init_module has no flags for that, so the image itself has to change.
 */
static int strip_image(const void *image, size_t size, unsigned flags, uint8_t **out,
		       struct lkm_err *err)
{
	struct lkm_elf elf;
	uint8_t *copy;
	int r;

	copy = malloc(size ? size : 1);
	if (!copy)
		return lkm_err_set(err, -ENOMEM, "no memory for a %zu-byte copy of the module",
				   size);
	memcpy(copy, image, size);
	r = lkm_elf_parse(copy, size, &elf, err);
	if (r < 0)
		goto fail;
	if (flags & LKM_LOAD_IGNORE_MODVERSIONS) {
		r = strip_versions(copy, &elf);
		if (r < 0) {
			lkm_err_set(err, r, "cannot strip __versions: bad section header");
			goto fail;
		}
	}
	if (flags & LKM_LOAD_IGNORE_VERMAGIC)
		strip_vermagic(copy, &elf);
	*out = copy;
	return 0;
fail:
	free(copy);
	return r;
}

int lkm_kernel_load_image(struct lkm_ctx *ctx, const void *image, size_t size,
			  const char *params, unsigned flags, struct lkm_err *err)
{
	uint8_t *copy = NULL;
	int r;

	if (flags & LKM_LOAD_FORCE) {
		r = strip_image(image, size, flags, &copy, err);
		if (r < 0)
			return r;
		image = copy;
	}
	if (err)
		err->why[0] = '\0';
	r = do_init(ctx, image, size, params ? params : "");
	free(copy);
	if (r < 0 && err)
		err->code = r;
	return r;
}

static enum lkm_compression file_compression(int fd)
{
	uint8_t magic[16];
	ssize_t n;

	do
		n = pread(fd, magic, sizeof(magic), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return LKM_COMP_NONE;
	return lkm_compression_detect(magic, (size_t)n);
}

/*
 * finit_module when the kernel can read the file itself, which it can do for a plain
 * file and for a compressed one in the format it announces in <sys>/module/compression.
 * -ENOSYS tells the caller to read the file and use init_module.
 */
static int try_finit(struct lkm_ctx *ctx, const char *path, const char *params,
		     unsigned flags, struct lkm_err *err)
{
	unsigned kflags = 0;
	enum lkm_compression c;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return lkm_err_set(err, r, "%s: %s", path, strerror(-r));
	}
	c = file_compression(fd);
	if (c != LKM_COMP_NONE && c != lkm_kernel_get_compression(ctx)) {
		r = -ENOSYS;
		goto out;
	}
	if (c != LKM_COMP_NONE)
		kflags |= MODULE_INIT_COMPRESSED_FILE;
	if (flags & LKM_LOAD_IGNORE_MODVERSIONS)
		kflags |= MODULE_INIT_IGNORE_MODVERSIONS;
	if (flags & LKM_LOAD_IGNORE_VERMAGIC)
		kflags |= MODULE_INIT_IGNORE_VERMAGIC;
	r = do_finit(ctx, fd, params, kflags);
out:
	close(fd);
	return r;
}

int lkm_kernel_load(struct lkm_ctx *ctx, const char *path, const char *params, unsigned flags,
		    struct lkm_err *err)
{
	struct lkm_file *f;
	int r;

	if (err)
		err->why[0] = '\0';
	if (!params)
		params = "";
	r = try_finit(ctx, path, params, flags, err);
	if (r != -ENOSYS)
		goto out;
	r = lkm_file_open(path, &f, err);
	if (r < 0)
		return r;
	r = lkm_kernel_load_image(ctx, f->data, f->size, params, flags, err);
	lkm_file_free(f);
out:
	if (r < 0 && err)
		err->code = r;
	return r;
}

int lkm_kernel_unload(struct lkm_ctx *ctx, const char *name, unsigned flags)
{
	const struct lkm_syscalls *sc = lkm_ctx_get_syscalls(ctx);
	unsigned kflags = O_NONBLOCK;
	long r;

	if (!sc->delete_module)
		return -ENOSYS;
	if (flags & LKM_UNLOAD_FORCE)
		kflags |= O_TRUNC;
	errno = 0;
	r = sc->delete_module(name, kflags);
	return syscall_result(r, errno);
}
