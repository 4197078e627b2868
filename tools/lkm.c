// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The multicall binary: the tool is picked by the name it was run as (insmod, modprobe,
 * ...), or by the first argument ("lkm modinfo ...", "kmod static-nodes ..."), as kmod
 * and BusyBox do. Installed as kmod, it takes kmod's own commands too: list (lsmod),
 * static-nodes and help; -V/--version and -h/--help are taken before the command.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

int main(int argc, char *argv[])
{
	const char *self = strrchr(argv[0], '/');
	const struct tool *t;

	self = self ? self + 1 : argv[0];
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
	return t->main(argc - 1, argv + 1);
}
