// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Errors that explain themselves. kmod reports a refused load with one errno string
 * ("Invalid module format") and leaves the reader to dig through dmesg. Here a failure
 * is explained from everything there is to look at: the kernel's log records of that
 * very attempt (read from /dev/kmsg from just before the syscall), the module's ELF
 * contents, <proc>/kallsyms, <proc>/modules, <sys>/module and the indexes.
 *
 * Nothing here prints: a struct lkm_diagnosis holds one sentence and detail lines, and
 * the tool decides where they go.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lkm.h"

/* ------------------------------------------------------------------ kernel log */

int lkm_kmsg_parse(const char *rec, size_t len, struct lkm_kmsg_record *out)
{
	unsigned long long prio, seq, usec;
	const char *semi = memchr(rec, ';', len);
	char head[96];
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (!semi || (size_t)(semi - rec) >= sizeof(head))
		return -EINVAL;
	memcpy(head, rec, (size_t)(semi - rec));
	head[semi - rec] = '\0';
	if (sscanf(head, "%llu,%llu,%llu,%n", &prio, &seq, &usec, &n) != 3 || n == 0)
		return -EINVAL;
	len -= (size_t)(semi + 1 - rec);
	while (len > 0 && semi[len] == '\n')
		len--;
	out->text = strndup(semi + 1, len);
	if (!out->text)
		return -ENOMEM;
	out->level = (int)(prio & 7);
	out->seq = seq;
	out->usec = usec;
	return 0;
}

int lkm_kmsg_begin(struct lkm_ctx *ctx, struct lkm_kmsg_capture *cap)
{
	int fd, r;

	cap->fd = -1;
	fd = open(lkm_ctx_get_kmsg(ctx), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* For /dev/kmsg SEEK_END means "after the newest record"; for a file, its end. */
	if (lseek(fd, 0, SEEK_END) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	cap->fd = fd;
	return 0;
}

void lkm_kmsg_log_release(struct lkm_kmsg_log *log)
{
	size_t i;

	for (i = 0; i < log->count; i++)
		free(log->recs[i].text);
	free(log->recs);
	log->recs = NULL;
	log->count = 0;
}

static int log_push(struct lkm_kmsg_log *log, const char *line, size_t len)
{
	struct lkm_kmsg_record rec, *v;

	/* Continuation lines (" KEY=value") and anything unparsable are skipped. */
	if (lkm_kmsg_parse(line, len, &rec) < 0)
		return 0;
	if (log->count == LKM_KMSG_MAX_RECORDS) {
		free(log->recs[0].text);
		memmove(log->recs, log->recs + 1, (log->count - 1) * sizeof(*log->recs));
		log->count--;
	}
	if (!log->recs) {
		log->recs = calloc(LKM_KMSG_MAX_RECORDS, sizeof(*log->recs));
		if (!log->recs) {
			free(rec.text);
			return -ENOMEM;
		}
	}
	v = log->recs;
	v[log->count++] = rec;
	return 0;
}

/*
 * /dev/kmsg gives one record per read (and EPIPE when records were overwritten); a
 * regular file (the tests' fake log) gives many lines per read. Both are split at
 * newlines, and a line cut by the buffer end is carried over.
 */
int lkm_kmsg_end(struct lkm_kmsg_capture *cap, struct lkm_kmsg_log *out)
{
	char buf[8192 + 1];
	size_t have = 0, total = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (cap->fd < 0)
		return 0;
	while (total < ((size_t)4 << 20)) {
		ssize_t n = read(cap->fd, buf + have, sizeof(buf) - 1 - have);
		char *p, *nl;

		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
		have += (size_t)n;
		p = buf;
		while ((nl = memchr(p, '\n', have - (size_t)(p - buf)))) {
			r = log_push(out, p, (size_t)(nl - p));
			if (r < 0)
				goto out;
			p = nl + 1;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
		if (have == sizeof(buf) - 1) {
			/* A record longer than the buffer is the kernel's; keep its start. */
			r = log_push(out, buf, have);
			have = 0;
			if (r < 0)
				goto out;
		}
	}
	if (have > 0)
		r = log_push(out, buf, have);
out:
	close(cap->fd);
	cap->fd = -1;
	if (r < 0)
		lkm_kmsg_log_release(out);
	return r;
}

/* ------------------------------------------------------------------ wording helpers */

void lkm_diagnosis_release(struct lkm_diagnosis *d)
{
	lkm_buf_free(&d->first);
	lkm_buf_free(&d->detail);
	memset(d, 0, sizeof(*d));
}

static int first(struct lkm_diagnosis *d, const char *fmt, ...) LKM_PRINTF(2, 3);
static int line(struct lkm_diagnosis *d, const char *fmt, ...) LKM_PRINTF(2, 3);

static int first(struct lkm_diagnosis *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->first.len = 0;
	return lkm_buf_puts(&d->first, msg);
}

static int line(struct lkm_diagnosis *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lkm_buf_printf(&d->detail, "%s\n", msg);
}

const char *lkm_diagnose_load_reason(int errnum)
{
	switch (errnum) {
	case ENOEXEC:
		return "Invalid module format";
	case ENOENT:
		return "Unknown symbol in module";
	case ESRCH:
		return "Module has wrong symbol version";
	case EINVAL:
		return "Invalid parameters";
	default:
		return strerror(errnum);
	}
}

const char *lkm_diagnose_errno_name(int errnum)
{
	static const struct {
		int num;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
		{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
		{ ENODATA, "ENODATA" }, { ETIMEDOUT, "ETIMEDOUT" }, { EBADMSG, "EBADMSG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENOKEY, "ENOKEY" }, { EKEYREJECTED, "EKEYREJECTED" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == errnum)
			return names[i].name;
	return NULL;
}

/*
 * The log records that matter for @name: those naming it, and the loader's own that
 * name no module. Stack dumps (records starting with a space) and the once-per-boot
 * taint notice are noise here.
 */
static bool record_relevant(const char *text, const char *name)
{
	static const char *const general[] = {
		"Loading of unsigned module", "Lockdown:", "No module found", "this_module",
		"version magic", "disagrees about version", "Unknown symbol", "Invalid ELF",
		"Invalid architecture", "signature", "Module len", "suspiciously returned",
	};
	size_t i;

	if (text[0] == ' ' || strstr(text, "required key missing - tainting kernel"))
		return false;
	if (name && *name && strstr(text, name))
		return true;
	for (i = 0; i < sizeof(general) / sizeof(general[0]); i++)
		if (strstr(text, general[i]))
			return true;
	return false;
}

/* One record as "kernel: " lines: the kernel escapes a newline inside it as \x0a. */
static int quote_record(struct lkm_diagnosis *d, const char *text)
{
	const char *nl;
	int r = 0;

	while (r == 0 && (nl = strstr(text, "\\x0a"))) {
		r = line(d, "kernel: %.*s", (int)(nl - text), text);
		text = nl + 4;
	}
	return r ? r : line(d, "kernel: %s", text);
}

static int quote_log(struct lkm_diagnosis *d, const struct lkm_kmsg_log *log, const char *name)
{
	size_t i, shown = 0;
	int r = 0;

	if (!log)
		return 0;
	for (i = 0; i < log->count && r == 0 && shown < 12; i++) {
		if (!record_relevant(log->recs[i].text, name))
			continue;
		r = quote_record(d, log->recs[i].text);
		shown++;
	}
	return r;
}

/* The first record holding @needle (and @name when given), or NULL. */
static const char *log_find(const struct lkm_kmsg_log *log, const char *needle, const char *name)
{
	size_t i;

	if (!log)
		return NULL;
	for (i = 0; i < log->count; i++) {
		const char *t = log->recs[i].text;

		if (strstr(t, needle) && (!name || strstr(t, name)))
			return t;
	}
	return NULL;
}

/* Read a small file under a ctx root; NULL when absent. Trailing newline cut. */
static char *read_small(const char *root, const char *rel)
{
	char path[4096], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lkm_read_file(path, 1 << 16, &text, &len) < 0)
		return NULL;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	return text;
}

/* ------------------------------------------------------------------ the module file */

/* What one module file holds, as far as it could be read. */
struct modfile {
	struct lkm_file *file;
	struct lkm_elf elf;
	bool elf_ok;
	int open_error;
	struct lkm_err err;     /* why the file or its ELF could not be read */
	char name[LKM_NAME_MAX];
	const char *vermagic;   /* into the image, or NULL */
	bool has_modinfo, has_this_module;
};

static void modfile_close(struct modfile *m)
{
	lkm_file_free(m->file);
	m->file = NULL;
}

static void modfile_open(struct modfile *m, const char *path, const char *name)
{
	struct lkm_elf_section sec;
	const char **info = NULL;
	size_t n = 0, i;

	memset(m, 0, sizeof(*m));
	if (name)
		snprintf(m->name, sizeof(m->name), "%s", name);
	else if (path && lkm_name_from_path(m->name, sizeof(m->name), path) < 0)
		m->name[0] = '\0';
	if (!path)
		return;
	m->open_error = lkm_file_open(path, &m->file, &m->err);
	if (m->open_error < 0)
		return;
	if (lkm_elf_parse(m->file->data, m->file->size, &m->elf, &m->err) < 0)
		return;
	m->elf_ok = true;
	m->has_modinfo = lkm_elf_find_section(&m->elf, ".modinfo", &sec) == 0;
	m->has_this_module = lkm_elf_find_section(&m->elf, ".gnu.linkonce.this_module",
						  &sec) == 0;
	if (!name && m->has_this_module) {
		char own[LKM_NAME_MAX];

		if (lkm_elf_get_this_module_name(&m->elf, own, sizeof(own)) == 0 && own[0])
			snprintf(m->name, sizeof(m->name), "%s", own);
	}
	if (lkm_elf_get_modinfo(&m->elf, &info, &n, NULL) == 0) {
		for (i = 0; i < n; i++)
			if (strncmp(info[i], "vermagic=", 9) == 0)
				m->vermagic = info[i] + 9;
		free(info);
	}
}

/* The ELF machine of the running kernel, from uname(2); 0 when unknown. */
static uint16_t host_machine(void)
{
	static const struct {
		const char *prefix;
		uint16_t em;
	} map[] = {
		{ "x86_64", 62 }, { "i686", 3 }, { "i586", 3 }, { "i486", 3 }, { "i386", 3 },
		{ "aarch64", 183 }, { "arm", 40 }, { "ppc64", 21 }, { "ppc", 20 },
		{ "s390", 22 }, { "riscv", 243 }, { "mips", 8 }, { "loongarch", 258 },
		{ "sparc64", 43 }, { "sparc", 2 }, { "alpha", 0x9026 }, { "parisc", 15 },
	};
	struct utsname u;
	size_t i;

	if (uname(&u) < 0)
		return 0;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(u.machine, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].em;
	return 0;
}

static const char *machine_words(uint16_t em, char *buf, size_t size)
{
	const char *n = lkm_elf_machine_name(em);

	if (n)
		snprintf(buf, size, "%s (e_machine %u)", n, em);
	else
		snprintf(buf, size, "an unknown machine (e_machine %u)", em);
	return buf;
}

/* The release word of a vermagic string ("6.1.0-56-amd64 SMP ..." gives its length). */
static size_t release_len(const char *vermagic)
{
	return strcspn(vermagic, " ");
}

/*
 * The running kernel's whole vermagic, which no file in /proc or /sys shows: every
 * module built with the kernel carries it, so take it from one in modules.dep.
 */
static bool kernel_vermagic(struct lkm_ctx *ctx, char *buf, size_t size)
{
	char path[4096], *text, *p;
	size_t len;
	int tries = 0;
	bool found = false;

	snprintf(path, sizeof(path), "%s/modules.dep", lkm_ctx_get_dirname(ctx));
	if (lkm_read_file(path, (size_t)64 << 20, &text, &len) < 0)
		return false;
	for (p = text; p && *p && !found && tries < 5; tries++) {
		char *colon = strchr(p, ':'), *eol = strchr(p, '\n');
		struct modfile ref;

		if (!colon)
			break;
		*colon = '\0';
		if (*p == '/')
			snprintf(path, sizeof(path), "%s", p);
		else
			snprintf(path, sizeof(path), "%s/%s", lkm_ctx_get_dirname(ctx), p);
		modfile_open(&ref, path, NULL);
		if (ref.vermagic) {
			snprintf(buf, size, "%s", ref.vermagic);
			found = true;
		}
		modfile_close(&ref);
		p = eol ? eol + 1 : NULL;
	}
	free(text);
	return found;
}

static bool has_versions(const struct modfile *m)
{
	struct lkm_elf_section sec;

	return lkm_elf_find_section(&m->elf, "__versions", &sec) == 0;
}

/*
 * The kernel's vermagic check: the whole string, except that with modversions the
 * release before the first space is skipped (the CRCs say more than it does).
 */
static int vermagic_problem(struct lkm_ctx *ctx, const struct modfile *m, const char *prefix,
			    struct lkm_diagnosis *d)
{
	const char *kver = lkm_ctx_get_kver(ctx), *a, *b;
	char kmagic[512];
	int r;

	if (!m->vermagic)
		return 0;
	if (kernel_vermagic(ctx, kmagic, sizeof(kmagic))) {
		a = m->vermagic;
		b = kmagic;
		if (has_versions(m)) {
			a += release_len(a);
			b += release_len(b);
		}
		if (strcmp(a, b) == 0)
			return 0;
		r = first(d, "%s%s was built for another kernel: version magic '%s' does not match "
			  "the kernel's '%s'", prefix, m->name, m->vermagic, kmagic);
		if (r == 0)
			r = line(d, "module: %s", m->vermagic);
		if (r == 0)
			r = line(d, "kernel: %s (from the modules of %s)", kmagic, kver);
		return r < 0 ? r : 1;
	}
	if (!kver || (release_len(m->vermagic) == strlen(kver) &&
		      strncmp(m->vermagic, kver, strlen(kver)) == 0))
		return 0;
	r = first(d, "%s%s was built for kernel %.*s, but the running kernel is %s", prefix,
		  m->name, (int)release_len(m->vermagic), m->vermagic, kver);
	if (r == 0)
		r = line(d, "module vermagic: %s", m->vermagic);
	if (r == 0)
		r = line(d, "kernel release:  %s", kver);
	if (r == 0)
		r = line(d, "install the %s build of the module (or rebuild it against this "
			 "kernel's headers)", kver);
	return r < 0 ? r : 1;
}

/*
 * The format checks the kernel makes before anything else, in its order. Returns 1
 * and words @d when one fails (first sentence after @prefix), 0 when all hold.
 */
static int format_problem(struct lkm_ctx *ctx, const struct modfile *m, const char *prefix,
			  struct lkm_diagnosis *d)
{
	uint16_t host = host_machine();
	char a[64], b[64];
	int r;

	if (!m->file)
		return 0;
	if (!m->elf_ok) {
		r = first(d, "%s%s is %s", prefix, m->file->path, m->err.why);
		return r < 0 ? r : 1;
	}
	if (host && m->elf.machine != host) {
		r = first(d, "%s%s was built for another architecture: %s, but this kernel runs on %s",
			  prefix, m->name, machine_words(m->elf.machine, a, sizeof(a)),
			  machine_words(host, b, sizeof(b)));
		return r < 0 ? r : 1;
	}
	if (!m->has_modinfo || !m->has_this_module) {
		r = first(d, "%s%s was built for linking into the kernel, not as a module", prefix,
			  m->file->path);
		if (r == 0)
			r = line(d, "it has no %s section, which every loadable module has",
				 !m->has_this_module ? ".gnu.linkonce.this_module" : ".modinfo");
		if (r == 0)
			r = line(d, "build it with obj-m in a Kbuild file to get a .ko");
		return r < 0 ? r : 1;
	}
	return vermagic_problem(ctx, m, prefix, d);
}

/* ------------------------------------------------------------------ symbols */

struct need {
	const char *name;
	bool found;
};

static int cmp_need(const void *a, const void *b)
{
	return strcmp(((const struct need *)a)->name, ((const struct need *)b)->name);
}

/*
 * Mark each needed symbol that <proc>/kallsyms lists: vmlinux and every loaded
 * module's symbols are there. One pass over the file, a binary search per line.
 */
static int mark_kallsyms(struct lkm_ctx *ctx, struct need *needs, size_t n)
{
	char path[4096], *text, *p;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/kallsyms", lkm_ctx_get_proc(ctx));
	r = lkm_read_file(path, (size_t)256 << 20, &text, &len);
	if (r < 0)
		return r;
	qsort(needs, n, sizeof(*needs), cmp_need);
	for (p = text; p && *p;) {
		char *eol = strchr(p, '\n'), *sym, *end;
		struct need key, *hit;

		if (eol)
			*eol = '\0';
		/* "ffffffff81000000 T name\t[mod]" */
		sym = strchr(p, ' ');
		sym = sym ? strchr(sym + 1, ' ') : NULL;
		if (sym) {
			sym++;
			end = sym + strcspn(sym, " \t");
			*end = '\0';
			key.name = strncmp(sym, "__ksymtab_", 10) == 0 ? sym + 10 : sym;
			hit = bsearch(&key, needs, n, sizeof(*needs), cmp_need);
			if (hit)
				hit->found = true;
		}
		p = eol ? eol + 1 : NULL;
	}
	free(text);
	return 0;
}

/* The module that exports @sym according to modules.symbols.bin, copied to @owner. */
static bool symbol_owner(struct lkm_ctx *ctx, const char *sym, char *owner, size_t size)
{
	struct lkm_index *idx;
	const char *value;
	char key[LKM_NAME_MAX + 16];

	if (lkm_ctx_get_index(ctx, LKM_INDEX_SYMBOLS, &idx, NULL) < 0)
		return false;
	snprintf(key, sizeof(key), "symbol:%s", sym);
	if (lkm_index_lookup_first(idx, key, &value, NULL) != 1)
		return false;
	snprintf(owner, size, "%s", value);
	return true;
}

/* One line per missing symbol: who exports it, and whether that module is loaded. */
static int explain_symbol(struct lkm_ctx *ctx, const struct lkm_loaded_list *loaded,
			  const char *sym, struct lkm_diagnosis *d, bool *any_owner)
{
	char owner[LKM_NAME_MAX];

	if (!symbol_owner(ctx, sym, owner, sizeof(owner)))
		return line(d, "%s: no module in %s/%s exports it", sym, lkm_ctx_get_dirname(ctx),
			    lkm_index_kind_filename(LKM_INDEX_SYMBOLS));
	*any_owner = true;
	if (loaded && lkm_loaded_list_find(loaded, owner))
		return line(d, "%s: exported by %s, which is loaded (its version of the symbol "
			    "may differ)", sym, owner);
	return line(d, "%s: exported by %s, which is not loaded", sym, owner);
}

/* The symbols the log names ("NAME: Unknown symbol SYM (err -2)"), space-separated. */
static int log_unknown_symbols(const struct lkm_kmsg_log *log, const char *name,
			       struct lkm_buf *syms)
{
	size_t i;
	int r = 0;

	if (!log)
		return 0;
	for (i = 0; i < log->count && r == 0; i++) {
		const char *t = log->recs[i].text, *s = strstr(t, ": Unknown symbol ");

		if (!s || (name && strncmp(t, name, strlen(name)) != 0))
			continue;
		s += strlen(": Unknown symbol ");
		r = lkm_buf_printf(syms, "%.*s ", (int)strcspn(s, " "), s);
	}
	return r;
}

/* Needed symbols that nothing provides; from the file, against kallsyms. */
static int missing_symbols(struct lkm_ctx *ctx, const struct modfile *m, struct lkm_buf *syms)
{
	struct lkm_elf_import *imp = NULL;
	struct need *needs = NULL;
	size_t n = 0, i, k = 0;
	int r;

	if (!m->elf_ok)
		return -ENOEXEC;
	r = lkm_elf_get_imports(&m->elf, &imp, &n, NULL);
	if (r < 0)
		return r;
	needs = calloc(n ? n : 1, sizeof(*needs));
	if (!needs) {
		free(imp);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (imp[i].bind != LKM_BIND_WEAK)
			needs[k++].name = imp[i].name;
	r = mark_kallsyms(ctx, needs, k);
	for (i = 0; r == 0 && i < k; i++)
		if (!needs[i].found)
			r = lkm_buf_printf(syms, "%s ", needs[i].name);
	free(needs);
	free(imp);
	return r;
}

static int diag_unknown_symbol(struct lkm_ctx *ctx, const struct modfile *m,
			       const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	struct lkm_loaded_list loaded = { 0 };
	struct lkm_buf syms = { 0 };
	bool have_loaded = false, any_owner = false;
	size_t count = 0;
	char *s, *save = NULL;
	int r;

	r = log_unknown_symbols(in->log, m->name, &syms);
	if (r == 0 && syms.len == 0 && missing_symbols(ctx, m, &syms) == -ENOMEM)
		r = -ENOMEM;
	if (r < 0)
		goto out;
	have_loaded = lkm_kernel_get_loaded(ctx, &loaded, NULL) == 0;
	for (s = syms.data; s && *s; s++)
		count += *s == ' ';
	if (count == 0) {
		r = first(d, "%s needs a symbol that neither the kernel nor a loaded module "
			  "exports (Unknown symbol in module)", m->name);
		goto log;
	}
	syms.data[syms.len - 1] = '\0';
	r = first(d, "%s needs %s that neither the kernel nor a loaded module exports: %s",
		  m->name, count == 1 ? "a symbol" : "symbols", syms.data);
	for (s = strtok_r(syms.data, " ", &save); s && r == 0; s = strtok_r(NULL, " ", &save))
		r = explain_symbol(ctx, have_loaded ? &loaded : NULL, s, d, &any_owner);
	if (r == 0 && any_owner)
		r = line(d, "load it with `modprobe %s`, which loads the modules it needs first, "
			 "instead of insmod", m->name);
log:
	if (r == 0)
		r = quote_log(d, in->log, m->name);
out:
	if (have_loaded)
		lkm_loaded_list_release(&loaded);
	lkm_buf_free(&syms);
	return r;
}

/* ------------------------------------------------------------------ format errors */

/* "'…' should be '…'" from "NAME: version magic 'A' should be 'B'". */
static int diag_vermagic_log(const struct modfile *m, const char *rec, struct lkm_diagnosis *d)
{
	const char *a = strchr(rec, '\''), *a_end, *b, *b_end;
	int r;

	a_end = a ? strchr(a + 1, '\'') : NULL;
	b = a_end ? strchr(a_end + 1, '\'') : NULL;
	b_end = b ? strchr(b + 1, '\'') : NULL;
	if (!b_end)
		return first(d, "%s was built for another kernel: its version magic does not "
			     "match", m->name);
	r = first(d, "%s was built for another kernel: version magic '%.*s' does not match "
		  "the kernel's '%.*s'", m->name, (int)(a_end - a - 1), a + 1,
		  (int)(b_end - b - 1), b + 1);
	if (r == 0)
		r = line(d, "module: %.*s", (int)(a_end - a - 1), a + 1);
	if (r == 0)
		r = line(d, "kernel: %.*s", (int)(b_end - b - 1), b + 1);
	if (r == 0)
		r = line(d, "install the module built for this kernel, or rebuild it against "
			 "its headers (--force-vermagic skips the check and taints the kernel)");
	return r;
}

static int diag_crc_log(const struct modfile *m, const struct lkm_kmsg_log *log,
			struct lkm_diagnosis *d)
{
	struct lkm_buf syms = { 0 };
	size_t i;
	int r = 0;

	for (i = 0; i < log->count && r == 0; i++) {
		const char *s = strstr(log->recs[i].text, "disagrees about version of symbol ");

		if (s)
			r = lkm_buf_printf(&syms, "%s%s", syms.len ? ", " : "",
					   s + strlen("disagrees about version of symbol "));
	}
	if (r == 0)
		r = first(d, "%s was built against other kernel sources: the kernel disagrees "
			  "about the version (CRC) of %s", m->name, syms.data);
	if (r == 0)
		r = line(d, "the module's __versions CRC of that symbol differs from the one the "
			 "running kernel exports (modversions)");
	if (r == 0)
		r = line(d, "rebuild the module against this kernel's headers and Module.symvers "
			 "(--force-modversion skips the check and taints the kernel)");
	lkm_buf_free(&syms);
	return r;
}

static int diag_format(struct lkm_ctx *ctx, const struct modfile *m,
		       const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	const char *rec;
	int r;

	rec = log_find(in->log, "version magic", NULL);
	if (rec)
		r = diag_vermagic_log(m, rec, d);
	else if (log_find(in->log, "disagrees about version of symbol", NULL))
		r = diag_crc_log(m, in->log, d);
	else {
		r = format_problem(ctx, m, "", d);
		if (r == 0)
			r = first(d, "%s: the kernel refused its format (Invalid module format)",
				  m->name);
		else if (r > 0)
			r = 0;
	}
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

/* ------------------------------------------------------------------ policy */

/* Whether this process may load modules: CapEff bit 16 of <proc>/self/status. */
static int cap_sys_module(struct lkm_ctx *ctx)
{
	char *status = read_small(lkm_ctx_get_proc(ctx), "self/status"), *p;
	unsigned long long caps;
	int r = -ENOENT;

	if (!status)
		return r;
	p = strstr(status, "\nCapEff:");
	if (p && sscanf(p + 8, "%llx", &caps) == 1)
		r = (caps >> 16) & 1;
	free(status);
	return r;
}

/* "integrity" or "confidentiality" when the kernel is locked down; NULL otherwise. */
static const char *lockdown_mode(struct lkm_ctx *ctx)
{
	char *text = read_small(lkm_ctx_get_sys(ctx), "kernel/security/lockdown");
	const char *mode = NULL;

	if (text && strstr(text, "[integrity]"))
		mode = "integrity";
	else if (text && strstr(text, "[confidentiality]"))
		mode = "confidentiality";
	free(text);
	return mode;
}

static bool flag_file(const char *root, const char *rel, const char *yes)
{
	char *text = read_small(root, rel);
	bool on = text && strcmp(text, yes) == 0;

	free(text);
	return on;
}

static bool modules_disabled(struct lkm_ctx *ctx)
{
	return flag_file(lkm_ctx_get_proc(ctx), "sys/kernel/modules_disabled", "1");
}

static bool sig_enforced(struct lkm_ctx *ctx)
{
	return flag_file(lkm_ctx_get_sys(ctx), "module/module/parameters/sig_enforce", "Y");
}

static bool module_support(struct lkm_ctx *ctx)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/modules", lkm_ctx_get_proc(ctx));
	return access(path, F_OK) == 0;
}

static bool sys_has_modules(struct lkm_ctx *ctx)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/module", lkm_ctx_get_sys(ctx));
	return access(path, F_OK) == 0;
}

/* The signer and key of the module file, as detail lines. */
static int signature_lines(const struct modfile *m, struct lkm_diagnosis *d, bool *signed_out)
{
	struct lkm_signature sig = { 0 };
	struct lkm_buf key = { 0 };
	int r;

	*signed_out = false;
	if (!m->file)
		return 0;
	r = lkm_signature_parse(m->file->data, m->file->size, &sig, NULL);
	if (r == -ENODATA)
		return line(d, "%s carries no signature", m->file->path);
	if (r < 0)
		return line(d, "%s carries a signature that does not decode", m->file->path);
	*signed_out = true;
	r = lkm_hex_format(&key, sig.key_id, sig.key_id_len, 0);
	if (r == 0)
		r = line(d, "%s is signed by \"%s\" with key %s (%s)", m->file->path,
			 sig.signer[0] ? sig.signer : "(unknown signer)",
			 key.len ? key.data : "(unknown)", sig.hash_algo);
	lkm_buf_free(&key);
	lkm_signature_release(&sig);
	return r;
}

static int diag_signature(struct lkm_ctx *ctx, const struct modfile *m,
			  const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	bool is_signed, unsigned_rejected;
	int r;

	unsigned_rejected = log_find(in->log, "Loading of unsigned module is rejected", NULL);
	if (unsigned_rejected || (m->file && lkm_signature_strip(m->file->data, m->file->size) ==
					      m->file->size))
		r = first(d, "%s is not signed, and this kernel only loads signed modules",
			  m->name);
	else if (-in->error == ENOKEY)
		r = first(d, "%s is signed with a key the kernel does not have", m->name);
	else if (-in->error == EBADMSG)
		r = first(d, "%s carries a malformed signature", m->name);
	else
		r = first(d, "the kernel rejected the signature of %s (the module was changed "
			  "after signing, or its key is not trusted)", m->name);
	if (r == 0)
		r = signature_lines(m, d, &is_signed);
	if (r == 0)
		r = line(d, "signatures are %s (%s/module/module/parameters/sig_enforce); a "
			 "signature that is present must verify either way",
			 sig_enforced(ctx) ? "required" : "not required", lkm_ctx_get_sys(ctx));
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

/* EPERM: not root, no CAP_SYS_MODULE, modules_disabled, lockdown. */
static int diag_permission(struct lkm_ctx *ctx, const struct modfile *m,
			   const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	const char *mode = lockdown_mode(ctx);
	int cap = cap_sys_module(ctx), r;

	if (cap == 0)
		r = first(d, "loading %s needs root: this process lacks CAP_SYS_MODULE%s", m->name,
			  geteuid() != 0 ? " (it does not run as root)" : "");
	else if (modules_disabled(ctx))
		r = first(d, "module loading is disabled on this system: %s/sys/kernel/"
			  "modules_disabled is 1, and only a reboot turns it back on",
			  lkm_ctx_get_proc(ctx));
	else if (mode || log_find(in->log, "Lockdown", NULL))
		r = first(d, "the kernel is locked down (%s) and refused %s: under lockdown only "
			  "modules signed with a trusted key load", mode ? mode : "lockdown",
			  m->name);
	else
		r = first(d, "the kernel did not permit loading %s (Operation not permitted)",
			  m->name);
	if (r == 0 && (mode || log_find(in->log, "Lockdown", NULL))) {
		bool is_signed;

		r = signature_lines(m, d, &is_signed);
	}
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

/* ------------------------------------------------------------------ other load errors */

static int diag_exists(struct lkm_ctx *ctx, const struct modfile *m, struct lkm_diagnosis *d)
{
	int state = lkm_kernel_get_initstate(ctx, m->name), r;

	switch (state) {
	case LKM_INITSTATE_BUILTIN:
		return first(d, "%s is built into the kernel: there is nothing to load", m->name);
	case LKM_INITSTATE_COMING:
		r = first(d, "%s already exists in the kernel: it is being loaded (state: "
			  "coming) and its init function is still running", m->name);
		return r < 0 ? r : line(d, "wait for it; a stuck init shows in the kernel log");
	case LKM_INITSTATE_GOING:
		r = first(d, "%s already exists in the kernel: it is being removed (state: going)",
			  m->name);
		return r < 0 ? r : line(d, "try again once it is gone");
	default:
		r = first(d, "%s already exists in the kernel: it is loaded (state: live)",
			  m->name);
		return r < 0 ? r : line(d, "remove it first (rmmod %s) to load it again", m->name);
	}
}

/* A positive errno the kernel's loader itself does not produce: it came from init. */
static bool loader_errno(int e)
{
	switch (e) {
	case ENOEXEC: case ENOENT: case EEXIST: case EPERM: case EKEYREJECTED: case ENOKEY:
	case EBADMSG: case ENOSYS: case ENOMEM: case EFAULT: case EBUSY: case EINVAL:
	case ETXTBSY: case EFBIG: case EOVERFLOW:
		return true;
	default:
		return false;
	}
}

static int diag_init_failed(const struct modfile *m, const struct lkm_diag_load *in,
			    struct lkm_diagnosis *d)
{
	int e = -in->error, r;
	const char *name = lkm_diagnose_errno_name(e);
	char num[24];

	if (!name) {
		snprintf(num, sizeof(num), "error %d", e);
		name = num;
	}
	r = first(d, "%s was accepted, but its init function failed with %s (%s)", m->name,
		  name, strerror(e));
	if (r == 0)
		r = line(d, "the module is not loaded; the reason is the module's own: its "
			 "messages from this attempt follow, if it logged any");
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

static int diag_other(const struct modfile *m, const struct lkm_diag_load *in,
		      struct lkm_diagnosis *d)
{
	const char *param = log_find(in->log, "Unknown parameter", m->name);
	int e = -in->error, r;

	if (e == EINVAL && param)
		r = first(d, "%s does not take a parameter that was given to it", m->name);
	else
		r = first(d, "the kernel refused %s: %s (%s)", m->name, strerror(e),
			  lkm_diagnose_errno_name(e) ? lkm_diagnose_errno_name(e) : "?");
	if (r == 0 && param)
		r = line(d, "see `modinfo -p %s` for the parameters it takes", m->name);
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

int lkm_diagnose_load(struct lkm_ctx *ctx, const struct lkm_diag_load *in,
		      struct lkm_diagnosis *out)
{
	struct modfile m;
	int e = -in->error, r;

	memset(out, 0, sizeof(*out));
	out->code = in->error;
	modfile_open(&m, in->path, in->name);
	if (!m.name[0])
		snprintf(m.name, sizeof(m.name), "the module");
	if (e == ENOSYS && !module_support(ctx))
		r = first(out, "this kernel was built without module support (no %s/modules): "
			  "%s cannot be loaded", lkm_ctx_get_proc(ctx), m.name);
	else if (e == ENOENT)
		r = diag_unknown_symbol(ctx, &m, in, out);
	else if (e == ENOEXEC)
		r = diag_format(ctx, &m, in, out);
	else if (e == EINVAL && log_find(in->log, "disagrees about version of symbol", NULL))
		r = diag_crc_log(&m, in->log, out);
	else if (e == EINVAL && log_find(in->log, "Unknown symbol", m.name))
		r = diag_unknown_symbol(ctx, &m, in, out);
	else if (e == EEXIST)
		r = diag_exists(ctx, &m, out);
	else if (e == EPERM || e == EACCES)
		r = diag_permission(ctx, &m, in, out);
	else if (e == EKEYREJECTED || e == ENOKEY || e == EBADMSG)
		r = diag_signature(ctx, &m, in, out);
	else if (!loader_errno(e))
		r = diag_init_failed(&m, in, out);
	else
		r = diag_other(&m, in, out);
	modfile_close(&m);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r < 0 ? r : 0;
}

int lkm_diagnose_loaded(struct lkm_ctx *ctx, const char *name, const struct lkm_kmsg_log *log,
			struct lkm_diagnosis *out)
{
	char quoted[LKM_NAME_MAX + 4];
	const char *rec, *v;
	int r;

	(void)ctx;
	memset(out, 0, sizeof(*out));
	snprintf(quoted, sizeof(quoted), "'%s'", name);
	rec = log_find(log, "suspiciously returned", quoted);
	if (!rec)
		return 0;
	v = strstr(rec, "suspiciously returned ") + strlen("suspiciously returned ");
	r = first(out, "%s was loaded, but its init function returned %.*s instead of 0 or a "
		  "negative errno", name, (int)strspn(v, "-0123456789"), v);
	if (r == 0)
		r = line(out, "the kernel keeps the module loaded and only warns; the module's "
			 "author should fix its init");
	if (r == 0)
		r = quote_log(out, log, name);
	if (r < 0) {
		lkm_diagnosis_release(out);
		return r;
	}
	return 1;
}

/* ------------------------------------------------------------------ unload */

static int diag_holders(struct lkm_ctx *ctx, const char *name, const struct lkm_loaded *lm,
			struct lkm_diagnosis *d)
{
	struct lkm_buf users = { 0 };
	char **holders = NULL;
	size_t n = 0, i;
	int refcnt = lm && lm->has_refcount ? lm->refcount : -1, r = 0;

	if (lkm_kernel_get_holders(ctx, name, &holders, &n) < 0)
		n = 0;
	if (lkm_kernel_get_refcnt(ctx, name, &refcnt) < 0 && !lm)
		refcnt = -1;
	for (i = 0; i < n && r == 0; i++)
		r = lkm_buf_printf(&users, "%s%s", i ? " " : "", holders[i]);
	if (r == 0 && n > 0)
		r = first(d, "Module %s is in use by: %s (reference count %d)", name, users.data,
			  refcnt);
	else if (r == 0)
		r = first(d, "Module %s is in use (reference count %d), though no module holds it",
			  name, refcnt);
	if (r == 0 && n > 0)
		r = line(d, "remove the modules that use it first (rmmod %s), or run "
			 "`modprobe -r %s`, which removes its users' dependencies as it goes",
			 users.data, holders[0]);
	else if (r == 0)
		r = line(d, "something outside the module list holds it (an open device, a "
			 "mounted filesystem, a network interface): release that first");
	lkm_buf_free(&users);
	if (holders)
		lkm_kernel_holders_free(holders);
	return r;
}

static int diag_permanent(const char *name, struct lkm_diagnosis *d)
{
	int r = first(d, "Module %s cannot be removed: it has no exit function, so the kernel "
		      "marks it permanent", name);

	if (r == 0)
		r = line(d, "/proc/modules lists it as [permanent]; rmmod -f can remove it only "
			 "on a kernel built with CONFIG_MODULE_FORCE_UNLOAD");
	if (r == 0)
		r = line(d, "forcing it frees code that may still run: it taints the kernel and "
			 "can crash it; a reboot is the safe way");
	return r;
}

int lkm_diagnose_unload(struct lkm_ctx *ctx, const char *name, int error, unsigned flags,
			struct lkm_diagnosis *out)
{
	struct lkm_loaded_list loaded = { 0 };
	const struct lkm_loaded *lm = NULL;
	bool have = false;
	char **holders = NULL;
	size_t n = 0;
	int state, refcnt = 0, r = 0;

	memset(out, 0, sizeof(*out));
	out->code = error ? error : -EBUSY;
	state = lkm_kernel_get_initstate(ctx, name);
	if (lkm_kernel_get_loaded(ctx, &loaded, NULL) == 0) {
		have = true;
		lm = lkm_loaded_list_find(&loaded, name);
	}
	if (state == LKM_INITSTATE_BUILTIN) {
		out->code = -ENOENT;
		r = first(out, "Module %s is builtin: it is part of the kernel image and cannot "
			  "be removed", name);
		goto done;
	}
	/* Without <proc>/modules a fixture /sys may still know modules: ask both. */
	if (error == -ENOSYS || (state < 0 && !lm && !module_support(ctx) &&
				 !sys_has_modules(ctx))) {
		out->code = -ENOSYS;
		r = first(out, "this kernel has no module support: there is no %s to remove",
			  name);
		goto done;
	}
	if (state < 0 && !lm) {
		out->code = -ENOENT;
		r = first(out, "Module %s is not currently loaded", name);
		goto done;
	}
	if (state == LKM_INITSTATE_GOING || (lm && lm->state == LKM_LOADED_UNLOADING)) {
		r = first(out, "Module %s is already being removed (state: going)", name);
		goto done;
	}
	if (state == LKM_INITSTATE_COMING || (lm && lm->state == LKM_LOADED_LOADING)) {
		r = first(out, "Module %s is still being loaded (state: coming): its init "
			  "function has not finished", name);
		goto done;
	}
	if (lkm_kernel_get_holders(ctx, name, &holders, &n) == 0 && n > 0) {
		r = diag_holders(ctx, name, lm, out);
		goto done;
	}
	if (lm && lm->permanent && !(flags & LKM_UNLOAD_FORCE)) {
		r = diag_permanent(name, out);
		goto done;
	}
	if (lkm_kernel_get_refcnt(ctx, name, &refcnt) == -ENOENT && state > 0) {
		out->code = -ENOSYS;
		r = first(out, "Module unloading is not supported: this kernel was built without "
			  "CONFIG_MODULE_UNLOAD, so %s stays until reboot", name);
		goto done;
	}
	if (refcnt > 0) {
		r = diag_holders(ctx, name, lm, out);
		goto done;
	}
	if (error == 0) {
		r = 0;
		goto out;
	}
	if (lm && lm->permanent)
		r = diag_permanent(name, out);
	else
		r = first(out, "the kernel refused to remove %s: %s", name, strerror(-error));
done:
	r = r < 0 ? r : 1;
out:
	if (holders)
		lkm_kernel_holders_free(holders);
	if (have)
		lkm_loaded_list_release(&loaded);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

/* ------------------------------------------------------------------ not found */

/* Levenshtein distance, bounded: names are short, two rows suffice. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row0[LKM_NAME_MAX + 1], row1[LKM_NAME_MAX + 1], *prev = row0, *cur = row1, *t;

	if (la > LKM_NAME_MAX || lb > LKM_NAME_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* Each module name in DIR/modules.dep ("kernel/fs/fat/fat.ko: ..."), to @fn. */
static int foreach_dep_name(const char *dir, int (*fn)(const char *name, void *data),
			    void *data)
{
	char path[4096], *text, *p;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	r = lkm_read_file(path, (size_t)64 << 20, &text, &len);
	if (r < 0)
		return r;
	for (p = text; p && *p;) {
		char *eol = strchr(p, '\n'), *colon = strchr(p, ':'), name[LKM_NAME_MAX];

		if (eol)
			*eol = '\0';
		if (colon) {
			*colon = '\0';
			if (lkm_name_from_path(name, sizeof(name), p) == 0 && name[0]) {
				r = fn(name, data);
				if (r != 0)
					break;
			}
		}
		p = eol ? eol + 1 : NULL;
	}
	free(text);
	return r;
}

struct close_names {
	const char *want;
	size_t limit;
	char best[3][LKM_NAME_MAX];
	size_t dist[3];
	size_t n;
};

static int consider_name(const char *name, void *data)
{
	struct close_names *c = data;
	size_t d = edit_distance(c->want, name), i, j;

	if (d == 0 || d > c->limit)
		return 0;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->best[i], name) == 0)
			return 0;
	for (i = 0; i < c->n && c->dist[i] <= d; i++)
		;
	if (i == 3)
		return 0;
	for (j = c->n < 3 ? c->n : 2; j > i; j--) {
		memcpy(c->best[j], c->best[j - 1], LKM_NAME_MAX);
		c->dist[j] = c->dist[j - 1];
	}
	snprintf(c->best[i], LKM_NAME_MAX, "%s", name);
	c->dist[i] = d;
	if (c->n < 3)
		c->n++;
	return 0;
}

static int match_name(const char *name, void *data)
{
	return strcmp(name, data) == 0 ? 1 : 0;
}

/* Other kernel versions next to ours under the module root that have @name. */
static int other_versions(struct lkm_ctx *ctx, const char *name, struct lkm_buf *out)
{
	char root[4096], dir[8192], *slash;
	const char *own = lkm_ctx_get_dirname(ctx);
	struct dirent *de;
	DIR *dp;
	int r = 0;

	snprintf(root, sizeof(root), "%s", own);
	slash = strrchr(root, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	dp = opendir(root[0] ? root : "/");
	if (!dp)
		return 0;
	while ((de = readdir(dp)) && r == 0) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, slash + 1) == 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		if (foreach_dep_name(dir, match_name, (void *)name) == 1)
			r = lkm_buf_printf(out, "%s%s", out->len ? ", " : "", de->d_name);
	}
	closedir(dp);
	return r;
}

int lkm_diagnose_not_found(struct lkm_ctx *ctx, const char *name, struct lkm_diagnosis *out)
{
	struct close_names c = { .want = NULL };
	struct lkm_buf others = { 0 };
	char norm[LKM_NAME_MAX];
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	out->code = -ENOENT;
	if (lkm_name_normalize(norm, sizeof(norm), name) < 0)
		snprintf(norm, sizeof(norm), "%.*s", (int)sizeof(norm) - 1, name);
	c.want = norm;
	c.limit = strlen(norm) / 4 > 2 ? strlen(norm) / 4 : 2;
	r = first(out, "Module %s not found in directory %s", name, lkm_ctx_get_dirname(ctx));
	if (r == 0 && foreach_dep_name(lkm_ctx_get_dirname(ctx), consider_name, &c) == -ENOMEM)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < c.n; i++)
		r = line(out, "did you mean %s?", c.best[i]);
	if (r == 0)
		r = other_versions(ctx, norm, &others);
	if (r == 0 && others.len)
		r = line(out, "%s exists for another kernel version: %s (this is %s)", norm,
			 others.data, lkm_ctx_get_kver(ctx));
	if (r == 0 && c.n == 0 && !others.len)
		r = line(out, "no module of a similar name exists; if it was just installed, "
			 "run depmod");
	lkm_buf_free(&others);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

/* ------------------------------------------------------------------ config */

int lkm_diagnose_blacklisted(const char *name, const struct lkm_config_blacklist *bl,
			     struct lkm_diagnosis *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->code = -EPERM;
	if (bl && bl->src.line)
		r = first(out, "Module %s is blacklisted by %s line %u", name, bl->src.file,
			  bl->src.line);
	else
		r = first(out, "Module %s is blacklisted by the %s", name,
			  bl && bl->src.file ? bl->src.file : "configuration");
	if (r == 0)
		r = line(out, "a blacklist stops loading through aliases; `modprobe %s` by name "
			 "still loads it, and removing the line lifts it", name);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

int lkm_diagnose_config(const struct lkm_config_warning *w, struct lkm_diagnosis *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->code = -EINVAL;
	if (w->file && w->line && !strstr(w->text, w->file))
		r = first(out, "%s line %u: %s", w->file, w->line, w->text);
	else
		r = first(out, "%s", w->text);
	if (r == 0 && w->file)
		r = line(out, "that line was skipped; see modprobe.d(5) or depmod.d(5) for the "
			 "syntax");
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

int lkm_diagnose_loop(const char *kind, const char *const *chain, size_t n,
		      struct lkm_diagnosis *out)
{
	struct lkm_buf path = { 0 };
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->code = -ELOOP;
	for (i = 0; i < n && r == 0; i++)
		r = lkm_buf_printf(&path, "%s%s", i ? " -> " : "", chain[i]);
	if (r == 0)
		r = first(out, "%s loop: %s", kind, path.len ? path.data : "(empty)");
	if (r == 0 && strcmp(kind, "install") == 0)
		r = line(out, "an install command that runs modprobe on a module whose own "
			 "command leads back here would run forever; use --ignore-install inside "
			 "the command");
	else if (r == 0)
		r = line(out, "each module in the loop asks for the next to be loaded first: "
			 "remove one softdep of the loop");
	lkm_buf_free(&path);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

/* ------------------------------------------------------------------ pre-flight */

struct check {
	struct lkm_diagnosis *d;
	int problems;
};

static int problem(struct check *c, const char *fmt, ...) LKM_PRINTF(2, 3);

static int problem(struct check *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->problems++;
	return line(c->d, "problem: %s", msg);
}

/* "0x1234abcd\tsym\tmodule\tEXPORT_SYMBOL\t..." -> the CRC of @sym in Module.symvers. */
static bool symvers_crc(const char *symvers, const char *sym, unsigned long long *crc)
{
	size_t len = strlen(sym);
	const char *p;

	for (p = symvers; (p = strstr(p, sym)); p += len) {
		const char *start = p;

		if (p == symvers || p[-1] != '\t' || (p[len] != '\t' && p[len] != '\n'))
			continue;
		while (start > symvers && start[-1] != '\n')
			start--;
		return sscanf(start, "%llx", crc) == 1;
	}
	return false;
}

static int check_crcs(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	struct lkm_elf_version *v = NULL;
	char path[4096], *symvers;
	size_t n = 0, i, len, compared = 0;
	int r;

	if (lkm_elf_get_versions(&m->elf, &v, &n, NULL) < 0 || n == 0) {
		free(v);
		return line(c->d, "note: no __versions: the module was built without modversions");
	}
	snprintf(path, sizeof(path), "%s/build/Module.symvers", lkm_ctx_get_dirname(ctx));
	if (lkm_read_file(path, (size_t)64 << 20, &symvers, &len) < 0) {
		free(v);
		return line(c->d, "note: CRCs not compared: no %s (the kernel exposes no CRCs in "
			    "kallsyms or sysfs)", path);
	}
	r = 0;
	for (i = 0; i < n && r == 0; i++) {
		unsigned long long crc;

		if (!symvers_crc(symvers, v[i].name, &crc))
			continue;
		compared++;
		if ((crc & 0xffffffffull) != (v[i].crc & 0xffffffffull))
			r = problem(c, "the version (CRC) of %s differs: module 0x%08llx, kernel "
				    "0x%08llx (built against other kernel sources)", v[i].name,
				    (unsigned long long)v[i].crc, crc);
	}
	if (r == 0)
		r = line(c->d, "ok: %zu of %zu symbol versions compared with %s", compared, n,
			 path);
	free(symvers);
	free(v);
	return r;
}

static int check_symbols(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	struct lkm_loaded_list loaded = { 0 };
	struct lkm_buf syms = { 0 };
	bool have, any_owner = false;
	char *s, *save = NULL;
	int r;

	r = missing_symbols(ctx, m, &syms);
	if (r == -ENOENT || r == -EACCES) {
		lkm_buf_free(&syms);
		return line(c->d, "note: symbols not checked: %s/kallsyms is not readable",
			    lkm_ctx_get_proc(ctx));
	}
	if (r < 0)
		goto out;
	if (!syms.len) {
		r = line(c->d, "ok: every symbol it needs is in %s/kallsyms",
			 lkm_ctx_get_proc(ctx));
		goto out;
	}
	have = lkm_kernel_get_loaded(ctx, &loaded, NULL) == 0;
	for (s = strtok_r(syms.data, " ", &save); s && r == 0; s = strtok_r(NULL, " ", &save)) {
		c->problems++;
		r = lkm_buf_puts(&c->d->detail, "problem: ");
		if (r == 0)
			r = explain_symbol(ctx, have ? &loaded : NULL, s, c->d, &any_owner);
	}
	if (r == 0 && any_owner)
		r = line(c->d, "note: `modprobe %s` loads the modules it needs first", m->name);
	if (have)
		lkm_loaded_list_release(&loaded);
out:
	lkm_buf_free(&syms);
	return r;
}

static int check_policy(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	const char *mode = lockdown_mode(ctx);
	bool enforce = sig_enforced(ctx), is_signed = false;
	int r = 0;

	if (cap_sys_module(ctx) == 0)
		r = problem(c, "this process lacks CAP_SYS_MODULE: loading needs root");
	if (r == 0 && modules_disabled(ctx))
		r = problem(c, "module loading is disabled (%s/sys/kernel/modules_disabled is 1)",
			    lkm_ctx_get_proc(ctx));
	if (r == 0 && m->file)
		is_signed = lkm_signature_strip(m->file->data, m->file->size) != m->file->size;
	if (r == 0 && !is_signed && enforce)
		r = problem(c, "%s is not signed, and the kernel requires signatures (sig_enforce "
			    "is Y)", m->name);
	else if (r == 0 && !is_signed && mode)
		r = problem(c, "%s is not signed, and the kernel is locked down (%s)", m->name,
			    mode);
	else if (r == 0)
		r = line(c->d, "%s: %s; signatures %s", is_signed ? "ok" : "note",
			 is_signed ? "signed (the kernel verifies the key when loading)" :
				     "not signed",
			 enforce ? "required" : "not required (an unsigned module taints the "
						"kernel)");
	return r;
}

static int check_loaded(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	int state = lkm_kernel_get_initstate(ctx, m->name);

	if (!module_support(ctx))
		return problem(c, "this kernel has no module support (no %s/modules)",
			       lkm_ctx_get_proc(ctx));
	if (state == LKM_INITSTATE_BUILTIN)
		return problem(c, "%s is built into the kernel", m->name);
	if (state > 0)
		return problem(c, "%s is already loaded (state: %s)", m->name,
			       lkm_initstate_name(state));
	return 0;
}

int lkm_diagnose_check(struct lkm_ctx *ctx, const char *path, struct lkm_diagnosis *out)
{
	struct check c = { .d = out };
	struct lkm_diagnosis fmt = { 0 };
	struct modfile m;
	int r;

	memset(out, 0, sizeof(*out));
	modfile_open(&m, path, NULL);
	if (m.open_error < 0) {
		out->code = m.open_error;
		r = problem(&c, "%s", lkm_err_reason(&m.err, m.open_error));
		goto sum;
	}
	r = format_problem(ctx, &m, "", &fmt);
	if (r > 0) {
		r = problem(&c, "%s", fmt.first.data);
		if (r == 0 && fmt.detail.len)
			r = lkm_buf_puts(&out->detail, fmt.detail.data);
		if (!m.elf_ok || !m.has_modinfo || !m.has_this_module)
			goto sum; /* nothing else can be read from it */
	} else if (r == 0) {
		r = line(out, "ok: an ELF module for this machine, vermagic %s",
			 m.vermagic ? m.vermagic : "(none)");
	}
	if (r == 0)
		r = check_symbols(ctx, &m, &c);
	if (r == 0)
		r = check_crcs(ctx, &m, &c);
	if (r == 0)
		r = check_policy(ctx, &m, &c);
	if (r == 0)
		r = check_loaded(ctx, &m, &c);
sum:
	if (r == 0 && c.problems == 0)
		r = first(out, "%s would load: no problem found without loading it", m.name);
	else if (r == 0)
		r = first(out, "%s would not load: %d problem%s found", m.name[0] ? m.name : path,
			  c.problems, c.problems == 1 ? "" : "s");
	if (!out->code && c.problems)
		out->code = -EINVAL;
	lkm_diagnosis_release(&fmt);
	modfile_close(&m);
	if (r < 0) {
		lkm_diagnosis_release(out);
		return r;
	}
	return c.problems;
}
