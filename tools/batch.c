// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * --batch for modprobe and modinfo: one request a line of stdin, each split into words
 * (lkm_batch_split) and answered in turn by the tool's own per-request path, with the
 * context and the configuration the tool loaded once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "tools.h"

int tool_batch(const char *tool, const char *argv0, tool_request_fn *request, void *data)
{
	const struct tool_voice v = { tool, false, LOG_ERR };
	unsigned lineno = 0;
	char *line = NULL, **av;
	size_t cap = 0;
	ssize_t len;
	int ac, r, code, rc = EXIT_SUCCESS;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		av = NULL;
		code = 0;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		/* A NUL byte in the line is malformed too. */
		r = (size_t)len != strlen(line) ? -EINVAL : lkm_batch_split(line, argv0, &ac, &av);
		if (r == -E2BIG)
			tool_say(&v, LOG_ERR, "stdin line %u: longer than %d bytes", lineno,
				 LKM_BATCH_LINE_MAX);
		else if (r == -EINVAL)
			tool_say(&v, LOG_ERR, "stdin line %u: malformed: a quote does not end, "
				 "or a NUL byte", lineno);
		else if (r < 0)
			tool_say(&v, LOG_ERR, "stdin line %u: %s", lineno, strerror(-r));
		else if (ac > 1)
			code = request(data, ac, av, lineno);
		fflush(stdout);
		if (r < 0 || code != 0)
			rc = r < 0 ? EXIT_FAILURE : code;
		free(av);
	}
	free(line);
	if (ferror(stdin)) {
		tool_say(&v, LOG_ERR, "stdin: %s", strerror(errno));
		rc = EXIT_FAILURE;
	}
	return rc;
}
