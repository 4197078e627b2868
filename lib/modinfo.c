// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo fields: the key=value list a module declares, as kmod presents it.
 *
 * For a module file: the .modinfo strings in file order, split at the first '=', then
 * the signature fields (sig_id, signer, sig_key, sig_hashalgo, signature) when the
 * file carries an appended signature. For a built-in module: its "name.key=value"
 * records from modules.builtin.modinfo, in file order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkm.h"

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

	if (b->count == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;

		p = realloc(b->items, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		b->items = p;
		b->cap = cap;
	}
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

static int builder_finish(struct builder *b, struct lkm_modinfo *out)
{
	size_t i;

	out->entries = calloc(b->count ? b->count : 1, sizeof(*out->entries));
	if (!out->entries)
		return -ENOMEM;
	for (i = 0; i < b->count; i++) {
		out->entries[i].key = b->strings.data + b->items[i].key;
		out->entries[i].value = b->strings.data + b->items[i].value;
	}
	out->count = b->count;
	out->storage = b->strings.data;
	free(b->items);
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

int lkm_modinfo_from_file(const struct lkm_file *file, struct lkm_modinfo *out,
			  struct lkm_err *err)
{
	struct builder b = { 0 };
	struct lkm_elf elf;
	const char **strings = NULL;
	size_t n = 0, i;
	int r;

	memset(out, 0, sizeof(*out));
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

int lkm_modinfo_from_builtin(struct lkm_ctx *ctx, const char *name, struct lkm_modinfo *out,
			     struct lkm_err *err)
{
	struct builder b = { 0 };
	char *path = NULL, *data = NULL;
	size_t size, namelen = strlen(name), off;
	int r;

	memset(out, 0, sizeof(*out));
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

void lkm_modinfo_release(struct lkm_modinfo *info)
{
	free(info->entries);
	free(info->storage);
	memset(info, 0, sizeof(*info));
}
