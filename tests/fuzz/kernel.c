// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: /proc/modules and /sys/module (lib/kernel.c), read as lsmod reads them.
 * Input (see fuzz.h for the split):
 *
 *   part 0  /proc/modules
 *   part 1  optional: the /sys/module tree, one line per file, at most 32 lines:
 *             NAME holders H1 H2 ...   NAME/holders/ with an empty file per holder
 *             NAME refcnt TEXT         NAME/refcnt holding TEXT (likewise coresize,
 *             NAME initstate TEXT      initstate; "NAME dir" makes the directory only)
 *             compression TEXT         module/compression
 *           A NAME or holder that is not a plain file name (empty, ".", "..", a '/',
 *           over 200 bytes) is skipped, so the tree stays inside the scratch dir.
 *
 * Part 0 is parsed from memory (lkm_kernel_parse_loaded) and, written to <proc>/modules,
 * through the context (lkm_kernel_get_loaded): both must agree. Then, for the first
 * four modules listed (each costs a few syscalls) and every NAME of part 1, what lsmod
 * and rmmod ask of the kernel: refcnt, coresize, initstate, holders; and the kernel's
 * compression. Every module listed is found by its name.
 *
 * Oracle: no crash, no sanitizer report; the two parses agree; every line is either a
 * module or counted as skipped; every string lies in the list's own text.
 */
#include "fuzz.h"
#include "lkm-internal.h"

#define SYS_LINES 32

static struct lkm_ctx *ctx;
static bool sys_made;
static char proc_modules[600], sys_module[600];

static void setup(void)
{
	const char *dir = fuzz_scratch_dir();
	struct lkm_ctx_config cfg = { 0 };
	char proc[300], sys[300];

	snprintf(proc, sizeof(proc), "%s/proc", dir);
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	snprintf(proc_modules, sizeof(proc_modules), "%s/modules", proc);
	snprintf(sys_module, sizeof(sys_module), "%s/module", sys);
	if ((mkdir(proc, 0755) < 0 && errno != EEXIST) || (mkdir(sys, 0755) < 0 && errno != EEXIST))
		abort();
	cfg.proc = proc;
	cfg.sys = sys;
	cfg.dirname = dir;
	cfg.kver = "6.1.0-fuzz";
	if (lkm_ctx_new(&cfg, &ctx) < 0)
		abort();
}

static bool plain_name(const char *s, size_t len)
{
	return len > 0 && len <= 200 && !memchr(s, '/', len) && !memchr(s, '\0', len) &&
	       !(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.');
}

static void mkdir_p(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		abort();
}

/* One line of part 1: "NAME ATTR REST". Returns the module name made, or NULL. */
static char *sys_line(char *line)
{
	char path[1024], *name = line, *attr, *rest, *save, *h;

	attr = strchr(name, ' ');
	if (!attr)
		return NULL;
	*attr++ = '\0';
	rest = strchr(attr, ' ');
	if (rest)
		*rest++ = '\0';
	else
		rest = attr + strlen(attr);
	if (strcmp(name, "compression") == 0) {
		snprintf(path, sizeof(path), "%s/compression", sys_module);
		fuzz_write_file(path, attr, strlen(attr));
		return NULL;
	}
	if (!plain_name(name, strlen(name)))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", sys_module, name);
	mkdir_p(path);
	if (strcmp(attr, "holders") == 0) {
		snprintf(path, sizeof(path), "%s/%s/holders", sys_module, name);
		mkdir_p(path);
		for (h = strtok_r(rest, " ", &save); h; h = strtok_r(NULL, " ", &save)) {
			if (!plain_name(h, strlen(h)))
				continue;
			snprintf(path, sizeof(path), "%s/%s/holders/%s", sys_module, name, h);
			fuzz_write_file(path, "", 0);
		}
	} else if (strcmp(attr, "refcnt") == 0 || strcmp(attr, "coresize") == 0 ||
		   strcmp(attr, "initstate") == 0) {
		snprintf(path, sizeof(path), "%s/%s/%s", sys_module, name, attr);
		fuzz_write_file(path, rest, strlen(rest));
	}
	return name;
}

/* What lsmod, rmmod and modprobe ask about one module. */
static void ask(const char *name)
{
	unsigned long size;
	char **holders;
	size_t n, i;
	int refcnt, r;

	if (lkm_kernel_get_refcnt(ctx, name, &refcnt) < 0)
		refcnt = 0;
	if (lkm_kernel_get_coresize(ctx, name, &size) < 0)
		size = 0;
	r = lkm_kernel_get_initstate(ctx, name);
	if (r > 0 && !lkm_initstate_name(r))
		abort();
	if (lkm_kernel_get_holders(ctx, name, &holders, &n) == 0) {
		for (i = 0; i < n; i++)
			if (!holders[i] || !plain_name(holders[i], strlen(holders[i])))
				abort();
		if (holders[n])
			abort();
		lkm_kernel_holders_free(holders);
	}
}

static void check_list(const struct lkm_loaded_list *l, const char *text, size_t len)
{
	const char *lo = l->text, *hi = l->text + len + 1;
	size_t i, k, lines = 1;

	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (l->count + l->skipped > lines || (l->skipped && !l->first_bad_line) ||
	    l->first_bad_line > lines)
		abort();
	for (i = 0; i < l->count; i++) {
		const struct lkm_loaded *m = &l->mods[i];

		if (m->name < lo || m->name >= hi || !m->name[0] ||
		    strlen(m->name) >= LKM_NAME_MAX || !lkm_loaded_state_name(m->state))
			abort();
		for (k = 0; k < m->n_used_by; k++)
			if (m->used_by[k] < lo || m->used_by[k] >= hi)
				abort();
		if (m->taints && (m->taints < lo || m->taints >= hi))
			abort();
		if (!lkm_loaded_list_find(l, m->name))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lkm_loaded_list *mem, *file;
	struct lkm_err err = { 0 };
	struct fuzz_part parts[2];
	char *names[SYS_LINES], *sys = NULL, *line, *save;
	size_t n, nnames = 0, nlines = 0, i;

	if (!ctx)
		setup();
	n = fuzz_split(data, size, parts, 2);
	if (lkm_kernel_parse_loaded((const char *)parts[0].data, parts[0].size, &mem) < 0)
		abort();
	check_list(mem, (const char *)parts[0].data, parts[0].size);

	fuzz_write_file(proc_modules, parts[0].data, parts[0].size);
	if (lkm_kernel_get_loaded(ctx, &file, &err) < 0)
		abort();
	if (file->count != mem->count || file->skipped != mem->skipped ||
	    file->first_bad_line != mem->first_bad_line)
		abort();
	for (i = 0; i < mem->count; i++)
		if (strcmp(mem->mods[i].name, file->mods[i].name) != 0 ||
		    mem->mods[i].n_used_by != file->mods[i].n_used_by)
			abort();
	lkm_loaded_list_free(file);

	/* Rebuild the tree only when this input or the last one has one: it is slow. */
	if (sys_made)
		fuzz_remove_tree(sys_module);
	sys_made = n > 1;
	if (n > 1) {
		mkdir_p(sys_module);
		sys = fuzz_strndup(parts[1].data, parts[1].size);
		for (line = strtok_r(sys, "\n", &save); line && nlines++ < SYS_LINES;
		     line = strtok_r(NULL, "\n", &save)) {
			char *name = sys_line(line);

			if (name)
				names[nnames++] = name;
		}
	}
	for (i = 0; i < mem->count && i < 4; i++)
		ask(mem->mods[i].name);
	for (i = 0; i < nnames; i++)
		ask(names[i]);
	(void)lkm_kernel_get_compression(ctx);
	free(sys);
	lkm_loaded_list_free(mem);
	return 0;
}
