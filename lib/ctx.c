// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The context: every path and syscall the library uses outside the process, lkm's own
 * cache directory included. Tools build it from their options; tests point it at
 * fixture trees or fake syscalls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lkm-internal.h"

const char *const lkm_default_config_paths[] = {
	"/etc/modprobe.d",
	"/run/modprobe.d",
	"/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d",
	"/lib/modprobe.d",
	NULL,
};

struct lkm_ctx {
	int refcount;
	char *dirname;
	char *kver;
	char *proc;
	char *sys;
	char *kmsg;
	char *cache_dir;
	char *firmware_dir;
	char **config_paths;
	struct lkm_syscalls syscalls;
	struct lkm_index *indexes[LKM_INDEX_KIND_COUNT];
};

static const char *const index_filenames[LKM_INDEX_KIND_COUNT] = {
	[LKM_INDEX_DEP] = "modules.dep.bin",
	[LKM_INDEX_ALIAS] = "modules.alias.bin",
	[LKM_INDEX_SYMBOLS] = "modules.symbols.bin",
	[LKM_INDEX_BUILTIN] = "modules.builtin.bin",
	[LKM_INDEX_BUILTIN_ALIAS] = "modules.builtin.alias.bin",
};

static long real_finit_module(int fd, const char *params, int flags)
{
	return syscall(SYS_finit_module, fd, params, flags);
}

static long real_init_module(const void *image, unsigned long len, const char *params)
{
	return syscall(SYS_init_module, image, len, params);
}

static long real_delete_module(const char *name, unsigned int flags)
{
	return syscall(SYS_delete_module, name, flags);
}

static const struct lkm_syscalls real_syscalls = {
	.finit_module = real_finit_module,
	.init_module = real_init_module,
	.delete_module = real_delete_module,
};

static char *dup_or(const char *s, const char *fallback)
{
	return strdup(s && *s ? s : fallback);
}

static int copy_config_paths(struct lkm_ctx *ctx, const char *const *paths)
{
	size_t n = 0, i;

	if (!paths)
		paths = lkm_default_config_paths;
	while (paths[n])
		n++;
	ctx->config_paths = calloc(n + 1, sizeof(char *));
	if (!ctx->config_paths)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ctx->config_paths[i] = strdup(paths[i]);
		if (!ctx->config_paths[i])
			return -ENOMEM;
	}
	return 0;
}

static void ctx_free(struct lkm_ctx *ctx)
{
	size_t i;

	for (i = 0; i < LKM_INDEX_KIND_COUNT; i++)
		if (ctx->indexes[i])
			lkm_index_close(ctx->indexes[i]);
	if (ctx->config_paths)
		for (i = 0; ctx->config_paths[i]; i++)
			free(ctx->config_paths[i]);
	free(ctx->config_paths);
	free(ctx->dirname);
	free(ctx->kver);
	free(ctx->proc);
	free(ctx->sys);
	free(ctx->kmsg);
	free(ctx->cache_dir);
	free(ctx->firmware_dir);
	free(ctx);
}

int lkm_ctx_new(const struct lkm_ctx_config *cfg, struct lkm_ctx **out)
{
	static const struct lkm_ctx_config empty;
	struct lkm_ctx *ctx;
	struct utsname u;
	int r = -ENOMEM;

	if (!cfg)
		cfg = &empty;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	if (cfg->kver && *cfg->kver) {
		ctx->kver = strdup(cfg->kver);
	} else {
		if (uname(&u) < 0) {
			r = -errno;
			goto fail;
		}
		ctx->kver = strdup(u.release);
	}
	if (!ctx->kver)
		goto fail;
	if (cfg->dirname && *cfg->dirname) {
		ctx->dirname = strdup(cfg->dirname);
	} else {
		const char *words[] = { cfg->basedir ? cfg->basedir : "",
					cfg->moduledir && *cfg->moduledir ? cfg->moduledir
									  : "/lib/modules",
					"/", ctx->kver, NULL };

		ctx->dirname = lkm_strcat_all(words);
	}
	ctx->proc = dup_or(cfg->proc, "/proc");
	ctx->sys = dup_or(cfg->sys, "/sys");
	ctx->kmsg = dup_or(cfg->kmsg, "/dev/kmsg");
	ctx->cache_dir = dup_or(cfg->cache_dir, "/var/cache/lkm");
	/* Under -b, the tree's own firmware: what an initramfs built from it would hold. */
	if (cfg->firmware_dir && *cfg->firmware_dir)
		ctx->firmware_dir = strdup(cfg->firmware_dir);
	else if (lkm_path_join(&ctx->firmware_dir, cfg->basedir ? cfg->basedir : "",
			       "lib/firmware", 12) < 0)
		ctx->firmware_dir = NULL;
	if (!ctx->dirname || !ctx->proc || !ctx->sys || !ctx->kmsg || !ctx->cache_dir ||
	    !ctx->firmware_dir)
		goto fail;
	r = copy_config_paths(ctx, cfg->config_paths);
	if (r < 0)
		goto fail;
	ctx->syscalls = cfg->syscalls ? *cfg->syscalls : real_syscalls;
	*out = ctx;
	return 0;
fail:
	ctx_free(ctx);
	return r;
}

struct lkm_ctx *lkm_ctx_ref(struct lkm_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

struct lkm_ctx *lkm_ctx_unref(struct lkm_ctx *ctx)
{
	if (ctx && --ctx->refcount == 0)
		ctx_free(ctx);
	return NULL;
}

const char *lkm_ctx_get_dirname(const struct lkm_ctx *ctx) { return ctx->dirname; }
const char *lkm_ctx_get_kver(const struct lkm_ctx *ctx) { return ctx->kver; }
const char *lkm_ctx_get_proc(const struct lkm_ctx *ctx) { return ctx->proc; }
const char *lkm_ctx_get_sys(const struct lkm_ctx *ctx) { return ctx->sys; }
const char *lkm_ctx_get_kmsg(const struct lkm_ctx *ctx) { return ctx->kmsg; }
const char *lkm_ctx_get_cache_dir(const struct lkm_ctx *ctx) { return ctx->cache_dir; }
const char *lkm_ctx_get_firmware_dir(const struct lkm_ctx *ctx) { return ctx->firmware_dir; }

const char *const *lkm_ctx_get_config_paths(const struct lkm_ctx *ctx)
{
	return (const char *const *)ctx->config_paths;
}

const struct lkm_syscalls *lkm_ctx_get_syscalls(const struct lkm_ctx *ctx)
{
	return &ctx->syscalls;
}

const char *lkm_index_kind_filename(enum lkm_index_kind kind)
{
	return kind < LKM_INDEX_KIND_COUNT ? index_filenames[kind] : NULL;
}

static bool file_is_empty(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

/* Indexes stay open for the life of the context, as kmod_load_resources() keeps them. */
int lkm_ctx_get_index(struct lkm_ctx *ctx, enum lkm_index_kind kind, struct lkm_index **out,
		      struct lkm_err *err)
{
	char *path;
	int r;

	if (kind >= LKM_INDEX_KIND_COUNT)
		return -EINVAL;
	if (!ctx->indexes[kind]) {
		/* Only the reason, not a whole struct lkm_err: this is deep in every lookup. */
		char why[sizeof(err->why)];

		if (lkm_path_join(&path, ctx->dirname, index_filenames[kind],
				  strlen(index_filenames[kind])) < 0)
			return -ENOMEM;
		if (err)
			err->why[0] = '\0'; /* a reason unset below is strerror's */
		r = lkm_index_open(path, &ctx->indexes[kind], err);
		/*
		 * Both depmods write the two built-in indexes empty when the module directory
		 * has no modules.builtin (a kernel built without it, a tree made by hand):
		 * no built-in modules, as when the file is absent.
		 */
		if (r == -EBADMSG && (kind == LKM_INDEX_BUILTIN || kind == LKM_INDEX_BUILTIN_ALIAS) &&
		    file_is_empty(path))
			r = lkm_err_set(err, -ENOENT, "empty: depmod found no modules.builtin");
		/* The reason alone ("too short for an index header") does not say which. */
		if (r < 0 && err) {
			snprintf(why, sizeof(why), "%s", lkm_err_reason(err, r));
			lkm_err_set(err, r, "%s: %s", path, why);
		}
		free(path);
		if (r < 0)
			return r;
	}
	*out = ctx->indexes[kind];
	return 0;
}
