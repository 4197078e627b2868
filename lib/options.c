// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module options as words: the command line's joined into one string (kmod quotes a
 * value with spaces), and $MODPROBE_OPTIONS split and put before a tool's arguments.
 * (Moved out of load.c, which carries out plans.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lkm-internal.h"

int lkm_options_join(char *const *args, size_t n, char **out)
{
	struct lkm_buf b = { 0 };
	size_t i;
	int r = lkm_buf_puts(&b, "");

	*out = NULL;
	for (i = 0; i < n && r == 0; i++) {
		const char *eq = strchr(args[i], '=');

		if (i > 0)
			r = lkm_buf_puts(&b, " ");
		if (r == 0 && eq && eq[1] != '"' && eq[1] != '\'' && strchr(eq + 1, ' '))
			r = lkm_buf_printf(&b, "%.*s\"%s\"", (int)(eq + 1 - args[i]), args[i], eq + 1);
		else if (r == 0)
			r = lkm_buf_puts(&b, args[i]);
	}
	if (r < 0) {
		lkm_buf_free(&b);
		return r;
	}
	*out = b.data;
	return 0;
}

int lkm_options_prepend(const char *text, int *argc, char **argv, char ***out)
{
	size_t words = 1, n = 0, len = strlen(text), room;
	const char *t;
	char **v, *s, *w, *d;
	int i;

	*out = NULL;
	if (*argc < 1)
		return -EINVAL;
	for (t = text; *t; t++)
		words += *t == ' ';
	/* One block: the pointers, then the words in a copy of @text. */
	room = (size_t)*argc + words + 1;
	v = malloc(room * sizeof(*v) + len + 1);
	if (!v)
		return -ENOMEM;
	s = memcpy((char *)(v + room), text, len + 1);
	v[n++] = argv[0];
	while (*s) {
		char quote = 0;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		w = d = s;
		for (; *s && (quote || *s != ' '); s++) {
			if (!quote && (*s == '"' || *s == '\''))
				quote = *s;
			else if (quote && *s == quote)
				quote = 0;
			else
				*d++ = *s;
		}
		if (*s)
			s++;
		*d = '\0';
		v[n++] = w;
	}
	for (i = 1; i < *argc; i++)
		v[n++] = argv[i];
	v[n] = NULL;
	*argc = (int)n;
	*out = v;
	return 0;
}
