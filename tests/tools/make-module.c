// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * make-module: writes a module file for the tool tests, made as the unit tests make
 * theirs (tests/unit/elf-fixture.h: x86-64, built with modversions), so a test can build
 * a module tree of its own and run depmod and modprobe on it. Usage:
 *
 *   make-module OUT NAME [export=SYMBOL:CRC | import=SYMBOL:CRC | KEY=VALUE]...
 *
 * Exports get a __ksymtab_strings entry and a __crc_ symbol; imports an undefined symbol
 * and a __versions entry; CRCs are hexadecimal. Every other KEY=VALUE is a .modinfo
 * record, after "name=NAME". Exits 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf-fixture.h"

#define MAX_SYMS 32

static int add_sym(struct fx_crc_sym *v, size_t *n, char *spec)
{
	char *colon = strchr(spec, ':'), *end;

	if (!colon || *n == MAX_SYMS)
		return -1;
	*colon = '\0';
	v[*n].name = spec;
	v[*n].crc = (uint32_t)strtoul(colon + 1, &end, 16);
	if (*end || !spec[0])
		return -1;
	(*n)++;
	return 0;
}

int main(int argc, char *argv[])
{
	struct fx_crc_sym imports[MAX_SYMS], exports[MAX_SYMS];
	struct fx_module_spec m = { .is64 = true, .machine = 62 /* EM_X86_64 */ };
	char modinfo[8192];
	size_t len = 0;
	struct fx_image img;
	FILE *out;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: make-module OUT NAME [export=S:CRC|import=S:CRC|K=V]...\n");
		return 1;
	}
	m.name = argv[2];
	m.imports = imports;
	m.exports = exports;
	len = (size_t)snprintf(modinfo, sizeof(modinfo), "name=%s", argv[2]) + 1;
	for (i = 3; i < argc; i++) {
		int r = 0;

		if (strncmp(argv[i], "export=", 7) == 0)
			r = add_sym(exports, &m.n_exports, argv[i] + 7);
		else if (strncmp(argv[i], "import=", 7) == 0)
			r = add_sym(imports, &m.n_imports, argv[i] + 7);
		else if (strchr(argv[i], '=') && len + strlen(argv[i]) + 1 <= sizeof(modinfo)) {
			memcpy(modinfo + len, argv[i], strlen(argv[i]) + 1);
			len += strlen(argv[i]) + 1;
		} else
			r = -1;
		if (r < 0) {
			fprintf(stderr, "make-module: bad argument: %s\n", argv[i]);
			return 1;
		}
	}
	m.modinfo = modinfo;
	m.modinfo_len = len;
	img = fx_module(&m);
	out = fopen(argv[1], "wb");
	if (!out || fwrite(img.data, 1, img.size, out) != img.size || fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	free(img.data);
	return 0;
}
