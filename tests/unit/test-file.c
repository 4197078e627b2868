// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * file.c: compression detection, decompression round trips through the real libraries,
 * the output bound, corrupt and truncated streams, and opening files of every kind.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#if HAVE_ZLIB
#include <zlib.h>
#endif
#if HAVE_XZ
#include <lzma.h>
#endif
#if HAVE_ZSTD
#include <zstd.h>
#endif

#include "lkm-internal.h"
#include "test.h"

/* Compressible but not trivial: text lines with a pseudo-random part. */
static uint8_t *sample(size_t size)
{
	uint8_t *p = malloc(size);
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		if (i % 61 == 60)
			p[i] = '\n';
		else if (i % 7 == 0)
			p[i] = (uint8_t)('a' + (x >> 16) % 26);
		else
			p[i] = (uint8_t)"modinfo"[i % 7];
	}
	return p;
}

struct blob {
	uint8_t *data;
	size_t size;
};

static void blob_append(struct blob *b, const void *data, size_t size)
{
	b->data = realloc(b->data, b->size + size);
	memcpy(b->data + b->size, data, size);
	b->size += size;
}

#if HAVE_ZLIB
static struct blob gzip_compress(const uint8_t *in, size_t size)
{
	struct blob b = { malloc(compressBound(size) + 64), 0 };
	z_stream zs = { 0 };

	CHECK_INT(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = size;
	zs.next_out = b.data;
	zs.avail_out = compressBound(size) + 64;
	CHECK_INT(deflate(&zs, Z_FINISH), ==, Z_STREAM_END);
	b.size = zs.total_out;
	deflateEnd(&zs);
	return b;
}
#endif

#if HAVE_XZ
static struct blob xz_compress(const uint8_t *in, size_t size)
{
	size_t cap = lzma_stream_buffer_bound(size);
	struct blob b = { malloc(cap), 0 };

	CHECK_INT(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, size, b.data, &b.size,
					  cap), ==, LZMA_OK);
	return b;
}
#endif

#if HAVE_ZSTD
/* With @known, the frame header records the content size; without, it does not. */
static struct blob zstd_compress(const uint8_t *in, size_t size, bool known)
{
	size_t cap = ZSTD_compressBound(size) + 64;
	struct blob b = { malloc(cap), 0 };
	ZSTD_CCtx *cc = ZSTD_createCCtx();

	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	if (known) {
		b.size = ZSTD_compress2(cc, b.data, cap, in, size);
	} else {
		ZSTD_inBuffer ib = { in, size, 0 };
		ZSTD_outBuffer ob = { b.data, cap, 0 };
		size_t left;

		ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
		/* streaming without a pledged size leaves the size out of the header */
		do
			left = ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end);
		while (left != 0 && !ZSTD_isError(left));
		b.size = ob.pos;
	}
	CHECK(!ZSTD_isError(b.size));
	if (known)
		CHECK(ZSTD_getFrameContentSize(b.data, b.size) == size);
	else
		CHECK(ZSTD_getFrameContentSize(b.data, b.size) == ZSTD_CONTENTSIZE_UNKNOWN);
	ZSTD_freeCCtx(cc);
	return b;
}
#endif

static void check_roundtrip(enum lkm_compression c, const struct blob *z, const uint8_t *want,
			    size_t want_size)
{
	struct lkm_err err = { 0 };
	void *out = NULL;
	size_t out_size = 0;
	int r;

	CHECK_INT(lkm_compression_detect(z->data, z->size), ==, c);
	r = lkm_decompress(c, z->data, z->size, LKM_FILE_MAX_SIZE, &out, &out_size, &err);
	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", lkm_compression_name(c), err.why);
		return;
	}
	CHECK_INT(out_size, ==, want_size);
	CHECK(out_size == want_size && memcmp(out, want, want_size) == 0);
	free(out);
	/* exactly the size fits; one byte less does not */
	r = lkm_decompress(c, z->data, z->size, want_size, &out, &out_size, &err);
	CHECK_INT(r, ==, 0);
	if (r == 0)
		free(out);
	memset(&err, 0, sizeof(err));
	r = lkm_decompress(c, z->data, z->size, want_size - 1, &out, &out_size, &err);
	CHECK_INT(r, ==, -EFBIG);
	CHECK(err.why[0] != '\0');
	if (want_size > 1000) {
		r = lkm_decompress(c, z->data, z->size, 1000, &out, &out_size, &err);
		CHECK_INT(r, ==, -EFBIG);
	}
}

/*
 * Every truncation must fail; a flipped byte must fail or (in fields no check covers,
 * like the gzip header's time stamp) give the original bytes back. Never a crash.
 */
static void check_corruption(enum lkm_compression c, const struct blob *z, const uint8_t *want,
			     size_t want_size)
{
	size_t i, step = z->size / 97 + 1, failed = 0, tried = 0;
	uint8_t *copy = malloc(z->size);
	struct lkm_err err;
	void *out;
	size_t out_size;
	int r;

	for (i = 0; i < z->size; i += (i < 64 ? 1 : step)) {
		memset(&err, 0, sizeof(err));
		r = lkm_decompress(c, z->data, i, LKM_FILE_MAX_SIZE, &out, &out_size, &err);
		CHECK_INT(r, ==, -EBADMSG);
		if (r == 0)
			free(out);
		else if (!err.why[0])
			CHECK(!"truncated stream gave no reason");
	}
	for (i = 0; i < z->size; i += (i < 64 ? 1 : step)) {
		memcpy(copy, z->data, z->size);
		copy[i] ^= 0x55;
		memset(&err, 0, sizeof(err));
		r = lkm_decompress(c, copy, z->size, LKM_FILE_MAX_SIZE, &out, &out_size, &err);
		tried++;
		if (r == 0) {
			CHECK(out_size == want_size && memcmp(out, want, want_size) == 0);
			free(out);
			continue;
		}
		failed++;
		CHECK(r == -EBADMSG || r == -ENOMEM);
		CHECK(err.why[0] != '\0');
	}
	/* nearly every byte of a stream is covered by a check */
	CHECK(failed * 10 >= tried * 8);
	free(copy);
}

TEST(detect_reads_magic_bytes_only)
{
	CHECK_INT(lkm_compression_detect("\x1f\x8b\x08", 3), ==, LKM_COMP_GZIP);
	CHECK_INT(lkm_compression_detect("\xfd" "7zXZ\0\0", 7), ==, LKM_COMP_XZ);
	CHECK_INT(lkm_compression_detect("\x28\xb5\x2f\xfd\0", 5), ==, LKM_COMP_ZSTD);
	CHECK_INT(lkm_compression_detect("\x7f" "ELF", 4), ==, LKM_COMP_NONE);
	/* a magic cut short is not that format */
	CHECK_INT(lkm_compression_detect("\xfd" "7zXZ", 5), ==, LKM_COMP_NONE);
	CHECK_INT(lkm_compression_detect("\x1f", 1), ==, LKM_COMP_NONE);
	CHECK_INT(lkm_compression_detect("", 0), ==, LKM_COMP_NONE);
	CHECK_STR(lkm_compression_name(LKM_COMP_XZ), "xz");
	CHECK_STR(lkm_compression_name(LKM_COMP_GZIP), "gzip");
	CHECK_STR(lkm_compression_name(LKM_COMP_ZSTD), "zstd");
	CHECK_STR(lkm_compression_name(LKM_COMP_NONE), "none");
}

#if HAVE_ZLIB
TEST(gzip_round_trip_bound_and_corruption)
{
	size_t n = 100000;
	uint8_t *p = sample(n);
	struct blob z = gzip_compress(p, n), two = { 0 };
	uint8_t *both = malloc(2 * n);

	check_roundtrip(LKM_COMP_GZIP, &z, p, n);
	check_corruption(LKM_COMP_GZIP, &z, p, n);
	/* two members back to back decode to both contents */
	blob_append(&two, z.data, z.size);
	blob_append(&two, z.data, z.size);
	memcpy(both, p, n);
	memcpy(both + n, p, n);
	check_roundtrip(LKM_COMP_GZIP, &two, both, 2 * n);
	free(two.data);
	free(both);
	free(z.data);
	free(p);
}
#endif

#if HAVE_XZ
TEST(xz_round_trip_bound_and_corruption)
{
	size_t n = 100000;
	uint8_t *p = sample(n);
	struct blob z = xz_compress(p, n), two = { 0 }, small;
	uint8_t *both = malloc(2 * n);

	check_roundtrip(LKM_COMP_XZ, &z, p, n);
	check_corruption(LKM_COMP_XZ, &z, p, n);
	/* concatenated streams, with stream padding between them */
	blob_append(&two, z.data, z.size);
	blob_append(&two, "\0\0\0\0", 4);
	blob_append(&two, z.data, z.size);
	memcpy(both, p, n);
	memcpy(both + n, p, n);
	check_roundtrip(LKM_COMP_XZ, &two, both, 2 * n);
	/* a tiny stream, smaller than any initial reservation */
	small = xz_compress((const uint8_t *)"x", 1);
	check_roundtrip(LKM_COMP_XZ, &small, (const uint8_t *)"x", 1);
	free(small.data);
	free(two.data);
	free(both);
	free(z.data);
	free(p);
}
#endif

#if HAVE_ZSTD
TEST(zstd_round_trip_with_and_without_content_size)
{
	size_t n = 100000;
	uint8_t *p = sample(n);
	struct blob a = zstd_compress(p, n, true), b = zstd_compress(p, n, false), two = { 0 };
	uint8_t *both = malloc(2 * n);

	check_roundtrip(LKM_COMP_ZSTD, &a, p, n);
	check_roundtrip(LKM_COMP_ZSTD, &b, p, n);
	check_corruption(LKM_COMP_ZSTD, &a, p, n);
	check_corruption(LKM_COMP_ZSTD, &b, p, n);
	/* two frames, the first with a size and the second without */
	blob_append(&two, a.data, a.size);
	blob_append(&two, b.data, b.size);
	memcpy(both, p, n);
	memcpy(both + n, p, n);
	check_roundtrip(LKM_COMP_ZSTD, &two, both, 2 * n);
	free(two.data);
	free(both);
	free(a.data);
	free(b.data);
	free(p);
}
#endif

TEST(decompress_rejects_unknown_kind)
{
	struct lkm_err err = { 0 };
	void *out;
	size_t size;

	CHECK_INT(lkm_decompress(LKM_COMP_NONE, "abc", 3, 100, &out, &size, &err), ==, -EINVAL);
	CHECK(err.why[0] != '\0');
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[128];

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/lkm-test-file-XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK_INT(write(fd, data, size), ==, size);
	close(fd);
}

TEST(open_detects_by_content_not_by_name)
{
	size_t n = 100000;
	uint8_t *p = sample(n);
	struct lkm_err err = { 0 };
	struct lkm_file *f = NULL;
	int r;

	/* plain bytes in a file named like an xz module */
	write_file(tmp_path("plain.ko.xz"), p, n);
	r = lkm_file_open(tmp_path("plain.ko.xz"), &f, &err);
	CHECK_INT(r, ==, 0);
	if (r == 0) {
		CHECK_INT(f->compression, ==, LKM_COMP_NONE);
		CHECK(f->size == n && memcmp(f->data, p, n) == 0);
		CHECK_STR(f->path, tmp_path("plain.ko.xz"));
		lkm_file_free(f);
	}
#if HAVE_XZ
	{
		struct blob z = xz_compress(p, n);

		/* xz bytes in a file named like a plain module */
		write_file(tmp_path("packed.ko"), z.data, z.size);
		r = lkm_file_open(tmp_path("packed.ko"), &f, &err);
		CHECK_INT(r, ==, 0);
		if (r == 0) {
			CHECK_INT(f->compression, ==, LKM_COMP_XZ);
			CHECK(f->size == n && memcmp(f->data, p, n) == 0);
			lkm_file_free(f);
		}
		/* a truncated one names the problem */
		write_file(tmp_path("cut.ko.xz"), z.data, z.size / 2);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_file_open(tmp_path("cut.ko.xz"), &f, &err), ==, -EBADMSG);
		CHECK(strstr(err.why, "xz") != NULL);
		free(z.data);
	}
#endif
#if HAVE_ZLIB
	{
		struct blob z = gzip_compress(p, n);

		write_file(tmp_path("g.ko.zst"), z.data, z.size);
		r = lkm_file_open(tmp_path("g.ko.zst"), &f, &err);
		CHECK_INT(r, ==, 0);
		if (r == 0) {
			CHECK_INT(f->compression, ==, LKM_COMP_GZIP);
			CHECK(f->size == n && memcmp(f->data, p, n) == 0);
			lkm_file_free(f);
		}
		free(z.data);
	}
#endif
#if HAVE_ZSTD
	{
		struct blob z = zstd_compress(p, n, false);

		write_file(tmp_path("z.ko.gz"), z.data, z.size);
		r = lkm_file_open(tmp_path("z.ko.gz"), &f, &err);
		CHECK_INT(r, ==, 0);
		if (r == 0) {
			CHECK_INT(f->compression, ==, LKM_COMP_ZSTD);
			CHECK(f->size == n && memcmp(f->data, p, n) == 0);
			lkm_file_free(f);
		}
		free(z.data);
	}
#endif
	free(p);
}

#if HAVE_ZLIB
#define GZIP_STUB_ERROR -EBADMSG
#else
#define GZIP_STUB_ERROR -EOPNOTSUPP
#endif

TEST(open_refuses_empty_missing_and_non_regular)
{
	struct lkm_err err = { 0 };
	struct lkm_file *f = NULL;

	write_file(tmp_path("empty.ko"), "", 0);
	CHECK(lkm_file_open(tmp_path("empty.ko"), &f, &err) < 0);
	CHECK_STR(err.why, "file is empty");
	memset(&err, 0, sizeof(err));
	CHECK_INT(lkm_file_open(tmp_path("missing.ko"), &f, &err), ==, -ENOENT);
	CHECK(err.why[0] != '\0');
	memset(&err, 0, sizeof(err));
	CHECK_INT(lkm_file_open(tmpdir, &f, &err), ==, -EISDIR);
	CHECK(strstr(err.why, "directory") != NULL);
	memset(&err, 0, sizeof(err));
	CHECK(lkm_file_open("/dev/null", &f, &err) < 0);
	CHECK(strstr(err.why, "character device") != NULL);
	/* three bytes of a gzip magic and nothing else */
	write_file(tmp_path("stub.ko.gz"), "\x1f\x8b\x08", 3);
	memset(&err, 0, sizeof(err));
	CHECK_INT(lkm_file_open(tmp_path("stub.ko.gz"), &f, &err), ==,
		  GZIP_STUB_ERROR);
	CHECK(err.why[0] != '\0');
}

TEST(cleanup_temporary_files)
{
	const char *names[] = { "plain.ko.xz", "packed.ko", "cut.ko.xz", "g.ko.zst", "z.ko.gz",
				"empty.ko", "stub.ko.gz" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	CHECK_INT(rmdir(tmpdir), ==, 0);
}

TEST_MAIN()
