/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the thin tool files: the option table helper and the tool entry points. */
#ifndef LKM_TOOLS_H
#define LKM_TOOLS_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "lkm.h"

/*
 * One option table gives the getopt strings and the --help text, so the two cannot
 * drift apart. The table ends with an entry whose .id is 0.
 */
struct tool_option {
	const char *long_name; /* NULL for a short-only option */
	int id;                /* the short letter, or a value > 255 for long-only options */
	int has_arg;           /* no_argument, required_argument, optional_argument */
	const char *arg_name;  /* for the help text, e.g. "FIELD" */
	const char *help;      /* NULL hides the option from --help (legacy/compat) */
};

struct tool_parser {
	char shortopts[128];
	struct option longopts[64];
};

/* Build the getopt_long tables from @opts. */
void tool_parser_init(struct tool_parser *p, const struct tool_option *opts);
/*
 * getopt_long over @argv from its start, each option given to @one (the value of its
 * .id, '?' for an unknown one; optarg set) until @one returns non-zero. Return: that
 * value, or 0; optind is at the first argument that is no option.
 */
int tool_parse(const struct tool_option *opts, int argc, char **argv,
	       int (*one)(void *data, int c), void *data);
/* Print "Usage: ..." and the option list to @out. */
void tool_print_help(FILE *out, const char *usage, const struct tool_option *opts);
/* Print "NAME version X" and the features, as kmod does for -V. */
void tool_print_version(const char *tool);

/*
 * The one way a tool's messages go out: stderr as "TOOL: LEVEL: text" (LEVEL from the
 * syslog priority, as kmod words it: FATAL, ERROR, WARNING, ...), or syslog with -s.
 * Messages less urgent than @max_prio are dropped.
 */
struct tool_voice {
	const char *tool;
	bool syslog;
	int max_prio;
};
void tool_vsay(const struct tool_voice *v, int prio, const char *fmt, va_list ap);
void tool_say(const struct tool_voice *v, int prio, const char *fmt, ...) LKM_PRINTF(3, 4);
/* A diagnosis: "LEAD: first sentence" (no lead: the sentence), then its detail indented. */
void tool_say_diagnosis(const struct tool_voice *v, int prio, const char *lead,
			const struct lkm_diagnosis *d);
void tool_say_detail(const struct tool_voice *v, int prio, const struct lkm_diagnosis *d);
/* The config's malformed lines, each explained: kmod says them whenever it reads one. */
void tool_say_config_warnings(const struct tool_voice *v, const struct lkm_config *cfg);

/*
 * --batch (batch.c): each line of stdin that holds a request is split into words
 * (lkm_batch_split, @argv0 first) and given to @request, which answers it as the tool
 * would answer those arguments and returns that exit code. A line too long or
 * malformed is said as "TOOL: ERROR: stdin line N: ...". Return: EXIT_SUCCESS when
 * every line succeeded, else the exit code of the last line that failed.
 */
typedef int tool_request_fn(void *data, int argc, char **argv, unsigned lineno);
int tool_batch(const char *tool, const char *argv0, tool_request_fn *request, void *data);

/* Entry points; each lives in its own file. */
/*
 * modprobe --coldplug (coldplug.c): load the drivers of the devices in the ctx's /sys
 * with @load, a round's modules at a time (modprobe's load of them, which words their
 * failures), then print the devices left without a driver; @dry_run: print the plan,
 * load nothing. Return: 0, or the -errno of a failed load or scan.
 */
typedef int tool_coldplug_load_fn(void *data, struct lkm_ctx *ctx, const struct lkm_config *cfg,
				  const struct lkm_resolved *modules, size_t count);
int tool_coldplug(const struct tool_voice *voice, struct lkm_ctx *ctx,
		  const struct lkm_config *cfg, bool dry_run, tool_coldplug_load_fn *load,
		  void *data);

int tool_modinfo(int argc, char *argv[]);
int tool_lsmod(int argc, char *argv[]);
int tool_insmod(int argc, char *argv[]);
int tool_rmmod(int argc, char *argv[]);
int tool_modprobe(int argc, char *argv[]);
int tool_depmod(int argc, char *argv[]);
int tool_index(int argc, char *argv[]);
int tool_static_nodes(int argc, char *argv[]);

#endif
