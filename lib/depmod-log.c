// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's log: messages go to the caller's callback, except in a worker thread, which
 * keeps its own to be replayed in module order, so the log never depends on timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depmod-internal.h"

/* Set in a worker thread: its messages are kept here, to be replayed in a fixed order. */
static __thread struct lkm_buf *log_capture;

static void log_msg(struct lkm_depmod *d, enum lkm_depmod_level level, const char *msg)
{
	if (!log_capture) {
		d->cfg.log(d->cfg.log_data, level, msg);
		return;
	}
	/* Out of memory, the message is lost; the work it describes goes on. */
	if (lkm_buf_append(log_capture, &(char){ (char)('0' + level) }, 1) == 0 &&
	    lkm_buf_append(log_capture, msg, strlen(msg) + 1) < 0)
		log_capture->len--;
}

/* A message longer than the buffer (a long cycle) is formatted again, whole. */
void depmod_log(struct lkm_depmod *d, enum lkm_depmod_level level, const char *fmt, ...)
{
	char small[8192], *msg = small;
	va_list ap, again;
	int n;

	if (!d->cfg.log)
		return;
	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small)) {
		/* Out of memory, the message is kept cut short. */
		msg = malloc((size_t)n + 1);
		if (msg)
			vsnprintf(msg, (size_t)n + 1, fmt, again);
		else
			msg = small;
	}
	va_end(again);
	va_end(ap);
	log_msg(d, level, msg);
	if (msg != small)
		free(msg);
}

void depmod_log_capture(struct lkm_buf *b)
{
	log_capture = b;
}

void depmod_log_replay(struct lkm_depmod *d, const struct lkm_buf *b)
{
	size_t pos = 0;

	while (pos < b->len) {
		const char *msg = b->data + pos + 1;

		d->cfg.log(d->cfg.log_data, (enum lkm_depmod_level)(b->data[pos] - '0'), msg);
		pos += 2 + strlen(msg);
	}
}
