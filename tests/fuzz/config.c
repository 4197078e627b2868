// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: modprobe.d, depmod.d and the kernel command line (lib/config.c). The
 * parser reads files, so each part of the input is written to a scratch directory
 * (see fuzz.h for the split):
 *
 *   part 0  a modprobe.d file (passed as a single config path, as modprobe -C does)
 *   part 1  a depmod.d file
 *   part 2  <proc>/cmdline
 *   part 3  <dirname>/modules.softdep (depmod's output, read among the config files)
 *
 * An absent part is an absent file. Then every lookup modprobe makes is made with the
 * names the configuration itself holds (aliases, options, install and remove commands,
 * softdeps, weakdeps, blacklists, as lkm_config_show prints them), and depmod.d is
 * parsed against a kernel version.
 *
 * Oracle: no crash, no sanitizer report, no hang; only -ENOMEM fails; every warning
 * has a text.
 */
#include "fuzz.h"
#include "lkm-internal.h"

static char path_modprobe[600], path_depmod[600], path_cmdline[600], path_softdep[600];
static struct lkm_ctx *ctx;

static void setup(void)
{
	static const char *paths[2];
	const char *dir = fuzz_scratch_dir();
	char proc[300];
	struct lkm_ctx_config cfg = { 0 };

	snprintf(path_modprobe, sizeof(path_modprobe), "%s/modprobe.conf", dir);
	snprintf(path_depmod, sizeof(path_depmod), "%s/depmod.conf", dir);
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	snprintf(path_cmdline, sizeof(path_cmdline), "%s/cmdline", proc);
	snprintf(path_softdep, sizeof(path_softdep), "%s/modules.softdep", dir);
	if (mkdir(proc, 0755) < 0 && errno != EEXIST)
		abort();
	paths[0] = path_modprobe;
	cfg.config_paths = paths;
	cfg.dirname = dir;
	cfg.kver = "6.1.0-fuzz";
	cfg.proc = proc;
	cfg.sys = dir;
	if (lkm_ctx_new(&cfg, &ctx) < 0)
		abort();
}

static void put(const char *path, const struct fuzz_part *parts, size_t nparts, size_t i)
{
	if (i < nparts)
		fuzz_write_file(path, parts[i].data, parts[i].size);
	else if (unlink(path) < 0 && errno != ENOENT)
		abort();
}

static void look_up(const struct lkm_config *cfg, const char *name)
{
	char norm[LKM_NAME_MAX], *opts = NULL, *cmd;
	const struct lkm_config_alias *a = NULL;
	const struct lkm_config_entry *e;

	if (lkm_alias_normalize(norm, sizeof(norm), name) < 0)
		snprintf(norm, sizeof(norm), "%s", name);
	while ((a = lkm_config_next_alias(cfg, norm, a)))
		if (!a->modname)
			abort();
	if (lkm_config_get_options(cfg, norm, name, &opts) < 0)
		abort();
	free(opts);
	e = lkm_config_get_install(cfg, norm);
	if (e) {
		if (lkm_command_expand(e->value, "a=1 b", &cmd) == 0)
			free(cmd);
	}
	(void)lkm_config_get_remove(cfg, norm);
	(void)lkm_config_get_softdep(cfg, norm);
	(void)lkm_config_get_weakdep(cfg, norm);
	(void)lkm_config_get_blacklist(cfg, norm);
}

static void modprobe_config(void)
{
	struct lkm_buf show = { 0 };
	struct lkm_config *cfg;
	size_t i;

	if (lkm_config_new(ctx, 0, &cfg) < 0)
		abort(); /* only -ENOMEM may fail, and the input is small */
	for (i = 0; i < cfg->n_warnings; i++)
		if (!cfg->warnings[i].text || !cfg->warnings[i].text[0])
			abort();
	for (i = 0; i < cfg->n_aliases && i < 16; i++) {
		look_up(cfg, cfg->aliases[i].pattern);
		look_up(cfg, cfg->aliases[i].modname);
	}
	for (i = 0; i < cfg->n_options && i < 16; i++)
		look_up(cfg, cfg->options[i].modname);
	for (i = 0; i < cfg->n_installs && i < 16; i++)
		look_up(cfg, cfg->installs[i].modname);
	for (i = 0; i < cfg->n_softdeps && i < 16; i++)
		look_up(cfg, cfg->softdeps[i].modname);
	for (i = 0; i < cfg->n_blacklists && i < 16; i++)
		look_up(cfg, cfg->blacklists[i].modname);
	look_up(cfg, "snd_hda_intel");
	if (lkm_config_show(cfg, &show) < 0)
		abort();
	lkm_buf_free(&show);
	lkm_config_free(cfg);
}

static void depmod_config(void)
{
	const char *paths[] = { path_depmod, NULL };
	struct lkm_depmod_config *cfg;
	size_t i;

	if (lkm_depmod_config_new(paths, "6.1.0-fuzz", &cfg) < 0)
		abort();
	if (cfg->n_searches == 0)
		abort(); /* the default search is "updates built-in" */
	for (i = 0; i < cfg->n_warnings; i++)
		if (!cfg->warnings[i].text || !cfg->warnings[i].text[0])
			abort();
	lkm_depmod_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[4];
	size_t n;

	if (!ctx)
		setup();
	n = fuzz_split(data, size, parts, 4);
	put(path_modprobe, parts, n, 0);
	put(path_depmod, parts, n, 1);
	put(path_cmdline, parts, n, 2);
	put(path_softdep, parts, n, 3);
	modprobe_config();
	depmod_config();
	return 0;
}
