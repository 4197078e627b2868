// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The JSON writer behind every tool's --json (the layout and the escaping rules are
 * in lkm.h). It keeps a stack of the open arrays and objects, so a misuse is caught
 * where it happens instead of giving a document a parser rejects later.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lkm-internal.h"

struct level {
	bool object;
	bool key_due;   /* object: a key was written, its value is due */
	size_t members; /* members (or elements) written so far */
};

struct lkm_json {
	FILE *out;
	int error;
	size_t depth;
	struct level stack[LKM_JSON_MAX_DEPTH];
};

int lkm_json_new(FILE *out, struct lkm_json **json)
{
	*json = calloc(1, sizeof(**json));
	if (!*json)
		return -ENOMEM;
	(*json)->out = out;
	return 0;
}

int lkm_json_free(struct lkm_json *json)
{
	int r;

	if (!json)
		return 0;
	r = json->error;
	if (r == 0 && json->depth)
		r = -EINVAL;
	if ((fflush(json->out) != 0 || ferror(json->out)) && r == 0)
		r = -EIO;
	free(json);
	return r;
}

static void put(struct lkm_json *json, const char *s, size_t len)
{
	if (json->error == 0 && len && fwrite(s, 1, len, json->out) != len)
		json->error = -EIO;
}

static void puts_raw(struct lkm_json *json, const char *s)
{
	put(json, s, strlen(s));
}

/* Between members of the outermost container: a newline, so each has its own line. */
static void separate(struct lkm_json *json, struct level *l)
{
	if (l->members)
		puts_raw(json, ",");
	if (json->depth == 1)
		puts_raw(json, "\n");
	l->members++;
}

/* What must come before a value where the writer stands; false on a misuse. */
static bool before_value(struct lkm_json *json)
{
	struct level *l;

	if (json->error)
		return false;
	if (json->depth == 0)
		return true;
	l = &json->stack[json->depth - 1];
	if (l->object) {
		if (!l->key_due) {
			json->error = -EINVAL;
			return false;
		}
		l->key_due = false;
		return true;
	}
	separate(json, l);
	return json->error == 0;
}

/* A value is complete: at the top level it ends its line. */
static int after_value(struct lkm_json *json)
{
	if (json->depth == 0)
		puts_raw(json, "\n");
	return json->error;
}

static int begin(struct lkm_json *json, bool object)
{
	if (!before_value(json))
		return json->error;
	if (json->depth == LKM_JSON_MAX_DEPTH) {
		json->error = -EINVAL;
		return json->error;
	}
	json->stack[json->depth++] = (struct level){ .object = object };
	puts_raw(json, object ? "{" : "[");
	return json->error;
}

static int end(struct lkm_json *json, bool object)
{
	struct level *l;

	if (json->error)
		return json->error;
	l = json->depth ? &json->stack[json->depth - 1] : NULL;
	if (!l || l->object != object || l->key_due) {
		json->error = -EINVAL;
		return json->error;
	}
	if (json->depth == 1 && l->members)
		puts_raw(json, "\n");
	json->depth--;
	puts_raw(json, object ? "}" : "]");
	return after_value(json);
}

int lkm_json_begin_object(struct lkm_json *json)
{
	return begin(json, true);
}

int lkm_json_end_object(struct lkm_json *json)
{
	return end(json, true);
}

int lkm_json_begin_array(struct lkm_json *json)
{
	return begin(json, false);
}

int lkm_json_end_array(struct lkm_json *json)
{
	return end(json, false);
}

/*
 * The length of the valid UTF-8 sequence at @s (at most @len bytes), or 0 when it is
 * ill-formed; then *@bad is the length of its maximal subpart (at least 1), which
 * becomes one U+FFFD.
 */
static size_t utf8_sequence(const unsigned char *s, size_t len, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3;
	else {
		*bad = 1; /* a continuation byte, C0, C1 or F5..FF: never a lead */
		return 0;
	}
	/* The second byte's range rules out overlongs, surrogates and > U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i <= need; i++, lo = 0x80, hi = 0xbf) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
	}
	return need + 1;
}

static void put_escaped(struct lkm_json *json, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0; /* bytes from s + i - run to copy as they are */
	char esc[8];

	puts_raw(json, "\"");
	while (i < len) {
		const char *short_form = NULL;
		size_t n, bad = 1;

		switch (s[i]) {
		case '"': short_form = "\\\""; break;
		case '\\': short_form = "\\\\"; break;
		case '\b': short_form = "\\b"; break;
		case '\f': short_form = "\\f"; break;
		case '\n': short_form = "\\n"; break;
		case '\r': short_form = "\\r"; break;
		case '\t': short_form = "\\t"; break;
		default: break;
		}
		if (!short_form && s[i] >= 0x20 && s[i] < 0x7f) {
			i++, run++;
			continue;
		}
		if (!short_form && s[i] >= 0x80 && (n = utf8_sequence(s + i, len - i, &bad))) {
			i += n, run += n;
			continue;
		}
		put(json, (const char *)s + i - run, run);
		run = 0;
		if (short_form) {
			puts_raw(json, short_form);
			i++;
		} else if (s[i] < 0x80) {
			snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
			puts_raw(json, esc);
			i++;
		} else {
			puts_raw(json, "\\ufffd");
			i += bad;
		}
	}
	put(json, (const char *)s + i - run, run);
	puts_raw(json, "\"");
}

int lkm_json_key(struct lkm_json *json, const char *key)
{
	struct level *l;

	if (json->error)
		return json->error;
	l = json->depth ? &json->stack[json->depth - 1] : NULL;
	if (!l || !l->object || l->key_due) {
		json->error = -EINVAL;
		return json->error;
	}
	separate(json, l);
	put_escaped(json, key, strlen(key));
	puts_raw(json, ":");
	l->key_due = true;
	return json->error;
}

int lkm_json_string_len(struct lkm_json *json, const char *s, size_t len)
{
	if (!before_value(json))
		return json->error;
	put_escaped(json, s, len);
	return after_value(json);
}

int lkm_json_string(struct lkm_json *json, const char *s)
{
	return s ? lkm_json_string_len(json, s, strlen(s)) : lkm_json_null(json);
}

static int raw_value(struct lkm_json *json, const char *text)
{
	if (!before_value(json))
		return json->error;
	puts_raw(json, text);
	return after_value(json);
}

int lkm_json_int(struct lkm_json *json, long long v)
{
	char b[24];

	snprintf(b, sizeof(b), "%lld", v);
	return raw_value(json, b);
}

int lkm_json_uint(struct lkm_json *json, unsigned long long v)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", v);
	return raw_value(json, b);
}

int lkm_json_bool(struct lkm_json *json, bool v)
{
	return raw_value(json, v ? "true" : "false");
}

int lkm_json_null(struct lkm_json *json)
{
	return raw_value(json, "null");
}

int lkm_json_member_string(struct lkm_json *json, const char *key, const char *s)
{
	return lkm_json_key(json, key) ? json->error : lkm_json_string(json, s);
}

int lkm_json_member_int(struct lkm_json *json, const char *key, long long v)
{
	return lkm_json_key(json, key) ? json->error : lkm_json_int(json, v);
}

int lkm_json_member_uint(struct lkm_json *json, const char *key, unsigned long long v)
{
	return lkm_json_key(json, key) ? json->error : lkm_json_uint(json, v);
}

int lkm_json_member_bool(struct lkm_json *json, const char *key, bool v)
{
	return lkm_json_key(json, key) ? json->error : lkm_json_bool(json, v);
}

int lkm_json_member_strings(struct lkm_json *json, const char *key, const char *const *v,
			    size_t n)
{
	size_t i;

	lkm_json_key(json, key);
	lkm_json_begin_array(json);
	for (i = 0; i < n; i++)
		lkm_json_string(json, v[i]);
	return lkm_json_end_array(json);
}
