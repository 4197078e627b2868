// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe --coldplug: the drivers of the devices already in <sys>/devices, without
 * udev (an initramfs without it, busybox mdev). Each device directory with a modalias
 * file is a device; each distinct modalias is looked up as modprobe looks up an alias
 * (every module it matches), and the modules are loaded in the order their modaliases
 * first appeared. A driver that binds may add devices of its own (virtio_pci's virtio
 * devices, USB and HID behind a host controller): udev sees them through uevents, so
 * here the tree is scanned again after each round of loads, until a scan finds no
 * module to load that was not loaded before, or the rounds run out.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lkm-internal.h"

/* Deeper than any sysfs device tree; it bounds the recursion on a strange tree. */
#define WALK_DEPTH_MAX 48
/* A modalias is one line; the kernel's longest (cpu:, acpi:) stay well below this. */
#define MODALIAS_MAX 8192

struct devices {
	struct lkm_coldplug_device *v;
	size_t n, cap;
};

static void device_release(struct lkm_coldplug_device *d)
{
	free(d->path);
	free(d->modalias);
	free(d->driver);
	free(d->vendor);
	free(d->device);
	memset(d, 0, sizeof(*d));
}

static void devices_free(struct lkm_coldplug_device *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		device_release(&v[i]);
	free(v);
}

/* A one-line attribute of the device, without its newline; -ENOENT when absent. */
static int read_attr(const char *dir, const char *attr, char **out)
{
	char path[PATH_MAX];
	size_t len;
	int r;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, attr) >= sizeof(path))
		return -ENAMETOOLONG;
	r = lkm_read_file(path, MODALIAS_MAX, out, &len);
	if (r < 0)
		return r;
	while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
		(*out)[--len] = '\0';
	return 0;
}

/* "0x" and at least four lowercase hex digits, from @len hex digits at @s; NULL: none. */
static char *id_from_hex(const char *s, size_t len)
{
	char *out;
	size_t i, j;

	while (len > 4 && *s == '0')
		s++, len--;
	if (!len || len > 16)
		return NULL;
	out = malloc(len + 7);
	if (!out)
		return NULL;
	j = 0;
	out[j++] = '0', out[j++] = 'x';
	for (i = len; i < 4; i++)
		out[j++] = '0';
	for (i = 0; i < len; i++)
		out[j++] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
	out[j] = '\0';
	return out;
}

static size_t hex_span(const char *s, bool upper)
{
	size_t n = 0;

	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'A' && s[n] <= 'F') ||
	       (!upper && s[n] >= 'a' && s[n] <= 'f'))
		n++;
	return n;
}

/*
 * The ids in a modalias of a bus that has them: the digits after the key letter. The
 * kernel writes them in upper case, so a lowercase letter is always a key.
 */
static const struct {
	const char *bus;
	char vendor, device;
} id_keys[] = {
	{ "pci:", 'v', 'd' }, { "usb:", 'v', 'p' }, { "virtio:", 'v', 'd' },
	{ "hid:", 'v', 'p' }, { "sdio:", 'v', 'd' },
};

static char *id_from_modalias(const char *modalias, bool vendor)
{
	size_t i, n;
	const char *p;

	for (i = 0; i < sizeof(id_keys) / sizeof(id_keys[0]); i++) {
		if (strncmp(modalias, id_keys[i].bus, strlen(id_keys[i].bus)) != 0)
			continue;
		p = strchr(modalias + strlen(id_keys[i].bus),
			   vendor ? id_keys[i].vendor : id_keys[i].device);
		if (!p)
			return NULL;
		n = hex_span(p + 1, true);
		return n ? id_from_hex(p + 1, n) : NULL;
	}
	return NULL;
}

/* The device's vendor or device file ("0x8086"), else the id in its modalias. */
static int read_id(const char *dir, const char *modalias, const char *attr, char **out)
{
	char *text;
	int r;

	*out = NULL;
	r = read_attr(dir, attr, &text);
	if (r == 0 && strncmp(text, "0x", 2) == 0 && text[2] &&
	    hex_span(text + 2, false) == strlen(text + 2))
		*out = id_from_hex(text + 2, strlen(text + 2));
	if (r == 0)
		free(text);
	if (!*out)
		*out = id_from_modalias(modalias, strcmp(attr, "vendor") == 0);
	return 0;
}

/* The driver link's last component; NULL when there is none. */
static int read_driver(const char *dir, char **out)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/driver", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT || errno == EINVAL ? 0 : -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	*out = strdup(base ? base + 1 : target);
	return *out ? 0 : -ENOMEM;
}

struct walk {
	struct devices *devs;
	size_t sys_len; /* the device path is what follows "<sys>/" */
	struct lkm_err *err;
};

static int add_device(struct walk *w, const char *dir)
{
	struct lkm_coldplug_device d = { 0 };
	int r;

	r = read_attr(dir, "modalias", &d.modalias);
	/* None: not a device that asks for a driver; or one that went away meanwhile. */
	if (r == -ENOENT || r == -EACCES || r == -ENODEV)
		return 0;
	if (r < 0)
		return lkm_err_set(w->err, r, "%s/modalias: %s", dir, strerror(-r));
	if (!d.modalias[0]) {
		free(d.modalias);
		return 0;
	}
	d.path = strdup(dir + w->sys_len);
	r = d.path ? read_driver(dir, &d.driver) : -ENOMEM;
	if (r == 0)
		r = read_id(dir, d.modalias, "vendor", &d.vendor);
	if (r == 0)
		r = read_id(dir, d.modalias, "device", &d.device);
	if (r == 0)
		r = lkm_array_grow(&w->devs->v, &w->devs->cap, w->devs->n + 1, sizeof(d), 64);
	if (r < 0) {
		device_release(&d);
		return lkm_err_set(w->err, r, "%s: %s", dir, strerror(-r));
	}
	w->devs->v[w->devs->n++] = d;
	return 0;
}

/* @dir and every real directory below it; sysfs's symlinks (subsystem, driver) not. */
static int walk_dir(struct walk *w, const char *dir, unsigned depth)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r;

	r = add_device(w, dir);
	if (r < 0)
		return r;
	if (depth >= WALK_DEPTH_MAX)
		return 0;
	d = opendir(dir);
	if (!d) {
		r = -errno;
		/* A device that went away while we looked is no error. */
		return r == -ENOENT ? 0 : lkm_err_set(w->err, r, "%s: %s", dir, strerror(-r));
	}
	while ((errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
			continue;
		if (de->d_type == DT_UNKNOWN && lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			de->d_type = DT_DIR;
		if (de->d_type != DT_DIR)
			continue;
		r = walk_dir(w, sub, depth + 1);
		if (r < 0)
			break;
	}
	if (r >= 0 && errno)
		r = lkm_err_set(w->err, -errno, "%s: %s", dir, strerror(errno));
	closedir(d);
	return r < 0 ? r : 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct lkm_coldplug_device *)a)->path,
		      ((const struct lkm_coldplug_device *)b)->path);
}

int lkm_coldplug_scan(struct lkm_ctx *ctx, struct lkm_coldplug_device **out, size_t *count,
		      struct lkm_err *err)
{
	struct devices devs = { 0 };
	struct walk w = { .devs = &devs, .err = err };
	char root[PATH_MAX];
	int r;

	*out = NULL;
	*count = 0;
	w.sys_len = strlen(lkm_ctx_get_sys(ctx)) + 1;
	if ((size_t)snprintf(root, sizeof(root), "%s/devices", lkm_ctx_get_sys(ctx)) >=
	    sizeof(root))
		return lkm_err_set(err, -ENAMETOOLONG, "%s/devices: %s", lkm_ctx_get_sys(ctx),
				   strerror(ENAMETOOLONG));
	if (access(root, F_OK) < 0) {
		r = -errno;
		return lkm_err_set(err, r, "%s: %s", root, strerror(-r));
	}
	r = walk_dir(&w, root, 0);
	if (r < 0) {
		devices_free(devs.v, devs.n);
		return r;
	}
	if (devs.n)
		qsort(devs.v, devs.n, sizeof(*devs.v), by_path);
	*out = devs.v;
	*count = devs.n;
	return 0;
}

void lkm_coldplug_devices_free(struct lkm_coldplug_device *devices, size_t count)
{
	devices_free(devices, count);
}

/* ---- the plan ---- */

static ssize_t find_alias(const struct lkm_coldplug_plan *plan, const char *modalias)
{
	size_t i;

	for (i = 0; i < plan->n_aliases; i++)
		if (strcmp(plan->aliases[i].modalias, modalias) == 0)
			return (ssize_t)i;
	return -1;
}

static bool queued(const struct lkm_coldplug_plan *plan, const char *name)
{
	size_t i;

	for (i = 0; i < plan->n_loads; i++)
		if (strcmp(plan->loads[i].name, name) == 0)
			return true;
	return false;
}

/* @modalias's modules, as modprobe MODALIAS finds them, at the end of plan->aliases. */
static int add_alias(struct lkm_ctx *ctx, const struct lkm_config *cfg,
		     struct lkm_coldplug_plan *plan, const char *modalias, struct lkm_err *err)
{
	struct lkm_coldplug_alias a = { .round = plan->rounds };
	struct lkm_coldplug_alias *grown;
	int r;

	r = lkm_resolve_lookup(ctx, cfg, modalias, &a.modules, &a.n_modules, err);
	if (r < 0)
		return r;
	a.modalias = strdup(modalias);
	grown = a.modalias ? realloc(plan->aliases, (plan->n_aliases + 1) * sizeof(a)) : NULL;
	if (!grown) {
		free(a.modalias);
		lkm_resolved_free(a.modules, a.n_modules);
		return -ENOMEM;
	}
	plan->aliases = grown;
	plan->aliases[plan->n_aliases++] = a;
	return 0;
}

/* The alias's modules not queued yet and not blacklisted, at the end of plan->loads. */
static int queue_modules(const struct lkm_config *cfg, struct lkm_coldplug_plan *plan,
			 const struct lkm_coldplug_alias *a)
{
	struct lkm_resolved *grown;
	size_t i;
	int r;

	for (i = 0; i < a->n_modules; i++) {
		const struct lkm_resolved *m = &a->modules[i];

		/* udev's kmod builtin loads what an alias finds with the blacklist applied. */
		if (queued(plan, m->name) || (cfg && lkm_config_get_blacklist(cfg, m->name)))
			continue;
		grown = realloc(plan->loads, (plan->n_loads + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		plan->loads = grown;
		r = lkm_resolved_copy(&plan->loads[plan->n_loads], m);
		if (r < 0)
			return r;
		plan->n_loads++;
	}
	return 0;
}

int lkm_coldplug_plan_scan(struct lkm_ctx *ctx, const struct lkm_config *config,
			   struct lkm_coldplug_plan *plan, struct lkm_err *err)
{
	struct lkm_coldplug_device *devs;
	size_t i, n, first_alias = plan->n_aliases, first_load = plan->n_loads;
	ssize_t k;
	int r;

	r = lkm_coldplug_scan(ctx, &devs, &n, err);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		k = find_alias(plan, devs[i].modalias);
		if (k < 0) {
			r = add_alias(ctx, config, plan, devs[i].modalias, err);
			if (r < 0)
				goto fail;
			k = (ssize_t)plan->n_aliases - 1;
		}
		devs[i].alias = (size_t)k;
	}
	for (i = first_alias; i < plan->n_aliases; i++) {
		r = queue_modules(config, plan, &plan->aliases[i]);
		if (r < 0)
			goto fail;
	}
	devices_free(plan->devices, plan->n_devices);
	plan->devices = devs;
	plan->n_devices = n;
	plan->rounds++;
	return (int)(plan->n_loads - first_load);
fail:
	devices_free(devs, n);
	return r;
}

void lkm_coldplug_plan_release(struct lkm_coldplug_plan *plan)
{
	size_t i;

	devices_free(plan->devices, plan->n_devices);
	for (i = 0; i < plan->n_aliases; i++) {
		free(plan->aliases[i].modalias);
		lkm_resolved_free(plan->aliases[i].modules, plan->aliases[i].n_modules);
	}
	free(plan->aliases);
	lkm_resolved_free(plan->loads, plan->n_loads);
	memset(plan, 0, sizeof(*plan));
}

/* ---- the rounds ---- */

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/*
 * Wait until the kernel has sent no uevent for @quiet_ms (<sys>/kernel/uevent_seqnum
 * stays the same), @max_ms at most: a driver's probe may add its devices later, from a
 * work queue (USB enumerates behind the hub driver). Without that file, no wait.
 */
static void settle(struct lkm_ctx *ctx, unsigned quiet_ms, unsigned max_ms)
{
	char path[PATH_MAX], *seq = NULL, *cur = NULL;
	unsigned long long start = now_ms(), since;
	const struct timespec tick = { 0, 50 * 1000000L };

	if (!quiet_ms ||
	    (size_t)snprintf(path, sizeof(path), "%s/kernel", lkm_ctx_get_sys(ctx)) >=
		    sizeof(path) ||
	    read_attr(path, "uevent_seqnum", &seq) < 0)
		return;
	since = now_ms();
	while (now_ms() - since < quiet_ms && now_ms() - start < max_ms) {
		nanosleep(&tick, NULL);
		if (read_attr(path, "uevent_seqnum", &cur) < 0)
			break;
		if (strcmp(cur, seq) != 0) {
			free(seq);
			seq = cur;
			since = now_ms();
		} else
			free(cur);
		cur = NULL;
	}
	free(seq);
}

/* A failed scan, with a reason in @err even when the failure had none (-ENOMEM). */
static int scan_failed(struct lkm_err *err, int r)
{
	if (err && !err->code)
		lkm_err_set(err, r, "%s", strerror(-r));
	return r;
}

int lkm_coldplug_run(struct lkm_ctx *ctx, const struct lkm_config *config,
		     struct lkm_coldplug_plan *plan, const struct lkm_coldplug_ops *ops,
		     struct lkm_err *err)
{
	size_t first;
	unsigned round;
	int r, failed = 0;

	for (round = 0; round < ops->max_rounds; round++) {
		first = plan->n_loads;
		r = lkm_coldplug_plan_scan(ctx, config, plan, err);
		if (r < 0)
			return scan_failed(err, r);
		if (r == 0 || !ops->load)
			break;
		r = ops->load(ops->data, plan->loads + first, plan->n_loads - first);
		plan->n_loaded = plan->n_loads;
		if (r < 0)
			failed = r;
		settle(ctx, ops->settle_quiet_ms, ops->settle_max_ms);
	}
	/* The last round's loads may have bound devices: the report needs their state. */
	if (ops->load && round == ops->max_rounds) {
		r = lkm_coldplug_plan_scan(ctx, config, plan, err);
		if (r < 0)
			return scan_failed(err, r);
	}
	return failed;
}
