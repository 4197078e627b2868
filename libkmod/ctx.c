// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * struct kmod_ctx: the module directory, the log, the caller's pointer, the modprobe
 * configuration (read when first needed) and the pool that gives one kmod_module per
 * module. lib/'s own context and the indexes live in resources.c.
 *
 * As in kmod: the log goes to stderr at LOG_ERR until the caller says otherwise, and
 * $KMOD_LOG (a number, or a word starting with "err", "info" or "debug") sets the
 * priority when the context is made.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libkmod-internal.h"

/* The pool starts with this many buckets and doubles when it holds twice as many. */
#define POOL_FIRST_BUCKETS 256

struct pool_entry {
	struct pool_entry *next;
	const char *key; /* owned by the module */
	struct kmod_module *mod;
};

typedef void (*kmod_log_fn)(void *data, int priority, const char *file, int line,
			    const char *fn, const char *format, va_list args);

struct kmod_ctx {
	int refcount;
	int log_priority;
	kmod_log_fn log_fn;
	void *log_data;
	const void *userdata;
	char *dirname;
	struct kmod_lkm_state res;
	struct lkm_config *config;
	bool config_read;
	struct pool_entry **buckets;
	size_t n_buckets, n_modules;
};

static const char *priority_name(int priority, char *buf, size_t size)
{
	static const char *const names[] = {
		[LOG_EMERG] = "EMERGENCY", [LOG_ALERT] = "ALERT",   [LOG_CRIT] = "CRITICAL",
		[LOG_ERR] = "ERROR",       [LOG_WARNING] = "WARNING", [LOG_NOTICE] = "NOTICE",
		[LOG_INFO] = "INFO",       [LOG_DEBUG] = "DEBUG",
	};

	if (priority >= 0 && priority <= LOG_DEBUG)
		return names[priority];
	snprintf(buf, size, "L:%d", priority);
	return buf;
}

/* The default log function: "libkmod: PRIORITY: FUNCTION: message" on the FILE *@data. */
LKM_PRINTF(6, 0)
static void log_to_file(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	char buf[16];

	fprintf(data, "libkmod: %s: %s: ", priority_name(priority, buf, sizeof(buf)), fn);
	vfprintf(data, format, args);
}

void kmod_log(const struct kmod_ctx *ctx, int priority, const char *file, int line,
	      const char *fn, const char *format, ...)
{
	va_list args;

	if (!ctx->log_fn || priority > ctx->log_priority)
		return;
	va_start(args, format);
	ctx->log_fn(ctx->log_data, priority, file, line, fn, format, args);
	va_end(args);
}

/* $KMOD_LOG: kmod reads a number, or the words err, info and debug by their start. */
static int parse_log_priority(const char *s)
{
	char *end;
	long prio = strtol(s, &end, 10);

	if (*end == '\0' || isspace((unsigned char)*end))
		return (int)prio;
	if (strncmp(s, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(s, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(s, "debug", 5) == 0)
		return LOG_DEBUG;
	return 0;
}

/* kmod's module directory: /lib/modules/RELEASE, or @dirname made absolute. */
static char *module_directory(const char *dirname)
{
	struct utsname u;
	char *path;
	int n;

	if (dirname)
		return lkm_path_absolute(dirname, &path) < 0 ? NULL : path;
	if (uname(&u) < 0)
		return NULL;
	n = asprintf(&path, "/lib/modules/%s", u.release);
	return n < 0 ? NULL : path;
}

static void ctx_free(struct kmod_ctx *ctx)
{
	kmod_lkm_state_release(&ctx->res);
	lkm_config_free(ctx->config);
	free(ctx->buckets);
	free(ctx->dirname);
	free(ctx);
}

KMOD_EXPORT struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths)
{
	struct kmod_ctx *ctx;
	const char *env;
	int r;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->refcount = 1;
	ctx->log_fn = log_to_file;
	ctx->log_data = stderr;
	ctx->log_priority = LOG_ERR;
	env = secure_getenv("KMOD_LOG");
	if (env)
		ctx->log_priority = parse_log_priority(env);

	ctx->dirname = module_directory(dirname);
	if (!ctx->dirname) {
		KMOD_ERR(ctx, "could not retrieve directory\n");
		goto fail;
	}
	ctx->n_buckets = POOL_FIRST_BUCKETS;
	ctx->buckets = calloc(ctx->n_buckets, sizeof(*ctx->buckets));
	if (!ctx->buckets)
		goto fail;
	r = kmod_lkm_state_init(&ctx->res, ctx->dirname, config_paths);
	if (r < 0) {
		KMOD_ERR(ctx, "could not create context: %s\n", strerror(-r));
		errno = -r;
		goto fail;
	}
	KMOD_INFO(ctx, "ctx %p created\n", (void *)ctx);
	KMOD_DBG(ctx, "log_priority=%d\n", ctx->log_priority);
	return ctx;
fail:
	ctx_free(ctx);
	return NULL;
}

KMOD_EXPORT struct kmod_ctx *kmod_ref(struct kmod_ctx *ctx)
{
	if (!ctx)
		return NULL;
	ctx->refcount++;
	return ctx;
}

KMOD_EXPORT struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;
	KMOD_INFO(ctx, "context %p released\n", (void *)ctx);
	ctx_free(ctx);
	return NULL;
}

KMOD_EXPORT void kmod_set_log_fn(struct kmod_ctx *ctx, kmod_log_fn log_fn, const void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = log_fn;
	ctx->log_data = (void *)data;
	KMOD_INFO(ctx, "custom logging function %p registered\n", (void *)log_fn);
}

KMOD_EXPORT int kmod_get_log_priority(const struct kmod_ctx *ctx)
{
	return ctx ? ctx->log_priority : -1;
}

KMOD_EXPORT void kmod_set_log_priority(struct kmod_ctx *ctx, int priority)
{
	if (ctx)
		ctx->log_priority = priority;
}

KMOD_EXPORT void kmod_set_userdata(struct kmod_ctx *ctx, const void *userdata)
{
	if (ctx)
		ctx->userdata = userdata;
}

KMOD_EXPORT void *kmod_get_userdata(const struct kmod_ctx *ctx)
{
	return ctx ? (void *)ctx->userdata : NULL;
}

KMOD_EXPORT const char *kmod_get_dirname(const struct kmod_ctx *ctx)
{
	return ctx ? ctx->dirname : NULL;
}

struct kmod_lkm_state *kmod_ctx_get_lkm_state(struct kmod_ctx *ctx)
{
	return &ctx->res;
}

/*
 * The configuration is read once, with the indexes' context of that moment (for
 * modules.softdep and modules.weakdep); kmod_validate_resources() compares the config
 * paths with what they were when the context was made, before this read.
 */
const struct lkm_config *kmod_ctx_get_config(struct kmod_ctx *ctx)
{
	const struct lkm_config_warning *w;
	size_t i, n;

	if (ctx->config_read)
		return ctx->config;
	if (lkm_config_new(kmod_ctx_get_lkm(ctx), 0, &ctx->config) < 0) {
		KMOD_ERR(ctx, "could not create config: %s\n", strerror(ENOMEM));
		ctx->config = NULL;
		return NULL;
	}
	ctx->config_read = true;
	w = lkm_config_list_warnings(ctx->config, &n);
	for (i = 0; i < n; i++)
		KMOD_ERR(ctx, "%s\n", w[i].text);
	return ctx->config;
}

/* ---- the module pool: a chained hash table of the modules by key ---- */

static size_t key_hash(const char *key, size_t n_buckets)
{
	size_t h = 5381;

	while (*key)
		h = h * 33 + (unsigned char)*key++;
	return h & (n_buckets - 1);
}

static void pool_grow(struct kmod_ctx *ctx)
{
	size_t n = ctx->n_buckets * 2, i;
	struct pool_entry **b = calloc(n, sizeof(*b)), *e, *next;

	/* Without the memory the chains only get longer. */
	if (!b)
		return;
	for (i = 0; i < ctx->n_buckets; i++) {
		for (e = ctx->buckets[i]; e; e = next) {
			size_t h = key_hash(e->key, n);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(ctx->buckets);
	ctx->buckets = b;
	ctx->n_buckets = n;
}

struct kmod_module *kmod_pool_find(struct kmod_ctx *ctx, const char *key)
{
	struct pool_entry *e;

	for (e = ctx->buckets[key_hash(key, ctx->n_buckets)]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->mod;
	return NULL;
}

int kmod_pool_add(struct kmod_ctx *ctx, struct kmod_module *mod, const char *key)
{
	struct pool_entry *e = malloc(sizeof(*e));
	size_t h;

	if (!e)
		return -ENOMEM;
	if (ctx->n_modules >= 2 * ctx->n_buckets)
		pool_grow(ctx);
	h = key_hash(key, ctx->n_buckets);
	e->key = key;
	e->mod = mod;
	e->next = ctx->buckets[h];
	ctx->buckets[h] = e;
	ctx->n_modules++;
	return 0;
}

void kmod_pool_del(struct kmod_ctx *ctx, const char *key)
{
	struct pool_entry **p, *e;

	for (p = &ctx->buckets[key_hash(key, ctx->n_buckets)]; (e = *p); p = &e->next) {
		if (strcmp(e->key, key) == 0) {
			*p = e->next;
			free(e);
			ctx->n_modules--;
			return;
		}
	}
}
