// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel log records of one load attempt: /dev/kmsg (or the ctx's fake one) is
 * opened and moved to its end just before the syscall, and what was written since is
 * read back afterwards, so a diagnosis quotes that attempt and nothing older.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkm-internal.h"

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
