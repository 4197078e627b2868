// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Held by what? The kernel refuses to remove a module whose reference count is above
 * zero, and <sys>/module/M/holders names only the modules among its users. The others
 * leave traces elsewhere, and this file finds them, all through the ctx's /proc and /sys:
 *
 *  - a mounted filesystem of a type the module provides: the module's "fs-TYPE" aliases
 *    (modules.alias), or a type of its own name in <proc>/filesystems, against
 *    <proc>/mounts; also a mount whose block device is the module's (a loop device);
 *  - an open device node of the module's, and the process holding it: the module's
 *    device numbers come from its aliases (char-major-M-N, block-major-M, devname:PATH),
 *    the majors it registered under its name (<proc>/devices), its misc minors
 *    (<proc>/misc) and the devices its driver binds (<sys>/dev/{char,block}/M:N with a
 *    driver/module link); then every <proc>/PID/fd/N is stat()ed (the kernel resolves
 *    the link to the open file itself, whatever the process's mount namespace) and its
 *    st_rdev compared. When the target cannot be stat()ed, the link's text is compared
 *    with the device's /dev path instead (which is how fixture trees are tested too);
 *  - a network interface of the module's: <sys>/class/net/IF/device/driver/module for
 *    hardware, and for virtual interfaces the uevent's DEVTYPE against the module's
 *    "rtnl-link-KIND" aliases (bridge, vlan, ... set a DEVTYPE; dummy, veth do not, and
 *    nothing else in /sys ties them to a module). A network interface does not take a
 *    module reference by itself, so lib/diagnose.c words it as a lead, not as the holder.
 *
 * Nothing here is worded: lib/diagnose.c makes sentences of the list.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "diagnose-internal.h"

/* Enough to say what holds a module; a system with more of them gets "and more". */
#define HELD_MAX 16
#define DEVNUMS_MAX 256
#define FSTYPES_MAX 16

struct devnum {
	char type;          /* 'c' or 'b' */
	unsigned major, minor;
	bool any_minor;
	char path[128];     /* "/dev/NAME" when known, else "" */
};

/* What the module has that something could hold. */
struct owned {
	char name[LKM_NAME_MAX];
	char fstypes[FSTYPES_MAX][64];
	size_t n_fstypes;
	char linkkinds[FSTYPES_MAX][64];
	size_t n_linkkinds;
	char devnames[FSTYPES_MAX][128]; /* from devname: aliases, "/dev/..." */
	size_t n_devnames;
	struct devnum devs[DEVNUMS_MAX];
	size_t n_devs;
};

static bool same_name(const char *a, const char *b)
{
	char na[LKM_NAME_MAX], nb[LKM_NAME_MAX];

	if (lkm_name_normalize(na, sizeof(na), a) < 0 || lkm_name_normalize(nb, sizeof(nb), b) < 0)
		return false;
	return strcmp(na, nb) == 0;
}

static void add_dev(struct owned *o, char type, unsigned major, unsigned minor, bool any_minor,
		    const char *path)
{
	struct devnum *d;
	size_t i;

	for (i = 0; i < o->n_devs; i++) {
		d = &o->devs[i];
		if (d->type == type && d->major == major && d->minor == minor &&
		    d->any_minor == any_minor) {
			if (!d->path[0] && path)
				snprintf(d->path, sizeof(d->path), "%s", path);
			return;
		}
	}
	if (o->n_devs == DEVNUMS_MAX)
		return;
	d = &o->devs[o->n_devs++];
	*d = (struct devnum){ .type = type, .major = major, .minor = minor,
			      .any_minor = any_minor };
	if (path)
		snprintf(d->path, sizeof(d->path), "%s", path);
}

static void add_word(char (*v)[64], size_t *n, const char *w, size_t len)
{
	if (*n < FSTYPES_MAX && len > 0 && len < 64) {
		memcpy(v[*n], w, len);
		v[(*n)++][len] = '\0';
	}
}

/* One "alias PATTERN MODULE" of modules.alias that names the module. */
static void take_alias(struct owned *o, const char *a)
{
	unsigned major, minor;
	char tail;
	int n = 0;

	if (strncmp(a, "fs-", 3) == 0)
		add_word(o->fstypes, &o->n_fstypes, a + 3, strlen(a + 3));
	else if (strncmp(a, "rtnl-link-", 10) == 0)
		add_word(o->linkkinds, &o->n_linkkinds, a + 10, strlen(a + 10));
	else if (strncmp(a, "devname:", 8) == 0 && o->n_devnames < FSTYPES_MAX)
		snprintf(o->devnames[o->n_devnames++], sizeof(o->devnames[0]), "/dev/%s", a + 8);
	else if (sscanf(a, "char-major-%u-%u%n", &major, &minor, &n) == 2 && a[n] == '\0')
		add_dev(o, 'c', major, minor, false, NULL);
	else if (sscanf(a, "block-major-%u-%u%n", &major, &minor, &n) == 2 && a[n] == '\0')
		add_dev(o, 'b', major, minor, false, NULL);
	else if (sscanf(a, "char-major-%u%c", &major, &tail) >= 1)
		add_dev(o, 'c', major, 0, true, NULL);
	else if (sscanf(a, "block-major-%u%c", &major, &tail) >= 1)
		add_dev(o, 'b', major, 0, true, NULL);
}

static void read_aliases(struct lkm_ctx *ctx, struct owned *o)
{
	char path[PATH_MAX], *text, *line, *save = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/modules.alias", lkm_ctx_get_dirname(ctx));
	if (lkm_read_file(path, (size_t)64 << 20, &text, &len) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *pattern, *mod, *s2 = NULL;

		if (strncmp(line, "alias ", 6) != 0)
			continue;
		pattern = strtok_r(line + 6, " \t", &s2);
		mod = pattern ? strtok_r(NULL, " \t", &s2) : NULL;
		if (mod && same_name(mod, o->name))
			take_alias(o, pattern);
	}
	free(text);
}

/* <proc>/filesystems: "nodev\tTYPE" or "\tTYPE"; a type of the module's own name is its. */
static void read_filesystems(struct lkm_ctx *ctx, struct owned *o)
{
	char *text = diag_read_small(lkm_ctx_get_proc(ctx), "filesystems"), *line, *save = NULL;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *type = strrchr(line, '\t');
		size_t i;

		type = type ? type + 1 : line;
		if (!same_name(type, o->name))
			continue;
		for (i = 0; i < o->n_fstypes && strcmp(o->fstypes[i], type) != 0; i++)
			;
		if (i == o->n_fstypes)
			add_word(o->fstypes, &o->n_fstypes, type, strlen(type));
	}
	free(text);
}

/* <proc>/devices: the majors registered under the module's name. */
static void read_devices(struct lkm_ctx *ctx, struct owned *o)
{
	char *text = diag_read_small(lkm_ctx_get_proc(ctx), "devices"), *line, *save = NULL;
	char type = 'c';

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned major;
		char dname[LKM_NAME_MAX];

		if (strncmp(line, "Block devices", 13) == 0)
			type = 'b';
		else if (strncmp(line, "Character devices", 17) == 0)
			type = 'c';
		else if (sscanf(line, "%u %63s", &major, dname) == 2 && same_name(dname, o->name))
			add_dev(o, type, major, 0, true, NULL);
	}
	free(text);
}

/* <proc>/misc: "MINOR NAME"; a misc device of the module's name is its (char 10). */
static void read_misc(struct lkm_ctx *ctx, struct owned *o)
{
	char *text = diag_read_small(lkm_ctx_get_proc(ctx), "misc"), *line, *save = NULL;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned minor;
		char dname[128];

		if (sscanf(line, "%u %127s", &minor, dname) == 2 && same_name(dname, o->name))
			add_dev(o, 'c', 10, minor, false, NULL);
	}
	free(text);
}

/* The module name behind the symlink @root/@rel (".../module/NAME"), or "". */
static void link_module(const char *root, const char *rel, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	snprintf(out, size, "%.*s", (int)strnlen(base, size - 1), base);
}

/* The value of KEY= in a uevent text, into @out (""). */
static void uevent_value(const char *uevent, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p;

	out[0] = '\0';
	for (p = uevent; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			snprintf(out, size, "%.*s", (int)strcspn(p + klen + 1, "\n"), p + klen + 1);
			return;
		}
}

/* Does @devnum match one the module owns? */
static const struct devnum *owned_dev(const struct owned *o, char type, unsigned major,
				      unsigned minor)
{
	size_t i;

	for (i = 0; i < o->n_devs; i++) {
		const struct devnum *d = &o->devs[i];

		if (d->type == type && d->major == major && (d->any_minor || d->minor == minor))
			return d;
	}
	return NULL;
}

/*
 * <sys>/dev/{char,block}/M:N: the devices the module's driver binds, and the /dev paths
 * (uevent DEVNAME) of the numbers it owns, so an open file's link text can be compared.
 */
static void read_sys_dev(struct lkm_ctx *ctx, struct owned *o, char type)
{
	const char *sys = lkm_ctx_get_sys(ctx);
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/dev/%s", sys, type == 'c' ? "char" : "block");
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char rel[600], mod[LKM_NAME_MAX], *uevent, devname[128], path[160];
		unsigned major, minor;
		bool mine, named = false;
		size_t i;

		if (sscanf(de->d_name, "%u:%u", &major, &minor) != 2)
			continue;
		snprintf(rel, sizeof(rel), "dev/%s/%s/uevent", type == 'c' ? "char" : "block",
			 de->d_name);
		uevent = diag_read_small(sys, rel);
		uevent_value(uevent ? uevent : "", "DEVNAME", devname, sizeof(devname));
		free(uevent);
		snprintf(path, sizeof(path), "/dev/%s", devname);
		snprintf(rel, sizeof(rel), "dev/%s/%s/device/driver/module",
			 type == 'c' ? "char" : "block", de->d_name);
		link_module(sys, rel, mod, sizeof(mod));
		mine = mod[0] && same_name(mod, o->name);
		if (!mine) {
			snprintf(rel, sizeof(rel), "dev/%s/%s/driver/module",
				 type == 'c' ? "char" : "block", de->d_name);
			link_module(sys, rel, mod, sizeof(mod));
			mine = mod[0] && same_name(mod, o->name);
		}
		for (i = 0; devname[0] && i < o->n_devnames; i++)
			named |= strcmp(o->devnames[i], path) == 0;
		if (mine || named || owned_dev(o, type, major, minor))
			add_dev(o, type, major, minor, false, devname[0] ? path : NULL);
	}
	closedir(d);
}

static int push(struct diag_held_list *l, const struct diag_held *h)
{
	struct diag_held *v;

	if (l->n == HELD_MAX) {
		l->more = true;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;

		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *h;
	return 0;
}

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/* The block device behind a mount source "/dev/NAME", through <sys>/dev/block. */
static const struct devnum *source_dev(const struct owned *o, const char *source)
{
	size_t i;

	if (strncmp(source, "/dev/", 5) != 0)
		return NULL;
	for (i = 0; i < o->n_devs; i++)
		if (o->devs[i].type == 'b' && strcmp(o->devs[i].path, source) == 0)
			return &o->devs[i];
	return NULL;
}

static int find_mounts(struct lkm_ctx *ctx, const struct owned *o, struct diag_held_list *l)
{
	char *text = diag_read_small(lkm_ctx_get_proc(ctx), "mounts"), *line, *save = NULL;
	int r = 0;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line && r == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *source, *point, *type;
		struct diag_held h = { .kind = DIAG_HELD_MOUNT };
		bool ours = false;
		size_t i;

		source = strtok_r(line, " ", &s2);
		point = source ? strtok_r(NULL, " ", &s2) : NULL;
		type = point ? strtok_r(NULL, " ", &s2) : NULL;
		if (!type)
			continue;
		unescape_octal(source);
		unescape_octal(point);
		for (i = 0; i < o->n_fstypes; i++)
			ours |= strcmp(o->fstypes[i], type) == 0;
		if (!ours && !source_dev(o, source))
			continue;
		h.by_device = !ours;
		snprintf(h.what, sizeof(h.what), "%s", type);
		snprintf(h.where, sizeof(h.where), "%s", point);
		snprintf(h.source, sizeof(h.source), "%s", source);
		r = push(l, &h);
	}
	free(text);
	return r;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* One <proc>/PID/fd/N: a device of the module's, by st_rdev, else by the link's text. */
static const struct devnum *open_dev(const struct owned *o, const char *fdpath, char *target,
				     size_t size, char *type_out)
{
	struct stat st;
	ssize_t n;
	size_t i;

	n = readlink(fdpath, target, size - 1);
	target[n > 0 ? n : 0] = '\0';
	if (stat(fdpath, &st) == 0) {
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return NULL;
		*type_out = S_ISCHR(st.st_mode) ? 'c' : 'b';
		return owned_dev(o, *type_out, major(st.st_rdev), minor(st.st_rdev));
	}
	if (n <= 0)
		return NULL;
	for (i = 0; i < o->n_devs; i++)
		if (o->devs[i].path[0] && strcmp(o->devs[i].path, target) == 0) {
			*type_out = o->devs[i].type;
			return &o->devs[i];
		}
	return NULL;
}

static int find_open_files(struct lkm_ctx *ctx, const struct owned *o, struct diag_held_list *l)
{
	const char *proc = lkm_ctx_get_proc(ctx);
	struct dirent *pe;
	DIR *pd;
	int r = 0;

	if (o->n_devs == 0)
		return 0;
	pd = opendir(proc);
	if (!pd)
		return 0;
	while (r == 0 && (pe = readdir(pd))) {
		char fddir[PATH_MAX], rel[300], *comm;
		struct dirent *fe;
		DIR *fd;

		if (!all_digits(pe->d_name))
			continue;
		snprintf(fddir, sizeof(fddir), "%s/%s/fd", proc, pe->d_name);
		fd = opendir(fddir);
		if (!fd)
			continue; /* gone, or not ours to read */
		snprintf(rel, sizeof(rel), "%s/comm", pe->d_name);
		comm = diag_read_small(proc, rel);
		while (r == 0 && (fe = readdir(fd))) {
			struct diag_held h = { .kind = DIAG_HELD_OPEN };
			char fdpath[PATH_MAX + 300];
			const struct devnum *d;

			if (!all_digits(fe->d_name))
				continue;
			snprintf(fdpath, sizeof(fdpath), "%s/%s", fddir, fe->d_name);
			d = open_dev(o, fdpath, h.where, sizeof(h.where), &h.dev_type);
			if (!d)
				continue;
			if (!h.where[0])
				snprintf(h.where, sizeof(h.where), "%s", d->path);
			h.pid = atoi(pe->d_name);
			h.fd = atoi(fe->d_name);
			snprintf(h.what, sizeof(h.what), "%s", comm ? comm : "?");
			h.major = d->major;
			h.minor = d->minor;
			h.any_minor = d->any_minor;
			r = push(l, &h);
		}
		free(comm);
		closedir(fd);
	}
	closedir(pd);
	return r;
}

static bool has_word(char (*v)[64], size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], w) == 0)
			return true;
	return false;
}

static int find_netifs(struct lkm_ctx *ctx, struct owned *o, struct diag_held_list *l)
{
	const char *sys = lkm_ctx_get_sys(ctx);
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	snprintf(dir, sizeof(dir), "%s/class/net", sys);
	d = opendir(dir);
	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d))) {
		struct diag_held h = { .kind = DIAG_HELD_NETIF };
		char rel[600], mod[LKM_NAME_MAX], devtype[64] = "", *uevent;

		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "class/net/%s/device/driver/module", de->d_name);
		link_module(sys, rel, mod, sizeof(mod));
		if (!mod[0] || !same_name(mod, o->name)) {
			snprintf(rel, sizeof(rel), "class/net/%s/uevent", de->d_name);
			uevent = diag_read_small(sys, rel);
			uevent_value(uevent ? uevent : "", "DEVTYPE", devtype, sizeof(devtype));
			free(uevent);
			if (!devtype[0] || !has_word(o->linkkinds, o->n_linkkinds, devtype))
				continue;
		}
		snprintf(h.what, sizeof(h.what), "%.*s", (int)sizeof(h.what) - 1, de->d_name);
		snprintf(h.source, sizeof(h.source), "%s", devtype[0] ? devtype : "");
		h.by_device = !devtype[0];
		r = push(l, &h);
	}
	closedir(d);
	return r;
}

int diag_find_held(struct lkm_ctx *ctx, const char *name, struct diag_held_list *out)
{
	struct owned *o;
	int r;

	memset(out, 0, sizeof(*out));
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	snprintf(o->name, sizeof(o->name), "%s", name);
	read_aliases(ctx, o);
	read_filesystems(ctx, o);
	read_devices(ctx, o);
	read_misc(ctx, o);
	read_sys_dev(ctx, o, 'c');
	read_sys_dev(ctx, o, 'b');
	r = find_mounts(ctx, o, out);
	if (r == 0)
		r = find_open_files(ctx, o, out);
	if (r == 0)
		r = find_netifs(ctx, o, out);
	free(o);
	if (r < 0)
		diag_held_list_free(out);
	return r;
}

void diag_held_list_free(struct diag_held_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
