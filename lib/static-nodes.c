// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modules.devname and the static device nodes it describes.
 *
 * depmod writes one line per module that declares a fixed device node (the
 * "devname:" and "char-major-M-N"/"block-major-M-N" aliases together):
 *
 *   # Device nodes to trigger on-demand module loading.
 *   fuse fuse c10:229
 *   tun net/tun c10:200
 *   ^    ^       ^^  ^
 *   |    |       ||  minor
 *   |    |       |major
 *   |    |       'c' (character) or 'b' (block)
 *   |    the node below /dev
 *   the module
 *
 * At boot, `kmod static-nodes --format=tmpfiles` turns it into tmpfiles.d(5) lines so
 * the nodes exist before the modules are loaded; opening one then loads its module.
 *
 * The reading is kmod's, because systemd and initramfs scripts see its result at every
 * boot: the file is taken in chunks of at most 4095 bytes (one line each, unless a line
 * is longer), a chunk that starts with '#' is skipped, and any other must hold two words
 * and TYPE MAJOR ':' MINOR as scanf(3) reads "%s %s %c%u:%u": anything after the minor
 * is ignored, numbers are read as strtoul(3) does (a sign is accepted) and cut to
 * unsigned int, and an empty line is an invalid entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lkm-internal.h"

/* kmod reads the file with fgets() into a PATH_MAX buffer: a chunk has 4095 bytes at most. */
#define CHUNK_MAX 4095
/* A modules.devname has a line per module with a fixed node: a few kilobytes. */
#define DEVNAME_FILE_MAX (64u << 20)

struct lkm_devname {
	struct lkm_devname_line *lines;
	size_t n, cap;
};

static const struct {
	const char *name;
	const char *description;
} formats[] = {
	[LKM_STATIC_NODES_HUMAN] = { "human", "(default) a human readable format. Do not parse." },
	[LKM_STATIC_NODES_TMPFILES] = { "tmpfiles", "the tmpfiles.d(5) format used by systemd-tmpfiles." },
	[LKM_STATIC_NODES_DEVNAME] = { "devname", "the modules.devname format." },
};

int lkm_static_nodes_format_from_name(const char *name, enum lkm_static_nodes_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*out = (enum lkm_static_nodes_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *lkm_static_nodes_format_name(enum lkm_static_nodes_format f)
{
	return (size_t)f < sizeof(formats) / sizeof(formats[0]) ? formats[f].name : NULL;
}

const char *lkm_static_nodes_format_description(enum lkm_static_nodes_format f)
{
	return (size_t)f < sizeof(formats) / sizeof(formats[0]) ? formats[f].description : NULL;
}

void lkm_static_node_release(struct lkm_static_node *node)
{
	free(node->module);
	free(node->devname);
	node->module = node->devname = NULL;
}

int lkm_static_node_parse(const char *line, struct lkm_static_node *node)
{
	size_t len = strlen(line);
	unsigned int maj, min;
	char type;
	int n;

	memset(node, 0, sizeof(*node));
	if (line[0] == '#')
		return 0;
	/* A word is never longer than the line, so these cannot overflow. */
	node->module = malloc(len + 1);
	node->devname = malloc(len + 1);
	if (!node->module || !node->devname) {
		lkm_static_node_release(node);
		return -ENOMEM;
	}
	n = sscanf(line, "%s %s %c%u:%u", node->module, node->devname, &type, &maj, &min);
	if (n != 5 || (type != 'c' && type != 'b')) {
		lkm_static_node_release(node);
		return -EINVAL;
	}
	node->type = type;
	node->major = maj;
	node->minor = min;
	return 1;
}

int lkm_static_node_format(const struct lkm_static_node *node, enum lkm_static_nodes_format f,
			   struct lkm_buf *out)
{
	const char *slash;

	switch (f) {
	case LKM_STATIC_NODES_HUMAN:
		return lkm_buf_printf(out,
				      "Module: %s\n\tDevice node: /dev/%s\n\t\tType: %s device\n"
				      "\t\tMajor: %u\n\t\tMinor: %u\n",
				      node->module, node->devname,
				      node->type == 'c' ? "character" : "block", node->major,
				      node->minor);
	case LKM_STATIC_NODES_TMPFILES:
		/* A node in a subdirectory ("snd/timer") needs the directory first. */
		slash = strrchr(node->devname, '/');
		if (slash) {
			int r = lkm_buf_printf(out, "d /dev/%.*s 0755 - - -\n",
					       (int)(slash - node->devname), node->devname);
			if (r < 0)
				return r;
		}
		return lkm_buf_printf(out, "%c! /dev/%s 0600 - - - %u:%u\n", node->type,
				      node->devname, node->major, node->minor);
	case LKM_STATIC_NODES_DEVNAME:
		return lkm_buf_printf(out, "%s %s %c%u:%u\n", node->module, node->devname,
				      node->type, node->major, node->minor);
	}
	return -EINVAL;
}

static int add_chunk(struct lkm_devname *d, const char *p, size_t len)
{
	struct lkm_devname_line *l;
	int r;

	if (p[0] == '#')
		return 0;
	r = lkm_array_grow(&d->lines, &d->cap, d->n + 1, sizeof(*d->lines), 32);
	if (r < 0)
		return r;
	l = &d->lines[d->n];
	l->text = strndup(p, len);
	if (!l->text)
		return -ENOMEM;
	r = lkm_static_node_parse(l->text, &l->node);
	if (r == -ENOMEM) {
		free(l->text);
		return r;
	}
	l->valid = r == 1;
	d->n++;
	return 0;
}

int lkm_devname_read(const char *path, struct lkm_devname **out, struct lkm_err *err)
{
	struct lkm_devname *d;
	char *data;
	size_t len, pos = 0;
	int r;

	r = lkm_read_file(path, DEVNAME_FILE_MAX, &data, &len);
	if (r < 0)
		return lkm_err_set(err, r, "%s", strerror(-r));
	d = calloc(1, sizeof(*d));
	if (!d) {
		free(data);
		return lkm_err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	}
	while (pos < len) {
		size_t room = len - pos < CHUNK_MAX ? len - pos : CHUNK_MAX;
		const char *nl = memchr(data + pos, '\n', room);
		size_t n = nl ? (size_t)(nl - (data + pos)) + 1 : room;

		r = add_chunk(d, data + pos, n);
		if (r < 0) {
			free(data);
			lkm_devname_free(d);
			return lkm_err_set(err, r, "%s", strerror(-r));
		}
		pos += n;
	}
	free(data);
	*out = d;
	return 0;
}

const struct lkm_devname_line *lkm_devname_get_lines(const struct lkm_devname *d, size_t *n)
{
	*n = d->n;
	return d->lines;
}

void lkm_devname_free(struct lkm_devname *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->lines[i].text);
		lkm_static_node_release(&d->lines[i].node);
	}
	free(d->lines);
	free(d);
}

int lkm_mkdir_parents(const char *path, mode_t mode)
{
	const char *end = strrchr(path, '/');
	struct stat st;
	char *dir;
	size_t i;
	int r = 0;

	if (!end || end == path)
		return 0;
	dir = strndup(path, (size_t)(end - path));
	if (!dir)
		return -ENOMEM;
	/* Each component in turn: a missing one is made, one that is not a directory stops. */
	for (i = 1;; i++) {
		char c = dir[i];

		if (c != '/' && c != '\0')
			continue;
		dir[i] = '\0';
		if (stat(dir, &st) == 0)
			r = S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
		else if (errno != ENOENT)
			r = -errno;
		else if (mkdir(dir, mode) < 0 && errno != EEXIST)
			r = -errno;
		if (r < 0)
			break;
		dir[i] = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return r;
}
