// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo fields: the key=value list a module declares, as kmod presents it.
 *
 * For a module file: the .modinfo strings in file order, split at the first '=', then
 * the signature fields (sig_id, signer, sig_key, sig_hashalgo, signature) when the
 * file carries an appended signature. For a built-in module: its "name.key=value"
 * records from modules.builtin.modinfo, in file order. Then the parameters, each merged
 * from its parm and parmtype records in the order kmod's modinfo lists them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkm-internal.h"

/* Keys and values live in one buffer; entries hold offsets until the list is final. */
struct pending {
	size_t key, value;
};

struct builder {
	struct lkm_buf strings;
	struct pending *items;
	size_t count, cap;
};

static int builder_add(struct builder *b, const char *key, size_t keylen, const char *value,
		       size_t valuelen)
{
	struct pending *p;
	int r;

	if (lkm_array_grow(&b->items, &b->cap, b->count + 1, sizeof(*b->items), 32) < 0)
		return -ENOMEM;
	p = &b->items[b->count];
	p->key = b->strings.len;
	r = lkm_buf_append(&b->strings, key, keylen);
	if (r >= 0)
		r = lkm_buf_append(&b->strings, "", 1);
	p->value = b->strings.len;
	if (r >= 0)
		r = lkm_buf_append(&b->strings, value, valuelen);
	if (r >= 0)
		r = lkm_buf_append(&b->strings, "", 1);
	if (r < 0)
		return r;
	b->count++;
	return 0;
}

/* "key=value" -> key, value; a string without '=' is a key with an empty value. */
static int builder_add_record(struct builder *b, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);

	if (!eq)
		return builder_add(b, s, len, "", 0);
	return builder_add(b, s, (size_t)(eq - s), eq + 1, len - (size_t)(eq - s) - 1);
}

static int builder_add_hex(struct builder *b, const char *key, const uint8_t *bytes, size_t n)
{
	struct lkm_buf hex = { 0 };
	int r;

	r = lkm_hex_format(&hex, bytes, n, LKM_HEX_KMOD_PER_LINE);
	if (r >= 0)
		r = builder_add(b, key, strlen(key), hex.data ? hex.data : "", hex.len);
	lkm_buf_free(&hex);
	return r;
}

static int builder_finish(struct builder *b, struct lkm_modinfo **infop)
{
	struct lkm_modinfo *out;
	size_t i;

	out = calloc(1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	out->entries = calloc(b->count ? b->count : 1, sizeof(*out->entries));
	if (!out->entries) {
		free(out);
		return -ENOMEM;
	}
	for (i = 0; i < b->count; i++) {
		out->entries[i].key = b->strings.data + b->items[i].key;
		out->entries[i].value = b->strings.data + b->items[i].value;
	}
	out->count = b->count;
	out->storage = b->strings.data;
	free(b->items);
	*infop = out;
	return 0;
}

static void builder_release(struct builder *b)
{
	lkm_buf_free(&b->strings);
	free(b->items);
}

static int add_signature(struct builder *b, const struct lkm_file *file)
{
	struct lkm_signature sig;
	int r;

	/*
	 * A malformed trailer shows no signature fields, as in kmod: the module's own
	 * fields are still worth printing, and loading reports the signature problem.
	 */
	r = lkm_signature_parse(file->data, file->size, &sig, NULL);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	r = builder_add(b, "sig_id", 6, sig.id_type, strlen(sig.id_type));
	if (r >= 0)
		r = builder_add(b, "signer", 6, sig.signer, sig.signer_len);
	if (r >= 0)
		r = builder_add_hex(b, "sig_key", sig.key_id, sig.key_id_len);
	if (r >= 0)
		r = builder_add(b, "sig_hashalgo", 12, sig.hash_algo, strlen(sig.hash_algo));
	/* kmod leaves out the signature algorithm: it is the same for every module. */
	if (r >= 0)
		r = builder_add_hex(b, "signature", sig.sig, sig.sig_len);
	lkm_signature_release(&sig);
	return r;
}

int lkm_modinfo_from_file(const struct lkm_file *file, struct lkm_modinfo **out,
			  struct lkm_err *err)
{
	struct builder b = { 0 };
	struct lkm_elf elf;
	const char **strings = NULL;
	size_t n = 0, i;
	int r;

	*out = NULL;
	r = lkm_elf_parse(file->data, file->size, &elf, err);
	if (r < 0)
		return r;
	r = lkm_elf_get_modinfo(&elf, &strings, &n, err);
	if (r < 0)
		return r;
	for (i = 0; i < n && r >= 0; i++)
		r = builder_add_record(&b, strings[i], strlen(strings[i]));
	free(strings);
	if (r >= 0)
		r = add_signature(&b, file);
	if (r >= 0)
		r = builder_finish(&b, out);
	if (r < 0)
		builder_release(&b);
	return r;
}

int lkm_modinfo_from_builtin(struct lkm_ctx *ctx, const char *name, struct lkm_modinfo **out,
			     struct lkm_err *err)
{
	struct builder b = { 0 };
	char *path = NULL, *data = NULL;
	size_t size, namelen = strlen(name), off;
	int r;

	*out = NULL;
	if (asprintf(&path, "%s/modules.builtin.modinfo", lkm_ctx_get_dirname(ctx)) < 0)
		return -ENOMEM;
	r = lkm_read_file(path, LKM_FILE_MAX_SIZE, &data, &size);
	if (r < 0) {
		lkm_err_set(err, r, "cannot read %s: %s", path, strerror(-r));
		goto out;
	}
	/* Records are "module.key=value", each ended by a NUL. */
	for (off = 0; off < size;) {
		const char *rec = data + off;
		size_t len = strnlen(rec, size - off);

		if (len > namelen && rec[namelen] == '.' && strncmp(rec, name, namelen) == 0) {
			r = builder_add_record(&b, rec + namelen + 1, len - namelen - 1);
			if (r < 0)
				goto out;
		}
		off += len + 1;
	}
	r = builder_finish(&b, out);
out:
	if (r < 0)
		builder_release(&b);
	free(data);
	free(path);
	return r;
}

void lkm_modinfo_free(struct lkm_modinfo *info)
{
	if (!info)
		return;
	free(info->entries);
	free(info->storage);
	free(info);
}

const struct lkm_modinfo_entry *lkm_modinfo_get_entries(const struct lkm_modinfo *info,
							size_t *count)
{
	*count = info->count;
	return info->entries;
}

/* FNV-1a of a parameter name, for the table that finds its earlier record. */
static size_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/*
 * A hash table of the names seen (open addressing, slot = index + 1) finds a name's
 * earlier record in constant time: a module with 200,000 parameters is linear, not
 * quadratic as kmod's list search is.
 */
int lkm_modinfo_get_params(const struct lkm_modinfo *info, struct lkm_modinfo_params *out)
{
	struct lkm_modinfo_param *items, swap;
	size_t n = 0, i, k, mask = 15, *table, h;
	int r = -ENOMEM;

	memset(out, 0, sizeof(*out));
	while (mask < 2 * info->count)
		mask = 2 * mask + 1;
	items = calloc(info->count ? info->count : 1, sizeof(*items));
	table = calloc(mask + 1, sizeof(*table));
	out->invalid = calloc(info->count ? info->count : 1, sizeof(*out->invalid));
	if (!items || !table || !out->invalid)
		goto out;
	for (i = 0; i < info->count; i++) {
		const struct lkm_modinfo_entry *e = &info->entries[i];
		bool is_parm = strcmp(e->key, "parm") == 0;
		const char *colon;
		size_t len;

		if (!is_parm && strcmp(e->key, "parmtype") != 0)
			continue;
		colon = strchr(e->value, ':');
		if (!colon) {
			out->invalid[out->invalid_count++] = e;
			continue;
		}
		len = (size_t)(colon - e->value);
		for (h = name_hash(e->value, len) & mask; table[h]; h = (h + 1) & mask)
			if ((size_t)items[table[h] - 1].namelen == len &&
			    memcmp(items[table[h] - 1].name, e->value, len) == 0)
				break;
		if (table[h]) {
			k = table[h] - 1;
		} else {
			k = n++;
			items[k].name = e->value;
			items[k].namelen = (int)len;
			table[h] = n;
		}
		if (is_parm)
			items[k].desc = colon + 1;
		else
			items[k].type = colon + 1;
	}
	for (i = 0; i < n / 2; i++) {
		swap = items[i];
		items[i] = items[n - 1 - i];
		items[n - 1 - i] = swap;
	}
	out->items = items;
	out->count = n;
	items = NULL;
	r = 0;
out:
	free(table);
	free(items);
	if (r < 0)
		lkm_modinfo_params_release(out);
	return r;
}

void lkm_modinfo_params_release(struct lkm_modinfo_params *params)
{
	free(params->items);
	free(params->invalid);
	memset(params, 0, sizeof(*params));
}
