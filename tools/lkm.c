// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The multicall binary: the tool is picked by the name it was run as (insmod, modprobe,
 * ...), or by the first argument ("lkm modinfo ...", "kmod static-nodes ..."), as kmod
 * and BusyBox do. Installed as kmod, it takes kmod's own commands too: list (lsmod),
 * static-nodes and help; -V/--version and -h/--help are taken before the command.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools.h"

struct tool {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *summary;
	bool by_name; /* also chosen by the name it runs as (a symlink) */
};

static int tool_help(int argc, char *argv[]);

static const struct tool tools[] = {
	{ "insmod", tool_insmod, "insert a module file into the kernel", true },
	{ "rmmod", tool_rmmod, "remove a module from the kernel", true },
	{ "lsmod", tool_lsmod, "list the loaded modules", true },
	{ "modprobe", tool_modprobe, "load or remove modules with their dependencies", true },
	{ "depmod", tool_depmod, "write the module indexes", true },
	{ "modinfo", tool_modinfo, "show what a module declares", true },
	{ "list", tool_lsmod, "list the loaded modules (kmod list: lsmod)", false },
	{ "static-nodes", tool_static_nodes, "output the static-node information of the running kernel", false },
	{ "help", tool_help, "show this help", false },
	{ "index", tool_index, "dump a .bin index: lkm index dump FILE", false },
};

static const struct tool *find_tool(const char *name, bool by_name)
{
	size_t i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(tools[i].name, name) == 0 && (tools[i].by_name || !by_name))
			return &tools[i];
	return NULL;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: lkm TOOL [ARGS...]  (or run it as TOOL through a symlink)\n"
		     "       lkm --version | --help\nTools:\n");
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		fprintf(out, "\t%-12s %s\n", tools[i].name, tools[i].summary);
}

static int tool_help(int argc, char *argv[])
{
	usage(stdout);
	return 0;
}

/* A pipe or socket that no one reads any more: its write end polls as an error. */
static bool reader_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/*
 * Ends the process once its tool is done. Standard output is flushed here so that a
 * failed write (a full disk) is an error and exit status 1, not a silently short output;
 * a reader that went away (EPIPE, with SIGPIPE ignored) is no error of ours. A write that
 * failed inside printf left no errno to read: the descriptor is asked instead. Then
 * _exit: nothing of lkm's is left to run, and libc's and the libraries' exit handlers
 * would only touch pages that a call of 0.8 ms pays for. Sanitizer builds exit normally,
 * for their leak checks.
 */
static int finish(int rc, const char *tool)
{
	bool failed = ferror(stdout);

	errno = 0;
	if (fflush(stdout) != 0 || failed) {
		if (errno == 0 && reader_gone(STDOUT_FILENO))
			errno = EPIPE;
		if (errno != EPIPE) {
			fprintf(stderr, "%s: ERROR: cannot write the output: %s\n", tool,
				errno ? strerror(errno) : "an earlier write failed");
			rc = rc ? rc : 1;
		}
	}
#if defined(__SANITIZE_ADDRESS__)
	exit(rc);
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
	exit(rc);
#endif
#endif
	_exit(rc);
}

/* Run the tool picked by @argv; *@name is set to what its messages are headed with. */
static int run_tool(int argc, char *argv[], const char **name)
{
	const char *self = strrchr(argv[0], '/');
	const struct tool *t;

	self = self ? self + 1 : argv[0];
	*name = self;
	t = find_tool(self, true);
	if (t)
		return t->main(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		tool_print_version(strcmp(self, "kmod") == 0 ? "kmod" : "lkm");
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	t = find_tool(argv[1], false);
	if (!t) {
		fprintf(stderr, "lkm: '%s' is not a tool; run 'lkm --help' for the list\n", argv[1]);
		return 1;
	}
	*name = argv[1];
	return t->main(argc - 1, argv + 1);
}

int main(int argc, char *argv[])
{
	const char *name;
	int rc = run_tool(argc, argv, &name);

	return finish(rc, name);
}
