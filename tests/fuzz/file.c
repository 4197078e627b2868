// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: module file bytes (lib/file.c). The input is a whole module file: its
 * compression is detected from the magic bytes and the stream decompressed, as
 * lkm_file_open() does for a .ko.gz, .ko.xz or .ko.zst. Every decoder is also run on
 * the input regardless of the magic, so each one sees every shape of junk.
 *
 * Oracle: no crash, no sanitizer report; a result within the bound; a failure that
 * gives -EBADMSG or -EFBIG (or -ENOMEM, -EOPNOTSUPP) comes with a reason.
 */
#include "fuzz.h"
#include "lkm-internal.h"

/* Smaller than LKM_FILE_MAX_SIZE so a bomb fails fast; the bound's logic is the same. */
#define FUZZ_DECOMPRESS_MAX ((size_t)8 << 20)

static void decompress(enum lkm_compression c, const uint8_t *data, size_t size)
{
	struct lkm_err err = { 0 };
	void *out = NULL;
	size_t out_size = 0;
	int r;

	r = lkm_decompress(c, data, size, FUZZ_DECOMPRESS_MAX, &out, &out_size, &err);
	if (r >= 0) {
		if (out_size > FUZZ_DECOMPRESS_MAX || (out_size && !out))
			abort();
		/* Touch the last byte: ASan sees a buffer shorter than claimed. */
		if (out_size)
			(void)((volatile uint8_t *)out)[out_size - 1];
		free(out);
		return;
	}
	if (out)
		abort(); /* a failure hands nothing out */
	if (r != -EBADMSG && r != -EFBIG && r != -ENOMEM && r != -EOPNOTSUPP && r != -EINVAL)
		abort();
	if (r == -EBADMSG && !err.why[0])
		abort(); /* a corrupt stream must say why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum lkm_compression c = lkm_compression_detect(data, size);

	if (!lkm_compression_name(c))
		abort();
	if (c != LKM_COMP_NONE)
		decompress(c, data, size);
	else if (size > 0)
		/* The decoders with no magic in front: the fuzzer can still reach past it. */
		decompress((enum lkm_compression)(1 + data[0] % 3), data + 1, size - 1);
	return 0;
}
