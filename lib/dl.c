// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The optional libraries, opened with dlopen() on first use (see dl.h for why), and
 * their ELF dlopen notes.
 *
 * A binary that dlopens a library has no DT_NEEDED entry for it, so packaging tools
 * would not see the dependency. The FDO "ELF dlopen metadata" convention puts it back:
 * a note in the .note.dlopen section, owner "FDO", type 0x407c0c0a, whose descriptor is
 * a NUL-terminated JSON array of the libraries a feature may open:
 *
 *   +----------------+----------------+----------------+--------+------------------+
 *   | n_namesz = 4   | n_descsz       | n_type         | "FDO\0"| JSON, NUL, pad   |
 *   | u32            | u32: JSON + 1  | u32 0x407c0c0a | 4      | to 4 bytes       |
 *   +----------------+----------------+----------------+--------+------------------+
 *
 * One note per library, so each soname comes from meson's configuration (config.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "dl.h"

#define FDO_DLOPEN_NOTE 0x407c0c0a

#define DLOPEN_NOTE(id, feature, description, soname)                                    \
	static const struct {                                                             \
		uint32_t namesz, descsz, type;                                            \
		char name[4];                                                             \
		char desc[(sizeof(NOTE_JSON(feature, description, soname)) + 3) & ~3u];   \
	} dlopen_note_##id __attribute__((used, section(".note.dlopen"), aligned(4))) = { \
		4, sizeof(NOTE_JSON(feature, description, soname)), FDO_DLOPEN_NOTE,     \
		"FDO", NOTE_JSON(feature, description, soname),                           \
	}
#define NOTE_JSON(feature, description, soname)                                          \
	"[{\"feature\":\"" feature "\",\"description\":\"" description                   \
	"\",\"priority\":\"recommended\",\"soname\":[\"" soname "\"]}]"

/* A pointer for each function, NULL until its library is open. */
#define DEFINE_POINTER(name) __typeof__(name) name;
/* name is the macro dl.h made of it: #name is the library's, &name the pointer. */
#define SYMBOL(name) { #name, (void **)&name },

struct symbol {
	const char *name;
	void **ptr;
};

#if HAVE_ZLIB
LKM_DL_ZLIB_SYMS(DEFINE_POINTER)
static const struct symbol zlib_syms[] = { LKM_DL_ZLIB_SYMS(SYMBOL) };
DLOPEN_NOTE(zlib, "gzip", "Decompression of .ko.gz modules", LKM_SONAME_ZLIB);
#endif
#if HAVE_XZ
LKM_DL_XZ_SYMS(DEFINE_POINTER)
static const struct symbol xz_syms[] = { LKM_DL_XZ_SYMS(SYMBOL) };
DLOPEN_NOTE(xz, "xz", "Decompression of .ko.xz modules", LKM_SONAME_XZ);
#endif
#if HAVE_ZSTD
LKM_DL_ZSTD_SYMS(DEFINE_POINTER)
static const struct symbol zstd_syms[] = { LKM_DL_ZSTD_SYMS(SYMBOL) };
DLOPEN_NOTE(zstd, "zstd", "Decompression of .ko.zst modules", LKM_SONAME_ZSTD);
#endif
#if HAVE_LIBCRYPTO
LKM_DL_LIBCRYPTO_SYMS(DEFINE_POINTER)
static const struct symbol crypto_syms[] = { LKM_DL_LIBCRYPTO_SYMS(SYMBOL) };
DLOPEN_NOTE(libcrypto, "signature", "Decoding of PKCS#7 module signatures",
	    LKM_SONAME_LIBCRYPTO);
#endif

#define LIB(syms, soname) { soname, syms, sizeof(syms) / sizeof(syms[0]) }

static const struct library {
	const char *soname;
	const struct symbol *syms;
	size_t n_syms;
} libraries[LKM_DL_COUNT] = {
#if HAVE_ZLIB
	[LKM_DL_ZLIB] = LIB(zlib_syms, LKM_SONAME_ZLIB),
#endif
#if HAVE_XZ
	[LKM_DL_XZ] = LIB(xz_syms, LKM_SONAME_XZ),
#endif
#if HAVE_ZSTD
	[LKM_DL_ZSTD] = LIB(zstd_syms, LKM_SONAME_ZSTD),
#endif
#if HAVE_LIBCRYPTO
	[LKM_DL_LIBCRYPTO] = LIB(crypto_syms, LKM_SONAME_LIBCRYPTO),
#endif
};

/*
 * What became of each library: 0 untried, 1 open, or the negative errno of the failed
 * attempt with its reason in why[]. Read without the lock once it is not 0: it is set
 * once, with release order, after every pointer and why[].
 */
static struct {
	int state;
	char why[200];
} status[LKM_DL_COUNT];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int try_open(const struct library *lib, char *why, size_t why_size)
{
	void *h;
	size_t i;

	h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();

		snprintf(why, why_size, "%s is not installed (dlopen: %s)", lib->soname,
			 e ? e : "unknown error");
		return -ELIBACC;
	}
	for (i = 0; i < lib->n_syms; i++) {
		void *p = dlsym(h, lib->syms[i].name);

		if (!p) {
			snprintf(why, why_size, "%s has no function %s", lib->soname,
				 lib->syms[i].name);
			/* never called: the pointers set so far stay unused */
			dlclose(h);
			return -ELIBBAD;
		}
		*lib->syms[i].ptr = p;
	}
	/* the handle is kept for the life of the process */
	return 1;
}

int lkm_dl_open(enum lkm_dl_lib id, const char *what, struct lkm_err *err)
{
	int state;

	if ((unsigned)id >= LKM_DL_COUNT || !libraries[id].soname)
		return lkm_err_set(err, -EOPNOTSUPP, "cannot %s: lkm was built without it",
				   what);
	state = __atomic_load_n(&status[id].state, __ATOMIC_ACQUIRE);
	if (state == 0) {
		pthread_mutex_lock(&lock);
		state = status[id].state;
		if (state == 0) {
			state = try_open(&libraries[id], status[id].why,
					 sizeof(status[id].why));
			__atomic_store_n(&status[id].state, state, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&lock);
	}
	if (state == 1)
		return 0;
	return lkm_err_set(err, state, "cannot %s: %s", what, status[id].why);
}
