// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `modprobe -c --json`: what lkm_config_show() and lkm_config_show_indexes() print, as
 * one JSON object whose members are the kinds, in the text's order, each an array of
 * objects in file order. Each config entry carries where it came from ("file", and
 * "line": 0 for the kernel command line), which the text leaves out.
 */
#include <errno.h>

#include "config-internal.h"
#include "lkm-internal.h"

static void source(struct lkm_json *json, const struct lkm_config_source *src)
{
	lkm_json_member_string(json, "file", src->file);
	lkm_json_member_uint(json, "line", src->line);
}

static void entries(struct lkm_json *json, const char *kind, const char *value_key,
		    const struct lkm_config_entry *v, size_t n)
{
	size_t i;

	lkm_json_key(json, kind);
	lkm_json_begin_array(json);
	for (i = 0; i < n; i++) {
		lkm_json_begin_object(json);
		lkm_json_member_string(json, "module", v[i].modname);
		lkm_json_member_string(json, value_key, v[i].value);
		source(json, &v[i].src);
		lkm_json_end_object(json);
	}
	lkm_json_end_array(json);
}

static int index_entry(const char *key, const char *value, uint32_t priority, void *data)
{
	struct lkm_json *json = data;

	(void)priority;
	lkm_json_begin_object(json);
	lkm_json_member_string(json, "alias", key);
	lkm_json_member_string(json, "module", value);
	lkm_json_end_object(json);
	return 0; /* the writer's errors are sticky: lkm_json_free() says them */
}

int lkm_config_show_json(const struct lkm_config *cfg, struct lkm_ctx *ctx,
			 struct lkm_json *json)
{
	static const struct {
		enum lkm_index_kind kind;
		const char *key;
	} indexes[] = { { LKM_INDEX_ALIAS, "index_aliases" }, { LKM_INDEX_SYMBOLS, "index_symbols" } };
	const struct lkm_config_softdep *softdeps;
	struct lkm_index *idx;
	size_t i, n_softdeps;

	softdeps = lkm_config_list_softdeps(cfg, &n_softdeps);
	if (!softdeps && cfg->n_softdeps)
		return -ENOMEM;
	lkm_json_begin_object(json);
	lkm_json_key(json, "blacklists");
	lkm_json_begin_array(json);
	for (i = 0; i < cfg->n_blacklists; i++) {
		lkm_json_begin_object(json);
		lkm_json_member_string(json, "module", cfg->blacklists[i].modname);
		source(json, &cfg->blacklists[i].src);
		lkm_json_end_object(json);
	}
	lkm_json_end_array(json);
	entries(json, "installs", "command", cfg->installs, cfg->n_installs);
	entries(json, "removes", "command", cfg->removes, cfg->n_removes);
	lkm_json_key(json, "aliases");
	lkm_json_begin_array(json);
	for (i = 0; i < cfg->n_aliases; i++) {
		lkm_json_begin_object(json);
		lkm_json_member_string(json, "pattern", cfg->aliases[i].pattern);
		lkm_json_member_string(json, "module", cfg->aliases[i].modname);
		source(json, &cfg->aliases[i].src);
		lkm_json_end_object(json);
	}
	lkm_json_end_array(json);
	entries(json, "options", "options", cfg->options, cfg->n_options);
	lkm_json_key(json, "softdeps");
	lkm_json_begin_array(json);
	for (i = 0; i < n_softdeps; i++) {
		const struct lkm_config_softdep *d = &softdeps[i];

		lkm_json_begin_object(json);
		lkm_json_member_string(json, "module", d->modname);
		lkm_json_member_strings(json, "pre", d->pre, d->n_pre);
		lkm_json_member_strings(json, "post", d->post, d->n_post);
		source(json, &d->src);
		lkm_json_end_object(json);
	}
	lkm_json_end_array(json);
	lkm_json_key(json, "weakdeps");
	lkm_json_begin_array(json);
	for (i = 0; i < cfg->n_weakdeps; i++) {
		const struct lkm_config_weakdep *d = &cfg->weakdeps[i];

		lkm_json_begin_object(json);
		lkm_json_member_string(json, "module", d->modname);
		lkm_json_member_strings(json, "deps", d->deps, d->n_deps);
		source(json, &d->src);
		lkm_json_end_object(json);
	}
	lkm_json_end_array(json);
	/* A missing or broken index gives what it has, as in the text: no error. */
	for (i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		lkm_json_key(json, indexes[i].key);
		lkm_json_begin_array(json);
		if (lkm_ctx_get_index(ctx, indexes[i].kind, &idx, NULL) == 0 &&
		    lkm_index_foreach(idx, index_entry, json) == -ENOMEM)
			return -ENOMEM;
		lkm_json_end_array(json);
	}
	lkm_json_end_object(json);
	return 0;
}
