// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a load did (modprobe/insmod --report): the things the kernel shows a module
 * registered, found by comparing the state before and after each module's load.
 *
 * A snapshot is one sorted set of keys, each a kind letter and a name:
 *   f:TYPE            /proc/filesystems
 *   n:IFACE           /sys/class/net/IFACE
 *   c:CLASS           /sys/class/CLASS (net left out: its entries are the 'n' keys)
 *   d:CLASS/DEV       /sys/class/CLASS/DEV
 *   j:c MAJOR NAME    /proc/devices ('c' character, 'b' block)
 *   m:NAME MINOR      /proc/misc
 *   b:BUS/DRIVER/DEV  /sys/bus/BUS/drivers/DRIVER/DEV (a device bound to the driver)
 * so a diff is the keys of the new set missing from the old one, and the details of a
 * new thing (its /dev node, its driver, the module that owns it) are read once, from
 * the state after. The kernel log is read from a capture opened with the first
 * snapshot and renewed with each: the lines between two snapshots are that load's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkm-internal.h"

/* Bounds against a runaway /sys: far more than any machine has. */
#define KEYS_MAX 200000
#define SMALL_FILE_MAX (1 << 20)

struct keyset {
	char **v;
	size_t n, cap;
};

struct lkm_report {
	struct lkm_ctx *ctx;
	struct keyset last;          /* the state after the last step */
	struct lkm_kmsg_capture cap; /* the log since the last step */
	uint64_t last_seq;           /* the newest log record handed out */
	bool seen_seq;
	struct lkm_report_module *mods;
	size_t n_mods, cap_mods;
};

static void keyset_release(struct keyset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int keyset_add(struct keyset *s, char kind, const char *fmt, ...) LKM_PRINTF(3, 4);

static int keyset_add(struct keyset *s, char kind, const char *fmt, ...)
{
	char name[1024];
	va_list ap;
	int r;

	if (s->n >= KEYS_MAX)
		return -E2BIG;
	va_start(ap, fmt);
	r = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(name))
		return 0; /* a name no sysfs gives: not worth a failed report */
	r = lkm_array_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v), 1024);
	if (r < 0)
		return r;
	if (asprintf(&s->v[s->n], "%c:%s", kind, name) < 0)
		return -ENOMEM;
	s->n++;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool keyset_has(const struct keyset *s, const char *key)
{
	return s->n && bsearch(&key, s->v, s->n, sizeof(*s->v), key_cmp) != NULL;
}

static bool skip_entry(const struct dirent *e)
{
	return e->d_name[0] == '.';
}

/* The entries of @dir as keys "@kind:@prefix/NAME" (no prefix: "@kind:NAME"). */
static int add_dir(struct keyset *s, char kind, const char *dir, const char *prefix)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d)
		return errno == ENOMEM ? -ENOMEM : 0; /* missing: nothing of that kind */
	while (r == 0 && (e = readdir(d)))
		if (!skip_entry(e))
			r = prefix ? keyset_add(s, kind, "%s/%s", prefix, e->d_name) :
				     keyset_add(s, kind, "%s", e->d_name);
	closedir(d);
	return r;
}

static int read_small(const char *path, char **out)
{
	size_t len;

	return lkm_read_file(path, SMALL_FILE_MAX, out, &len);
}

static int add_filesystems(struct keyset *s, const char *proc)
{
	char path[4096], *text, *line, *save = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/filesystems", proc);
	if (read_small(path, &text) < 0)
		return 0;
	r = 0;
	/* "nodev\tsysfs" or "\text4": the type is the last word. */
	for (line = strtok_r(text, "\n", &save); r == 0 && line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strrchr(line, '\t');
		const char *type = tab ? tab + 1 : line;

		if (*type)
			r = keyset_add(s, 'f', "%s", type);
	}
	free(text);
	return r;
}

static int add_majors(struct keyset *s, const char *proc)
{
	char path[4096], *text, *line, *save = NULL, group = 0, name[256];
	unsigned major;
	int r = 0;

	snprintf(path, sizeof(path), "%s/devices", proc);
	if (read_small(path, &text) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); r == 0 && line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Character", 9) == 0)
			group = 'c';
		else if (strncmp(line, "Block", 5) == 0)
			group = 'b';
		else if (group && sscanf(line, " %u %255s", &major, name) == 2)
			r = keyset_add(s, 'j', "%c %u %s", group, major, name);
	}
	free(text);
	return r;
}

static int add_misc(struct keyset *s, const char *proc)
{
	char path[4096], *text, *line, *save = NULL, name[256];
	unsigned minor;
	int r = 0;

	snprintf(path, sizeof(path), "%s/misc", proc);
	if (read_small(path, &text) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); r == 0 && line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, " %u %255s", &minor, name) == 2)
			r = keyset_add(s, 'm', "%s %u", name, minor);
	free(text);
	return r;
}

/* /sys/class: each class ('c'), and its devices ('d'); net's are interfaces ('n'). */
static int add_classes(struct keyset *s, const char *sys)
{
	char path[4096];
	struct dirent *e;
	DIR *d;
	int r = 0;

	snprintf(path, sizeof(path), "%s/class", sys);
	d = opendir(path);
	if (!d)
		return 0;
	while (r == 0 && (e = readdir(d))) {
		char sub[4096];

		if (skip_entry(e))
			continue;
		snprintf(sub, sizeof(sub), "%s/class/%s", sys, e->d_name);
		if (strcmp(e->d_name, "net") == 0)
			r = add_dir(s, 'n', sub, NULL);
		else if ((r = keyset_add(s, 'c', "%s", e->d_name)) == 0)
			r = add_dir(s, 'd', sub, e->d_name);
	}
	closedir(d);
	return r;
}

/* Whether a driver's directory entry is a device bound to it (a link, not its files). */
static bool is_bound_device(const char *drvdir, const char *name)
{
	static const char *const not_devices[] = { "module", "bind", "unbind", "uevent",
						   "new_id", "remove_id", NULL };
	char path[4096];
	size_t i;

	for (i = 0; not_devices[i]; i++)
		if (strcmp(name, not_devices[i]) == 0)
			return false;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", drvdir, name) >= sizeof(path))
		return false;
	/* A device is a link into /sys/devices; a driver's own files are not links. */
	return readlink(path, (char[2]){ 0 }, 1) > 0;
}

static int add_bound(struct keyset *s, const char *sys)
{
	char path[4096];
	struct dirent *bus;
	DIR *buses;
	int r = 0;

	snprintf(path, sizeof(path), "%s/bus", sys);
	buses = opendir(path);
	if (!buses)
		return 0;
	while (r == 0 && (bus = readdir(buses))) {
		struct dirent *drv;
		DIR *drivers;

		if (skip_entry(bus))
			continue;
		snprintf(path, sizeof(path), "%s/bus/%s/drivers", sys, bus->d_name);
		drivers = opendir(path);
		if (!drivers)
			continue;
		while (r == 0 && (drv = readdir(drivers))) {
			char drvdir[4096];
			struct dirent *dev;
			DIR *devs;

			if (skip_entry(drv))
				continue;
			if ((size_t)snprintf(drvdir, sizeof(drvdir), "%s/%s", path,
					     drv->d_name) >= sizeof(drvdir))
				continue;
			devs = opendir(drvdir);
			if (!devs)
				continue;
			while (r == 0 && (dev = readdir(devs)))
				if (!skip_entry(dev) && is_bound_device(drvdir, dev->d_name))
					r = keyset_add(s, 'b', "%s/%s/%s", bus->d_name,
						       drv->d_name, dev->d_name);
			closedir(devs);
		}
		closedir(drivers);
	}
	closedir(buses);
	return r;
}

static int snapshot(struct lkm_ctx *ctx, struct keyset *out)
{
	const char *proc = lkm_ctx_get_proc(ctx), *sys = lkm_ctx_get_sys(ctx);
	int r;

	memset(out, 0, sizeof(*out));
	r = add_filesystems(out, proc);
	if (r == 0)
		r = add_majors(out, proc);
	if (r == 0)
		r = add_misc(out, proc);
	if (r == 0)
		r = add_classes(out, sys);
	if (r == 0)
		r = add_bound(out, sys);
	if (r < 0) {
		keyset_release(out);
		return r;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), key_cmp);
	return 0;
}

/* The last component of the link @path points to, into @buf; "" when it is no link. */
static const char *link_base(const char *path, char *buf, size_t size)
{
	char target[4096];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *slash;

	buf[0] = '\0';
	if (n <= 0)
		return buf;
	target[n] = '\0';
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	if (strlen(slash) < size)
		memcpy(buf, slash, strlen(slash) + 1);
	return buf;
}

/* DEVNAME= of a uevent file, as "/dev/NAME", into @buf; "" when there is none. */
static const char *uevent_node(const char *path, char *buf, size_t size)
{
	char *text, *p;

	buf[0] = '\0';
	if (read_small(path, &text) < 0)
		return buf;
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, "DEVNAME=", 8) == 0) {
			snprintf(buf, size, "/dev/%.*s", (int)strcspn(p + 8, "\n"), p + 8);
			break;
		}
	free(text);
	return buf;
}

static void item_release(struct lkm_report_item *it)
{
	free(it->name);
	free(it->group);
	free(it->driver);
	free(it->node);
}

static struct lkm_report_module *find_module(struct lkm_report *rep, const char *name)
{
	size_t i;

	for (i = 0; i < rep->n_mods; i++)
		if (strcmp(rep->mods[i].name, name) == 0)
			return &rep->mods[i];
	return NULL;
}

static int add_module(struct lkm_report *rep, const char *name, enum lkm_report_state state,
		      struct lkm_report_module **out)
{
	struct lkm_report_module *m = find_module(rep, name);
	int r;

	if (m) {
		/* Loaded now beats planned or found loaded before. */
		if (state == LKM_REPORT_LOADED)
			m->state = state;
		*out = m;
		return 0;
	}
	r = lkm_array_grow(&rep->mods, &rep->cap_mods, rep->n_mods + 1, sizeof(*rep->mods),
			   8);
	if (r < 0)
		return r;
	m = &rep->mods[rep->n_mods];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!m->name)
		return -ENOMEM;
	m->state = state;
	m->device_aliases = -1;
	rep->n_mods++;
	*out = m;
	return 0;
}

/* Strings may be NULL or "" (then the field stays NULL). */
static int add_item(struct lkm_report_module *m, enum lkm_report_kind kind, const char *name,
		    const char *group, const char *driver, const char *node, unsigned number)
{
	struct lkm_report_item *it;
	size_t cap = m->n_items; /* grown one at a time: a module registers few things */
	int r;

	r = lkm_array_grow(&m->items, &cap, m->n_items + 1, sizeof(*m->items), 1);
	if (r < 0)
		return r;
	it = &m->items[m->n_items];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->number = number;
	it->name = strdup(name);
	it->group = group && *group ? strdup(group) : NULL;
	it->driver = driver && *driver ? strdup(driver) : NULL;
	it->node = node && *node ? strdup(node) : NULL;
	if (!it->name || (group && *group && !it->group) || (driver && *driver && !it->driver) ||
	    (node && *node && !it->node)) {
		item_release(it);
		return -ENOMEM;
	}
	m->n_items++;
	return 0;
}

/*
 * The module a new thing goes to: @owner (what sysfs says owns it) when that module
 * was loaded by this run, else @step, the module whose load came just before.
 */
static struct lkm_report_module *owner_of(struct lkm_report *rep, struct lkm_report_module *step,
					  const char *owner)
{
	struct lkm_report_module *m = *owner ? find_module(rep, owner) : NULL;

	return m && m->state == LKM_REPORT_LOADED ? m : step;
}

/* A misc device's class entry is said by its /proc/misc line: not twice. */
static bool new_misc(const struct keyset *after, const struct keyset *before, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < after->n; i++)
		if (strncmp(after->v[i], "m:", 2) == 0 && strncmp(after->v[i] + 2, name, len) == 0 &&
		    after->v[i][2 + len] == ' ' && !keyset_has(before, after->v[i]))
			return true;
	return false;
}

/* One new key of @after, worded as an item of its module. */
static int add_new(struct lkm_report *rep, struct lkm_report_module *step,
		   const struct keyset *after, const char *key)
{
	const char *sys = lkm_ctx_get_sys(rep->ctx), *name = key + 2;
	char path[4096], owner[LKM_NAME_MAX], driver[LKM_NAME_MAX], node[512], what[256];
	char cls[256];
	unsigned number;

	switch (key[0]) {
	case 'f':
		return add_item(step, LKM_REPORT_FILESYSTEM, name, NULL, NULL, NULL, 0);
	case 'n':
		snprintf(path, sizeof(path), "%s/class/net/%s/device/driver/module", sys, name);
		link_base(path, owner, sizeof(owner));
		snprintf(path, sizeof(path), "%s/class/net/%s/device/driver", sys, name);
		link_base(path, driver, sizeof(driver));
		return add_item(owner_of(rep, step, owner), LKM_REPORT_NETDEV, name, NULL, driver,
				NULL, 0);
	case 'c':
		return add_item(step, LKM_REPORT_CLASS, name, NULL, NULL, NULL, 0);
	case 'd': {
		const char *slash = strchr(name, '/');

		if (!slash || (size_t)(slash - name) >= sizeof(cls))
			return 0;
		snprintf(cls, sizeof(cls), "%.*s", (int)(slash - name), name);
		if (strcmp(cls, "misc") == 0 && new_misc(after, &rep->last, slash + 1))
			return 0;
		snprintf(path, sizeof(path), "%s/class/%s/device/driver/module", sys, name);
		link_base(path, owner, sizeof(owner));
		snprintf(path, sizeof(path), "%s/class/%s/device/driver", sys, name);
		link_base(path, driver, sizeof(driver));
		snprintf(path, sizeof(path), "%s/class/%s/uevent", sys, name);
		uevent_node(path, node, sizeof(node));
		return add_item(owner_of(rep, step, owner), LKM_REPORT_CLASS_DEVICE, slash + 1,
				cls, driver, node, 0);
	}
	case 'j': {
		char group;

		if (sscanf(name, "%c %u %255s", &group, &number, what) != 3)
			return 0;
		return add_item(step, LKM_REPORT_MAJOR, what, group == 'b' ? "block" : "char",
				NULL, NULL, number);
	}
	case 'm':
		if (sscanf(name, "%255s %u", what, &number) != 2)
			return 0;
		snprintf(path, sizeof(path), "%s/class/misc/%s/uevent", sys, what);
		uevent_node(path, node, sizeof(node));
		return add_item(step, LKM_REPORT_MISC, what, NULL, NULL, node, number);
	case 'b': {
		const char *s1 = strchr(name, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;

		if (!s2 || (size_t)(s1 - name) >= sizeof(cls) ||
		    (size_t)(s2 - s1 - 1) >= sizeof(driver))
			return 0;
		snprintf(cls, sizeof(cls), "%.*s", (int)(s1 - name), name);
		snprintf(driver, sizeof(driver), "%.*s", (int)(s2 - s1 - 1), s1 + 1);
		snprintf(path, sizeof(path), "%s/bus/%s/drivers/%s/module", sys, cls, driver);
		link_base(path, owner, sizeof(owner));
		return add_item(owner_of(rep, step, owner), LKM_REPORT_BOUND, s2 + 1, cls, driver,
				NULL, 0);
	}
	}
	return 0;
}

/* A device alias is a bus's (pci:, usb:, of:, platform: ...): not fs-, devname:, ... */
static bool device_alias(const char *alias)
{
	return strchr(alias, ':') && strncmp(alias, "devname:", 8) != 0 &&
	       strncmp(alias, "symbol:", 7) != 0;
}

static void count_device_aliases(struct lkm_report_module *m, const char *path)
{
	const struct lkm_modinfo_entry *e;
	struct lkm_modinfo *info = NULL;
	struct lkm_err err = { 0 };
	struct lkm_file *f;
	size_t i, n;

	if (!path || m->device_aliases >= 0 || lkm_file_open(path, &f, &err) < 0)
		return;
	if (lkm_modinfo_from_file(f, &info, &err) == 0) {
		e = lkm_modinfo_get_entries(info, &n);
		m->device_aliases = 0;
		for (i = 0; i < n; i++)
			if (strcmp(e[i].key, "alias") == 0 && device_alias(e[i].value))
				m->device_aliases++;
		lkm_modinfo_free(info);
	}
	lkm_file_free(f);
}

/* The log records since the last step go to @m (the one just loaded). */
static int take_log(struct lkm_report *rep, struct lkm_report_module *m)
{
	struct lkm_kmsg_capture next;
	struct lkm_kmsg_log log = { 0 };
	size_t i;
	int r = 0;

	/* The next capture opens before this one is read: no record falls between. */
	if (lkm_kmsg_begin(rep->ctx, &next) < 0)
		next.fd = -1;
	if (lkm_kmsg_end(&rep->cap, &log) < 0)
		log.count = 0;
	rep->cap = next;
	for (i = 0; r == 0 && i < log.count; i++) {
		const struct lkm_kmsg_record *rec = &log.recs[i];

		/* Read by both captures: once is enough. */
		if (rep->seen_seq && rec->seq <= rep->last_seq)
			continue;
		rep->last_seq = rec->seq;
		rep->seen_seq = true;
		r = add_item(m, LKM_REPORT_LOG, rec->text, NULL, NULL, NULL, (unsigned)rec->level);
	}
	lkm_kmsg_log_release(&log);
	return r;
}

int lkm_report_new(struct lkm_ctx *ctx, struct lkm_report **out)
{
	struct lkm_report *rep = calloc(1, sizeof(*rep));
	int r;

	*out = NULL;
	if (!rep)
		return -ENOMEM;
	rep->cap.fd = -1;
	r = snapshot(ctx, &rep->last);
	if (r < 0) {
		free(rep);
		return r;
	}
	rep->ctx = lkm_ctx_ref(ctx);
	/* Without the log the report only lacks its lines: no error. */
	if (lkm_kmsg_begin(ctx, &rep->cap) < 0)
		rep->cap.fd = -1;
	*out = rep;
	return 0;
}

int lkm_report_step(struct lkm_report *rep, const char *name, const char *path,
		    enum lkm_report_state state)
{
	struct lkm_report_module *m;
	struct keyset after;
	size_t i;
	int r;

	r = add_module(rep, name, state, &m);
	if (r < 0)
		return r;
	count_device_aliases(m, path);
	if (state != LKM_REPORT_LOADED)
		return 0;
	r = snapshot(rep->ctx, &after);
	if (r < 0)
		return r;
	for (i = 0; r == 0 && i < after.n; i++)
		if (!keyset_has(&rep->last, after.v[i]))
			r = add_new(rep, m, &after, after.v[i]);
	if (r == 0)
		r = take_log(rep, m);
	keyset_release(&rep->last);
	rep->last = after;
	return r;
}

int lkm_report_step_done(struct lkm_report *rep, const struct lkm_load_step *step,
			 int result, unsigned flags)
{
	/* An install command's work is its module's; modules in the kernel already: none. */
	if (result < 0 || (step->action != LKM_STEP_INSMOD && step->action != LKM_STEP_INSTALL))
		return 0;
	return lkm_report_step(rep, step->name, step->path,
			       flags & LKM_PROBE_DRY_RUN ? LKM_REPORT_DRY_RUN : LKM_REPORT_LOADED);
}

const struct lkm_report_module *lkm_report_get_modules(const struct lkm_report *rep, size_t *n)
{
	*n = rep->n_mods;
	return rep->mods;
}

static bool registered_something(const struct lkm_report_module *m)
{
	size_t i;

	for (i = 0; i < m->n_items; i++)
		if (m->items[i].kind != LKM_REPORT_LOG)
			return true;
	return false;
}

/* " (A, B)" of the parts that are there, into @buf; "" when neither is. */
static const char *paren(char *buf, size_t size, const char *a, const char *b)
{
	if (a && b)
		snprintf(buf, size, " (%s, %s)", a, b);
	else if (a || b)
		snprintf(buf, size, " (%s)", a ? a : b);
	else
		buf[0] = '\0';
	return buf;
}

static int show_item(const char *mod, const struct lkm_report_item *it, struct lkm_buf *out)
{
	char drv[LKM_NAME_MAX + 8], more[LKM_NAME_MAX + 600];

	if (it->driver)
		snprintf(drv, sizeof(drv), "driver %s", it->driver);
	switch (it->kind) {
	case LKM_REPORT_FILESYSTEM:
		return lkm_buf_printf(out, "report: %s: filesystem type %s\n", mod, it->name);
	case LKM_REPORT_NETDEV:
		return lkm_buf_printf(out, "report: %s: network interface %s%s\n", mod, it->name,
				      paren(more, sizeof(more), it->driver ? drv : NULL, NULL));
	case LKM_REPORT_CLASS:
		return lkm_buf_printf(out, "report: %s: device class %s\n", mod, it->name);
	case LKM_REPORT_CLASS_DEVICE:
		return lkm_buf_printf(out, "report: %s: device %s/%s%s\n", mod, it->group, it->name,
				      paren(more, sizeof(more), it->node,
					    it->driver ? drv : NULL));
	case LKM_REPORT_MAJOR:
		return lkm_buf_printf(out, "report: %s: %s device major %u (%s)\n", mod,
				      it->group, it->number, it->name);
	case LKM_REPORT_MISC:
		snprintf(drv, sizeof(drv), "minor %u", it->number);
		return lkm_buf_printf(out, "report: %s: misc device %s%s\n", mod, it->name,
				      paren(more, sizeof(more), drv, it->node));
	case LKM_REPORT_BOUND:
		return lkm_buf_printf(out, "report: %s: bound %s%s\n", mod, it->name,
				      paren(more, sizeof(more), it->group,
					    it->driver ? drv : NULL));
	case LKM_REPORT_LOG:
		return lkm_buf_printf(out, "report: %s: kernel log: %s\n", mod, it->name);
	}
	return 0;
}

int lkm_report_show(const struct lkm_report *rep, struct lkm_buf *out)
{
	size_t i, j;
	int r = 0;

	for (i = 0; r == 0 && i < rep->n_mods; i++) {
		const struct lkm_report_module *m = &rep->mods[i];

		if (m->state == LKM_REPORT_DRY_RUN)
			r = lkm_buf_printf(out, "report: %s: would be loaded; nothing registered "
						"(dry run: nothing was loaded)\n", m->name);
		else if (m->state == LKM_REPORT_WAS_LOADED)
			r = lkm_buf_printf(out, "report: %s: already in the kernel; not loaded by "
						"this run\n", m->name);
		else if (registered_something(m)) {
			for (j = 0; r == 0 && j < m->n_items; j++)
				if (m->items[j].kind != LKM_REPORT_LOG)
					r = show_item(m->name, &m->items[j], out);
		} else if (m->device_aliases > 0)
			r = lkm_buf_printf(out, "report: %s: registered nothing: no device on this "
						"machine matched it (%d device alias%s)\n", m->name,
					   m->device_aliases, m->device_aliases == 1 ? "" : "es");
		else
			r = lkm_buf_printf(out, "report: %s: registered nothing (not a driver)\n",
					   m->name);
		for (j = 0; r == 0 && j < m->n_items; j++)
			if (m->items[j].kind == LKM_REPORT_LOG)
				r = show_item(m->name, &m->items[j], out);
	}
	return r;
}

/* One registration as an object: its kind, then the fields the text line shows. */
static void json_item(struct lkm_json *w, const struct lkm_report_item *it)
{
	static const char *const kinds[] = {
		[LKM_REPORT_FILESYSTEM] = "filesystem", [LKM_REPORT_NETDEV] = "network_interface",
		[LKM_REPORT_CLASS] = "device_class",   [LKM_REPORT_CLASS_DEVICE] = "device",
		[LKM_REPORT_MAJOR] = "major",          [LKM_REPORT_MISC] = "misc_device",
		[LKM_REPORT_BOUND] = "bound",          [LKM_REPORT_LOG] = "log",
	};

	lkm_json_begin_object(w);
	lkm_json_member_string(w, "kind", kinds[it->kind]);
	switch (it->kind) {
	case LKM_REPORT_FILESYSTEM:
	case LKM_REPORT_CLASS:
		lkm_json_member_string(w, "name", it->name);
		break;
	case LKM_REPORT_NETDEV:
		lkm_json_member_string(w, "name", it->name);
		lkm_json_member_string(w, "driver", it->driver);
		break;
	case LKM_REPORT_CLASS_DEVICE:
		lkm_json_member_string(w, "class", it->group);
		lkm_json_member_string(w, "name", it->name);
		lkm_json_member_string(w, "node", it->node);
		lkm_json_member_string(w, "driver", it->driver);
		break;
	case LKM_REPORT_MAJOR:
		lkm_json_member_string(w, "type", it->group);
		lkm_json_member_uint(w, "major", it->number);
		lkm_json_member_string(w, "name", it->name);
		break;
	case LKM_REPORT_MISC:
		lkm_json_member_string(w, "name", it->name);
		lkm_json_member_uint(w, "minor", it->number);
		lkm_json_member_string(w, "node", it->node);
		break;
	case LKM_REPORT_BOUND:
		lkm_json_member_string(w, "device", it->name);
		lkm_json_member_string(w, "bus", it->group);
		lkm_json_member_string(w, "driver", it->driver);
		break;
	case LKM_REPORT_LOG:
		lkm_json_member_uint(w, "level", it->number);
		lkm_json_member_string(w, "text", it->name);
		break;
	}
	lkm_json_end_object(w);
}

void lkm_report_json(const struct lkm_report *rep, struct lkm_json *w)
{
	static const char *const states[] = {
		[LKM_REPORT_LOADED] = "loaded", [LKM_REPORT_DRY_RUN] = "dry_run",
		[LKM_REPORT_WAS_LOADED] = "already_loaded",
	};
	size_t i, j;

	for (i = 0; i < rep->n_mods; i++) {
		const struct lkm_report_module *m = &rep->mods[i];

		lkm_json_begin_object(w);
		lkm_json_member_string(w, "name", m->name);
		lkm_json_member_string(w, "state", states[m->state]);
		lkm_json_key(w, "device_aliases");
		if (m->device_aliases < 0)
			lkm_json_null(w);
		else
			lkm_json_int(w, m->device_aliases);
		lkm_json_key(w, "registered");
		lkm_json_begin_array(w);
		for (j = 0; j < m->n_items; j++)
			if (m->items[j].kind != LKM_REPORT_LOG)
				json_item(w, &m->items[j]);
		lkm_json_end_array(w);
		lkm_json_key(w, "log");
		lkm_json_begin_array(w);
		for (j = 0; j < m->n_items; j++)
			if (m->items[j].kind == LKM_REPORT_LOG)
				json_item(w, &m->items[j]);
		lkm_json_end_array(w);
		lkm_json_end_object(w);
	}
}

void lkm_report_free(struct lkm_report *rep)
{
	size_t i, j;

	if (!rep)
		return;
	for (i = 0; i < rep->n_mods; i++) {
		for (j = 0; j < rep->mods[i].n_items; j++)
			item_release(&rep->mods[i].items[j]);
		free(rep->mods[i].items);
		free(rep->mods[i].name);
	}
	free(rep->mods);
	keyset_release(&rep->last);
	if (rep->cap.fd >= 0)
		close(rep->cap.fd);
	lkm_ctx_unref(rep->ctx);
	free(rep);
}
