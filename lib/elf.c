// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ELF reading for kernel modules: ELF32 and ELF64, either byte order, on any host.
 *
 * The image is never cast to a struct: every field is read at its offset with an
 * explicit byte-order helper, so alignment, padding and the host's endianness play no
 * part. lkm_elf_parse() checks the header and every section header against the image
 * size once; the getters after it trust those checks for section bounds and names, and
 * check everything inside a section (symbols, strings, entries) as they go.
 *
 *   ELF header   e_shoff ─────────────────────────────┐
 *   sections     .modinfo  "license=GPL\0name=fat\0"  │
 *                __versions  { crc; name[64 - crc] }* │
 *                __ksymtab_strings  "fat_time_...\0"  │
 *                .symtab ──sh_link──> .strtab         │
 *                .gnu.linkonce.this_module (struct module: name at 24 or 12)
 *   section headers  [0] null, [1] ...  <─────────────┘  names in .shstrtab
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lkm-internal.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif
#ifndef STT_SPARC_REGISTER
#define STT_SPARC_REGISTER 13
#endif

/* __versions entries are 64 bytes: an unsigned long CRC, then the name. */
#define MODVERSION_SIZE 64

static uint16_t rd16(const struct lkm_elf *e, uint64_t off)
{
	const uint8_t *p = e->data + off;

	if (e->big_endian)
		return (uint16_t)(p[0] << 8 | p[1]);
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const struct lkm_elf *e, uint64_t off)
{
	const uint8_t *p = e->data + off;

	if (e->big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd64(const struct lkm_elf *e, uint64_t off)
{
	uint64_t a = rd32(e, off), b = rd32(e, off + 4);

	return e->big_endian ? a << 32 | b : b << 32 | a;
}

/* A target `unsigned long` or address: 4 bytes on ELF32, 8 on ELF64. */
static uint64_t rdword(const struct lkm_elf *e, uint64_t off)
{
	return e->is64 ? rd64(e, off) : rd32(e, off);
}

static unsigned word_size(const struct lkm_elf *e)
{
	return e->is64 ? 8 : 4;
}

/* Field offsets of the headers and symbols that differ between the classes. */
struct layout {
	unsigned ehdr_size, e_shoff, e_shentsize, e_shnum, e_shstrndx;
	unsigned shdr_size, sh_flags, sh_offset, sh_size, sh_link, sh_info, sh_entsize;
	unsigned sym_size, st_value, st_info, st_shndx;
};

static const struct layout layout32 = {
	.ehdr_size = 52, .e_shoff = 32, .e_shentsize = 46, .e_shnum = 48,
	.e_shstrndx = 50,
	.shdr_size = 40, .sh_flags = 8, .sh_offset = 16, .sh_size = 20, .sh_link = 24,
	.sh_info = 28, .sh_entsize = 36,
	.sym_size = 16, .st_value = 4, .st_info = 12, .st_shndx = 14,
};

static const struct layout layout64 = {
	.ehdr_size = 64, .e_shoff = 40, .e_shentsize = 58, .e_shnum = 60,
	.e_shstrndx = 62,
	.shdr_size = 64, .sh_flags = 8, .sh_offset = 24, .sh_size = 32, .sh_link = 40,
	.sh_info = 44, .sh_entsize = 56,
	.sym_size = 24, .st_value = 8, .st_info = 4, .st_shndx = 6,
};

static const struct layout *lay(const struct lkm_elf *e)
{
	return e->is64 ? &layout64 : &layout32;
}

/* Read section header @i raw; the name is resolved only once the names are checked. */
static void read_shdr(const struct lkm_elf *e, uint32_t i, struct lkm_elf_section *s,
		      uint32_t *name_off)
{
	const struct layout *l = lay(e);
	uint64_t h = e->shoff + (uint64_t)i * e->shentsize;

	*name_off = rd32(e, h);
	s->name = NULL;
	s->type = rd32(e, h + 4);
	s->flags = rdword(e, h + l->sh_flags);
	s->offset = rdword(e, h + l->sh_offset);
	s->size = rdword(e, h + l->sh_size);
	s->link = rd32(e, h + l->sh_link);
	s->info = rd32(e, h + l->sh_info);
	s->entsize = rdword(e, h + l->sh_entsize);
	s->index = i;
	s->data = NULL;
}

static const char *type_name(uint16_t type)
{
	switch (type) {
	case ET_NONE:
		return "NONE";
	case ET_EXEC:
		return "EXEC";
	case ET_DYN:
		return "DYN";
	case ET_CORE:
		return "CORE";
	default:
		return NULL;
	}
}

static int check_ident(const uint8_t *d, size_t size, struct lkm_elf *elf,
		       struct lkm_err *err)
{
	if (size < EI_NIDENT)
		return lkm_err_set(err, -ENOEXEC, "not an ELF file: only %zu bytes long", size);
	if (memcmp(d, ELFMAG, SELFMAG) != 0)
		return lkm_err_set(err, -ENOEXEC, "not an ELF file: no ELF magic at its start");
	if (d[EI_CLASS] != ELFCLASS32 && d[EI_CLASS] != ELFCLASS64)
		return lkm_err_set(err, -ENOEXEC, "unknown ELF class %u (neither 32 nor 64-bit)",
				   d[EI_CLASS]);
	if (d[EI_DATA] != ELFDATA2LSB && d[EI_DATA] != ELFDATA2MSB)
		return lkm_err_set(err, -ENOEXEC,
				   "unknown ELF data encoding %u (neither little nor big endian)",
				   d[EI_DATA]);
	if (d[EI_VERSION] != EV_CURRENT)
		return lkm_err_set(err, -ENOEXEC, "unknown ELF version %u", d[EI_VERSION]);
	elf->is64 = d[EI_CLASS] == ELFCLASS64;
	elf->big_endian = d[EI_DATA] == ELFDATA2MSB;
	return 0;
}

static int check_type(const struct lkm_elf *elf, struct lkm_err *err)
{
	const char *name = type_name(elf->type);
	const char *what;

	if (elf->type == ET_REL)
		return 0;
	switch (elf->type) {
	case ET_EXEC:
		what = "this is a program, not a kernel module";
		break;
	case ET_DYN:
		what = "this is a shared library or a program, not a kernel module";
		break;
	case ET_CORE:
		what = "this is a core dump, not a kernel module";
		break;
	default:
		what = "a kernel module is a relocatable object";
		break;
	}
	if (name)
		return lkm_err_set(err, -ENOEXEC, "not a relocatable object (ELF type %s): %s",
				   name, what);
	return lkm_err_set(err, -ENOEXEC, "not a relocatable object (ELF type %u): %s",
			   elf->type, what);
}

/* The section table: where it is, how many entries, which one holds the names. */
static int check_table(struct lkm_elf *elf, uint32_t *shstrndx, struct lkm_err *err)
{
	const struct layout *l = lay(elf);
	uint64_t room;
	uint32_t n;

	elf->shoff = rdword(elf, l->e_shoff);
	elf->shentsize = rd16(elf, l->e_shentsize);
	if (elf->shoff == 0)
		return lkm_err_set(err, -EINVAL, "the ELF file has no section table");
	if (elf->shentsize != l->shdr_size)
		return lkm_err_set(err, -EINVAL,
				   "section headers are %u bytes each, expected %u",
				   elf->shentsize, l->shdr_size);
	if (elf->shoff > elf->size || elf->size - elf->shoff < elf->shentsize)
		return lkm_err_set(err, -EINVAL,
				   "the section table starts at byte %llu, past the end of the file (%zu bytes)",
				   (unsigned long long)elf->shoff, elf->size);
	room = (elf->size - elf->shoff) / elf->shentsize;
	n = rd16(elf, l->e_shnum);
	/* extended numbering: the real values live in section 0 */
	if (n == 0) {
		uint64_t big = rdword(elf, elf->shoff + l->sh_size);

		if (big > room)
			return lkm_err_set(err, -EINVAL,
					   "the section table holds %llu entries, but only %llu fit in the file",
					   (unsigned long long)big, (unsigned long long)room);
		n = (uint32_t)big;
	}
	if (n == 0)
		return lkm_err_set(err, -EINVAL, "the ELF file has no sections");
	if (n > room)
		return lkm_err_set(err, -EINVAL,
				   "the section table of %u entries at byte %llu ends past the end of the file (%zu bytes)",
				   n, (unsigned long long)elf->shoff, elf->size);
	elf->shnum = n;
	*shstrndx = rd16(elf, l->e_shstrndx);
	if (*shstrndx == SHN_XINDEX)
		*shstrndx = rd32(elf, elf->shoff + l->sh_link);
	if (*shstrndx == SHN_UNDEF || *shstrndx >= n)
		return lkm_err_set(err, -EINVAL,
				   "the section name table is section %u, out of range (%u sections)",
				   *shstrndx, n);
	return 0;
}

static int check_range(const struct lkm_elf *elf, const struct lkm_elf_section *s,
		       const char *name, struct lkm_err *err)
{
	if (s->type == SHT_NOBITS || s->type == SHT_NULL)
		return 0;
	if (s->offset > elf->size)
		return lkm_err_set(err, -EINVAL,
				   "section %u (%s) starts at byte %llu, past the end of the file (%zu bytes)",
				   s->index, name, (unsigned long long)s->offset, elf->size);
	if (s->size > elf->size - s->offset) {
		if (s->size > UINT64_MAX - s->offset)
			return lkm_err_set(err, -EINVAL,
					   "section %u (%s) claims %llu bytes, more than the file (%zu bytes)",
					   s->index, name, (unsigned long long)s->size, elf->size);
		return lkm_err_set(err, -EINVAL,
				   "section %u (%s) ends at byte %llu, past the end of the file (%zu bytes)",
				   s->index, name, (unsigned long long)(s->offset + s->size),
				   elf->size);
	}
	return 0;
}

static int check_shstrtab(struct lkm_elf *elf, uint32_t shstrndx, struct lkm_err *err)
{
	struct lkm_elf_section s;
	uint32_t name_off;
	int r;

	read_shdr(elf, shstrndx, &s, &name_off);
	if (s.type == SHT_NOBITS || s.type == SHT_NULL)
		return lkm_err_set(err, -EINVAL,
				   "the section name table (section %u) has no data in the file",
				   shstrndx);
	r = check_range(elf, &s, "the section name table", err);
	if (r < 0)
		return r;
	elf->shstrtab = (const char *)elf->data + s.offset;
	elf->shstrtab_size = s.size;
	return 0;
}

static int check_sections(const struct lkm_elf *elf, struct lkm_err *err)
{
	struct lkm_elf_section s;
	uint32_t i, name_off;
	int r;

	for (i = 0; i < elf->shnum; i++) {
		const char *name;

		read_shdr(elf, i, &s, &name_off);
		if (name_off >= elf->shstrtab_size)
			return lkm_err_set(err, -EINVAL,
					   "section %u has its name at byte %u, past the end of the section name table (%llu bytes)",
					   i, name_off, (unsigned long long)elf->shstrtab_size);
		name = elf->shstrtab + name_off;
		if (!memchr(name, '\0', elf->shstrtab_size - name_off))
			return lkm_err_set(err, -EINVAL,
					   "section %u has a name that runs off the end of the section name table",
					   i);
		/* section 0 is the null section; its fields serve extended numbering */
		if (i == 0)
			continue;
		r = check_range(elf, &s, name, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int lkm_elf_parse(const void *data, size_t size, struct lkm_elf *elf, struct lkm_err *err)
{
	uint32_t shstrndx = 0;
	int r;

	memset(elf, 0, sizeof(*elf));
	elf->data = data;
	elf->size = size;
	r = check_ident(data, size, elf, err);
	if (r < 0)
		return r;
	if (size < lay(elf)->ehdr_size)
		return lkm_err_set(err, -ENOEXEC,
				   "the ELF header is cut short: the file has only %zu bytes", size);
	elf->type = rd16(elf, 16);
	elf->machine = rd16(elf, 18);
	r = check_type(elf, err);
	if (r < 0)
		return r;
	r = check_table(elf, &shstrndx, err);
	if (r < 0)
		return r;
	r = check_shstrtab(elf, shstrndx, err);
	if (r < 0)
		return r;
	return check_sections(elf, err);
}

unsigned lkm_elf_section_count(const struct lkm_elf *elf)
{
	return elf->shnum;
}

int lkm_elf_get_section(const struct lkm_elf *elf, unsigned index,
			struct lkm_elf_section *out)
{
	uint32_t name_off;

	if (index >= elf->shnum)
		return -ENOENT;
	read_shdr(elf, index, out, &name_off);
	out->name = elf->shstrtab + name_off;
	if (out->type != SHT_NOBITS && out->type != SHT_NULL && index != 0)
		out->data = elf->data + out->offset;
	return 0;
}

int lkm_elf_find_section(const struct lkm_elf *elf, const char *name,
			 struct lkm_elf_section *out)
{
	uint32_t i;

	for (i = 1; i < elf->shnum; i++) {
		uint32_t name_off = rd32(elf, elf->shoff + (uint64_t)i * elf->shentsize);

		if (strcmp(elf->shstrtab + name_off, name) == 0)
			return lkm_elf_get_section(elf, i, out);
	}
	return -ENOENT;
}

int lkm_elf_get_section_size(const struct lkm_elf *elf, const char *name, uint64_t *size)
{
	struct lkm_elf_section s;
	int r = lkm_elf_find_section(elf, name, &s);

	if (r < 0)
		return r;
	if (size)
		*size = s.size;
	return 0;
}

const char *lkm_elf_machine_name(uint16_t machine)
{
	switch (machine) {
	case EM_386:
		return "i386";
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_ARM:
		return "arm";
	case EM_PPC:
		return "ppc";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	case EM_MIPS:
		return "mips";
	case EM_RISCV:
		return "riscv";
	case EM_SPARC:
		return "sparc";
	case EM_SPARCV9:
		return "sparc64";
	case EM_LOONGARCH:
		return "loongarch";
	case EM_PARISC:
		return "parisc";
	case EM_IA_64:
		return "ia64";
	case EM_ALPHA:
		return "alpha";
	case EM_SH:
		return "sh";
	case EM_68K:
		return "m68k";
	case EM_ARC_COMPACT:
	case EM_ARCV2:
		return "arc";
	case EM_XTENSA:
		return "xtensa";
	case EM_MICROBLAZE:
		return "microblaze";
	case EM_OPENRISC:
		return "openrisc";
	case EM_CSKY:
		return "csky";
	default:
		return NULL;
	}
}

/*
 * The next non-empty string of a string section at or after *pos, skipping runs of
 * NULs (padding). The caller has checked that the section ends with a NUL.
 */
static const char *next_string(const char *s, uint64_t size, uint64_t *pos)
{
	const char *str;

	while (*pos < size && s[*pos] == '\0')
		(*pos)++;
	if (*pos >= size)
		return NULL;
	str = s + *pos;
	*pos += strlen(str) + 1;
	return str;
}

/* A string section's strings; an absent or empty section gives none. */
static int get_strings(const struct lkm_elf *elf, const char *section, const char ***out,
		       size_t *count, struct lkm_err *err)
{
	struct lkm_elf_section s;
	const char **a, *str;
	uint64_t pos = 0;
	size_t n = 0;

	*out = NULL;
	*count = 0;
	if (lkm_elf_find_section(elf, section, &s) < 0 || !s.data || s.size == 0)
		return 0;
	if (s.data[s.size - 1] != '\0')
		return lkm_err_set(err, -EINVAL,
				   "section %s ends in the middle of a string (its last byte is not NUL)",
				   section);
	while (next_string((const char *)s.data, s.size, &pos))
		n++;
	if (n == 0)
		return 0;
	a = malloc(n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	pos = 0;
	n = 0;
	while ((str = next_string((const char *)s.data, s.size, &pos)))
		a[n++] = str;
	*out = a;
	*count = n;
	return 0;
}

int lkm_elf_get_modinfo(const struct lkm_elf *elf, const char ***out, size_t *count,
			struct lkm_err *err)
{
	return get_strings(elf, ".modinfo", out, count, err);
}

/* The __versions section, checked: a whole number of entries, each name terminated. */
static int versions_section(const struct lkm_elf *elf, struct lkm_elf_section *s,
			    size_t *n, struct lkm_err *err)
{
	unsigned ws = word_size(elf);
	size_t i;

	*n = 0;
	if (lkm_elf_find_section(elf, "__versions", s) < 0 || !s->data)
		return 0;
	if (s->size % MODVERSION_SIZE != 0)
		return lkm_err_set(err, -EINVAL,
				   "section __versions is %llu bytes, not a whole number of %d-byte entries",
				   (unsigned long long)s->size, MODVERSION_SIZE);
	*n = s->size / MODVERSION_SIZE;
	for (i = 0; i < *n; i++) {
		const uint8_t *name = s->data + i * MODVERSION_SIZE + ws;

		if (!memchr(name, '\0', MODVERSION_SIZE - ws))
			return lkm_err_set(err, -EINVAL,
					   "__versions entry %zu has a name with no terminating NUL", i);
	}
	return 0;
}

static const char *version_name(const struct lkm_elf *elf,
				const struct lkm_elf_section *s, size_t i)
{
	return (const char *)s->data + i * MODVERSION_SIZE + word_size(elf);
}

static uint64_t version_crc(const struct lkm_elf *elf, const struct lkm_elf_section *s,
			    size_t i)
{
	return rdword(elf, s->offset + i * MODVERSION_SIZE);
}

int lkm_elf_get_versions(const struct lkm_elf *elf, struct lkm_elf_version **out,
			 size_t *count, struct lkm_err *err)
{
	struct lkm_elf_section s;
	struct lkm_elf_version *a;
	size_t i, n;
	int r;

	*out = NULL;
	*count = 0;
	/*
	 * No section at all is an error, as for kmod (modprobe --show-modversions fails
	 * with ENOENT); an empty one is no entries. The reason stays strerror's, kmod's.
	 */
	if (lkm_elf_find_section(elf, "__versions", &s) < 0)
		return -ENOENT;
	r = versions_section(elf, &s, &n, err);
	if (r < 0 || n == 0)
		return r;
	a = malloc(n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		a[i].name = version_name(elf, &s, i);
		/* ppc64 ELFv1 prefixes function symbols with a dot; kernels do not */
		if (a[i].name[0] == '.')
			a[i].name++;
		a[i].crc = version_crc(elf, &s, i);
	}
	*out = a;
	*count = n;
	return 0;
}

/* The symbol table and its string table, checked for shape. */
struct symtab {
	uint64_t off;        /* of symbol 0 in the image */
	uint64_t count;
	const char *str;
	uint64_t str_size;
};

struct sym {
	const char *name;    /* NULL when out of range or not terminated */
	uint32_t name_off;
	uint8_t bind;
	uint8_t type;
	uint16_t shndx;
	uint64_t value;
};

static int symtab_open(const struct lkm_elf *elf, struct symtab *st, struct lkm_err *err)
{
	struct lkm_elf_section sym, str;
	unsigned entsize = lay(elf)->sym_size;

	if (lkm_elf_find_section(elf, ".symtab", &sym) < 0 || !sym.data)
		return lkm_err_set(err, -EINVAL, "the module has no symbol table (.symtab)");
	/* the string table is the one .symtab links to, as the ELF spec says */
	if (lkm_elf_get_section(elf, sym.link, &str) < 0 || !str.data || sym.link == 0) {
		if (lkm_elf_find_section(elf, ".strtab", &str) < 0 || !str.data)
			return lkm_err_set(err, -EINVAL,
					   "the module has no symbol string table (.strtab)");
	}
	if (sym.size % entsize != 0)
		return lkm_err_set(err, -EINVAL,
				   "section .symtab is %llu bytes, not a whole number of %u-byte symbols",
				   (unsigned long long)sym.size, entsize);
	st->off = sym.offset;
	st->count = sym.size / entsize;
	st->str = (const char *)str.data;
	st->str_size = str.size;
	return 0;
}

static void sym_read(const struct lkm_elf *elf, const struct symtab *st, uint64_t i,
		     struct sym *s)
{
	const struct layout *l = lay(elf);
	uint64_t off = st->off + i * l->sym_size;
	uint8_t info = elf->data[off + l->st_info];

	s->name_off = rd32(elf, off);
	s->bind = info >> 4;
	s->type = info & 0xf;
	s->shndx = rd16(elf, off + l->st_shndx);
	s->value = rdword(elf, off + l->st_value);
	s->name = NULL;
	if (s->name_off < st->str_size &&
	    memchr(st->str + s->name_off, '\0', st->str_size - s->name_off))
		s->name = st->str + s->name_off;
}

/*
 * A __crc_ symbol's value: the CRC itself when absolute (older kernels), else the
 * offset of a 32-bit CRC inside its section. Like kmod, an unreadable one is ~0.
 */
static uint64_t resolve_crc(const struct lkm_elf *elf, const struct sym *s)
{
	struct lkm_elf_section sec;

	if (s->shndx == SHN_ABS || s->shndx == SHN_UNDEF)
		return s->value;
	if (lkm_elf_get_section(elf, s->shndx, &sec) < 0 || !sec.data || sec.size < 4 ||
	    s->value > sec.size - 4)
		return UINT64_MAX;
	return rd32(elf, sec.offset + s->value);
}

#define CRC_PREFIX "__crc_"
#define CRC_PREFIX_LEN (sizeof(CRC_PREFIX) - 1)

/*
 * Exports from the __crc_<name> symbols that modversions leaves in .symtab, in symbol
 * table order, with their CRCs. Returns 0 (and no array) when there are none or the
 * table cannot be used, so the caller falls back to __ksymtab_strings as kmod does.
 */
static int exports_from_crcs(const struct lkm_elf *elf, struct lkm_elf_export **out,
			     size_t *count)
{
	struct lkm_elf_export *a;
	struct symtab st;
	struct sym s;
	uint64_t i;
	size_t n = 0;

	if (symtab_open(elf, &st, NULL) < 0)
		return 0;
	for (i = 1; i < st.count; i++) {
		sym_read(elf, &st, i, &s);
		if (!s.name)
			return 0;
		if (strncmp(s.name, CRC_PREFIX, CRC_PREFIX_LEN) == 0)
			n++;
	}
	if (n == 0)
		return 0;
	a = malloc(n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	n = 0;
	for (i = 1; i < st.count; i++) {
		sym_read(elf, &st, i, &s);
		if (strncmp(s.name, CRC_PREFIX, CRC_PREFIX_LEN) != 0)
			continue;
		a[n].name = s.name + CRC_PREFIX_LEN;
		a[n].crc = resolve_crc(elf, &s);
		a[n].has_crc = true;
		n++;
	}
	*out = a;
	*count = n;
	return 0;
}

int lkm_elf_get_exports(const struct lkm_elf *elf, struct lkm_elf_export **out,
			size_t *count, struct lkm_err *err)
{
	struct lkm_elf_export *a;
	const char **names;
	size_t i, n;
	int r;

	*out = NULL;
	*count = 0;
	r = exports_from_crcs(elf, out, count);
	if (r < 0 || *out)
		return r;
	r = get_strings(elf, "__ksymtab_strings", &names, &n, err);
	if (r < 0 || n == 0)
		return r;
	a = malloc(n * sizeof(*a));
	if (!a) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		a[i] = (struct lkm_elf_export){ .name = names[i] };
	free(names);
	*out = a;
	*count = n;
	return 0;
}

/* @s's name is @prefix followed by @sym. */
static bool sym_is(const struct sym *s, const char *prefix, const char *sym)
{
	size_t n = strlen(prefix);

	return s->name && strncmp(s->name, prefix, n) == 0 && strcmp(s->name + n, sym) == 0;
}

int lkm_elf_get_export_kind(const struct lkm_elf *elf, const char *sym, bool *gpl_only,
			    const char **ns)
{
	struct lkm_elf_section sec;
	struct symtab st;
	struct sym s;
	uint64_t i;
	bool found = false;

	*gpl_only = false;
	*ns = "";
	if (symtab_open(elf, &st, NULL) < 0)
		return -ENOENT;
	for (i = 1; i < st.count; i++) {
		sym_read(elf, &st, i, &s);
		if (s.shndx == SHN_UNDEF || s.shndx >= SHN_LORESERVE ||
		    lkm_elf_get_section(elf, s.shndx, &sec) < 0)
			continue;
		if (sym_is(&s, "__ksymtab_", sym)) {
			found = true;
			*gpl_only = strcmp(sec.name, "__ksymtab_gpl") == 0;
		} else if (sym_is(&s, "__kstrtabns_", sym) && sec.data && s.value < sec.size &&
			   memchr(sec.data + s.value, '\0', sec.size - s.value)) {
			*ns = (const char *)sec.data + s.value;
		}
	}
	return found ? 0 : -ENOENT;
}

/* Versions sorted by name, then by position, so a lookup finds the first entry. */
struct version_index {
	const struct lkm_elf *elf;
	const struct lkm_elf_section *sec;
	uint32_t *order;
	size_t n;
};

static int version_cmp(const void *a, const void *b, void *arg)
{
	const struct version_index *vi = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const char *a_name = version_name(vi->elf, vi->sec, x);
	int c = strcmp(a_name, version_name(vi->elf, vi->sec, y));

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

static long version_find(const struct version_index *vi, const char *name)
{
	size_t lo = 0, hi = vi->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(version_name(vi->elf, vi->sec, vi->order[mid]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == vi->n)
		return -1;
	if (strcmp(version_name(vi->elf, vi->sec, vi->order[lo]), name) == 0)
		return vi->order[lo];
	return -1;
}

static bool is_import(const struct lkm_elf *elf, const struct sym *s)
{
	if (s->shndx != SHN_UNDEF)
		return false;
	/* sparc: global register variables show up as undefined, but are not imports */
	if ((elf->machine == EM_SPARC || elf->machine == EM_SPARCV9) &&
	    s->type == STT_SPARC_REGISTER)
		return false;
	return true;
}

/* Count the imports, and check their names. */
static int count_imports(const struct lkm_elf *elf, const struct symtab *st, size_t *n,
			 struct lkm_err *err)
{
	struct sym s;
	uint64_t i;

	*n = 0;
	for (i = 1; i < st->count; i++) {
		sym_read(elf, st, i, &s);
		if (!is_import(elf, &s))
			continue;
		if (!s.name && s.name_off < st->str_size)
			return lkm_err_set(err, -EINVAL,
					   "symbol %llu has its name at byte %u, which runs to the end of the symbol string table (%llu bytes) without a terminating NUL",
					   (unsigned long long)i, s.name_off,
					   (unsigned long long)st->str_size);
		if (!s.name)
			return lkm_err_set(err, -EINVAL,
					   "symbol %llu has its name at byte %u, outside the symbol string table (%llu bytes)",
					   (unsigned long long)i, s.name_off,
					   (unsigned long long)st->str_size);
		if (s.name[0])
			(*n)++;
	}
	return 0;
}

/*
 * Undefined symbols in symbol table order, then the __versions entries that match none
 * of them (module_layout and the like), as kmod lists them for depmod's CRC checks.
 */
static int fill_imports(const struct lkm_elf *elf, const struct symtab *st,
			struct version_index *vi, bool *seen, struct lkm_elf_import *a)
{
	struct sym s;
	uint64_t i;
	size_t n = 0, v;

	for (i = 1; i < st->count; i++) {
		long idx;

		sym_read(elf, st, i, &s);
		if (!is_import(elf, &s) || !s.name[0])
			continue;
		a[n] = (struct lkm_elf_import){
			.name = s.name,
			.bind = s.bind == STB_WEAK ? LKM_BIND_WEAK : LKM_BIND_GLOBAL,
		};
		idx = vi->n ? version_find(vi, s.name) : -1;
		if (idx >= 0) {
			a[n].crc = version_crc(elf, vi->sec, (size_t)idx);
			a[n].has_crc = true;
			seen[idx] = true;
		}
		n++;
	}
	for (v = 0; v < vi->n; v++) {
		if (seen[v])
			continue;
		a[n++] = (struct lkm_elf_import){
			.name = version_name(elf, vi->sec, v),
			.crc = version_crc(elf, vi->sec, v),
			.has_crc = true,
			.bind = LKM_BIND_GLOBAL,
		};
	}
	return (int)n;
}

int lkm_elf_get_imports(const struct lkm_elf *elf, struct lkm_elf_import **out,
			size_t *count, struct lkm_err *err)
{
	struct lkm_elf_section vsec;
	struct version_index vi = { .elf = elf, .sec = &vsec };
	struct lkm_elf_import *a = NULL;
	struct symtab st;
	bool *seen = NULL;
	size_t n, i;
	int r;

	*out = NULL;
	*count = 0;
	r = symtab_open(elf, &st, err);
	if (r < 0)
		return r;
	r = count_imports(elf, &st, &n, err);
	if (r < 0)
		return r;
	r = versions_section(elf, &vsec, &vi.n, err);
	if (r < 0)
		return r;
	r = -ENOMEM;
	if (vi.n) {
		vi.order = malloc(vi.n * sizeof(*vi.order));
		seen = calloc(vi.n, sizeof(*seen));
		if (!vi.order || !seen)
			goto out;
		for (i = 0; i < vi.n; i++)
			vi.order[i] = (uint32_t)i;
		qsort_r(vi.order, vi.n, sizeof(*vi.order), version_cmp, &vi);
	}
	if (n + vi.n == 0) {
		r = 0;
		goto out;
	}
	a = malloc((n + vi.n) * sizeof(*a));
	if (!a)
		goto out;
	*count = (size_t)fill_imports(elf, &st, &vi, seen, a);
	*out = a;
	r = 0;
out:
	free(seen);
	free(vi.order);
	return r;
}

/*
 * struct module begins { enum module_state state; struct list_head list;
 * char name[MODULE_NAME_LEN]; }, so the name sits at 24 on 64-bit targets and at 12
 * on 32-bit ones, in every kernel version; MODULE_NAME_LEN is 64 - sizeof(long).
 */
int lkm_elf_get_this_module_name(const struct lkm_elf *elf, char *buf, size_t bufsize)
{
	struct lkm_elf_section s;
	uint64_t off = elf->is64 ? 24 : 12, room;
	const char *name;
	size_t len, i;

	if (lkm_elf_find_section(elf, ".gnu.linkonce.this_module", &s) < 0)
		return -ENOENT;
	if (!s.data || s.size <= off)
		return -EINVAL;
	room = s.size - off;
	if (room > MODVERSION_SIZE - word_size(elf))
		room = MODVERSION_SIZE - word_size(elf);
	name = (const char *)s.data + off;
	if (!memchr(name, '\0', room))
		return -EINVAL;
	len = strlen(name);
	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (name[i] <= ' ' || name[i] >= 0x7f)
			return -EINVAL;
	}
	if (len >= bufsize)
		return -ENAMETOOLONG;
	memcpy(buf, name, len + 1);
	return 0;
}

int lkm_elf_new(const struct lkm_file *file, struct lkm_elf **out, struct lkm_err *err)
{
	struct lkm_elf *elf = malloc(sizeof(*elf));
	int r;

	*out = NULL;
	if (!elf)
		return -ENOMEM;
	r = lkm_elf_parse(file->data, file->size, elf, err);
	if (r < 0) {
		free(elf);
		return r;
	}
	*out = elf;
	return 0;
}

void lkm_elf_free(struct lkm_elf *elf)
{
	free(elf);
}

int lkm_elf_show_symbols(const struct lkm_file *file, bool exports, struct lkm_buf *out,
			 struct lkm_err *err)
{
	struct lkm_elf_version *vers = NULL;
	struct lkm_elf_export *exps = NULL;
	struct lkm_elf elf;
	size_t i, n = 0;
	int r;

	r = lkm_elf_parse(file->data, file->size, &elf, err);
	if (r >= 0)
		r = exports ? lkm_elf_get_exports(&elf, &exps, &n, err) :
			      lkm_elf_get_versions(&elf, &vers, &n, err);
	/* kmod finds "no exports" an error, as it finds no symbol table one. */
	if (r >= 0 && exports && n == 0)
		r = -ENOENT;
	for (i = 0; r >= 0 && i < n; i++)
		r = lkm_buf_printf(out, "0x%08" PRIx64 "\t%s\n", exports ? exps[i].crc : vers[i].crc,
				   exports ? exps[i].name : vers[i].name);
	free(vers);
	free(exps);
	return r < 0 ? r : 0;
}
