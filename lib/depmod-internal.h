/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the depmod engine: lib/depmod.c (module order, entry points),
 * lib/depmod-find.c (finding the files, depmod.d, -A), lib/depmod-scan.c (each
 * module's record, read in parallel), lib/depmod-cache.c (the records kept from the
 * last run), lib/depmod-graph.c (symbols, dependencies, their order) and
 * lib/depmod-write.c (the indexes); all of them on lib/depmod-log.c (the log) and
 * lib/depmod-map.c (kmod's hash, the string map).
 */
#ifndef LKM_DEPMOD_INTERNAL_H
#define LKM_DEPMOD_INTERNAL_H

#include <stdarg.h>

#include "lkm-internal.h"

/* A write later in the same timestamp tick keeps the key; 2 s covers FAT's mtimes. */
#define DEPMOD_RACY_NS ((int64_t)2000000000)

/* depmod-map.c: a string-keyed hash map; keys are borrowed, not copied. */
struct smap_ent {
	const char *key;
	uint32_t hash;
	void *val;
};
struct smap {
	struct smap_ent *ent;
	size_t cap; /* a power of two */
	size_t n;
};
void *smap_get(const struct smap *m, const char *key);
int smap_put(struct smap *m, const char *key, void *val, void **old);
void smap_del(struct smap *m, const char *key);
void smap_free(struct smap *m);
uint32_t depmod_hash(const char *key);

/*
 * What is kept of one module after reading it: strings only, in one blob. off[] holds
 * n_exp export names, n_imp import names, then the alias, softdep and weakdep values;
 * crc[] the CRCs of the exports then of the imports; weak[] one flag per import.
 */
struct dm_info {
	char *blob;
	size_t blob_len;
	uint32_t *off;
	uint64_t *crc;
	uint8_t *weak;
	uint32_t n_exp, n_imp, n_alias, n_soft, n_weak;
	bool borrowed; /* the arrays point into the loaded cache: not freed */
};
#define DM_STR(in, i) ((in)->blob + (in)->off[i])
#define DM_EXP(in, i) DM_STR(in, i)
#define DM_IMP(in, i) DM_STR(in, (in)->n_exp + (i))
#define DM_ALIAS(in, i) DM_STR(in, (in)->n_exp + (in)->n_imp + (i))
#define DM_SOFT(in, i) DM_STR(in, (in)->n_exp + (in)->n_imp + (in)->n_alias + (i))
#define DM_WEAK(in, i) \
	DM_STR(in, (in)->n_exp + (in)->n_imp + (in)->n_alias + (in)->n_soft + (i))

/* What must be unchanged for a cached record to be used. */
struct dm_key {
	uint64_t ino, size;
	int64_t mtime_ns, ctime_ns;
};

struct dm_mod {
	char *path;
	const char *relpath;  /* into path: relative to the module directory, or NULL */
	char *uncrelpath;     /* relpath ending in .ko, as modules.order names it */
	struct dm_info info;
	char *scan_error;     /* why reading failed, reported in module order */
	struct dm_key key;
	bool have_key;        /* key is the file's stat: the cache may be used */
	bool from_cache;      /* info came from the cache; not read */
	struct dm_mod **deps; /* direct dependencies */
	size_t n_deps, cap_deps;
	size_t idx;           /* position in the module order */
	size_t hash_pos;      /* position in kmod's hash iteration order */
	int sort_idx;         /* modules.order rank (negative), or 0 */
	int dep_sort_idx;     /* topological rank */
	unsigned users;
	unsigned stamp;       /* scratch for walks */
	bool visited;
	char name[];
};

struct dm_sym {
	struct dm_mod *owner; /* NULL for vmlinux symbols from -E/-F */
	uint64_t crc;
	char name[];
};

/* The cache file, loaded whole; entries are validated before use. */
struct depmod_cache {
	char *buf;
	size_t len;
	struct smap by_path; /* module path -> its entry in buf */
	size_t n_entries;
};

struct lkm_depmod {
	struct lkm_depmod_options cfg;
	char *dirname;
	size_t dirnamelen;
	char *outdir;
	bool check_symvers;
	/* depmod.d as read; kmod's lists are newest first: walk them from the end. */
	struct lkm_depmod_config *dconf;
	struct smap by_name;
	struct smap symbols;
	struct dm_mod **mods;
	size_t n_mods;
	struct depmod_cache cache;
	int64_t scan_start_ns;
	int64_t racy_ns;       /* records changed this close to the scan are not cached */
	size_t n_scanned, n_cached; /* modules read from their file, from the cache */
};

/* depmod-log.c */
void depmod_log(struct lkm_depmod *d, enum lkm_depmod_level level, const char *fmt, ...)
	LKM_PRINTF(3, 4);
/* In a worker thread: keep this thread's messages in @b (NULL: log at once). */
void depmod_log_capture(struct lkm_buf *b);
void depmod_log_replay(struct lkm_depmod *d, const struct lkm_buf *b);

/* depmod-graph.c */
/* -E's Module.symvers or -F's System.map, before the modules' exports; -errno. */
int depmod_symbols_load(struct lkm_depmod *d, struct lkm_err *err);
/* Resolve every module's imports and sort; a cycle is logged and gives -ELOOP. */
int depmod_graph_build(struct lkm_depmod *d, struct lkm_err *err);
/* qsort order of modules by topological rank: a dependency list's order. */
int depmod_dep_cmp(const void *pa, const void *pb);

/* depmod-find.c */
int depmod_cfg_load(struct lkm_depmod *d, struct lkm_err *err);
/* Fill d->by_name with the module files to use (or the explicit ones). */
int depmod_find_modules(struct lkm_depmod *d, struct lkm_err *err);
void depmod_mod_free(struct dm_mod *m);

/* depmod-scan.c: fill every module's info, from the cache or by reading it. */
int depmod_scan(struct lkm_depmod *d, struct lkm_err *err);
void dm_info_release(struct dm_info *in);

/*
 * depmod-cache.c. Load never fails for a bad cache: it warns and leaves the cache
 * empty (only -ENOMEM is returned). Fill gives true and the module's info when its
 * key matches. Stale: whether the file on disk differs from what save would write.
 * Save writes every module read without error; -errno on failure.
 */
int depmod_cache_load(struct lkm_depmod *d);
bool depmod_cache_fill(struct lkm_depmod *d, struct dm_mod *m);
bool depmod_cache_stale(const struct lkm_depmod *d);
int depmod_cache_save(struct lkm_depmod *d);
/* Remove modules.lkm-cache of earlier versions from the output directory @dfd. */
void depmod_cache_remove_old(struct lkm_depmod *d, int dfd);
/* The checksum over the cache payload (tests use it to forge corruptions past it). */
uint64_t depmod_cache_checksum(const char *p, size_t len);
void depmod_cache_release(struct depmod_cache *c);

#endif
