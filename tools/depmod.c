// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod: write the module indexes. Options and messages are kmod's; the work is in
 * lib/depmod.c.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tools.h"

#define OPT_NO_CACHE 256
#define OPT_CACHE 257

static const struct tool_option options[] = {
	{ "all", 'a', no_argument, NULL, "Probe all modules" },
	{ "quick", 'A', no_argument, NULL, "Only does the work if there's a new module" },
	{ "errsyms", 'e', no_argument, NULL, "Report not supplied symbols" },
	{ "show", 'n', no_argument, NULL, NULL },
	{ "dry-run", 'n', no_argument, NULL, "Write the dependency file on stdout only" },
	{ "symbol-prefix", 'P', required_argument, "CHAR", "Architecture symbol prefix" },
	{ "config", 'C', required_argument, "PATH", "Read configuration from PATH" },
	{ "verbose", 'v', no_argument, NULL, "Enable verbose mode" },
	{ "warn", 'w', no_argument, NULL, "Warn on duplicates" },
	{ "version", 'V', no_argument, NULL, "show version" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ "basedir", 'b', required_argument, "DIR", "Root path (default: /)" },
	{ "moduledir", 'm', required_argument, "DIR", "Module directory (default: /lib/modules)" },
	{ "outdir", 'o', required_argument, "DIR", "Output root path (default: same as <basedir>)" },
	{ "filesyms", 'F', required_argument, "FILE", "Use the file instead of the current kernel symbols" },
	{ "symvers", 'E', required_argument, "FILE", "Use Module.symvers file to check symbol versions" },
	{ "cache", OPT_CACHE, required_argument, "FILE",
	  "Keep the incremental cache in FILE, for any tree (also LKM_DEPMOD_CACHE=FILE)" },
	{ "no-cache", OPT_NO_CACHE, no_argument, NULL,
	  "Use no incremental cache (also LKM_DEPMOD_CACHE=0)" },
	{ 0 },
};

static const char usage_text[] =
	"\tdepmod -[aA] [options] [forced_version] [module files...]\n"
	"\n"
	"If no arguments (except options) are given, \"depmod -a\" is assumed\n"
	"\n"
	"depmod will output a dependency list suitable for the modprobe utility.\n";

/*
 * The incremental cache: by default the library's rule (the running system's own tree
 * only, the cache under /var/cache/lkm); a named file for any tree; or none.
 */
enum cache_choice { CACHE_DEFAULT, CACHE_NAMED, CACHE_NONE };

struct depmod_args {
	struct lkm_depmod_options o;
	const char *root;
	const char *out_root;
	const char *moduledir;
	const char **configs;
	size_t n_configs;
	bool quick, dry_run, no_cache;
	enum cache_choice cache_choice;
	const char *cache_file; /* --cache */
	int verbose;
	char *dirname, *outdir, *cache;
};

static void log_message(void *data, enum lkm_depmod_level level, const char *msg)
{
	const struct depmod_args *a = data;

	switch (level) {
	case LKM_DEPMOD_ERROR:
		fprintf(stderr, "depmod: ERROR: %s\n", msg);
		break;
	case LKM_DEPMOD_WARNING:
		fprintf(stderr, "depmod: WARNING: %s\n", msg);
		break;
	case LKM_DEPMOD_INFO:
		if (a->verbose)
			printf("%s\n", msg);
		break;
	}
}

/*
 * Absolute, without trailing slashes ("/" becomes ""): -b / names the same module
 * paths as no -b, and so the same cache records.
 */
static char *make_absolute(const char *p)
{
	char *out;
	size_t n;

	if (lkm_path_absolute(p, &out) < 0)
		return NULL;
	for (n = strlen(out); n > 0 && out[n - 1] == '/'; n--)
		out[n - 1] = '\0';
	return out;
}

static int parse_args(int argc, char *argv[], struct depmod_args *a)
{
	struct tool_parser p;
	int c;

	tool_parser_init(&p, options);
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			break;
		case 'A':
			a->quick = true;
			break;
		case 'b':
			a->root = optarg;
			break;
		case 'm':
			a->moduledir = optarg;
			break;
		case 'o':
			a->out_root = optarg;
			break;
		case 'C': {
			const char **t = realloc(a->configs, (a->n_configs + 2) * sizeof(*t));

			if (!t)
				return -ENOMEM;
			a->configs = t;
			t[a->n_configs++] = optarg;
			t[a->n_configs] = NULL;
			break;
		}
		case 'E':
			a->o.symvers = optarg;
			break;
		case 'F':
			a->o.system_map = optarg;
			break;
		case 'e':
			a->o.print_unknown = true;
			break;
		case 'v':
			a->verbose++;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'P':
			if (strlen(optarg) != 1) {
				fprintf(stderr, "depmod: FATAL: -P only takes a single char\n");
				return -EINVAL;
			}
			a->o.sym_prefix = optarg[0];
			break;
		case 'w':
			a->o.warn_dups = true;
			break;
		case OPT_NO_CACHE:
			a->no_cache = true;
			break;
		case OPT_CACHE:
			a->cache_file = optarg;
			break;
		case 'h':
			tool_print_help(stdout, usage_text, options);
			return 1;
		case 'V':
			tool_print_version("depmod");
			return 1;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static bool is_version_number(const char *s)
{
	unsigned a, b;

	return sscanf(s, "%u.%u", &a, &b) == 2;
}

/* ROOT/MODULEDIR/KVER, the module directory always below the root. */
static int make_dirs(struct depmod_args *a, const char *kver)
{
	char *root = NULL, *out_root = NULL;
	const char *md = a->moduledir;
	int r = -ENOMEM;

	while (md[0] == '/')
		md++;
	if (a->root && !(root = make_absolute(a->root)))
		goto out;
	if (a->out_root && !(out_root = make_absolute(a->out_root)))
		goto out;
	if (asprintf(&a->dirname, "%s/%s/%s", root ? root : "", md, kver) < 0)
		goto out;
	if (asprintf(&a->outdir, "%s/%s/%s", out_root ? out_root : root ? root : "", md,
		     kver) < 0)
		goto out;
	r = 0;
out:
	free(root);
	free(out_root);
	return r;
}

/* a->cache: the cache file to use, or NULL; @ctx: the system this depmod runs on. */
static int choose_cache(struct depmod_args *a, struct lkm_ctx *ctx)
{
	if (a->o.files || a->cache_choice == CACHE_NONE)
		return 0;
	if (a->cache_choice == CACHE_NAMED)
		return (a->cache = strdup(a->cache_file)) ? 0 : -ENOMEM;
	return lkm_depmod_default_cache(ctx, a->dirname, a->outdir, &a->cache);
}

static int run(struct depmod_args *a, const char *kver)
{
	struct lkm_ctx_config cc = { .kver = kver };
	struct lkm_err err = { 0 };
	struct lkm_depmod *d = NULL;
	struct lkm_ctx *ctx = NULL;
	int r;

	r = lkm_ctx_new(&cc, &ctx);
	if (r == 0)
		r = choose_cache(a, ctx);
	if (r < 0) {
		fprintf(stderr, "depmod: ERROR: %s\n", strerror(-r));
		goto out;
	}
	a->o.dirname = a->dirname;
	a->o.outdir = a->outdir;
	a->o.config_paths = a->configs;
	a->o.cache = a->cache;
	a->o.log = log_message;
	a->o.log_data = a;
	r = lkm_depmod_new(&a->o, &d, &err);
	if (r == 0)
		r = lkm_depmod_build(d, &err);
	if (r == 0)
		r = lkm_depmod_write(d, a->dry_run ? STDOUT_FILENO : -1, &err);
	if (r < 0 && r != -ELOOP)
		fprintf(stderr, "depmod: ERROR: %s\n", lkm_err_reason(&err, r));
	/* The caches of removed kernels go with the default one's writes. */
	if (r == 0 && a->cache && a->cache_choice == CACHE_DEFAULT && !a->dry_run)
		(void)lkm_depmod_cache_prune(ctx);
out:
	lkm_depmod_free(d);
	lkm_ctx_unref(ctx);
	return r;
}

/*
 * --no-cache, then --cache=FILE, then LKM_DEPMOD_CACHE: 0, off or no: none; 1, on,
 * yes or empty: the default; anything else names the file.
 */
static void choose_cache_kind(struct depmod_args *a, const char *env)
{
	static const char *const off[] = { "0", "off", "no" }, *const on[] = { "", "1", "on", "yes" };
	size_t i;

	a->cache_choice = CACHE_DEFAULT;
	if (a->no_cache) {
		a->cache_choice = CACHE_NONE;
		return;
	}
	if (a->cache_file) {
		a->cache_choice = CACHE_NAMED;
		return;
	}
	if (!env)
		return;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (strcmp(env, off[i]) == 0)
			a->cache_choice = CACHE_NONE;
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		if (strcmp(env, on[i]) == 0)
			return;
	if (a->cache_choice != CACHE_NONE) {
		a->cache_choice = CACHE_NAMED;
		a->cache_file = env;
	}
}

/*
 * Each scanner thread decompresses one module after another into a fresh buffer of a
 * few hundred KiB. By default glibc maps each with mmap and unmaps it on free: every
 * page faults in again, and every unmap interrupts the other CPUs to flush their TLBs.
 * Kept in the arenas instead, the buffers are reused: about a tenth less CPU.
 */
static void tune_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int tool_depmod(int argc, char *argv[])
{
	struct depmod_args a = { .moduledir = "/lib/modules" };
	struct utsname un;
	const char *kver;
	int r, ret = EXIT_FAILURE;

	tune_malloc();
	r = parse_args(argc, argv, &a);
	if (r != 0) {
		ret = r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
		goto out;
	}
	choose_cache_kind(&a, getenv("LKM_DEPMOD_CACHE"));
	if (optind < argc) {
		if (!is_version_number(argv[optind])) {
			fprintf(stderr, "depmod: ERROR: Bad version passed %s\n", argv[optind]);
			goto out;
		}
		kver = argv[optind++];
	} else {
		if (uname(&un) < 0) {
			fprintf(stderr, "depmod: FATAL: uname() failed: %s\n", strerror(errno));
			goto out;
		}
		kver = un.release;
	}
	a.o.kver = kver;
	if (make_dirs(&a, kver) < 0) {
		fprintf(stderr, "depmod: ERROR: out of memory\n");
		goto out;
	}
	if (optind < argc) {
		int i;

		for (i = optind; i < argc; i++) {
			if (argv[i][0] != '/') {
				fprintf(stderr, "depmod: FATAL: %s: not absolute path.\n", argv[i]);
				goto out;
			}
		}
		a.o.files = (const char *const *)argv + optind;
	}
	if (a.quick) {
		if (a.dry_run || lkm_depmod_up_to_date(a.dirname) == 1) {
			ret = EXIT_SUCCESS;
			goto out;
		}
		a.o.files = NULL;
	}
	ret = run(&a, kver) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	free(a.configs);
	free(a.dirname);
	free(a.outdir);
	free(a.cache);
	return ret;
}
