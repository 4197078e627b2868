/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fixture /sys and /proc for a test program linked against libkmod.so.2, which reads
 * the real ones (as kmod does). The program defines the three calls through which
 * libkmod.so.2 opens them (open64, stat64 and opendir: the ones it imports, see
 * `nm -D`); the dynamic linker binds the library's references to the program's own
 * definitions, the way kmod's testsuite interposes with LD_PRELOAD. While
 * sysroot_dir is set, a path below /sys/, and /proc/modules and /proc/cmdline, is
 * read below that directory instead; every other path is left alone.
 *
 * Include this first, before any system header: it turns off what would rename or
 * inline the calls (_FILE_OFFSET_BITS, _FORTIFY_SOURCE) in this file only.
 */
#ifndef LKM_TEST_LIBKMOD_SYSROOT_H
#define LKM_TEST_LIBKMOD_SYSROOT_H

#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The fixture root (ROOT/sys/module/..., ROOT/proc/modules), or NULL: the real ones. */
static const char *sysroot_dir;

/* @path as read: ROOT@path when it is one of the redirected ones, into @buf. */
static const char *sysroot_path(const char *path, char *buf, size_t size)
{
	if (!sysroot_dir || !path)
		return path;
	if (strncmp(path, "/sys/", 5) != 0 && strcmp(path, "/sys") != 0 &&
	    strcmp(path, "/proc/modules") != 0 && strcmp(path, "/proc/cmdline") != 0)
		return path;
	if ((size_t)snprintf(buf, size, "%s%s", sysroot_dir, path) >= size)
		return path;
	return buf;
}

int open64(const char *path, int flags, ...)
{
	char buf[4096];
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return openat(AT_FDCWD, sysroot_path(path, buf, sizeof(buf)), flags | O_LARGEFILE,
		      mode);
}

int stat64(const char *restrict path, struct stat64 *restrict st)
{
	char buf[4096];

	return fstatat64(AT_FDCWD, sysroot_path(path, buf, sizeof(buf)), st, 0);
}

DIR *opendir(const char *path)
{
	char buf[4096];
	DIR *d;
	int fd, e;

	fd = openat(AT_FDCWD, sysroot_path(path, buf, sizeof(buf)),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

#endif
