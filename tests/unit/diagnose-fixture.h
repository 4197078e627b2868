/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fixture tree the diagnostics unit tests share (test-diagnose*.c): one root per
 * test program, emptied by each test's fixture(), holding fake /proc, /sys, kernel log
 * (a plain file "kmsg") and module directory; a context pointed at it; a load diagnosed
 * around records "logged" to that file; and assertions on the words of a diagnosis.
 * Include after fixture.h and test.h. As in fixture.h, a failed setup step exits 2.
 */
#ifndef LKM_TEST_DIAGNOSE_FIXTURE_H
#define LKM_TEST_DIAGNOSE_FIXTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkm-internal.h"
#include "fixture.h"
#include "test.h"

/* The tree's root, made by dfx_setup() before the first test runs. */
static char dfx_root[256];

static inline void dfx_setup(const char *name)
{
	fixture_tmpdir(dfx_root, sizeof(dfx_root), name);
}

/*
 * <root>/@rel, in one of 8 rotating buffers: a path kept across more calls must be
 * copied (or taken last, as dfx_ctx_new() does).
 */
static inline const char *dfx_at(const char *rel)
{
	static char bufs[8][512];
	static int n;
	char *b = bufs[n++ % 8];

	snprintf(b, 512, "%s/%s", dfx_root, rel);
	return b;
}

/* Write @text to <root>/@rel (its directories made on the way). */
static inline void dfx_put(const char *rel, const char *text)
{
	fixture_write(dfx_root, rel, text, strlen(text), "w");
}

/* Append @text to <root>/@rel. */
static inline void dfx_append(const char *rel, const char *text)
{
	fixture_write(dfx_root, rel, text, strlen(text), "a");
}

/* Empty the tree: each test starts from nothing its predecessors wrote. */
static inline void dfx_fresh_tree(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", dfx_root);
	if (system(cmd) != 0)
		exit(2);
}

/* An index built with index.c's builder from NULL-terminated key, value pairs. */
static inline void dfx_index(const char *rel, const char *const *kv)
{
	struct lkm_index_builder *b;
	int fd;

	if (lkm_index_builder_new(&b) < 0)
		exit(2);
	for (; *kv; kv += 2)
		if (lkm_index_builder_add(b, kv[0], kv[1], 0) < 0)
			exit(2);
	fd = open(dfx_at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || lkm_index_builder_write(b, fd, NULL) < 0)
		exit(2);
	close(fd);
	lkm_index_builder_free(b);
}

/* A context on the tree for kernel @kver: its proc, sys and kmsg below the root. */
static inline struct lkm_ctx *dfx_ctx_new(const char *kver)
{
	struct lkm_ctx_config cfg = { .basedir = dfx_root, .kver = kver };
	struct lkm_ctx *ctx;

	cfg.proc = dfx_at("proc");
	cfg.sys = dfx_at("sys");
	cfg.kmsg = dfx_at("kmsg");
	if (lkm_ctx_new(&cfg, &ctx) < 0)
		exit(2);
	return ctx;
}

/* Capture around a "syscall" that writes @records to the fake log. */
static inline void dfx_capture(struct lkm_ctx *ctx, const char *records,
			       struct lkm_kmsg_log *log)
{
	struct lkm_kmsg_capture cap;

	CHECK_INT(lkm_kmsg_begin(ctx, &cap), ==, 0);
	dfx_append("kmsg", records);
	CHECK_INT(lkm_kmsg_end(&cap, log), ==, 0);
}

/*
 * Diagnose a load of @path that failed with @error after the kernel logged @records
 * (NULL: nothing). The diagnosis's buffers are as lkm_diagnose_load() left them.
 */
static inline void dfx_diagnose_load_raw(struct lkm_ctx *ctx, const char *path, int error,
					 const char *records, struct lkm_diagnosis *d)
{
	struct lkm_kmsg_log log = { 0 };
	struct lkm_diag_load in = { .path = path, .error = error, .log = &log };

	dfx_capture(ctx, records ? records : "", &log);
	CHECK_INT(lkm_diagnose_load(ctx, &in, d), ==, 0);
	lkm_kmsg_log_release(&log);
}

/* Give both of @d's buffers a string, so that HAS/HASNT can search them. */
static inline void dfx_diagnosis_strings(struct lkm_diagnosis *d)
{
	if ((!d->first.data && lkm_buf_puts(&d->first, "") < 0) ||
	    (!d->detail.data && lkm_buf_puts(&d->detail, "") < 0))
		exit(2);
}

/* dfx_diagnose_load_raw(), then both buffers made strings. */
static inline void dfx_diagnose_load(struct lkm_ctx *ctx, const char *path, int error,
				     const char *records, struct lkm_diagnosis *d)
{
	dfx_diagnose_load_raw(ctx, path, error, records, d);
	dfx_diagnosis_strings(d);
}

/* Whether a diagnosis buffer (a struct lkm_buf, its data possibly NULL) holds @s. */
#define HAS(buf, s)                                                                        \
	do {                                                                               \
		if (!strstr((buf).data ? (buf).data : "", (s))) {                          \
			fprintf(stderr, "  %s:%d: missing \"%s\" in:\n%s\n", __FILE__,     \
				__LINE__, (s), (buf).data ? (buf).data : "(null)");        \
			test_failed = 1;                                                   \
		}                                                                          \
	} while (0)

#define HASNT(buf, s)                                                                      \
	do {                                                                               \
		if (strstr((buf).data ? (buf).data : "", (s))) {                           \
			fprintf(stderr, "  %s:%d: unexpected \"%s\" in:\n%s\n", __FILE__,  \
				__LINE__, (s), (buf).data);                                \
			test_failed = 1;                                                   \
		}                                                                          \
	} while (0)

#endif
