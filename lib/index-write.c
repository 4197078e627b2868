// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Building a .bin index in memory and writing it byte for byte as kmod 34's depmod
 * does (lib/index-format.h describes the bytes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index-format.h"
#include "lkm-internal.h"

struct bvalue {
	struct bvalue *next;
	uint32_t priority;
	char value[];
};

struct bnode {
	char *prefix;
	struct bvalue *values;
	struct bnode **kids;      /* sorted by kchar */
	unsigned char *kchar;
	unsigned nkids, cap;
	uint64_t size;            /* bytes of this node */
	uint64_t total;           /* bytes of this node and everything below it */
};

struct lkm_index_builder {
	struct bnode *root;
};

static struct bnode *bnode_new(const char *prefix)
{
	struct bnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->prefix = strdup(prefix);
	if (!n->prefix) {
		free(n);
		return NULL;
	}
	return n;
}

static void bnode_free(struct bnode *n)
{
	struct bvalue *v, *next;
	unsigned i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		bnode_free(n->kids[i]);
	for (v = n->values; v; v = next) {
		next = v->next;
		free(v);
	}
	free(n->kids);
	free(n->kchar);
	free(n->prefix);
	free(n);
}

int lkm_index_builder_new(struct lkm_index_builder **out)
{
	struct lkm_index_builder *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->root = bnode_new("");
	if (!b->root) {
		free(b);
		return -ENOMEM;
	}
	*out = b;
	return 0;
}

void lkm_index_builder_free(struct lkm_index_builder *b)
{
	if (!b)
		return;
	bnode_free(b->root);
	free(b);
}

/* Position of @ch among the children, or where it would go. */
static unsigned kid_pos(const struct bnode *n, unsigned char ch, bool *found)
{
	unsigned lo = 0, hi = n->nkids;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (n->kchar[mid] < ch)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n->nkids && n->kchar[lo] == ch;
	return lo;
}

static int kid_insert(struct bnode *n, unsigned pos, unsigned char ch, struct bnode *kid)
{
	if (n->nkids == n->cap) {
		/* Both arrays have room for n->cap: each grows from there alike. */
		size_t kcap = n->cap, ccap = n->cap;

		if (lkm_array_grow(&n->kids, &kcap, n->nkids + 1, sizeof(kid), 2) < 0 ||
		    lkm_array_grow(&n->kchar, &ccap, n->nkids + 1, 1, 2) < 0)
			return -ENOMEM;
		n->cap = (unsigned)kcap; /* at most 256: one kid per byte value */
	}
	memmove(n->kids + pos + 1, n->kids + pos, (n->nkids - pos) * sizeof(*n->kids));
	memmove(n->kchar + pos + 1, n->kchar + pos, n->nkids - pos);
	n->kids[pos] = kid;
	n->kchar[pos] = ch;
	n->nkids++;
	return 0;
}

/* Cut @n's prefix at @j: a new child takes what follows, with @n's values and kids. */
static int bnode_split(struct bnode *n, size_t j)
{
	struct bnode *tail = bnode_new(n->prefix + j + 1);
	unsigned char ch = n->prefix[j];

	if (!tail)
		return -ENOMEM;
	tail->values = n->values;
	tail->kids = n->kids;
	tail->kchar = n->kchar;
	tail->nkids = n->nkids;
	tail->cap = n->cap;
	n->values = NULL;
	n->kids = NULL;
	n->kchar = NULL;
	n->nkids = n->cap = 0;
	n->prefix[j] = '\0';
	if (kid_insert(n, 0, ch, tail) < 0) {
		/* Undo, so the trie stays whole. */
		n->prefix[j] = ch;
		n->values = tail->values;
		n->kids = tail->kids;
		n->kchar = tail->kchar;
		n->nkids = tail->nkids;
		n->cap = tail->cap;
		free(tail->prefix);
		free(tail);
		return -ENOMEM;
	}
	return 0;
}

/*
 * depmod's order: before the first value of equal or higher priority. A value the key
 * already has is stored again, as depmod stores it, so the file stays kmod's.
 */
static int bnode_add_value(struct bnode *n, const char *value, uint32_t priority)
{
	struct bvalue **pos = &n->values, *v;
	size_t len = strlen(value);

	while (*pos && (*pos)->priority < priority)
		pos = &(*pos)->next;
	v = malloc(sizeof(*v) + len + 1);
	if (!v)
		return -ENOMEM;
	v->priority = priority;
	memcpy(v->value, value, len + 1);
	v->next = *pos;
	*pos = v;
	return 0;
}

static bool is_7bit(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p >= INDEX_CHAR_LIMIT)
			return false;
	*len = p - (const unsigned char *)s;
	return true;
}

int lkm_index_builder_add(struct lkm_index_builder *b, const char *key, const char *value,
			  uint32_t priority)
{
	struct bnode *n = b->root, *kid;
	size_t klen, vlen, j;
	unsigned pos;
	bool found;
	int r;

	if (!is_7bit(key, &klen) || !is_7bit(value, &vlen) || klen > LKM_INDEX_KEY_MAX)
		return -EINVAL;
	for (;;) {
		for (j = 0; n->prefix[j]; j++)
			if (n->prefix[j] != key[j])
				break;
		if (n->prefix[j]) {
			r = bnode_split(n, j);
			if (r < 0)
				return r;
		}
		key += j;
		if (*key == '\0')
			return bnode_add_value(n, value, priority);
		pos = kid_pos(n, (unsigned char)*key, &found);
		if (found) {
			n = n->kids[pos];
			key++;
			continue;
		}
		kid = bnode_new(key + 1);
		if (!kid)
			return -ENOMEM;
		r = bnode_add_value(kid, value, priority);
		if (r >= 0)
			r = kid_insert(n, pos, (unsigned char)*key, kid);
		if (r < 0) {
			bnode_free(kid);
			return r;
		}
		return 0;
	}
}

/* add() does not report duplicates: only depmod -w wants them, and it asks here first. */
bool lkm_index_builder_contains(const struct lkm_index_builder *b, const char *key,
				const char *value)
{
	const struct bnode *n = b->root;
	const struct bvalue *v;
	unsigned pos;
	bool found;
	size_t j;

	for (;;) {
		/* A key that ends inside the prefix differs from it at its NUL. */
		for (j = 0; n->prefix[j]; j++)
			if (n->prefix[j] != key[j])
				return false;
		key += j;
		if (*key == '\0')
			break;
		pos = kid_pos(n, (unsigned char)*key, &found);
		if (!found)
			return false;
		n = n->kids[pos];
		key++;
	}
	for (v = n->values; v; v = v->next)
		if (strcmp(v->value, value) == 0)
			return true;
	return false;
}

static uint32_t bnode_flags(const struct bnode *n)
{
	return (n->prefix[0] ? NODE_PREFIX : 0) | (n->values ? NODE_VALUES : 0) |
	       (n->nkids ? NODE_CHILDS : 0);
}

/* Sizes, bottom up; depth is bounded by LKM_INDEX_KEY_MAX. */
static uint64_t bnode_measure(struct bnode *n)
{
	const struct bvalue *v;
	unsigned i;

	n->size = 0;
	n->total = 0;
	if (n->prefix[0])
		n->size += strlen(n->prefix) + 1;
	if (n->nkids) {
		n->size += 2 + 4 * (n->kchar[n->nkids - 1] - n->kchar[0] + 1);
		for (i = 0; i < n->nkids; i++)
			n->total += bnode_measure(n->kids[i]);
	}
	if (n->values) {
		n->size += 4;
		for (v = n->values; v; v = v->next)
			n->size += 4 + strlen(v->value) + 1;
	}
	n->total += n->size;
	return n->total;
}

static void put_bytes(uint8_t **p, const void *s, size_t len)
{
	memcpy(*p, s, len);
	*p += len;
}

/* Pre-order, as kmod 34: the node, then each child's subtree in character order. */
static void bnode_emit(const struct bnode *n, uint8_t *base, uint32_t offset)
{
	uint8_t *p = base + offset;
	uint32_t child_off = offset + n->size, count = 0;
	const struct bvalue *v;
	unsigned i, first;

	if (n->prefix[0])
		put_bytes(&p, n->prefix, strlen(n->prefix) + 1);
	if (n->nkids) {
		first = n->kchar[0];
		*p++ = first;
		*p++ = n->kchar[n->nkids - 1];
		memset(p, 0, 4 * (n->kchar[n->nkids - 1] - first + 1));
		for (i = 0; i < n->nkids; i++) {
			put_be32(p + 4 * (n->kchar[i] - first),
				 child_off | bnode_flags(n->kids[i]));
			child_off += n->kids[i]->total;
		}
		p += 4 * (n->kchar[n->nkids - 1] - first + 1);
	}
	if (n->values) {
		for (v = n->values; v; v = v->next)
			count++;
		put_be32(p, count);
		p += 4;
		for (v = n->values; v; v = v->next) {
			put_be32(p, v->priority);
			p += 4;
			put_bytes(&p, v->value, strlen(v->value) + 1);
		}
	}
	child_off = offset + n->size;
	for (i = 0; i < n->nkids; i++) {
		bnode_emit(n->kids[i], base, child_off);
		child_off += n->kids[i]->total;
	}
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= w;
	}
	return 0;
}

int lkm_index_builder_write(struct lkm_index_builder *b, int fd, struct lkm_err *err)
{
	uint64_t total = INDEX_HEADER_SIZE + bnode_measure(b->root);
	uint8_t *image;
	int r;

	/* Every node must start at an offset the 28-bit field can hold. */
	if (total > (uint64_t)NODE_MASK + 1)
		return lkm_err_set(err, -EFBIG, "index of %llu bytes is too big for the format",
				   (unsigned long long)total);
	image = malloc(total);
	if (!image)
		return lkm_err_set(err, -ENOMEM, "out of memory");
	put_be32(image, INDEX_MAGIC);
	put_be32(image + 4, INDEX_VERSION_MAJOR << 16 | INDEX_VERSION_MINOR);
	put_be32(image + 8, INDEX_HEADER_SIZE | bnode_flags(b->root));
	bnode_emit(b->root, image, INDEX_HEADER_SIZE);
	r = write_all(fd, image, total);
	if (r < 0)
		lkm_err_set(err, r, "write: %s", strerror(-r));
	free(image);
	return r;
}
