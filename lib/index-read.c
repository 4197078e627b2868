// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading the .bin indexes (lib/index-format.h describes the bytes): open, the full
 * check, the walk over every key, exact lookups and the wildcard match.
 *
 * Because references are absolute, a hostile file could point a child back at its
 * parent or make two parents share a subtree. Like kmod, lkm_index_open() reads only
 * the header and the root, since a lookup touches a handful of nodes and checking all
 * of them took longer than a whole modinfo run otherwise. Unlike kmod, every node is
 * checked where it is read: each part inside the file, the prefix terminated, the child
 * range ordered, the value count possible for the bytes left, each value terminated.
 * Exact lookups consume a key byte per step down, so they end; walks over subtrees have
 * a byte budget and a depth limit (see spend()). A malformed node met on the way makes
 * the operation fail with -EBADMSG. lkm_index_verify() checks the whole file at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index-format.h"
#include "lkm-internal.h"

/* Files bigger than this cannot be an index anyone wrote (offsets have 28 bits). */
#define INDEX_FILE_MAX ((size_t)1 << 30)

struct lkm_index {
	const uint8_t *data;
	size_t size;
	void *map;          /* set when lkm_index_open() mapped the file */
	uint32_t root;      /* node reference, 0 for an empty index */
};

/* A node as it lies in the file. */
struct node {
	const char *prefix;
	size_t prefix_len;
	unsigned first, last;      /* first > last when there are no children */
	const uint8_t *children;
	uint32_t value_count;
	size_t values;             /* file offset of the first value's priority */
	size_t head;               /* bytes of the prefix and the child table */
};

/*
 * Length of the string at @off when its NUL comes within @max bytes and inside the
 * file, else -1. @max keeps a search from scanning the rest of the file again and again.
 */
static long string_len(const struct lkm_index *idx, size_t off, size_t max)
{
	const uint8_t *nul;

	if (off >= idx->size)
		return -1;
	if (max > idx->size - off)
		max = idx->size - off;
	nul = memchr(idx->data + off, '\0', max);
	return nul ? (long)(nul - (idx->data + off)) : -1;
}

/*
 * Decode the node @ref points at, checking that its prefix and child table lie inside
 * the file and that its value count fits in what is left of it (a value takes at least
 * 5 bytes). The values themselves are checked by value_read() as they are read.
 * Returns -EBADMSG with the reason in @err.
 */
static int node_read(const struct lkm_index *idx, uint32_t ref, struct node *n,
		     struct lkm_err *err)
{
	size_t start = ref & NODE_MASK, off = start;
	long len;

	memset(n, 0, sizeof(*n));
	n->prefix = "";
	n->first = 1;
	if (off > idx->size)
		return lkm_err_set(err, -EBADMSG, "node at %zu is past the end of the file (%zu)",
				   off, idx->size);
	if (ref & NODE_PREFIX) {
		len = string_len(idx, off, LKM_INDEX_KEY_MAX + 1);
		if (len < 0)
			return lkm_err_set(err, -EBADMSG,
					   "prefix of node at %zu is not terminated within %d bytes",
					   start, LKM_INDEX_KEY_MAX + 1);
		n->prefix = (const char *)idx->data + off;
		n->prefix_len = len;
		off += len + 1;
	}
	if (ref & NODE_CHILDS) {
		if (idx->size - off < 2)
			return lkm_err_set(err, -EBADMSG, "children of node at %zu are truncated",
					   start);
		n->first = idx->data[off];
		n->last = idx->data[off + 1];
		if (n->first > n->last)
			return lkm_err_set(err, -EBADMSG, "node at %zu has child range %u..%u",
					   start, n->first, n->last);
		off += 2;
		n->children = idx->data + off;
		if ((idx->size - off) / 4 < n->last - n->first + 1u)
			return lkm_err_set(err, -EBADMSG, "children of node at %zu are truncated",
					   start);
		off += 4 * (n->last - n->first + 1u);
	}
	n->head = off - start;
	if (ref & NODE_VALUES) {
		if (idx->size - off < 4)
			return lkm_err_set(err, -EBADMSG, "values of node at %zu are truncated",
					   start);
		n->value_count = get_be32(idx->data + off);
		off += 4;
		if (n->value_count > (idx->size - off) / 5)
			return lkm_err_set(err, -EBADMSG,
					   "node at %zu announces %u values, more than the file holds",
					   start, n->value_count);
		n->values = off;
	}
	return 0;
}

static uint32_t node_child(const struct node *n, unsigned ch)
{
	if (ch < n->first || ch > n->last)
		return 0;
	return get_be32(n->children + 4 * (ch - n->first));
}

static bool ref_present(uint32_t ref)
{
	return (ref & NODE_MASK) != 0;
}

/* Read the value at *@pos (priority, string, NUL) and step over it. */
static int value_read(const struct lkm_index *idx, size_t *pos, uint32_t *priority,
		      const char **s, size_t *len)
{
	long l;

	if (*pos > idx->size || idx->size - *pos < 4)
		return -EBADMSG;
	l = string_len(idx, *pos + 4, SIZE_MAX);
	if (l < 0)
		return -EBADMSG;
	*priority = get_be32(idx->data + *pos);
	*s = (const char *)idx->data + *pos + 4;
	*len = l;
	*pos += 4 + l + 1;
	return 0;
}

/*
 * The walks over whole subtrees (foreach, and the wildcard search below '*', '?' and
 * '[') cannot rely on the file being a tree: a child reference back up makes a cycle,
 * and parents sharing children make the walk exponential. Each such walk gets a budget
 * of the file's size instead, and visiting a node costs the bytes read of it. In a tree
 * no two nodes share a byte, so a walk over every node fits; a walk that needs more has
 * met some node twice, which is -EBADMSG. A node that can have children takes at least
 * 6 bytes, and one without bytes (no flags) is a leaf, so the number of visits is
 * bounded as well. The recursion is bounded by LKM_INDEX_KEY_MAX: every step down adds
 * one byte to the key.
 */
static int spend(size_t *budget, size_t n)
{
	if (n > *budget)
		return -EBADMSG;
	*budget -= n;
	return 0;
}

/* ------------------------------------------------------------ full check */

struct walk_item {
	uint32_t ref;
	uint32_t keylen;  /* bytes of key before this node's prefix */
};

static int walk_push(struct walk_item **stack, size_t *n, size_t *cap, uint32_t ref,
		     uint32_t keylen)
{
	if (lkm_array_grow(stack, cap, *n + 1, sizeof(**stack), 64) < 0)
		return -ENOMEM;
	(*stack)[(*n)++] = (struct walk_item){ ref, keylen };
	return 0;
}

/* Push the children of @n; each is checked when it is popped. */
static int check_children(const struct node *n, const struct walk_item *it,
			  struct walk_item **stack, size_t *depth, size_t *cap,
			  struct lkm_err *err)
{
	uint32_t keylen = it->keylen + n->prefix_len + 1;
	unsigned ch;
	uint32_t ref;

	for (ch = n->first; ch <= n->last; ch++) {
		ref = node_child(n, ch);
		if (!ref_present(ref))
			continue;
		if (ch == 0)
			return lkm_err_set(err, -EBADMSG, "node at %u has a child for byte 0",
					   it->ref & NODE_MASK);
		if (walk_push(stack, depth, cap, ref, keylen) < 0)
			return lkm_err_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Check the values of @n; *@end is set past the last one. */
static int check_values(const struct lkm_index *idx, const struct node *n, uint32_t ref,
			size_t *end, struct lkm_err *err)
{
	size_t pos = n->values, len;
	const char *s;
	uint32_t i, prio;

	for (i = 0; i < n->value_count; i++)
		if (value_read(idx, &pos, &prio, &s, &len) < 0)
			return lkm_err_set(err, -EBADMSG, "value %u of node at %u is truncated",
					   i, ref & NODE_MASK);
	*end = pos;
	return 0;
}

/* Claim the bytes [@start, @end) in @used, refusing any byte claimed before. */
static int claim_bytes(uint8_t *used, size_t start, size_t end, struct lkm_err *err)
{
	size_t i;

	for (i = start; i < end; i++) {
		if (used[i / 8] & (1u << (i % 8)))
			return lkm_err_set(err, -EBADMSG,
					   "node at %zu is reached twice or overlaps another node",
					   start);
		used[i / 8] |= 1u << (i % 8);
	}
	return 0;
}

/*
 * Walk the whole trie once without recursion and refuse any node whose bytes were seen
 * before: a cycle, a shared subtree, or nodes overlapping each other or the header. A
 * file that passes is a tree of disjoint nodes, so no walk can exceed its budget.
 */
int lkm_index_verify(struct lkm_index *idx, struct lkm_err *err)
{
	struct walk_item *stack = NULL, it;
	size_t depth = 0, cap = 0, start, end;
	uint8_t *used;
	struct node n;
	int r;

	if (!ref_present(idx->root))
		return 0;
	used = calloc(idx->size / 8 + 1, 1);
	if (!used)
		return lkm_err_set(err, -ENOMEM, "out of memory");
	r = claim_bytes(used, 0, INDEX_HEADER_SIZE, err);
	if (r == 0)
		r = walk_push(&stack, &depth, &cap, idx->root, 0);
	if (r < 0) {
		r = lkm_err_set(err, r, "out of memory");
		goto out;
	}
	while (depth > 0) {
		it = stack[--depth];
		r = node_read(idx, it.ref, &n, err);
		if (r < 0)
			goto out;
		if (it.keylen + n.prefix_len > LKM_INDEX_KEY_MAX) {
			r = lkm_err_set(err, -EBADMSG, "a key is longer than %d bytes",
					LKM_INDEX_KEY_MAX);
			goto out;
		}
		start = it.ref & NODE_MASK;
		end = start + n.head;
		if (it.ref & NODE_VALUES) {
			r = check_values(idx, &n, it.ref, &end, err);
			if (r < 0)
				goto out;
		}
		r = claim_bytes(used, start, end, err);
		if (r < 0)
			goto out;
		r = check_children(&n, &it, &stack, &depth, &cap, err);
		if (r < 0)
			goto out;
	}
out:
	free(stack);
	free(used);
	return r;
}

/* ------------------------------------------------------------ open */

/* The header, and the root node's own bytes; the rest is checked as it is read. */
static int index_init(struct lkm_index *idx, struct lkm_err *err)
{
	uint32_t magic, version;
	struct node root;

	if (idx->size < INDEX_HEADER_SIZE)
		return lkm_err_set(err, -EBADMSG, "too short for an index header (%zu bytes)",
				   idx->size);
	magic = get_be32(idx->data);
	version = get_be32(idx->data + 4);
	if (magic != INDEX_MAGIC)
		return lkm_err_set(err, -EBADMSG, "not a module index (magic 0x%08x)", magic);
	/* A new minor version promises to stay readable, as kmod assumes. */
	if (version >> 16 != INDEX_VERSION_MAJOR)
		return lkm_err_set(err, -EBADMSG, "index version %u.%u is not supported (2.x is)",
				   version >> 16, version & 0xffff);
	idx->root = get_be32(idx->data + 8);
	if (!ref_present(idx->root))
		return 0;
	return node_read(idx, idx->root, &root, err);
}

int lkm_index_open_memory(const void *data, size_t size, struct lkm_index **out,
			  struct lkm_err *err)
{
	struct lkm_index *idx;
	int r;

	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return lkm_err_set(err, -ENOMEM, "out of memory");
	idx->data = data;
	idx->size = size;
	r = index_init(idx, err);
	if (r < 0) {
		free(idx);
		return r;
	}
	*out = idx;
	return 0;
}

int lkm_index_open(const char *path, struct lkm_index **out, struct lkm_err *err)
{
	struct lkm_index *idx = NULL;
	struct stat st;
	void *map;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lkm_err_set(err, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = lkm_err_set(err, -errno, "%s", strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		r = lkm_err_set(err, -EINVAL, "not a regular file");
		goto out_close;
	}
	if ((uint64_t)st.st_size > INDEX_FILE_MAX) {
		r = lkm_err_set(err, -EFBIG, "too big for an index (%lld bytes)",
				(long long)st.st_size);
		goto out_close;
	}
	if (st.st_size < (off_t)INDEX_HEADER_SIZE) {
		r = lkm_err_set(err, -EBADMSG, "too short for an index header (%lld bytes)",
				(long long)st.st_size);
		goto out_close;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		r = lkm_err_set(err, -errno, "mmap: %s", strerror(errno));
		goto out_close;
	}
	r = lkm_index_open_memory(map, st.st_size, &idx, err);
	if (r < 0) {
		munmap(map, st.st_size);
		goto out_close;
	}
	idx->map = map;
	*out = idx;
out_close:
	close(fd);
	return r;
}

void lkm_index_close(struct lkm_index *idx)
{
	if (!idx)
		return;
	if (idx->map)
		munmap(idx->map, idx->size);
	free(idx);
}

/* ------------------------------------------------------------ exact lookup */

void lkm_index_values_free(struct lkm_index_value *values)
{
	struct lkm_index_value *next;

	for (; values; values = next) {
		next = values->next;
		free(values);
	}
}

static struct lkm_index_value *value_new(const char *s, size_t len, uint32_t priority)
{
	struct lkm_index_value *v = malloc(sizeof(*v) + len + 1);

	if (!v)
		return NULL;
	v->next = NULL;
	v->priority = priority;
	v->len = len;
	memcpy(v->value, s, len + 1);
	return v;
}

/*
 * The node whose key is exactly @key: 0, -ENOENT, or -EBADMSG for a malformed node on
 * the way. Every step down consumes a byte of @key, so a cycle cannot keep it going.
 */
static int find_node(const struct lkm_index *idx, const char *key, struct node *n)
{
	const unsigned char *k = (const unsigned char *)key;
	uint32_t ref = idx->root;

	while (ref_present(ref)) {
		if (node_read(idx, ref, n, NULL) < 0)
			return -EBADMSG;
		if (strncmp(n->prefix, (const char *)k, n->prefix_len) != 0)
			return -ENOENT;
		k += n->prefix_len;
		if (*k == '\0')
			return 0;
		ref = node_child(n, *k++);
	}
	return -ENOENT;
}

int lkm_index_lookup(struct lkm_index *idx, const char *key, struct lkm_index_value **out)
{
	struct lkm_index_value *head = NULL, **tail = &head;
	const char *s;
	uint32_t i, prio;
	struct node n;
	size_t pos, len;
	int r;

	*out = NULL;
	r = find_node(idx, key, &n);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (i = 0, pos = n.values; i < n.value_count; i++) {
		r = value_read(idx, &pos, &prio, &s, &len);
		if (r == 0) {
			*tail = value_new(s, len, prio);
			r = *tail ? 0 : -ENOMEM;
		}
		if (r < 0) {
			lkm_index_values_free(head);
			return r;
		}
		tail = &(*tail)->next;
	}
	*out = head;
	return i > INT32_MAX ? INT32_MAX : (int)i;
}

int lkm_index_lookup_first(struct lkm_index *idx, const char *key, const char **value,
			   uint32_t *priority)
{
	uint32_t prio;
	struct node n;
	size_t pos, len;
	int r;

	*value = NULL;
	r = find_node(idx, key, &n);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (n.value_count == 0)
		return 0;
	pos = n.values;
	r = value_read(idx, &pos, &prio, value, &len);
	if (r < 0) {
		*value = NULL;
		return r;
	}
	if (priority)
		*priority = prio;
	return 1;
}

/* ------------------------------------------------------------ foreach */

struct foreach_state {
	const struct lkm_index *idx;
	lkm_index_foreach_fn fn;
	void *data;
	size_t budget;
	char key[LKM_INDEX_KEY_MAX + 1];
};

static int foreach_values(struct foreach_state *st, const struct node *n)
{
	size_t pos = n->values, start = n->values, len;
	const char *s;
	uint32_t i, prio;
	int r;

	if (n->value_count && spend(&st->budget, 4) < 0)
		return -EBADMSG;
	for (i = 0; i < n->value_count; i++) {
		if (value_read(st->idx, &pos, &prio, &s, &len) < 0 ||
		    spend(&st->budget, pos - start) < 0)
			return -EBADMSG;
		start = pos;
		r = st->fn(st->key, s, prio, st->data);
		if (r)
			return r;
	}
	return 0;
}

/* Recursion depth is bounded by the key length (see spend()). */
static int foreach_node(struct foreach_state *st, uint32_t ref, size_t keylen)
{
	struct node n;
	unsigned ch;
	int r;

	if (node_read(st->idx, ref, &n, NULL) < 0 || spend(&st->budget, n.head) < 0 ||
	    keylen + n.prefix_len > LKM_INDEX_KEY_MAX)
		return -EBADMSG;
	memcpy(st->key + keylen, n.prefix, n.prefix_len);
	keylen += n.prefix_len;
	st->key[keylen] = '\0';
	r = foreach_values(st, &n);
	if (r)
		return r;
	for (ch = n.first; ch <= n.last; ch++) {
		uint32_t child = node_child(&n, ch);

		if (!ref_present(child))
			continue;
		if (ch == 0 || keylen + 1 > LKM_INDEX_KEY_MAX)
			return -EBADMSG;
		st->key[keylen] = (char)ch;
		r = foreach_node(st, child, keylen + 1);
		if (r)
			return r;
	}
	return 0;
}

int lkm_index_foreach(struct lkm_index *idx, lkm_index_foreach_fn fn, void *data)
{
	struct foreach_state *st;
	int r = 0;

	if (!ref_present(idx->root))
		return 0;
	st = malloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->idx = idx;
	st->fn = fn;
	st->data = data;
	st->budget = idx->size;
	r = foreach_node(st, idx->root, 0);
	free(st);
	return r;
}

static int dump_one(const char *key, const char *value, uint32_t priority, void *data)
{
	return lkm_buf_printf(data, "%s\t%u\t%s\n", key, priority, value);
}

int lkm_index_dump(struct lkm_index *idx, struct lkm_buf *out)
{
	int r = lkm_index_foreach(idx, dump_one, out);

	/* An empty index still gives a terminated (empty) text. */
	return r < 0 ? r : lkm_buf_puts(out, "");
}

/* ------------------------------------------------------------ wildcards */

/*
 * The wildcard search, as kmod's index_searchwild does it. Down the trie, the literal
 * part of the stored keys is compared with @key; at each node the subtrees under '*',
 * '?' and '[' are searched in full, every key in them being matched as a pattern
 * against the rest of @key, children before the node itself. The matches are then put
 * in kmod's order (see order_matches()).
 *
 * Those subtrees hang off different nodes of one path, so they are disjoint and share
 * one budget of the file's size (see spend()), unless the path itself goes down under
 * a '*', '?' or '[' of @key: what follows then lies inside a subtree already searched,
 * and each such step adds another file's size to the budget.
 */
struct wild_match {
	struct lkm_index_value *v;
	size_t seq;
};

struct wild_state {
	const struct lkm_index *idx;
	const char *subkey;          /* the part of the key the pattern must match */
	char pat[LKM_INDEX_KEY_MAX + 2];
	size_t patlen;
	size_t budget;
	struct wild_match *m;
	size_t n, cap;
	int err;
};

static int wild_add_one(struct wild_state *w, const char *s, size_t len, uint32_t prio)
{
	if (lkm_array_grow(&w->m, &w->cap, w->n + 1, sizeof(*w->m), 16) < 0)
		return -ENOMEM;
	w->m[w->n].v = value_new(s, len, prio);
	if (!w->m[w->n].v)
		return -ENOMEM;
	w->m[w->n].seq = w->n;
	w->n++;
	return 0;
}

static void wild_add_values(struct wild_state *w, const struct node *n)
{
	size_t pos = n->values, start = n->values, len;
	const char *s;
	uint32_t i, prio;

	if (n->value_count && spend(&w->budget, 4) < 0) {
		w->err = -EBADMSG;
		return;
	}
	for (i = 0; i < n->value_count && !w->err; i++) {
		if (value_read(w->idx, &pos, &prio, &s, &len) < 0 ||
		    spend(&w->budget, pos - start) < 0) {
			w->err = -EBADMSG;
			return;
		}
		start = pos;
		w->err = wild_add_one(w, s, len, prio);
	}
}

/* Every key below @ref, the pattern so far in w->pat, its prefix taken from @from. */
static void wild_all(struct wild_state *w, uint32_t ref, size_t from)
{
	size_t saved = w->patlen;
	struct node n;
	unsigned ch;

	if (w->err)
		return;
	if (node_read(w->idx, ref, &n, NULL) < 0 || spend(&w->budget, n.head) < 0 ||
	    w->patlen + (n.prefix_len - from) > LKM_INDEX_KEY_MAX) {
		w->err = -EBADMSG;
		return;
	}
	memcpy(w->pat + w->patlen, n.prefix + from, n.prefix_len - from);
	w->patlen += n.prefix_len - from;
	w->pat[w->patlen] = '\0';
	/*
	 * Every key below starts with the pattern so far: when no pattern that starts so
	 * can match the key, none of them is tried (kmod tries each). Values are the same.
	 */
	if (lkm_glob_match(w->pat, w->subkey, true) == 0)
		goto out;
	for (ch = n.first; ch <= n.last && !w->err; ch++) {
		uint32_t child = node_child(&n, ch);

		if (!ref_present(child))
			continue;
		if (ch == 0 || w->patlen + 1 > LKM_INDEX_KEY_MAX) {
			w->err = -EBADMSG;
			break;
		}
		w->pat[w->patlen] = (char)ch;
		w->patlen++;
		wild_all(w, child, 0);
		w->patlen--;
		w->pat[w->patlen] = '\0';
	}
	if (!w->err && n.value_count && lkm_fnmatch(w->pat, w->subkey))
		wild_add_values(w, &n);
out:
	w->patlen = saved;
	w->pat[saved] = '\0';
}

static void wild_under(struct wild_state *w, const struct node *n, unsigned ch,
		       const char *subkey)
{
	uint32_t child = node_child(n, ch);

	if (!ref_present(child))
		return;
	w->subkey = subkey;
	w->pat[0] = (char)ch;
	w->patlen = 1;
	wild_all(w, child, 0);
}

static bool is_wild(unsigned char c)
{
	return c == '*' || c == '?' || c == '[';
}

/* Every step down consumes a byte of @key, so a cycle cannot keep this loop going. */
static void wild_descend(struct wild_state *w, const unsigned char *key)
{
	uint32_t ref = w->idx->root;
	struct node n;
	size_t j;

	while (ref_present(ref) && !w->err) {
		if (node_read(w->idx, ref, &n, NULL) < 0) {
			w->err = -EBADMSG;
			return;
		}
		for (j = 0; j < n.prefix_len; j++) {
			unsigned char c = n.prefix[j];

			if (is_wild(c)) {
				w->subkey = (const char *)key + j;
				w->patlen = 0;
				wild_all(w, ref, j);
				return;
			}
			if (c != key[j])
				return;
		}
		key += j;
		wild_under(w, &n, '*', (const char *)key);
		wild_under(w, &n, '?', (const char *)key);
		wild_under(w, &n, '[', (const char *)key);
		if (*key == '\0') {
			wild_add_values(w, &n);
			return;
		}
		if (is_wild(*key) && w->budget <= SIZE_MAX - w->idx->size)
			w->budget += w->idx->size;
		ref = node_child(&n, *key++);
	}
}

/*
 * kmod inserts each match before the first one already found with an equal or higher
 * priority: ascending priority, and the later found first among equals.
 */
static int match_cmp(const void *a, const void *b)
{
	const struct wild_match *x = a, *y = b;

	if (x->v->priority != y->v->priority)
		return x->v->priority < y->v->priority ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq;
}

static struct lkm_index_value *order_matches(struct wild_match *m, size_t n)
{
	struct lkm_index_value *head = NULL;
	size_t i;

	if (n > 1)
		qsort(m, n, sizeof(*m), match_cmp);
	for (i = n; i-- > 0;) {
		m[i].v->next = head;
		head = m[i].v;
	}
	return head;
}

int lkm_index_match_wildcards(struct lkm_index *idx, const char *key,
			      struct lkm_index_value **out)
{
	struct wild_state *w;
	size_t i;
	int r;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->idx = idx;
	w->budget = idx->size;
	wild_descend(w, (const unsigned char *)key);
	r = w->err;
	if (r < 0) {
		for (i = 0; i < w->n; i++)
			free(w->m[i].v);
	} else if (w->n > 0) {
		*out = order_matches(w->m, w->n);
		r = w->n > INT32_MAX ? INT32_MAX : (int)w->n;
	}
	free(w->m);
	free(w);
	return r;
}
