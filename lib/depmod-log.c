// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's log: messages go to the caller's callback, except in a worker thread, which
 * keeps its own to be replayed in module order, so the log never depends on timing.
 */
#include <stdio.h>
#include <string.h>

#include "depmod-internal.h"

/* Set in a worker thread: its messages are kept here, to be replayed in a fixed order. */
static __thread struct lkm_buf *log_capture;

void depmod_log(struct lkm_depmod *d, enum lkm_depmod_level level, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;

	if (!d->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!log_capture) {
		d->cfg.log(d->cfg.log_data, level, msg);
		return;
	}
	/* Out of memory, the message is lost; the work it describes goes on. */
	if (lkm_buf_append(log_capture, &(char){ (char)('0' + level) }, 1) == 0 &&
	    lkm_buf_append(log_capture, msg, strlen(msg) + 1) < 0)
		log_capture->len--;
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
