// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib/'s context behind a kmod_ctx, and the index files as kmod's callers see them.
 *
 * kmod opens an index for each lookup, unless kmod_load_resources() opened them all to
 * keep; kmod_validate_resources() then tells a daemon when the files it keeps were
 * replaced (reload) or the configuration changed (make a new context). lib/'s context
 * keeps every index it opened until it is freed, so here:
 *  - each lib/ context comes with a stamp of every index file taken before it could
 *    open one (so a file replaced in between reads as changed, never the reverse);
 *  - without loaded resources, a lookup that finds a file changed since those stamps
 *    gets a new lib/ context, and so reads the file as it is now, as kmod would;
 *  - kmod_load_resources() opens the indexes in a fresh lib/ context and keeps it until
 *    kmod_unload_resources(); kmod_validate_resources() compares those stamps.
 * kmod compares modification times only; a stamp here also holds the inode and size,
 * so a file copied in with its old time (cp -p) counts as changed too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkmod-internal.h"

/* kmod's index numbers (enum kmod_index) to lib/'s. */
static const enum lkm_index_kind kind_of[] = {
	[KMOD_INDEX_MODULES_DEP] = LKM_INDEX_DEP,
	[KMOD_INDEX_MODULES_ALIAS] = LKM_INDEX_ALIAS,
	[KMOD_INDEX_MODULES_SYMBOL] = LKM_INDEX_SYMBOLS,
	[KMOD_INDEX_MODULES_BUILTIN_ALIAS] = LKM_INDEX_BUILTIN_ALIAS,
	[KMOD_INDEX_MODULES_BUILTIN] = LKM_INDEX_BUILTIN,
};
#define N_KMOD_INDEXES (sizeof(kind_of) / sizeof(kind_of[0]))

void kmod_stamp_take(const char *path, struct kmod_stamp *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) < 0)
		return;
	out->exists = true;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->size = st.st_size;
	out->mtime = st.st_mtim;
}

bool kmod_stamp_changed(const char *path, const struct kmod_stamp *then)
{
	struct kmod_stamp now;

	kmod_stamp_take(path, &now);
	if (now.exists != then->exists)
		return true;
	if (!now.exists)
		return false;
	return now.dev != then->dev || now.ino != then->ino || now.size != then->size ||
	       now.mtime.tv_sec != then->mtime.tv_sec ||
	       now.mtime.tv_nsec != then->mtime.tv_nsec;
}

static int index_path(const char *dirname, enum lkm_index_kind kind, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", dirname, lkm_index_kind_filename(kind));

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void take_index_stamps(struct kmod_lkm_state *res, const char *dirname)
{
	char path[4096];
	unsigned k;

	for (k = 0; k < LKM_INDEX_KIND_COUNT; k++) {
		if (index_path(dirname, k, path, sizeof(path)) < 0)
			memset(&res->stamps[k], 0, sizeof(res->stamps[k]));
		else
			kmod_stamp_take(path, &res->stamps[k]);
	}
}

/*
 * A new lib/ context for @dirname and @config_paths, its index stamps taken first.
 * On failure @res is unchanged.
 */
static int lkm_renew(struct kmod_lkm_state *res, const char *dirname,
		     const char *const *config_paths)
{
	struct kmod_stamp stamps[LKM_INDEX_KIND_COUNT];
	struct lkm_ctx_config cc = { .dirname = dirname, .config_paths = config_paths };
	struct lkm_ctx *lkm;
	int r;

	memcpy(stamps, res->stamps, sizeof(stamps));
	take_index_stamps(res, dirname);
	r = lkm_ctx_new(&cc, &lkm);
	if (r < 0) {
		memcpy(res->stamps, stamps, sizeof(stamps));
		return r;
	}
	lkm_ctx_unref(res->lkm);
	res->lkm = lkm;
	memset(res->index_loaded, 0, sizeof(res->index_loaded));
	res->loaded = false;
	return 0;
}

/* The same directory and paths as the current lib/ context (they are copied first). */
static int lkm_renew_same(struct kmod_lkm_state *res)
{
	struct lkm_ctx *old = lkm_ctx_ref(res->lkm);
	int r = lkm_renew(res, lkm_ctx_get_dirname(old), lkm_ctx_get_config_paths(old));

	lkm_ctx_unref(old);
	return r;
}

int kmod_lkm_state_init(struct kmod_lkm_state *res, const char *dirname,
			const char *const *config_paths)
{
	const char *const *p;
	size_t n = 0;
	int r;

	memset(res, 0, sizeof(*res));
	r = lkm_renew(res, dirname, config_paths);
	if (r < 0)
		return r;
	/* The paths that exist now, as kmod keeps them to tell a changed configuration. */
	for (p = lkm_ctx_get_config_paths(res->lkm); *p; p++)
		n++;
	res->config_stamps = calloc(n ? n : 1, sizeof(*res->config_stamps));
	if (!res->config_stamps)
		goto oom;
	for (p = lkm_ctx_get_config_paths(res->lkm); *p; p++) {
		struct kmod_config_stamp *cs = &res->config_stamps[res->n_config_stamps];

		kmod_stamp_take(*p, &cs->stamp);
		if (!cs->stamp.exists)
			continue;
		cs->path = strdup(*p);
		if (!cs->path)
			goto oom;
		res->n_config_stamps++;
	}
	return 0;
oom:
	kmod_lkm_state_release(res);
	return -ENOMEM;
}

void kmod_lkm_state_release(struct kmod_lkm_state *res)
{
	size_t i;

	lkm_ctx_unref(res->lkm);
	for (i = 0; i < res->n_config_stamps; i++)
		free(res->config_stamps[i].path);
	free(res->config_stamps);
	memset(res, 0, sizeof(*res));
}

struct lkm_ctx *kmod_ctx_get_lkm(struct kmod_ctx *ctx)
{
	struct kmod_lkm_state *res = kmod_ctx_get_lkm_state(ctx);
	char path[4096];
	unsigned k;
	int r;

	if (res->loaded)
		return res->lkm;
	for (k = 0; k < LKM_INDEX_KIND_COUNT; k++) {
		if (index_path(kmod_get_dirname(ctx), k, path, sizeof(path)) < 0 ||
		    !kmod_stamp_changed(path, &res->stamps[k]))
			continue;
		KMOD_DBG(ctx, "%s changed: reading the indexes again\n", path);
		r = lkm_renew_same(res);
		/* Out of memory: the indexes as they were are better than none. */
		if (r < 0)
			KMOD_ERR(ctx, "could not read the indexes again: %s\n", strerror(-r));
		break;
	}
	return res->lkm;
}

KMOD_EXPORT int kmod_load_resources(struct kmod_ctx *ctx)
{
	struct kmod_lkm_state *res;
	unsigned i;
	int r;

	if (!ctx)
		return -ENOENT;
	res = kmod_ctx_get_lkm_state(ctx);
	if (res->loaded)
		return 0;
	/* Nothing opened before counts: what is kept now is read now. */
	r = lkm_renew_same(res);
	if (r < 0)
		return r;
	for (i = 0; i < N_KMOD_INDEXES; i++) {
		enum lkm_index_kind k = kind_of[i];
		struct lkm_err err = { 0 };
		struct lkm_index *idx;

		r = lkm_ctx_get_index(res->lkm, k, &idx, &err);
		if (r == 0) {
			res->index_loaded[k] = true;
			continue;
		}
		/* Older module directories have no modules.builtin.alias.bin. */
		if (k == LKM_INDEX_BUILTIN_ALIAS)
			continue;
		if (r != -ENOENT)
			KMOD_ERR(ctx, "%s\n", lkm_err_reason(&err, r));
		/* kmod's word for a file that is not an index. */
		if (r == -EBADMSG)
			r = -EINVAL;
		break;
	}
	if (i < N_KMOD_INDEXES) {
		kmod_unload_resources(ctx);
		return r;
	}
	res->loaded = true;
	return 0;
}

KMOD_EXPORT void kmod_unload_resources(struct kmod_ctx *ctx)
{
	struct kmod_lkm_state *res;
	int r;

	if (!ctx)
		return;
	res = kmod_ctx_get_lkm_state(ctx);
	r = lkm_renew_same(res);
	if (r < 0) {
		/* The indexes stay open, but are no longer taken for loaded ones. */
		KMOD_ERR(ctx, "could not close the indexes: %s\n", strerror(-r));
		res->loaded = false;
		memset(res->index_loaded, 0, sizeof(res->index_loaded));
	}
}

KMOD_EXPORT int kmod_validate_resources(struct kmod_ctx *ctx)
{
	struct kmod_lkm_state *res;
	char path[4096];
	size_t i;

	if (!ctx)
		return KMOD_RESOURCES_MUST_RECREATE;
	res = kmod_ctx_get_lkm_state(ctx);
	for (i = 0; i < res->n_config_stamps; i++)
		if (kmod_stamp_changed(res->config_stamps[i].path, &res->config_stamps[i].stamp))
			return KMOD_RESOURCES_MUST_RECREATE;
	for (i = 0; i < LKM_INDEX_KIND_COUNT; i++) {
		if (!res->index_loaded[i] ||
		    index_path(kmod_get_dirname(ctx), i, path, sizeof(path)) < 0)
			continue;
		if (kmod_stamp_changed(path, &res->stamps[i]))
			return KMOD_RESOURCES_MUST_RELOAD;
	}
	return KMOD_RESOURCES_OK;
}

/* ---- kmod_dump_index ---- */

struct dump {
	int fd;
	const char *prefix; /* "alias " or "" */
	struct lkm_buf buf;
	int error;          /* the first failed write's -errno */
};

static void dump_flush(struct dump *d)
{
	size_t done = 0;
	ssize_t n;

	while (done < d->buf.len && !d->error) {
		n = write(d->fd, d->buf.data + done, d->buf.len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			d->error = n < 0 ? -errno : -EIO;
		else
			done += (size_t)n;
	}
	d->buf.len = 0;
	if (d->buf.data)
		d->buf.data[0] = '\0';
}

static int dump_one(const char *key, const char *value, uint32_t priority, void *data)
{
	struct dump *d = data;

	if (lkm_buf_printf(&d->buf, "%s%s %s\n", d->prefix, key, value) < 0)
		return -ENOMEM;
	if (d->buf.len >= 64 * 1024)
		dump_flush(d);
	return d->error;
}

KMOD_EXPORT int kmod_dump_index(struct kmod_ctx *ctx, enum kmod_index type, int fd)
{
	struct dump d = { .fd = fd, .prefix = "" };
	struct lkm_err err = { 0 };
	struct lkm_index *idx;
	int r;

	if (!ctx)
		return -ENOSYS;
	if ((unsigned)type >= N_KMOD_INDEXES)
		return -ENOENT;
	if (type == KMOD_INDEX_MODULES_ALIAS || type == KMOD_INDEX_MODULES_SYMBOL)
		d.prefix = "alias ";
	r = lkm_ctx_get_index(kmod_ctx_get_lkm(ctx), kind_of[type], &idx, &err);
	if (r < 0) {
		KMOD_DBG(ctx, "%s\n", lkm_err_reason(&err, r));
		return -ENOSYS;
	}
	r = lkm_index_foreach(idx, dump_one, &d);
	dump_flush(&d);
	lkm_buf_free(&d.buf);
	/* As kmod, the lines that could be read are the dump; what stopped it is logged. */
	if (r < 0)
		KMOD_ERR(ctx, "%s/%s: %s\n", kmod_get_dirname(ctx),
			 lkm_index_kind_filename(kind_of[type]), strerror(-r));
	return 0;
}
