// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's incremental cache: the record depmod-scan.c extracted from each module,
 * kept so that the next run reads only the modules that were added or changed.
 *
 * Where it lives is policy (lkm_depmod_default_cache): never in the module directory,
 * which dpkg owns and mkinitramfs, Yocto, Buildroot and image builders copy whole,
 * but in CACHE_DIR/depmod/KVER, and by default only for the running system's own tree.
 * A tree being built for another system (below -b, written to -o, another kernel's, in
 * a chroot) gets no cache unless one is named. The modules.lkm-cache that earlier
 * versions kept in the module directory is removed when the indexes are written.
 *
 * A record is used only when the file's key is unchanged: path, inode, size, mtime and
 * ctime (both in ns). ctime cannot be set back by hand, so an edit in place is caught
 * even when it keeps the size and restores the mtime. A record whose ctime is within
 * DEPMOD_RACY_NS of the scan's start is not saved: a write later in the same timestamp
 * tick would not change the key.
 *
 * The file, in native byte order (another byte order fails the marker check):
 *
 *   header   magic "LKMDEPC\0" | u32 byte-order marker | u32 version
 *            u64 payload length | u64 checksum of the payload | u64 entry count
 *   payload  entries, each starting 8-aligned:
 *     u64 ino | u64 size | s64 mtime_ns | s64 ctime_ns
 *     u32 path_len (with its NUL) | u32 blob_len | u32 n_exp, n_imp, n_alias, n_soft,
 *     n_weak | u32 0
 *     u64 crc[n_exp + n_imp] | u32 off[n_str] | u8 weak[n_imp] | path | blob | pad to 8
 *
 * The whole file is read, its checksum checked, and every length and offset of every
 * entry checked before any record is used; anything wrong and the cache is ignored
 * with a warning. Records are used in place (struct dm_info.borrowed). Bump
 * CACHE_VERSION whenever what depmod-scan.c extracts from a module changes.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "depmod-internal.h"

#define CACHE_MAGIC "LKMDEPC"
#define CACHE_BOM 0x01020304u
#define CACHE_VERSION 1u
#define CACHE_MAX ((size_t)1 << 30)
#define CACHE_SUBDIR "depmod"
/* A temporary file is ".NAME" TMP_MARK "XXXXXX": mkostemp's, unique whatever the pid. */
#define TMP_MARK ".lkm-tmp."
/* A temporary file this old was left by a killed depmod: prune removes it. */
#define TMP_STALE_SEC 3600

struct cache_header {
	char magic[8];
	uint32_t bom;
	uint32_t version;
	uint64_t payload_len;
	uint64_t checksum;
	uint64_t n_entries;
};

struct cache_entry {
	uint64_t ino, size;
	int64_t mtime_ns, ctime_ns;
	uint32_t path_len, blob_len;
	uint32_t n_exp, n_imp, n_alias, n_soft, n_weak;
	uint32_t zero;
};

_Static_assert(sizeof(struct cache_header) == 40, "cache header layout");
_Static_assert(sizeof(struct cache_entry) == 64, "cache entry layout");

/* FNV-1a over 64-bit words: each step is a bijection, so any one changed word shows. */
uint64_t depmod_cache_checksum(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p + i, len - i);
	h = (h ^ w ^ (uint64_t)len) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* The size of an entry whose fixed part is @e, computed without overflow. */
static uint64_t entry_size(const struct cache_entry *e, uint64_t *n_str)
{
	*n_str = (uint64_t)e->n_exp + e->n_imp + e->n_alias + e->n_soft + e->n_weak;
	return align8(sizeof(*e) + 8 * ((uint64_t)e->n_exp + e->n_imp) + 4 * *n_str +
		      e->n_imp + e->path_len + e->blob_len);
}

/* Every check that makes the entry at @p safe to use; the reason or NULL. */
static const char *check_entry(const char *p, size_t avail, uint64_t *size)
{
	const struct cache_entry *e = (const struct cache_entry *)p;
	const uint32_t *off;
	const uint8_t *weak;
	const char *path, *blob;
	uint64_t n_str, i;

	if (avail < sizeof(*e))
		return "truncated entry";
	*size = entry_size(e, &n_str);
	if (*size > avail)
		return "entry runs past the end";
	if (e->zero != 0 || e->path_len < 2 || n_str > e->blob_len)
		return "bad entry counts";
	off = (const uint32_t *)(p + sizeof(*e) + 8 * ((uint64_t)e->n_exp + e->n_imp));
	weak = (const uint8_t *)(off + n_str);
	path = (const char *)(weak + e->n_imp);
	blob = path + e->path_len;
	if (path[e->path_len - 1] != '\0' || strlen(path) != e->path_len - 1)
		return "bad path";
	if (e->blob_len && blob[e->blob_len - 1] != '\0')
		return "unterminated strings";
	for (i = 0; i < n_str; i++)
		if (off[i] >= e->blob_len)
			return "string offset out of range";
	for (i = 0; i < e->n_imp; i++)
		if (weak[i] > 1)
			return "bad weak flag";
	return NULL;
}

static const char *check_file(const char *buf, size_t len, const struct cache_header **hdr)
{
	const struct cache_header *h = (const struct cache_header *)buf;

	if (len < sizeof(*h) || memcmp(h->magic, CACHE_MAGIC, sizeof(h->magic)) != 0)
		return "not an lkm depmod cache";
	if (h->bom != CACHE_BOM)
		return "written with another byte order";
	if (h->version != CACHE_VERSION)
		return "written by another version of lkm";
	if (h->payload_len != len - sizeof(*h))
		return "truncated or extended";
	if (h->checksum != depmod_cache_checksum(buf + sizeof(*h), len - sizeof(*h)))
		return "checksum mismatch";
	*hdr = h;
	return NULL;
}

/* Index every entry by path; the reason for rejecting the file, or NULL. */
static const char *index_entries(struct depmod_cache *c, const struct cache_header *h,
				 int *r)
{
	size_t pos = sizeof(*h);
	uint64_t n;

	*r = 0;
	for (n = 0; pos < c->len; n++) {
		const struct cache_entry *e = (const struct cache_entry *)(c->buf + pos);
		const char *why;
		uint64_t size, n_str;
		void *old = NULL;

		why = check_entry(c->buf + pos, c->len - pos, &size);
		if (why)
			return why;
		entry_size(e, &n_str);
		*r = smap_put(&c->by_path,
			      c->buf + pos + sizeof(*e) + 8 * ((uint64_t)e->n_exp + e->n_imp) +
				      4 * n_str + e->n_imp,
			      (void *)e, &old);
		if (*r < 0)
			return "out of memory";
		if (old)
			return "a path appears twice";
		pos += size;
	}
	if (n != h->n_entries)
		return "wrong entry count";
	c->n_entries = n;
	return NULL;
}

/*
 * Into anonymous memory mapped populated: one call instead of a page fault per page,
 * which costs more than the read itself. A copy, not a map of the file, so nobody
 * truncating the file can make us fault.
 */
static int read_cache(struct depmod_cache *c, const char *path)
{
	struct stat st;
	size_t got = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0 || (uint64_t)st.st_size > CACHE_MAX) {
		r = !S_ISREG(st.st_mode) ? -EINVAL : st.st_size ? -EFBIG : -ENODATA;
		goto out;
	}
	c->len = (size_t)st.st_size;
	c->buf = mmap(NULL, c->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->buf == MAP_FAILED) {
		c->buf = NULL;
		r = -ENOMEM;
		goto out;
	}
	while (got < c->len) {
		ssize_t n = read(fd, c->buf + got, c->len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -ENODATA;
			break;
		}
		got += (size_t)n;
	}
out:
	close(fd);
	return r;
}

int depmod_cache_load(struct lkm_depmod *d)
{
	struct depmod_cache *c = &d->cache;
	const struct cache_header *h = NULL;
	const char *why;
	int r;

	r = read_cache(c, d->cfg.cache);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		depmod_log(d, LKM_DEPMOD_WARNING, "ignoring the cache %s: %s", d->cfg.cache,
			   r == -ENODATA ? "empty, or shrank while read" : strerror(-r));
		depmod_cache_release(c);
		return r == -ENOMEM ? r : 0;
	}
	/* A mapping is page-aligned: the u64 fields are aligned. */
	why = check_file(c->buf, c->len, &h);
	if (!why)
		why = index_entries(c, h, &r);
	if (why) {
		depmod_log(d, LKM_DEPMOD_WARNING, "ignoring the cache %s: %s", d->cfg.cache, why);
		depmod_cache_release(c);
	}
	return r;
}

bool depmod_cache_fill(struct lkm_depmod *d, struct dm_mod *m)
{
	const struct cache_entry *e;
	struct dm_info *in = &m->info;
	const char *p;
	uint64_t n_crc, n_str;

	if (!m->have_key || !(e = smap_get(&d->cache.by_path, m->path)))
		return false;
	if (e->ino != m->key.ino || e->size != m->key.size || e->mtime_ns != m->key.mtime_ns ||
	    e->ctime_ns != m->key.ctime_ns)
		return false;
	entry_size(e, &n_str);
	n_crc = (uint64_t)e->n_exp + e->n_imp;
	p = (const char *)(e + 1);
	in->crc = (uint64_t *)p;
	in->off = (uint32_t *)(p + 8 * n_crc);
	in->weak = (uint8_t *)(p + 8 * n_crc + 4 * n_str);
	in->blob = (char *)in->weak + e->n_imp + e->path_len;
	in->blob_len = e->blob_len;
	in->n_exp = e->n_exp;
	in->n_imp = e->n_imp;
	in->n_alias = e->n_alias;
	in->n_soft = e->n_soft;
	in->n_weak = e->n_weak;
	in->borrowed = true;
	m->from_cache = true;
	return true;
}

static bool worth_saving(const struct lkm_depmod *d, const struct dm_mod *m)
{
	return m->have_key && !m->scan_error && m->key.ctime_ns < d->scan_start_ns - d->racy_ns;
}

/* Whether the file would change: a new record to keep, or an entry no longer used. */
bool depmod_cache_stale(const struct lkm_depmod *d)
{
	size_t i;

	if (d->n_cached != d->cache.n_entries)
		return true;
	for (i = 0; i < d->n_mods; i++)
		if (!d->mods[i]->from_cache && worth_saving(d, d->mods[i]))
			return true;
	return false;
}

static char *put(char *p, const void *src, size_t len)
{
	if (len)
		memcpy(p, src, len);
	return p + len;
}

/* The entry of @m at @p, which has room for entry_size(); returns that size. */
static uint64_t put_entry(char *p, const struct dm_mod *m)
{
	const struct dm_info *in = &m->info;
	struct cache_entry e = {
		.ino = m->key.ino, .size = m->key.size,
		.mtime_ns = m->key.mtime_ns, .ctime_ns = m->key.ctime_ns,
		.path_len = (uint32_t)strlen(m->path) + 1, .blob_len = (uint32_t)in->blob_len,
		.n_exp = in->n_exp, .n_imp = in->n_imp, .n_alias = in->n_alias,
		.n_soft = in->n_soft, .n_weak = in->n_weak,
	};
	uint64_t n_str, size = entry_size(&e, &n_str);
	char *end = p + size;

	p = put(p, &e, sizeof(e));
	p = put(p, in->crc, 8 * ((size_t)in->n_exp + in->n_imp));
	p = put(p, in->off, 4 * (size_t)n_str);
	p = put(p, in->weak, in->n_imp);
	p = put(p, m->path, e.path_len);
	p = put(p, in->blob, in->blob_len);
	memset(p, 0, (size_t)(end - p));
	return size;
}

/* The size of @m's entry, or 0 when it is not to be saved. */
static uint64_t saved_size(const struct lkm_depmod *d, const struct dm_mod *m)
{
	struct cache_entry e = {
		.path_len = (uint32_t)strlen(m->path) + 1, .blob_len = (uint32_t)m->info.blob_len,
		.n_exp = m->info.n_exp, .n_imp = m->info.n_imp, .n_alias = m->info.n_alias,
		.n_soft = m->info.n_soft, .n_weak = m->info.n_weak,
	};
	uint64_t n_str;

	if (!worth_saving(d, m) || strlen(m->path) >= PATH_MAX)
		return 0;
	return entry_size(&e, &n_str);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* mkdir -p of the directory that holds @file. */
static int make_parent(const char *file)
{
	char *copy = strdup(file), *p;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			r = -errno;
		*p = '/';
	}
	free(copy);
	return r;
}

/* DIR/.BASE.lkm-tmp.XXXXXX, created: the fd, and the name in *@tmp. */
static int open_tmp(const char *file, char **tmp)
{
	const char *slash = strrchr(file, '/');
	int fd, dirlen = slash ? (int)(slash + 1 - file) : 0;

	if (asprintf(tmp, "%.*s.%s" TMP_MARK "XXXXXX", dirlen, file, file + dirlen) < 0) {
		*tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && make_parent(file) == 0) {
		/* A failed mkostemp leaves its random letters in the template. */
		memcpy(*tmp + strlen(*tmp) - 6, "XXXXXX", 6);
		fd = mkostemp(*tmp, O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0) {
		int r = -errno;

		close(fd);
		unlink(*tmp);
		return r;
	}
	return fd;
}

/*
 * Through a temporary file and a rename, like the indexes, so that a reader never sees
 * a partial file, but not synced: a cache lost or torn by a crash fails its checksum
 * and costs one full scan. The temporary name is unique (mkostemp), so two depmods
 * writing the same cache at once each rename a complete file of their own.
 */
int depmod_cache_save(struct lkm_depmod *d)
{
	struct cache_header h = { .magic = CACHE_MAGIC, .bom = CACHE_BOM,
				  .version = CACHE_VERSION };
	uint64_t total = sizeof(h), pos = sizeof(h), size;
	char *buf, *tmp = NULL;
	size_t i;
	int fd, r;

	for (i = 0; i < d->n_mods; i++)
		total += saved_size(d, d->mods[i]);
	if (total > CACHE_MAX)
		return -EFBIG;
	/* Sized once and populated: no regrowth copies, no page faults (see read_cache). */
	buf = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return -ENOMEM;
	for (i = 0; i < d->n_mods; i++) {
		if (!saved_size(d, d->mods[i]))
			continue;
		size = put_entry(buf + pos, d->mods[i]);
		pos += size;
		h.n_entries++;
	}
	h.payload_len = total - sizeof(h);
	h.checksum = depmod_cache_checksum(buf + sizeof(h), (size_t)h.payload_len);
	memcpy(buf, &h, sizeof(h));
	fd = open_tmp(d->cfg.cache, &tmp);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	r = write_all(fd, buf, (size_t)total);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, d->cfg.cache) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
out:
	free(tmp);
	munmap(buf, (size_t)total);
	return r;
}

void depmod_cache_release(struct depmod_cache *c)
{
	smap_free(&c->by_path);
	if (c->buf)
		munmap(c->buf, c->len);
	memset(c, 0, sizeof(*c));
}

/* The cache modules.lkm-cache of earlier versions, in the output directory @dfd. */
void depmod_cache_remove_old(struct lkm_depmod *d, int dfd)
{
	struct stat old, named;

	if (fstatat(dfd, LKM_DEPMOD_OLD_CACHE, &old, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(old.st_mode))
		return;
	/* Unless it is the very file named as the cache. */
	if (d->cfg.cache && stat(d->cfg.cache, &named) == 0 && named.st_dev == old.st_dev &&
	    named.st_ino == old.st_ino)
		return;
	if (unlinkat(dfd, LKM_DEPMOD_OLD_CACHE, 0) < 0 && errno != ENOENT)
		depmod_log(d, LKM_DEPMOD_WARNING, "could not remove the old cache %s/%s: %s",
			   d->outdir, LKM_DEPMOD_OLD_CACHE, strerror(errno));
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Whether PROC/sys/kernel/osrelease is @kver: 1, 0, or -ENOMEM. */
static int is_running_kernel(const struct lkm_ctx *ctx, const char *kver)
{
	char *path, *text = NULL;
	size_t len = 0;
	int r;

	if (asprintf(&path, "%s/sys/kernel/osrelease", lkm_ctx_get_proc(ctx)) < 0)
		return -ENOMEM;
	r = lkm_read_file(path, 4096, &text, &len);
	free(path);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\0'))
		len--;
	r = len == strlen(kver) && memcmp(text, kver, len) == 0;
	free(text);
	return r;
}

/*
 * Where PROC/1/root cannot be followed (PID 1 not dumpable, /proc mounted with
 * hidepid), PROC/self/mountinfo: the mount on "/" (the last, the top of a stack) must
 * show its filesystem from its root ("ID PARENT MAJ:MIN / / ..."). A chroot into a
 * directory has no mount on "/" there, one into a bind mount shows the directory as
 * the root; one into another filesystem's root is not caught.
 */
static int mountinfo_root_is_whole(const struct lkm_ctx *ctx)
{
	char *path, *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int r, whole = 0;

	if (asprintf(&path, "%s/self/mountinfo", lkm_ctx_get_proc(ctx)) < 0)
		return -ENOMEM;
	r = lkm_read_file(path, 16 << 20, &text, &len);
	free(path);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *field[5], *fsave = NULL;
		int n = 0;

		for (field[0] = strtok_r(line, " ", &fsave); field[n] && n < 4;)
			field[++n] = strtok_r(NULL, " ", &fsave);
		if (n == 4 && field[4] && strcmp(field[4], "/") == 0)
			whole = strcmp(field[3], "/") == 0;
	}
	free(text);
	return whole;
}

/*
 * Whether this process's root is PID 1's, as systemd's running_in_chroot() asks:
 * inside a chroot, PROC/1/root is the host's root. A bind mount of / used as a chroot
 * looks the same as / and is not caught; the kernel version check still is, for an
 * image of another kernel. Without /proc it cannot tell, and says no.
 */
static int is_pid1_root(const struct lkm_ctx *ctx)
{
	struct stat st;
	char *path;
	int r;

	if (asprintf(&path, "%s/1/root", lkm_ctx_get_proc(ctx)) < 0)
		return -ENOMEM;
	r = stat(path, &st) == 0 ? same_file(path, "/") : mountinfo_root_is_whole(ctx);
	free(path);
	return r;
}

int lkm_depmod_default_cache(const struct lkm_ctx *ctx, const char *dirname, const char *outdir,
			     char **path)
{
	const char *kver = lkm_ctx_get_kver(ctx);
	int r;

	*path = NULL;
	if (!kver[0] || kver[0] == '.' || strchr(kver, '/'))
		return 0;
	if (!same_file(dirname, lkm_ctx_get_dirname(ctx)) ||
	    (outdir && !same_file(outdir, dirname)))
		return 0;
	r = is_running_kernel(ctx, kver);
	if (r <= 0)
		return r;
	r = is_pid1_root(ctx);
	if (r <= 0)
		return r;
	if (asprintf(path, "%s/" CACHE_SUBDIR "/%s", lkm_ctx_get_cache_dir(ctx), kver) < 0) {
		*path = NULL;
		return -ENOMEM;
	}
	return 1;
}

/* Whether @name in the cache directory @dfd is to go; @mfd: the module directories. */
static bool prunable(int dfd, int mfd, const char *name, time_t now)
{
	const char *mark = strstr(name, TMP_MARK);
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (name[0] == '.' && mark)
		return st.st_mtime < now - TMP_STALE_SEC;
	return fstatat(mfd, name, &st, 0) < 0 && errno == ENOENT;
}

int lkm_depmod_cache_prune(const struct lkm_ctx *ctx)
{
	const char *dirname = lkm_ctx_get_dirname(ctx), *slash = strrchr(dirname, '/');
	char *cdir = NULL, *mdir = NULL;
	time_t now = time(NULL);
	int dfd = -1, mfd = -1, n = 0, r = -ENOMEM;
	struct dirent *e;
	DIR *dir = NULL;

	if (asprintf(&cdir, "%s/" CACHE_SUBDIR, lkm_ctx_get_cache_dir(ctx)) < 0) {
		cdir = NULL;
		goto out;
	}
	if (!(mdir = slash && slash > dirname ? strndup(dirname, (size_t)(slash - dirname))
					      : strdup("/")))
		goto out;
	mfd = open(mdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dfd = mfd < 0 ? -1 : open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(dir = fdopendir(dfd))) {
		r = -errno;
		goto out;
	}
	dfd = -1; /* the stream's now */
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (prunable(dirfd(dir), mfd, e->d_name, now) &&
		    unlinkat(dirfd(dir), e->d_name, 0) == 0)
			n++;
	}
	r = n;
out:
	if (dir)
		closedir(dir);
	if (dfd >= 0)
		close(dfd);
	if (mfd >= 0)
		close(mfd);
	free(cdir);
	free(mdir);
	return r;
}
