// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Install and remove commands (modprobe.d's "install" and "remove"): the command with
 * $CMDLINE_OPTS expanded, run through the shell with MODPROBE_MODULE set, and the
 * check that a command does not start the run that led to it again.
 *
 * The chain of modules whose commands are running is passed down in
 * $LKM_MODPROBE_CHAIN; a modprobe started by a command hands it back as
 * ops->command_chain, and meets its own module there: a named loop, not a recursion
 * without end.
 * Planning (load-plan.c) expands a step's command, running a plan (load.c) and removal
 * (unload.c) check for loops; one file keeps the chain's format in one place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lkm-internal.h"

int lkm_command_expand(const char *command, const char *options, char **out)
{
	static const char var[] = "$CMDLINE_OPTS";
	struct lkm_buf b = { 0 };
	const char *p;
	int r;

	*out = NULL;
	if (!options)
		options = "";
	r = lkm_buf_puts(&b, "");
	while (r == 0 && (p = strstr(command, var))) {
		r = lkm_buf_append(&b, command, (size_t)(p - command));
		if (r == 0)
			r = lkm_buf_puts(&b, options);
		command = p + sizeof(var) - 1;
	}
	if (r == 0)
		r = lkm_buf_puts(&b, command);
	if (r < 0) {
		lkm_buf_free(&b);
		return r;
	}
	*out = b.data;
	return 0;
}

int lkm_command_run(const char *cmdline, const char *name, int *retcode)
{
	const char *chain = getenv("LKM_MODPROBE_CHAIN");
	char *newchain = NULL;
	int r;

	*retcode = -1;
	if (asprintf(&newchain, "%s%s%s", chain ? chain : "", chain ? " " : "", name) < 0)
		return -ENOMEM;
	setenv("LKM_MODPROBE_CHAIN", newchain, 1);
	setenv("MODPROBE_MODULE", name, 1);
	r = system(cmdline);
	unsetenv("MODPROBE_MODULE");
	if (chain)
		setenv("LKM_MODPROBE_CHAIN", chain, 1);
	else
		unsetenv("LKM_MODPROBE_CHAIN");
	free(newchain);
	*retcode = r == -1 ? -1 : WEXITSTATUS(r);
	return r == -1 || WEXITSTATUS(r) ? -EINVAL : 0;
}

/*
 * A command for a module whose own command led to this run (ops->command_chain) would
 * start it all again: -ELOOP and the loop in @err (kind @kind); 0 when there is none.
 */
int lkm_command_loop(const struct lkm_load_ops *ops, const char *kind, const char *name,
		     struct lkm_err *err)
{
	const char *chain = ops ? ops->command_chain : NULL, *w;
	size_t len = strlen(name), n;
	bool found = false;

	for (w = chain; w && *w; w += n) {
		w += strspn(w, " ");
		n = strcspn(w, " ");
		found = found || (n == len && strncmp(w, name, len) == 0);
	}
	if (!found)
		return 0;
	if (err) {
		err->code = -ELOOP;
		lkm_loop_begin(&err->loop, kind);
		for (w = chain; *w; w += n) {
			w += strspn(w, " ");
			n = strcspn(w, " ");
			if (n)
				lkm_loop_add(&err->loop, w, n);
		}
		lkm_loop_add(&err->loop, name, len);
	}
	return -ELOOP;
}
