// SPDX-License-Identifier: LGPL-2.1-or-later
/* The option table helper and the message functions every tool shares. */
#include <stdarg.h>
#include <string.h>
#include <syslog.h>

#include "tools.h"

void tool_parser_init(struct tool_parser *p, const struct tool_option *opts)
{
	size_t s = 0, l = 0;

	memset(p, 0, sizeof(*p));
	for (; opts->id; opts++) {
		if (opts->id < 256 && s + 3 < sizeof(p->shortopts)) {
			p->shortopts[s++] = (char)opts->id;
			if (opts->has_arg == required_argument)
				p->shortopts[s++] = ':';
			else if (opts->has_arg == optional_argument) {
				p->shortopts[s++] = ':';
				p->shortopts[s++] = ':';
			}
		}
		if (opts->long_name && l + 1 < sizeof(p->longopts) / sizeof(p->longopts[0])) {
			p->longopts[l].name = opts->long_name;
			p->longopts[l].has_arg = opts->has_arg;
			p->longopts[l].val = opts->id;
			l++;
		}
	}
}

int tool_parse(const struct tool_option *opts, int argc, char **argv,
	       int (*one)(void *data, int c), void *data)
{
	struct tool_parser p;
	int c, r = 0;

	tool_parser_init(&p, opts);
	optind = 0; /* getopt starts afresh: a --batch line is parsed like a command line */
	while (r == 0 && (c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1)
		r = one(data, c);
	return r;
}

void tool_print_help(FILE *out, const char *usage, const struct tool_option *opts)
{
	char left[64];

	fprintf(out, "Usage:\n%s\nOptions:\n", usage);
	for (; opts->id; opts++) {
		int n = 0;

		if (!opts->help)
			continue;
		if (opts->id < 256)
			n = snprintf(left, sizeof(left), "-%c", opts->id);
		if (opts->long_name)
			n += snprintf(left + n, sizeof(left) - n, "%s--%s", n ? ", " : "    ",
				      opts->long_name);
		if (opts->has_arg == required_argument)
			snprintf(left + n, sizeof(left) - n, " %s", opts->arg_name ? opts->arg_name : "ARG");
		else if (opts->has_arg == optional_argument)
			snprintf(left + n, sizeof(left) - n, "[=%s]", opts->arg_name ? opts->arg_name : "ARG");
		fprintf(out, "\t%-28s %s\n", left, opts->help);
	}
}

/*
 * As kmod's tools print it, for the scripts that read it (the kernel's scripts/depmod.sh
 * takes the number after "kmod version", others grep the second line for +XZ), then
 * lkm's own line. Run as lkm itself, lkm's version comes first.
 */
void tool_print_version(const char *tool)
{
	if (strcmp(tool, "lkm") == 0)
		printf("lkm version %s (kmod %s compatible)\n%s\n", LKM_VERSION, LKM_KMOD_VERSION,
		       LKM_FEATURES);
	else
		printf("kmod version %s\n%s\nlkm version %s\n", LKM_KMOD_VERSION, LKM_FEATURES,
		       LKM_VERSION);
}

void tool_vsay(const struct tool_voice *v, int prio, const char *fmt, va_list ap)
{
	static const char *const names[] = { "EMERGENCY", "ALERT", "FATAL", "ERROR", "WARNING",
					     "NOTICE", "INFO", "DEBUG" };
	char msg[2048];

	if (prio > v->max_prio || prio < 0 || prio > LOG_DEBUG)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* What stdout holds came first: keep the order where both reach one file. */
	fflush(stdout);
	if (v->syslog)
		syslog(prio, "%s: %s", names[prio], msg);
	else
		fprintf(stderr, "%s: %s: %s\n", v->tool, names[prio], msg);
}

void tool_say(const struct tool_voice *v, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_vsay(v, prio, fmt, ap);
	va_end(ap);
}

void tool_say_detail(const struct tool_voice *v, int prio, const struct lkm_diagnosis *d)
{
	const char *p = d->detail.data;

	if (prio > v->max_prio)
		return;
	while (p && *p) {
		int len = (int)strcspn(p, "\n");

		if (v->syslog)
			syslog(prio, "  %.*s", len, p);
		else
			fprintf(stderr, "  %.*s\n", len, p);
		p += len + (p[len] == '\n');
	}
}

void tool_say_diagnosis(const struct tool_voice *v, int prio, const char *lead,
			const struct lkm_diagnosis *d)
{
	tool_say(v, prio, "%s%s%s", lead ? lead : "", lead ? ": " : "", d->first.data);
	tool_say_detail(v, prio, d);
}

void tool_say_config_warnings(const struct tool_voice *v, const struct lkm_config *cfg)
{
	size_t i, n;
	const struct lkm_config_warning *w = lkm_config_list_warnings(cfg, &n);
	struct lkm_diagnosis d;

	for (i = 0; i < n; i++) {
		if (lkm_diagnose_config(&w[i], &d) == 0)
			tool_say_diagnosis(v, LOG_ERR, NULL, &d);
		else
			tool_say(v, LOG_ERR, "%s", w[i].text);
		lkm_diagnosis_release(&d);
	}
}
