/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The libkmod tests' view of a module list: its names, space-separated. */
#ifndef LKM_TEST_LIBKMOD_LIST_NAMES_H
#define LKM_TEST_LIBKMOD_LIST_NAMES_H

#include <stdio.h>

#include <libkmod.h>

/* The names of @list, space-separated, into @buf (of @size bytes); returns @buf. */
static inline const char *names(struct kmod_list *list, char *buf, size_t size)
{
	struct kmod_list *l;
	size_t len = 0;

	buf[0] = '\0';
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "",
					kmod_module_get_name(m));
		kmod_module_unref(m);
	}
	return buf;
}

#endif
