// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module file bytes: a plain .ko is mapped read-only; a .ko.gz, .ko.xz or .ko.zst is
 * decompressed into memory. The compression is told by the magic bytes, never by the
 * name, because files get renamed and the name is only a hint.
 *
 * Decompressing thousands of .ko.xz files is the cost that dominates modinfo and depmod,
 * so each decoder first asks its format for the uncompressed size when the format keeps
 * it cheaply (the xz index, the gzip trailer, the zstd frame header) and reserves the
 * output once; otherwise the buffer grows geometrically. Either way the output never
 * exceeds the caller's bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl.h"

static const struct {
	enum lkm_compression c;
	const char *name;
	const uint8_t *magic;
	size_t magic_len;
} formats[] = {
	{ LKM_COMP_GZIP, "gzip", (const uint8_t *)"\x1f\x8b", 2 },
	{ LKM_COMP_XZ, "xz", (const uint8_t *)"\xfd" "7zXZ\0", 6 },
	{ LKM_COMP_ZSTD, "zstd", (const uint8_t *)"\x28\xb5\x2f\xfd", 4 },
};

#define MAGIC_MAX 6

enum lkm_compression lkm_compression_detect(const void *data, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (size >= formats[i].magic_len &&
		    memcmp(data, formats[i].magic, formats[i].magic_len) == 0)
			return formats[i].c;
	}
	return LKM_COMP_NONE;
}

const char *lkm_compression_name(enum lkm_compression c)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (formats[i].c == c)
			return formats[i].name;
	}
	return "none";
}

/*
 * The output of a decoder. The buffer may hold up to max + 1 bytes: one byte past the
 * bound is how a decoder learns that the stream is too big.
 */
struct outbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
};

/*
 * A size hint read from the stream is believed only up to this many times the input:
 * modules compress about 4:1, and a forged hint must not reserve a gigabyte.
 */
#define HINT_RATIO 32

/* Reserve @hint + 1 bytes (capped), so an exact hint never needs a second pass. */
static int out_init(struct outbuf *o, size_t hint, size_t in_size, size_t max)
{
	size_t cap = hint;

	o->len = 0;
	o->max = max;
	if (in_size < SIZE_MAX / HINT_RATIO && cap > in_size * HINT_RATIO)
		cap = in_size * HINT_RATIO;
	if (cap < 4096)
		cap = 4096;
	if (cap > max)
		cap = max;
	cap++;
	o->data = malloc(cap);
	if (!o->data)
		return -ENOMEM;
	o->cap = cap;
	return 0;
}

/* Make room after o->len; -EFBIG once the output already passed the bound. */
static int out_grow(struct outbuf *o, struct lkm_err *err)
{
	size_t cap;
	uint8_t *p;

	if (o->len > o->max || o->cap > o->max)
		return lkm_err_set(err, -EFBIG,
				   "decompressed data is larger than the limit of %zu bytes",
				   o->max);
	cap = o->cap > o->max / 2 ? o->max + 1 : o->cap * 2;
	p = realloc(o->data, cap);
	if (!p)
		return -ENOMEM;
	o->data = p;
	o->cap = cap;
	return 0;
}

static int out_finish(struct outbuf *o, void **out, size_t *out_size, struct lkm_err *err)
{
	if (o->len > o->max) {
		free(o->data);
		return lkm_err_set(err, -EFBIG,
				   "decompressed data is larger than the limit of %zu bytes",
				   o->max);
	}
	*out = o->data;
	*out_size = o->len;
	return 0;
}

static __attribute__((unused)) int not_built(enum lkm_compression c, struct lkm_err *err)
{
	return lkm_err_set(err, -EOPNOTSUPP, "lkm was built without %s support",
			   lkm_compression_name(c));
}

#if HAVE_ZLIB
/* The gzip trailer keeps the size of the last member modulo 2^32: a hint only. */
static size_t gzip_size_hint(const uint8_t *in, size_t in_size)
{
	if (in_size < 18)
		return 0;
	in += in_size - 4;
	return (size_t)in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16 |
	       (size_t)in[3] << 24;
}

static int gzip_error(int zr, z_stream *zs, struct lkm_err *err)
{
	if (zr == Z_MEM_ERROR)
		return lkm_err_set(err, -ENOMEM, "out of memory decompressing gzip data");
	if (zr == Z_BUF_ERROR)
		return lkm_err_set(err, -EBADMSG, "gzip stream ends early");
	return lkm_err_set(err, -EBADMSG, "gzip stream is corrupt: %s",
			   zs->msg ? zs->msg : "invalid data");
}

static int gzip_decompress(const uint8_t *in, size_t in_size, size_t max, void **out,
			   size_t *out_size, struct lkm_err *err)
{
	struct outbuf o;
	z_stream zs = { 0 };
	int zr, r;

	r = lkm_dl_open(LKM_DL_ZLIB, "decompress gzip data", err);
	if (r < 0)
		return r;
	r = out_init(&o, gzip_size_hint(in, in_size), in_size, max);
	if (r < 0)
		return r;
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		r = lkm_err_set(err, -ENOMEM, "cannot set up the gzip decoder");
		goto fail_buf;
	}
	zs.next_in = (Bytef *)in;
	for (;;) {
		size_t chunk;

		if (o.len == o.cap) {
			r = out_grow(&o, err);
			if (r < 0)
				goto fail;
		}
		/* zlib counts in uInt: feed huge inputs and outputs in slices */
		chunk = in_size - (size_t)(zs.next_in - in);
		zs.avail_in = chunk > UINT32_MAX ? UINT32_MAX : (uInt)chunk;
		chunk = o.cap - o.len;
		zs.avail_out = chunk > UINT32_MAX ? UINT32_MAX : (uInt)chunk;
		zs.next_out = o.data + o.len;
		zr = inflate(&zs, Z_NO_FLUSH);
		o.len = (size_t)(zs.next_out - o.data);
		if (zr == Z_STREAM_END) {
			size_t left = in_size - (size_t)(zs.next_in - in);

			/* gzip allows several members back to back */
			if (left >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
				if (inflateReset(&zs) != Z_OK) {
					r = gzip_error(Z_DATA_ERROR, &zs, err);
					goto fail;
				}
				continue;
			}
			break;
		}
		if (zr == Z_BUF_ERROR && o.len < o.cap) {
			r = gzip_error(Z_BUF_ERROR, &zs, err);
			goto fail;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			r = gzip_error(zr, &zs, err);
			goto fail;
		}
	}
	inflateEnd(&zs);
	return out_finish(&o, out, out_size, err);

fail:
	inflateEnd(&zs);
fail_buf:
	free(o.data);
	return r;
}
#else
static int gzip_decompress(const uint8_t *in, size_t in_size, size_t max, void **out,
			   size_t *out_size, struct lkm_err *err)
{
	return not_built(LKM_COMP_GZIP, err);
}
#endif

#if HAVE_XZ
#define XZ_MEMLIMIT ((uint64_t)256 << 20)

/*
 * The uncompressed size of the last stream, read from its index at the end of the
 * file: a few dozen bytes to decode, and it saves every realloc. 0 when unknown.
 */
static size_t xz_size_hint(const uint8_t *in, size_t in_size)
{
	lzma_stream_flags flags;
	lzma_index *idx = NULL;
	uint64_t memlimit = 1 << 20;
	size_t end = in_size, pos = 0, hint = 0;

	/* stream padding: zeros, in units of four bytes */
	while (end >= 4 && end % 4 == 0 && !memcmp(in + end - 4, "\0\0\0\0", 4))
		end -= 4;
	if (end < LZMA_STREAM_HEADER_SIZE * 2)
		return 0;
	end -= LZMA_STREAM_HEADER_SIZE;
	if (lzma_stream_footer_decode(&flags, in + end) != LZMA_OK)
		return 0;
	if (flags.backward_size > end - LZMA_STREAM_HEADER_SIZE)
		return 0;
	in += end - flags.backward_size;
	if (lzma_index_buffer_decode(&idx, &memlimit, NULL, in, &pos,
				     flags.backward_size) != LZMA_OK)
		return 0;
	if (lzma_index_uncompressed_size(idx) <= SIZE_MAX)
		hint = (size_t)lzma_index_uncompressed_size(idx);
	lzma_index_end(idx, NULL);
	return hint;
}

static int xz_error(lzma_ret lr, struct lkm_err *err)
{
	switch (lr) {
	case LZMA_MEM_ERROR:
		return lkm_err_set(err, -ENOMEM, "out of memory decompressing xz data");
	case LZMA_MEMLIMIT_ERROR:
		return lkm_err_set(err, -ENOMEM,
				   "xz stream needs more than %llu MiB of memory to decompress",
				   (unsigned long long)(XZ_MEMLIMIT >> 20));
	case LZMA_BUF_ERROR:
		return lkm_err_set(err, -EBADMSG, "xz stream ends early");
	case LZMA_FORMAT_ERROR:
		return lkm_err_set(err, -EBADMSG, "xz stream is corrupt: bad stream header");
	case LZMA_OPTIONS_ERROR:
		return lkm_err_set(err, -EBADMSG,
				   "xz stream is corrupt: unsupported compression options");
	case LZMA_DATA_ERROR:
		return lkm_err_set(err, -EBADMSG, "xz stream is corrupt: compressed data is invalid");
	default:
		return lkm_err_set(err, -EBADMSG, "xz stream is corrupt: decoder error %d", (int)lr);
	}
}

static int xz_decompress(const uint8_t *in, size_t in_size, size_t max, void **out,
			 size_t *out_size, struct lkm_err *err)
{
	lzma_stream ls = LZMA_STREAM_INIT;
	struct outbuf o;
	lzma_ret lr;
	int r;

	r = lkm_dl_open(LKM_DL_XZ, "decompress xz data", err);
	if (r < 0)
		return r;
	r = out_init(&o, xz_size_hint(in, in_size), in_size, max);
	if (r < 0)
		return r;
	lr = lzma_stream_decoder(&ls, XZ_MEMLIMIT, LZMA_CONCATENATED);
	if (lr != LZMA_OK) {
		r = xz_error(lr, err);
		goto fail_buf;
	}
	ls.next_in = in;
	ls.avail_in = in_size;
	for (;;) {
		if (o.len == o.cap) {
			r = out_grow(&o, err);
			if (r < 0)
				goto fail;
		}
		ls.next_out = o.data + o.len;
		ls.avail_out = o.cap - o.len;
		lr = lzma_code(&ls, LZMA_FINISH);
		o.len = (size_t)(ls.next_out - o.data);
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_BUF_ERROR && o.len == o.cap)
			continue;
		if (lr != LZMA_OK) {
			r = xz_error(lr, err);
			goto fail;
		}
	}
	lzma_end(&ls);
	return out_finish(&o, out, out_size, err);

fail:
	lzma_end(&ls);
fail_buf:
	free(o.data);
	return r;
}
#else
static int xz_decompress(const uint8_t *in, size_t in_size, size_t max, void **out,
			 size_t *out_size, struct lkm_err *err)
{
	return not_built(LKM_COMP_XZ, err);
}
#endif

#if HAVE_ZSTD
/* The first frame's content size, when its header records one: a hint only. */
static size_t zstd_size_hint(const uint8_t *in, size_t in_size)
{
	unsigned long long n = ZSTD_getFrameContentSize(in, in_size);

	if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR || n > SIZE_MAX)
		return 0;
	return (size_t)n;
}

static int zstd_decompress(const uint8_t *in, size_t in_size, size_t max, void **out,
			   size_t *out_size, struct lkm_err *err)
{
	ZSTD_inBuffer ib = { in, in_size, 0 };
	ZSTD_DStream *zds;
	struct outbuf o;
	size_t zr = 1;
	int r;

	r = lkm_dl_open(LKM_DL_ZSTD, "decompress zstd data", err);
	if (r < 0)
		return r;
	r = out_init(&o, zstd_size_hint(in, in_size), in_size, max);
	if (r < 0)
		return r;
	zds = ZSTD_createDStream();
	if (!zds) {
		r = lkm_err_set(err, -ENOMEM, "cannot set up the zstd decoder");
		goto fail_buf;
	}
	/*
	 * zr is 0 exactly when a frame has been decoded and flushed completely; more
	 * input after that is another frame.
	 */
	while (ib.pos < ib.size || zr != 0) {
		ZSTD_outBuffer ob;
		size_t in_before = ib.pos;

		if (o.len == o.cap) {
			r = out_grow(&o, err);
			if (r < 0)
				goto fail;
		}
		ob = (ZSTD_outBuffer){ o.data, o.cap, o.len };
		zr = ZSTD_decompressStream(zds, &ob, &ib);
		if (ZSTD_isError(zr)) {
			r = lkm_err_set(err, -EBADMSG, "zstd stream is corrupt: %s",
					ZSTD_getErrorName(zr));
			goto fail;
		}
		/* no input left, room for output, and the frame is still not done */
		if (zr != 0 && ib.pos == ib.size && ob.pos < ob.size &&
		    (ob.pos == o.len && ib.pos == in_before)) {
			r = lkm_err_set(err, -EBADMSG, "zstd stream ends early");
			goto fail;
		}
		o.len = ob.pos;
	}
	ZSTD_freeDStream(zds);
	return out_finish(&o, out, out_size, err);

fail:
	ZSTD_freeDStream(zds);
fail_buf:
	free(o.data);
	return r;
}
#else
static int zstd_decompress(const uint8_t *in, size_t in_size, size_t max, void **out,
			   size_t *out_size, struct lkm_err *err)
{
	return not_built(LKM_COMP_ZSTD, err);
}
#endif

int lkm_decompress(enum lkm_compression c, const void *in, size_t in_size, size_t max,
		   void **out, size_t *out_size, struct lkm_err *err)
{
	switch (c) {
	case LKM_COMP_GZIP:
		return gzip_decompress(in, in_size, max, out, out_size, err);
	case LKM_COMP_XZ:
		return xz_decompress(in, in_size, max, out, out_size, err);
	case LKM_COMP_ZSTD:
		return zstd_decompress(in, in_size, max, out, out_size, err);
	default:
		return lkm_err_set(err, -EINVAL, "unknown compression %d", (int)c);
	}
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/* Map the whole file read-only; the caller has checked that it is not empty. */
static int map_file(int fd, size_t size, void **map, struct lkm_err *err)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED) {
		int e = errno;

		return lkm_err_set(err, -e, "cannot map the file: %s", strerror(e));
	}
	*map = p;
	return 0;
}

static int open_compressed(struct lkm_file *f, int fd, size_t size, struct lkm_err *err)
{
	void *map = NULL;
	int r;

	r = map_file(fd, size, &map, err);
	if (r < 0)
		return r;
	r = lkm_decompress(f->compression, map, size, LKM_FILE_MAX_SIZE, &f->mem,
			   &f->size, err);
	munmap(map, size);
	if (r < 0)
		return r;
	f->data = f->mem;
	return 0;
}

static int open_fd(struct lkm_file *f, int fd, struct lkm_err *err)
{
	uint8_t magic[MAGIC_MAX];
	struct stat st;
	ssize_t n;
	size_t size;
	int r;

	if (fstat(fd, &st) < 0) {
		int e = errno;

		return lkm_err_set(err, -e, "cannot stat the file: %s", strerror(e));
	}
	if (!S_ISREG(st.st_mode))
		return lkm_err_set(err, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
				   "%s, not a module file", file_kind(st.st_mode));
	if (st.st_size == 0)
		return lkm_err_set(err, -ENOEXEC, "file is empty");
	if ((uint64_t)st.st_size > LKM_FILE_MAX_SIZE)
		return lkm_err_set(err, -EFBIG, "file is larger than the limit of %zu bytes",
				   LKM_FILE_MAX_SIZE);
	size = (size_t)st.st_size;
	n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0) {
		int e = errno;

		return lkm_err_set(err, -e, "cannot read the file: %s", strerror(e));
	}
	f->compression = lkm_compression_detect(magic, (size_t)n);
	if (f->compression != LKM_COMP_NONE)
		return open_compressed(f, fd, size, err);
	r = map_file(fd, size, &f->map, err);
	if (r < 0)
		return r;
	f->map_size = size;
	f->data = f->map;
	f->size = size;
	return 0;
}

int lkm_file_open(const char *path, struct lkm_file **out, struct lkm_err *err)
{
	struct lkm_file *f;
	int fd, r;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->path = strdup(path);
	if (!f->path) {
		r = -ENOMEM;
		goto fail;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		lkm_err_set(err, r, "%s", strerror(-r));
		goto fail;
	}
	r = open_fd(f, fd, err);
	close(fd);
	if (r < 0)
		goto fail;
	*out = f;
	return 0;

fail:
	lkm_file_free(f);
	return r;
}

void lkm_file_free(struct lkm_file *f)
{
	if (!f)
		return;
	if (f->map)
		munmap(f->map, f->map_size);
	free(f->mem);
	free(f->path);
	free(f);
}

const char *lkm_file_get_path(const struct lkm_file *f)
{
	return f->path;
}

enum lkm_compression lkm_file_get_compression(const struct lkm_file *f)
{
	return f->compression;
}

const void *lkm_file_get_data(const struct lkm_file *f, size_t *size)
{
	*size = f->size;
	return f->data;
}
