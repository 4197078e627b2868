// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe --coldplug (lib/coldplug.c decides): load the drivers of the devices in
 * /sys, rounds until nothing new appears, then the devices still without a driver, as
 * FreeBSD's devmatch reports them. With -n the plan instead: each distinct modalias with
 * the modules it would load, and its devices. The text is documented in modprobe(8):
 *
 *   MODALIAS: MODULE... | -              (-n) a blacklisted module as MODULE(blacklisted)
 *     PATH [(driver NAME)]               (-n) each device with that modalias
 *   unbound PATH modalias=M vendor=ID device=ID match=MODULE,...|-
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "tools.h"

/* udev's coldplug settles too; a USB device behind its hub comes 100s of ms after. */
#define ROUNDS_MAX   5
#define QUIET_MS     1000
#define SETTLE_MAX_MS 10000

struct coldplug {
	const struct tool_voice *voice;
	struct lkm_ctx *ctx;
	const struct lkm_config *cfg;
	tool_coldplug_load_fn *load;
	void *data;
};

/* One round's modules, through modprobe's load of them (in parallel: man modprobe). */
static int load_round(void *data, const struct lkm_resolved *modules, size_t count)
{
	const struct coldplug *c = data;

	return count ? c->load(c->data, c->ctx, c->cfg, modules, count) : 0;
}

/* A module that two of its aliases' patterns match is found twice (kmod's lookup too). */
static bool named_before(const struct lkm_resolved *modules, size_t j)
{
	size_t i;

	for (i = 0; i < j; i++)
		if (strcmp(modules[i].name, modules[j].name) == 0)
			return true;
	return false;
}

static void print_plan(const struct coldplug *c, const struct lkm_coldplug_plan *plan)
{
	const char *sys = lkm_ctx_get_sys(c->ctx);
	size_t i, j;

	for (i = 0; i < plan->n_aliases; i++) {
		const struct lkm_coldplug_alias *a = &plan->aliases[i];

		printf("%s:", a->modalias);
		for (j = 0; j < a->n_modules; j++)
			if (!named_before(a->modules, j))
				printf(" %s%s", a->modules[j].name,
				       c->cfg && lkm_config_get_blacklist(c->cfg,
									  a->modules[j].name) ?
					       "(blacklisted)" : "");
		printf("%s\n", a->n_modules ? "" : " -");
		for (j = 0; j < plan->n_devices; j++) {
			const struct lkm_coldplug_device *d = &plan->devices[j];

			if (d->alias != i)
				continue;
			printf("  %s/%s", sys, d->path);
			if (d->driver)
				printf(" (driver %s)", d->driver);
			printf("\n");
		}
	}
}

static void print_unbound(const struct coldplug *c, const struct lkm_coldplug_plan *plan)
{
	const char *sys = lkm_ctx_get_sys(c->ctx);
	size_t i, j, n = 0;

	for (i = 0; i < plan->n_devices; i++) {
		const struct lkm_coldplug_device *d = &plan->devices[i];
		const struct lkm_coldplug_alias *a = &plan->aliases[d->alias];

		if (d->driver)
			continue;
		n++;
		printf("unbound %s/%s modalias=%s vendor=%s device=%s match=", sys, d->path,
		       d->modalias, d->vendor ? d->vendor : "-", d->device ? d->device : "-");
		for (j = 0; j < a->n_modules; j++)
			if (!named_before(a->modules, j))
				printf("%s%s", j ? "," : "", a->modules[j].name);
		printf("%s\n", a->n_modules ? "" : "-");
	}
	tool_say(c->voice, LOG_NOTICE, "coldplug: %zu devices, %zu modaliases, %zu modules in %u "
				     "scans, %zu devices without a driver",
		 plan->n_devices, plan->n_aliases, plan->n_loaded, plan->rounds, n);
}

int tool_coldplug(const struct tool_voice *voice, struct lkm_ctx *ctx,
		  const struct lkm_config *cfg, bool dry_run, tool_coldplug_load_fn *load,
		  void *data)
{
	struct coldplug c = { voice, ctx, cfg, load, data };
	const struct lkm_coldplug_ops ops = {
		.load = dry_run ? NULL : load_round, .data = &c, .max_rounds = ROUNDS_MAX,
		.settle_quiet_ms = QUIET_MS, .settle_max_ms = SETTLE_MAX_MS,
	};
	struct lkm_coldplug_plan plan = { 0 };
	struct lkm_err err = { 0 };
	int r;

	r = lkm_coldplug_run(ctx, cfg, &plan, &ops, &err);
	if (r < 0 && err.code)
		tool_say(voice, LOG_ERR, "coldplug: %s", lkm_err_reason(&err, r));
	if (!err.code) {
		if (dry_run)
			print_plan(&c, &plan);
		print_unbound(&c, &plan);
	}
	fflush(stdout);
	lkm_coldplug_plan_release(&plan);
	return r;
}
