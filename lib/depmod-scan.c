// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Each module's record for depmod: the names it exports and imports, with CRCs, and
 * its alias, softdep and weakdep values. Records are read by a pool of threads over
 * the module array: a worker takes the next index and writes only that module's slot,
 * so the result does not depend on timing. A decompressed image is freed as soon as
 * its strings are copied out, so memory stays near one image per thread. Modules whose
 * record the cache holds (depmod-cache.c) are not read at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "depmod-internal.h"

void dm_info_release(struct dm_info *in)
{
	if (in->borrowed) {
		memset(in, 0, sizeof(*in));
		return;
	}
	free(in->blob);
	free(in->off);
	free(in->crc);
	free(in->weak);
	memset(in, 0, sizeof(*in));
}

/* Appends strings to one blob and remembers where each starts. */
struct info_builder {
	struct lkm_buf blob;
	uint32_t *off;
	size_t n, cap;
};

static int ib_add(struct info_builder *b, const char *s)
{
	if (lkm_array_grow(&b->off, &b->cap, b->n + 1, sizeof(*b->off), 64) < 0)
		return -ENOMEM;
	if (b->blob.len > UINT32_MAX - strlen(s) - 1)
		return -EFBIG;
	b->off[b->n++] = (uint32_t)b->blob.len;
	return lkm_buf_append(&b->blob, s, strlen(s) + 1);
}

/* The modinfo values of one key, in file order. */
static int add_modinfo(struct info_builder *b, const char **mi, size_t n, const char *key,
		       uint32_t *count)
{
	size_t kl = strlen(key), i;
	int r;

	for (i = 0; i < n; i++) {
		if (strncmp(mi[i], key, kl) != 0 || mi[i][kl] != '=')
			continue;
		r = ib_add(b, mi[i] + kl + 1);
		if (r < 0)
			return r;
		(*count)++;
	}
	return 0;
}

static int fill_info(const struct lkm_elf *elf, struct dm_info *in, struct lkm_err *err)
{
	struct info_builder b = { 0 };
	struct lkm_elf_export *exp = NULL;
	struct lkm_elf_import *imp = NULL;
	const char **mi = NULL;
	size_t n_exp = 0, n_imp = 0, n_mi = 0, i;
	int r;

	r = lkm_elf_get_exports(elf, &exp, &n_exp, err);
	if (r < 0)
		goto out;
	r = lkm_elf_get_imports(elf, &imp, &n_imp, err);
	if (r < 0)
		goto out;
	r = lkm_elf_get_modinfo(elf, &mi, &n_mi, err);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	in->crc = malloc((n_exp + n_imp + 1) * sizeof(*in->crc));
	in->weak = malloc(n_imp + 1);
	if (!in->crc || !in->weak)
		goto out;
	for (i = 0; i < n_exp; i++) {
		r = ib_add(&b, exp[i].name);
		if (r < 0)
			goto out;
		in->crc[i] = exp[i].crc;
	}
	for (i = 0; i < n_imp; i++) {
		r = ib_add(&b, imp[i].name);
		if (r < 0)
			goto out;
		in->crc[n_exp + i] = imp[i].crc;
		in->weak[i] = imp[i].bind == LKM_BIND_WEAK;
	}
	in->n_exp = (uint32_t)n_exp;
	in->n_imp = (uint32_t)n_imp;
	r = add_modinfo(&b, mi, n_mi, "alias", &in->n_alias);
	if (r == 0)
		r = add_modinfo(&b, mi, n_mi, "softdep", &in->n_soft);
	if (r == 0)
		r = add_modinfo(&b, mi, n_mi, "weakdep", &in->n_weak);
	if (r < 0)
		goto out;
	in->blob = b.blob.data;
	in->blob_len = b.blob.len;
	in->off = b.off;
	b.blob.data = NULL;
	b.off = NULL;
	r = 0;
out:
	free(exp);
	free(imp);
	free(mi);
	free(b.off);
	lkm_buf_free(&b.blob);
	if (r < 0) {
		free(in->crc);
		free(in->weak);
		memset(in, 0, sizeof(*in));
	}
	return r;
}

/* One worker's read buffer, reused from module to module. */
struct scan_buf {
	uint8_t *data;
	size_t cap;
};

/*
 * The whole file into @b. Not lkm_file_open()'s mmap: with several threads, each
 * munmap interrupts every other CPU to flush its TLB, which cost a third of a scan
 * of plain modules; a reused buffer costs one copy and no page faults.
 */
static int read_whole(const char *path, struct scan_buf *b, size_t *len, struct lkm_err *err)
{
	struct stat st;
	size_t got = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lkm_err_set(err, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = lkm_err_set(err, -errno, "cannot stat the file: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = lkm_err_set(err, -EINVAL, "not a regular file");
		goto out;
	}
	if (st.st_size == 0 || (uint64_t)st.st_size > LKM_FILE_MAX_SIZE) {
		r = st.st_size ? lkm_err_set(err, -EFBIG, "file is larger than the limit of %zu bytes",
					     LKM_FILE_MAX_SIZE) :
				 lkm_err_set(err, -ENOEXEC, "file is empty");
		goto out;
	}
	if ((size_t)st.st_size > b->cap) {
		size_t cap = (size_t)st.st_size + (size_t)st.st_size / 4;

		free(b->data);
		b->cap = 0;
		b->data = malloc(cap);
		if (!b->data) {
			r = -ENOMEM;
			goto out;
		}
		b->cap = cap;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b->data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = lkm_err_set(err, -errno, "cannot read the file: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return r;
}

static int read_module(struct dm_mod *m, struct scan_buf *b)
{
	struct lkm_err err = { 0 };
	enum lkm_compression c;
	void *mem = NULL;
	const void *image;
	size_t len = 0, size;
	struct lkm_elf elf;
	int r;

	r = read_whole(m->path, b, &len, &err);
	if (r < 0)
		goto out;
	image = b->data;
	size = len;
	c = lkm_compression_detect(b->data, len);
	if (c != LKM_COMP_NONE) {
		r = lkm_decompress(c, b->data, len, LKM_FILE_MAX_SIZE, &mem, &size, &err);
		image = mem;
	}
	if (r == 0)
		r = lkm_elf_parse(image, size, &elf, &err);
	if (r == 0)
		r = fill_info(&elf, &m->info, &err);
	free(mem);
out:
	if (r < 0) {
		m->scan_error = strdup(lkm_err_reason(&err, r));
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

struct pool {
	struct lkm_depmod *d;
	atomic_size_t next;
	atomic_int fatal;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct scan_buf buf = { 0 };
	size_t i;

	while (!atomic_load(&p->fatal) && (i = atomic_fetch_add(&p->next, 1)) < p->d->n_mods) {
		int r;

		if (p->d->mods[i]->from_cache)
			continue;
		r = read_module(p->d->mods[i], &buf);
		if (r < 0)
			atomic_store(&p->fatal, r);
	}
	free(buf.data);
	return NULL;
}

static unsigned thread_count(const struct lkm_depmod *d)
{
	long n = d->cfg.threads ? (long)d->cfg.threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	if ((size_t)n > d->n_scanned)
		n = d->n_scanned ? (long)d->n_scanned : 1;
	return (unsigned)n;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int depmod_scan(struct lkm_depmod *d, struct lkm_err *err)
{
	unsigned n, started = 0, i;
	pthread_t tids[64];
	struct pool p = { .d = d };
	size_t k;
	int r;

	d->scan_start_ns = now_ns();
	if (d->cfg.cache) {
		r = depmod_cache_load(d);
		if (r < 0)
			return lkm_err_set(err, r, "reading the cache: %s", strerror(-r));
	}
	for (k = 0; k < d->n_mods; k++) {
		if (d->cache.n_entries && depmod_cache_fill(d, d->mods[k]))
			d->n_cached++;
		else
			d->n_scanned++;
	}
	if (d->n_scanned == 0)
		return 0;
	n = thread_count(d);
	atomic_init(&p.next, 0);
	atomic_init(&p.fatal, 0);
	/* The calling thread is one of the workers. */
	for (i = 1; i < n; i++) {
		if (pthread_create(&tids[i], NULL, worker, &p) != 0)
			break;
		started++;
	}
	worker(&p);
	for (i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	if (atomic_load(&p.fatal))
		return lkm_err_set(err, atomic_load(&p.fatal), "reading modules: %s",
				   strerror(-atomic_load(&p.fatal)));
	return 0;
}
