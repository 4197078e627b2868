// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The depmod engine on synthetic trees of modules of other classes and byte orders than
 * the host's: ELF32 big-endian (no Debian 12 architecture has it), ELF64 big-endian and
 * ELF32 little-endian. Each tree is written twice; kmod's depmod (the oracle, skipped
 * when missing) indexes one copy and the library's engine the other, and every file
 * must agree: modules.dep byte for byte, the other text files and the .bin indexes as
 * sorted sets of lines (the .bin through lkm_index_foreach), and the messages of -e.
 *
 * The modules hold what depmod and modinfo read at widths and byte orders that depend
 * on the class: exports in __ksymtab_strings and as __crc_ symbols (absolute, or
 * pointing into a CRC section), imports as undefined symbols (global, weak, and SPARC
 * register symbols that are no imports), __versions entries (a 4- or 8-byte CRC before
 * the name) and .modinfo aliases, softdeps and device names.
 *
 * With LKM_FOREIGN_OUT=DIR the kmod copies are left in DIR/<tree> (with kmod's
 * indexes), for tests/diff/test-foreign.sh to run the tools on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-fixture.h"
#include "lkm-internal.h"
#include "fixture.h"
#include "test.h"

#define KVER "6.1.0-synthetic"
#define EM_386_ 3
#define EM_SPARC_ 2
#define EM_PPC_ 20
#define EM_S390_ 22
#define EM_SPARCV9_ 43
#define SHN_ABS_ 0xfff1
#define STT_SPARC_REGISTER_ 13

/*
 * One module. Lists are space-separated: @exports go to __ksymtab_strings;
 * @crc_exports are "name=crc" (absolute __crc_ symbols, or with a '@' before the CRC,
 * a __crc_ symbol whose value is the CRC's offset in the __kcrctab section); @imports
 * are names, "w:name" for a weak one and "r:name" for a SPARC register symbol;
 * @versions are "name=crc" __versions entries. @modinfo's fields are separated by '|'.
 */
struct mod {
	const char *path;
	uint16_t machine;
	const char *modinfo;
	const char *exports;
	const char *crc_exports;
	const char *imports;
	const char *versions;
};

struct tree {
	const char *name;
	bool is64, be;
	const struct mod *mods;
	size_t n;
};

#define COMMON "license=GPL|vermagic=" KVER " SMP mod_unload "

static const struct mod chain_mods[] = {
	{ "kernel/lib/base.ko", 0, COMMON "|description=Base of the chain|alias=synth:base*",
	  "base_fn base_data", NULL, NULL, "module_layout=0x1234abcd" },
	{ "kernel/drivers/misc/mid.ko", 0,
	  COMMON "|alias=pci:v00001234d0000ABCDsv*sd*bc*sc*i*|alias=devname:synth-mid"
		 "|alias=char-major-10-200|softdep=pre: base post: top|depends=base"
		 "|parm=level:how loud (int)|parmtype=level:int",
	  NULL, "mid_fn=0xdeadbeef mid_data=@0x0badf00d", "base_fn printk_synth",
	  "base_fn=0x89abcdef printk_synth=0x11111111 module_layout=0x1234abcd" },
	{ "kernel/fs/top.ko", 0,
	  COMMON "|alias=fs-top|alias=devname:synth/top|alias=block-major-250-3"
		 "|depends=mid,base",
	  "top_fn", NULL, "mid_fn mid_data w:base_data w:nowhere_weak absent_fn printk_synth",
	  "mid_fn=0xdeadbeef mid_data=0x0badf00d absent_fn=0x1 printk_synth=0x22222222" },
	/* Aliases sorting before and after others, and a second provider of a symbol. */
	{ "updates/base.ko", 0, COMMON "|alias=synth:updated", "base_fn", NULL, NULL, NULL },
	{ "kernel/net/leaf.ko", 0, COMMON "|alias=net-pf-99|alias=synth:base-leaf", NULL, NULL,
	  "top_fn w:base_fn", NULL },
};

/* SPARC: an undefined register symbol named like an export must not make a dependency. */
static const struct mod sparc32_mod = { "kernel/arch/sparc/reg.ko", EM_SPARC_,
					COMMON "|alias=synth:reg", NULL, NULL, "r:top_fn mid_fn",
					NULL };
static const struct mod sparc64_mod = { "kernel/arch/sparc/reg.ko", EM_SPARCV9_,
					COMMON "|alias=synth:reg", NULL, NULL, "r:top_fn mid_fn",
					NULL };

static char root[256];

static void put_file(const char *base, const char *rel, const void *data, size_t len)
{
	fixture_write(base, rel, data, len, "w");
}

/* Append @s and its NUL to a string table; return its offset. */
static uint32_t add_str(char *tab, size_t *len, const char *s)
{
	uint32_t off = (uint32_t)*len;

	strcpy(tab + *len, s);
	*len += strlen(s) + 1;
	return off;
}

struct mod_image {
	char modinfo[1024], ksym[256], strtab[1024];
	uint8_t versions[16 * 64], kcrctab[64];
	size_t mil, ksl, stl, vl, kcl;
	struct fx_syms syms;
};

static void add_versions(struct mod_image *m, const char *list, bool is64, bool be)
{
	char buf[512], *tok, *save, *eq;
	unsigned w = is64 ? 8 : 4;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		uint8_t *e = m->versions + m->vl;

		eq = strchr(tok, '=');
		*eq = '\0';
		memset(e, 0, 64);
		fx_store(e, be, w, strtoull(eq + 1, NULL, 0));
		snprintf((char *)e + w, 64 - w, "%s", tok);
		m->vl += 64;
	}
}

/* Section indexes in the image: fx_build numbers the sections given from 1. */
enum { SEC_MODINFO = 1, SEC_KSYM, SEC_VERSIONS, SEC_KCRCTAB, SEC_SYMTAB, SEC_STRTAB };

static void add_symbols(struct mod_image *m, const struct mod *mod)
{
	char buf[512], name[128], *tok, *save, *eq;

	snprintf(buf, sizeof(buf), "%s", mod->crc_exports ? mod->crc_exports : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		bool rel;

		eq = strchr(tok, '=');
		*eq = '\0';
		rel = eq[1] == '@';
		snprintf(name, sizeof(name), "__crc_%s", tok);
		if (rel) {
			/* The value is where the CRC sits in __kcrctab, in file byte order. */
			fx_store(m->kcrctab + m->kcl, m->syms.be, 4, strtoull(eq + 2, NULL, 0));
			fx_sym(&m->syms, add_str(m->strtab, &m->stl, name), 1, 0, SEC_KCRCTAB,
			       m->kcl);
			m->kcl += 4;
		} else {
			fx_sym(&m->syms, add_str(m->strtab, &m->stl, name), 1, 0, SHN_ABS_,
			       strtoull(eq + 1, NULL, 0));
		}
	}
	snprintf(buf, sizeof(buf), "%s", mod->imports ? mod->imports : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		uint8_t bind = 1, type = 0; /* STB_GLOBAL, STT_NOTYPE */

		if (!strncmp(tok, "w:", 2))
			bind = 2, tok += 2;
		else if (!strncmp(tok, "r:", 2))
			type = STT_SPARC_REGISTER_, tok += 2;
		fx_sym(&m->syms, add_str(m->strtab, &m->stl, tok), bind, type, 0, 0);
	}
	/* A defined local symbol, which is neither an import nor an export. */
	fx_sym(&m->syms, add_str(m->strtab, &m->stl, "local_helper"), 0, 2, SEC_MODINFO, 0);
}

static void put_module(const char *base, const struct mod *mod, const struct tree *t)
{
	struct mod_image *m = calloc(1, sizeof(*m));
	struct fx_section secs[6];
	struct fx_image img;
	char buf[512], *tok, *save;
	size_t i;

	m->syms.is64 = t->is64;
	m->syms.be = t->be;
	m->stl = 1;
	fx_sym(&m->syms, 0, 0, 0, 0, 0); /* the null symbol */
	for (i = 0; mod->modinfo[i]; i++)
		m->modinfo[i] = mod->modinfo[i] == '|' ? '\0' : mod->modinfo[i];
	m->mil = i + 1;
	snprintf(buf, sizeof(buf), "%s", mod->exports ? mod->exports : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		add_str(m->ksym, &m->ksl, tok);
	add_versions(m, mod->versions, t->is64, t->be);
	add_symbols(m, mod);

	/* Empty sections keep one byte: the fixture lays out every section given. */
	secs[0] = (struct fx_section){ ".modinfo", 1, m->modinfo, m->mil };
	secs[1] = (struct fx_section){ m->ksl ? "__ksymtab_strings" : ".data.ksym", 1, m->ksym,
				       m->ksl ? m->ksl : 1 };
	secs[2] = (struct fx_section){ m->vl ? "__versions" : ".data.ver", 1, m->versions,
				       m->vl ? m->vl : 1 };
	secs[3] = (struct fx_section){ "__kcrctab", 1, m->kcrctab, m->kcl ? m->kcl : 4 };
	secs[4] = (struct fx_section){ ".symtab", 2, m->syms.buf, m->syms.size, SEC_STRTAB,
				       t->is64 ? 24 : 16 };
	secs[5] = (struct fx_section){ ".strtab", 3, m->strtab, m->stl };
	img = fx_build(t->is64, t->be, 1, mod->machine ? mod->machine : t->mods[0].machine,
		       secs, 6, false);
	put_file(base, mod->path, img.data, img.size);
	free(img.data);
	free(m);
}

static const char *const order =
	"kernel/lib/base.ko\nkernel/drivers/misc/mid.ko\nkernel/fs/top.ko\nkernel/net/leaf.ko\n";

static const char builtin_modinfo[] = "crc_synth.license=GPL\0crc_synth.alias=synth:crc\0"
				      "crc_synth.alias=crc-synthetic\0crc_synth.file=kernel/lib\0";

/* Write @t under @base/lib/modules/KVER. */
static void write_tree(const char *base, const struct tree *t, const struct mod *extra)
{
	char dir[512], cmd[1200];
	size_t i;

	snprintf(dir, sizeof(dir), "%s/lib/modules/" KVER, base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", base, dir);
	CHECK(system(cmd) == 0);
	for (i = 0; i < t->n; i++)
		put_module(dir, &t->mods[i], t);
	if (extra)
		put_module(dir, extra, t);
	put_file(dir, "modules.order", order, strlen(order));
	put_file(dir, "modules.builtin", "kernel/lib/crc-synth.ko\n", 24);
	/* Left out of one tree: kmod then writes an empty modules.builtin.alias.bin. */
	if (t->be)
		put_file(dir, "modules.builtin.modinfo", builtin_modinfo,
			 sizeof(builtin_modinfo) - 1);
}

static char msgs[8192];

static void log_fn(void *data, enum lkm_depmod_level level, const char *msg)
{
	size_t l = strlen(msgs);

	(void)data;
	if (level == LKM_DEPMOD_INFO)
		return;
	snprintf(msgs + l, sizeof(msgs) - l, "depmod: %s: %s\n",
		 level == LKM_DEPMOD_ERROR ? "ERROR" : "WARNING", msg);
}

/*
 * The kernel's exports for -E: printk_synth's CRC is the one mid.ko was built against,
 * not top.ko's, so -e must find top.ko's version wrong (read from __versions at the
 * class's width and byte order) and mid.ko's right.
 */
static const char symvers[] = "0x1234abcd\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\n"
			      "0x11111111\tprintk_synth\tvmlinux\tEXPORT_SYMBOL_GPL\n";

static int run_lkm(const char *base)
{
	const char *none[] = { "/nonexistent", NULL };
	char dir[512], sv[300];
	struct lkm_depmod_options o = { .dirname = dir, .kver = KVER, .log = log_fn,
					.config_paths = none, .print_unknown = true,
					.symvers = sv };
	struct lkm_err err = { 0 };
	struct lkm_depmod *d;
	int r;

	snprintf(dir, sizeof(dir), "%s/lib/modules/" KVER, base);
	snprintf(sv, sizeof(sv), "%s/Module.symvers", root);
	msgs[0] = '\0';
	r = lkm_depmod_new(&o, &d, &err);
	if (r < 0)
		return r;
	r = lkm_depmod_build(d, &err);
	if (r == 0)
		r = lkm_depmod_write(d, -1, &err);
	lkm_depmod_free(d);
	return r;
}

/* kmod's depmod -e on @base, with an empty configuration; its stderr into @out. */
static int run_kmod(const char *base, char *out, size_t size)
{
	char cmd[1200], conf[300];
	size_t len;
	FILE *p;

	snprintf(conf, sizeof(conf), "%s/empty-conf", root);
	mkdir(conf, 0755);
	snprintf(cmd, sizeof(cmd), "depmod -e -E %s/Module.symvers -C %s -b %s " KVER " 2>&1",
		 root, conf, base);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	len = fread(out, 1, size - 1, p);
	out[len] = '\0';
	return pclose(p);
}

/* Replace every @from in @s by @to, in place (to is shorter). */
static void replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p;

	while ((p = strstr(s, from))) {
		memcpy(p, to, tl);
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
	}
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the lines of @text in place (a copy is rebuilt). */
static char *sorted_lines(char *text)
{
	size_t n = 0, cap = 16, i, len = strlen(text);
	char **v = malloc(cap * sizeof(*v)), *save, *tok, *out = malloc(len + 2), *o = out;

	for (tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = tok;
	}
	qsort(v, n, sizeof(*v), cmp_lines);
	for (i = 0; i < n; i++)
		o += sprintf(o, "%s\n", v[i]);
	*o = '\0';
	free(v);
	free(text);
	return out;
}

static char *slurp(const char *base, const char *name)
{
	char path[512], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/lib/modules/" KVER "/%s", base, name);
	if (lkm_read_file(path, 1 << 20, &text, &len) < 0)
		return NULL;
	return text;
}

struct dump {
	char *text;
	size_t len, cap;
};

static int dump_one(const char *key, const char *value, uint32_t priority, void *data)
{
	struct dump *d = data;
	size_t need = strlen(key) + strlen(value) + 16;

	if (d->len + need >= d->cap) {
		d->cap = (d->cap + need) * 2;
		d->text = realloc(d->text, d->cap);
	}
	d->len += (size_t)sprintf(d->text + d->len, "%s %s %u\n", key, value, priority);
	return 0;
}

/* The sorted "key value priority" lines of an index; "" for an empty file. */
static char *dump_index(const char *base, const char *name)
{
	char path[512];
	struct lkm_index *idx;
	struct lkm_err err = { 0 };
	struct dump d = { calloc(1, 1), 0, 1 };
	struct stat st;

	snprintf(path, sizeof(path), "%s/lib/modules/" KVER "/%s", base, name);
	if (stat(path, &st) == 0 && st.st_size == 0)
		return d.text;
	if (lkm_index_open(path, &idx, &err) < 0) {
		free(d.text);
		return NULL;
	}
	if (lkm_index_foreach(idx, dump_one, &d) != 0) {
		free(d.text);
		d.text = NULL;
	}
	lkm_index_close(idx);
	return d.text ? sorted_lines(d.text) : NULL;
}

static bool have_kmod(void)
{
	return access("/sbin/depmod", X_OK) == 0 || access("/usr/sbin/depmod", X_OK) == 0;
}

static const char *const text_files[] = { "modules.alias", "modules.symbols",
					  "modules.softdep", "modules.devname", NULL };
static const char *const bin_files[] = { "modules.dep.bin", "modules.alias.bin",
					 "modules.symbols.bin", "modules.builtin.bin",
					 "modules.builtin.alias.bin", NULL };

/* Write the tree twice, index each copy with one depmod, compare every file. */
static void compare_tree(const struct tree *t, const struct mod *extra)
{
	char kroot[300], lroot[300], kmsgs[8192], *a, *b;
	const char *out = getenv("LKM_FOREIGN_OUT");
	int i, r;

	if (!have_kmod()) {
		SKIP("kmod's depmod is missing: the %s tree is not compared", t->name);
		return;
	}
	snprintf(root, sizeof(root), "/tmp/lkm-test-depmod-foreign.%d", (int)getpid());
	if (out && *out)
		snprintf(kroot, sizeof(kroot), "%s/%s", out, t->name);
	else
		snprintf(kroot, sizeof(kroot), "%s/kmod-%s", root, t->name);
	snprintf(lroot, sizeof(lroot), "%s/lkm-%s", root, t->name);
	mkdir(root, 0755);
	put_file(root, "Module.symvers", symvers, strlen(symvers));
	write_tree(kroot, t, extra);
	write_tree(lroot, t, extra);

	r = run_kmod(kroot, kmsgs, sizeof(kmsgs));
	CHECK_INT(r, ==, 0);
	CHECK_INT(run_lkm(lroot), ==, 0);
	replace_all(kmsgs, kroot, "ROOT");
	replace_all(msgs, lroot, "ROOT");
	CHECK_STR(msgs, kmsgs);
	CHECK(strstr(kmsgs, "top.ko disagrees about version of symbol printk_synth\n"));
	CHECK(strstr(kmsgs, "top.ko needs unknown symbol absent_fn\n"));
	CHECK(!strstr(kmsgs, "mid.ko disagrees about version of symbol printk_synth"));

	a = slurp(kroot, "modules.dep");
	b = slurp(lroot, "modules.dep");
	CHECK_STR(b, a);
	/* The chain must really be there, or agreeing would prove little. */
	CHECK(a && strstr(a, "kernel/fs/top.ko: kernel/drivers/misc/mid.ko updates/base.ko\n"));
	CHECK(a && strstr(a, "kernel/net/leaf.ko: kernel/fs/top.ko kernel/drivers/misc/mid.ko"
			     " updates/base.ko\n"));
	if (extra)
		CHECK(a && strstr(a, "kernel/arch/sparc/reg.ko: kernel/drivers/misc/mid.ko "
				     "updates/base.ko\n"));
	free(a);
	free(b);
	for (i = 0; text_files[i]; i++) {
		a = slurp(kroot, text_files[i]);
		b = slurp(lroot, text_files[i]);
		CHECK(a && b);
		if (a && b) {
			a = sorted_lines(a);
			b = sorted_lines(b);
			CHECK_STR(b, a);
		}
		free(a);
		free(b);
	}
	a = slurp(kroot, "modules.devname");
	CHECK(a && strstr(a, "mid synth-mid c10:200\n") && strstr(a, "top synth/top b250:3\n"));
	free(a);
	a = slurp(kroot, "modules.symbols");
	CHECK(a && strstr(a, "alias symbol:mid_data mid\n"));
	CHECK(a && strstr(a, "alias symbol:top_fn top\n"));
	free(a);
	a = dump_index(kroot, "modules.builtin.alias.bin");
	CHECK_STR(a, t->be ? "crc_synthetic crc_synth 0\nsynth:crc crc_synth 0\n" : "");
	free(a);
	for (i = 0; bin_files[i]; i++) {
		a = dump_index(kroot, bin_files[i]);
		b = dump_index(lroot, bin_files[i]);
		CHECK(a && b);
		CHECK_STR(b, a);
		free(a);
		free(b);
	}
}

static const struct mod *with_machine(uint16_t machine)
{
	static struct mod mods[5];
	size_t i;

	for (i = 0; i < 5; i++) {
		mods[i] = chain_mods[i];
		mods[i].machine = machine;
	}
	return mods;
}

TEST(elf32_big_endian_tree_matches_kmod)
{
	struct tree t = { "elf32-be", false, true, with_machine(EM_PPC_), 5 };

	compare_tree(&t, &sparc32_mod);
}

TEST(elf64_big_endian_tree_matches_kmod)
{
	struct tree t = { "elf64-be", true, true, with_machine(EM_S390_), 5 };

	compare_tree(&t, &sparc64_mod);
}

TEST(elf32_little_endian_tree_matches_kmod)
{
	struct tree t = { "elf32-le", false, false, with_machine(EM_386_), 5 };

	compare_tree(&t, NULL);
}

TEST(zz_cleanup)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/lkm-test-depmod-foreign.%d", (int)getpid());
	CHECK(system(cmd) == 0);
}

TEST_MAIN()
