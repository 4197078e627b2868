/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A builder of small synthetic ELF relocatable images, for any class and byte order,
 * written field by field so the tests never depend on the host's layout. The image is:
 *
 *   ELF header | section data (8-byte aligned) ... | .shstrtab | section headers
 *
 * or, with shdr_first, the section headers right after the ELF header. The tests then
 * patch fields with fx_put() to build each kind of damage.
 */
#ifndef LKM_ELF_FIXTURE_H
#define LKM_ELF_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FX_MAX_SECTIONS 24

struct fx_section {
	const char *name;
	uint32_t type;          /* 1 PROGBITS, 2 SYMTAB, 3 STRTAB, 8 NOBITS */
	const void *data;
	size_t size;
	uint32_t link;
	uint64_t entsize;
};

struct fx_image {
	uint8_t *data;
	size_t size;
	bool is64, be;
	size_t shoff;
	int nsec;                          /* including the null section 0 */
	const char *names[FX_MAX_SECTIONS];
	size_t off[FX_MAX_SECTIONS];       /* data offset of each section */
	size_t len[FX_MAX_SECTIONS];
};

/* Byte-order aware stores, into any buffer. */
static inline void fx_store(uint8_t *p, bool be, unsigned width, uint64_t v)
{
	unsigned i;

	for (i = 0; i < width; i++) {
		unsigned shift = be ? 8 * (width - 1 - i) : 8 * i;

		p[i] = (uint8_t)(v >> shift);
	}
}

static inline void fx_put(struct fx_image *img, size_t off, unsigned width, uint64_t v)
{
	fx_store(img->data + off, img->be, width, v);
}

static inline unsigned fx_word(const struct fx_image *img)
{
	return img->is64 ? 8 : 4;
}

/* Offsets of ELF header fields. */
#define FX_E_TYPE 16
#define FX_E_MACHINE 18
static inline size_t fx_e_shoff(const struct fx_image *i) { return i->is64 ? 40 : 32; }
static inline size_t fx_e_shnum(const struct fx_image *i) { return i->is64 ? 60 : 48; }
static inline size_t fx_e_shstrndx(const struct fx_image *i) { return i->is64 ? 62 : 50; }
static inline size_t fx_shdr_size(const struct fx_image *i) { return i->is64 ? 64 : 40; }

enum fx_shdr_field { FX_SH_NAME, FX_SH_TYPE, FX_SH_OFFSET, FX_SH_SIZE, FX_SH_LINK };

/* Offset and width of a field of section header @idx. */
static inline size_t fx_shdr_field(const struct fx_image *img, int idx, enum fx_shdr_field f,
				   unsigned *width)
{
	static const unsigned off64[] = { 0, 4, 24, 32, 40 }, off32[] = { 0, 4, 16, 20, 24 };
	size_t base = img->shoff + (size_t)idx * fx_shdr_size(img);

	*width = (f == FX_SH_OFFSET || f == FX_SH_SIZE) ? fx_word(img) : 4;
	return base + (img->is64 ? off64[f] : off32[f]);
}

static inline void fx_set_shdr(struct fx_image *img, int idx, enum fx_shdr_field f, uint64_t v)
{
	unsigned w;
	size_t off = fx_shdr_field(img, idx, f, &w);

	fx_put(img, off, w, v);
}

static inline int fx_index(const struct fx_image *img, const char *name)
{
	int i;

	for (i = 1; i < img->nsec; i++) {
		if (strcmp(img->names[i], name) == 0)
			return i;
	}
	return -1;
}

static inline size_t fx_align(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static inline void fx_shdr(struct fx_image *img, int i, uint32_t name, const struct fx_section *s,
			   size_t off)
{
	uint8_t *h = img->data + img->shoff + (size_t)i * fx_shdr_size(img);
	unsigned w = fx_word(img);
	bool be = img->be;

	fx_store(h, be, 4, name);
	fx_store(h + 4, be, 4, s->type);
	if (img->is64) {
		fx_store(h + 24, be, 8, off);
		fx_store(h + 32, be, 8, s->size);
		fx_store(h + 40, be, 4, s->link);
		fx_store(h + 48, be, 8, 8);
		fx_store(h + 56, be, 8, s->entsize);
	} else {
		fx_store(h + 16, be, 4, off);
		fx_store(h + 20, be, 4, s->size);
		fx_store(h + 24, be, 4, s->link);
		fx_store(h + 32, be, 4, 8);
		fx_store(h + 36, be, 4, s->entsize);
	}
	(void)w;
}

/* Build an image of @type (1 = ET_REL) holding @secs (without the null section). */
static inline struct fx_image fx_build(bool is64, bool be, uint16_t type, uint16_t machine,
				       const struct fx_section *secs, int n, bool shdr_first)
{
	struct fx_image img = { .is64 = is64, .be = be, .nsec = n + 2 };
	size_t ehsize = is64 ? 64 : 52, shsize = is64 ? 64 : 40, tabsize, strsize = 1, pos;
	uint32_t name_off[FX_MAX_SECTIONS];
	struct fx_section shstr = { ".shstrtab", 3 };
	char *strs;
	int i;

	for (i = 0; i < n; i++)
		strsize += strlen(secs[i].name) + 1;
	strsize += strlen(".shstrtab") + 1;
	tabsize = shsize * (size_t)(n + 2);
	pos = fx_align(ehsize);
	if (shdr_first) {
		img.shoff = pos;
		pos = fx_align(pos + tabsize);
	}
	for (i = 0; i < n; i++) {
		img.off[i + 1] = pos;
		img.len[i + 1] = secs[i].size;
		img.names[i + 1] = secs[i].name;
		if (secs[i].type != 8)
			pos = fx_align(pos + secs[i].size);
	}
	img.off[n + 1] = pos;
	img.len[n + 1] = strsize;
	img.names[n + 1] = ".shstrtab";
	img.names[0] = "";
	pos = fx_align(pos + strsize);
	if (!shdr_first) {
		img.shoff = pos;
		pos += tabsize;
	}
	img.size = pos;
	img.data = calloc(1, pos);

	memcpy(img.data, "\x7f" "ELF", 4);
	img.data[4] = is64 ? 2 : 1;
	img.data[5] = be ? 2 : 1;
	img.data[6] = 1;
	fx_put(&img, FX_E_TYPE, 2, type);
	fx_put(&img, FX_E_MACHINE, 2, machine);
	fx_put(&img, 20, 4, 1);
	fx_put(&img, fx_e_shoff(&img), fx_word(&img), img.shoff);
	fx_put(&img, is64 ? 52 : 40, 2, ehsize);
	fx_put(&img, is64 ? 58 : 46, 2, shsize);
	fx_put(&img, fx_e_shnum(&img), 2, (uint64_t)(n + 2));
	fx_put(&img, fx_e_shstrndx(&img), 2, (uint64_t)(n + 1));

	strs = (char *)img.data + img.off[n + 1];
	pos = 1;
	for (i = 0; i < n; i++) {
		name_off[i + 1] = (uint32_t)pos;
		strcpy(strs + pos, secs[i].name);
		pos += strlen(secs[i].name) + 1;
		if (secs[i].type != 8 && secs[i].size)
			memcpy(img.data + img.off[i + 1], secs[i].data, secs[i].size);
		fx_shdr(&img, i + 1, name_off[i + 1], &secs[i], img.off[i + 1]);
	}
	strcpy(strs + pos, ".shstrtab");
	shstr.size = strsize;
	fx_shdr(&img, n + 1, (uint32_t)pos, &shstr, img.off[n + 1]);
	return img;
}

/* A symbol table builder: entries appended in the image's class and byte order. */
struct fx_syms {
	uint8_t buf[64 * 24];
	size_t size;
	bool is64, be;
};

static inline void fx_sym(struct fx_syms *t, uint32_t name, uint8_t bind, uint8_t type,
			  uint16_t shndx, uint64_t value)
{
	uint8_t *p = t->buf + t->size;
	uint8_t info = (uint8_t)(bind << 4 | type);

	if (t->is64) {
		fx_store(p, t->be, 4, name);
		p[4] = info;
		fx_store(p + 6, t->be, 2, shndx);
		fx_store(p + 8, t->be, 8, value);
		t->size += 24;
	} else {
		fx_store(p, t->be, 4, name);
		fx_store(p + 4, t->be, 4, value);
		p[12] = info;
		fx_store(p + 14, t->be, 2, shndx);
		t->size += 16;
	}
}

#endif
