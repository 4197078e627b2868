// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kmod's name hash and the string map depmod keeps its modules and symbols in. The
 * hash is kmod's own because it fixes the order of kmod's output where nothing else
 * does (module order, modules.dep's equal ranks).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod-internal.h"

/* Paul Hsieh's SuperFastHash, as kmod's hash uses: it fixes kmod's iteration order. */
uint32_t depmod_hash(const char *key)
{
	uint32_t len = (uint32_t)strlen(key), hash = len, tmp;
	uint32_t rem = len & 3;
	const unsigned char *k = (const unsigned char *)key;

	for (len /= 4; len > 0; len--, k += 4) {
		hash += (uint32_t)(k[0] | k[1] << 8);
		tmp = ((uint32_t)(k[2] | k[3] << 8) << 11) ^ hash;
		hash = (hash << 16) ^ tmp;
		hash += hash >> 11;
	}
	switch (rem) {
	case 3:
		hash += (uint32_t)(k[0] | k[1] << 8);
		hash ^= hash << 16;
		/* kmod shifts a (signed) char: sign-extend first, shift unsigned (no UB). */
		hash ^= (uint32_t)(int32_t)(signed char)k[2] << 18;
		hash += hash >> 11;
		break;
	case 2:
		hash += (uint32_t)(k[0] | k[1] << 8);
		hash ^= hash << 11;
		hash += hash >> 17;
		break;
	case 1:
		hash += (uint32_t)(int32_t)(signed char)k[0];
		hash ^= hash << 10;
		hash += hash >> 1;
	}
	hash ^= hash << 3;
	hash += hash >> 5;
	hash ^= hash << 4;
	hash += hash >> 17;
	hash ^= hash << 25;
	hash += hash >> 6;
	return hash;
}

/* ---- a string-keyed open-addressing map (keys are not copied) ---- */

static int smap_grow(struct smap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, i;
	struct smap_ent *e = calloc(cap, sizeof(*e));

	if (!e)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->ent[i].key)
			continue;
		for (j = m->ent[i].hash & (cap - 1); e[j].key; j = (j + 1) & (cap - 1))
			;
		e[j] = m->ent[i];
	}
	free(m->ent);
	m->ent = e;
	m->cap = cap;
	return 0;
}

static struct smap_ent *smap_slot(const struct smap *m, const char *key, uint32_t h)
{
	size_t j;

	for (j = h & (m->cap - 1); m->ent[j].key; j = (j + 1) & (m->cap - 1))
		if (m->ent[j].hash == h && strcmp(m->ent[j].key, key) == 0)
			return &m->ent[j];
	return &m->ent[j];
}

void *smap_get(const struct smap *m, const char *key)
{
	struct smap_ent *e;

	if (!m->cap)
		return NULL;
	e = smap_slot(m, key, depmod_hash(key));
	return e->key ? e->val : NULL;
}

/* Insert or replace; returns the old value through @old (NULL if new). */
int smap_put(struct smap *m, const char *key, void *val, void **old)
{
	uint32_t h = depmod_hash(key);
	struct smap_ent *e;

	if ((m->n + 1) * 2 > m->cap && smap_grow(m) < 0)
		return -ENOMEM;
	e = smap_slot(m, key, h);
	if (old)
		*old = e->key ? e->val : NULL;
	if (!e->key)
		m->n++;
	e->key = key;
	e->hash = h;
	e->val = val;
	return 0;
}

void smap_del(struct smap *m, const char *key)
{
	struct smap_ent *e;
	size_t i, j;

	if (!m->cap)
		return;
	e = smap_slot(m, key, depmod_hash(key));
	if (!e->key)
		return;
	/* Backward-shift deletion keeps linear probing correct without tombstones. */
	i = (size_t)(e - m->ent);
	e->key = NULL;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->ent[j].key; j = (j + 1) & (m->cap - 1)) {
		size_t home = m->ent[j].hash & (m->cap - 1);

		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			m->ent[i] = m->ent[j];
			m->ent[j].key = NULL;
			i = j;
		}
	}
}

void smap_free(struct smap *m)
{
	free(m->ent);
	memset(m, 0, sizeof(*m));
}
