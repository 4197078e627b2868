// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kmod static-nodes: the running kernel's modules.devname as text for people, for
 * systemd-tmpfiles or in its own format. systemd's kmod-static-nodes.service runs
 *
 *   kmod static-nodes --format=tmpfiles --output=/run/tmpfiles.d/static-nodes.conf
 *
 * at every boot, so the messages and exit codes are kmod's, word for word: no
 * modules.devname is a warning and success (and no output file), an invalid entry
 * is reported and the others still written, then the exit code is 1. Unlike kmod, a
 * failed read or write of the output is an error too: kmod would exit 0 with a
 * truncated file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools.h"

static const struct tool_option options[] = {
	{ "format", 'f', required_argument, "FORMAT", "choose format to use: see \"Formats\"" },
	{ "output", 'o', required_argument, "FILE", "write output to file" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL },
};

static void help(void)
{
	const char *name;
	int f;

	tool_print_help(stdout,
			"\tkmod static-nodes [options]\n\n"
			"kmod static-nodes outputs the static-node information of the currently "
			"running kernel.\n",
			options);
	printf("\nFormats:\n");
	for (f = 0; (name = lkm_static_nodes_format_name(f)); f++)
		printf("\t%-12s %s\n", name, lkm_static_nodes_format_description(f));
}

/* Write @text to @path (kmod: parents made 0755, the file truncated) or to stdout. */
static int write_output(const char *path, const struct lkm_buf *text)
{
	size_t done = 0;
	int fd = STDOUT_FILENO, r;

	if (path) {
		r = lkm_mkdir_parents(path, 0755);
		if (r < 0) {
			fprintf(stderr, "Error: could not create parent directory for %s - %s.\n",
				path, strerror(-r));
			return EXIT_FAILURE;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0) {
			fprintf(stderr, "Error: could not create %s - %m\n", path);
			return EXIT_FAILURE;
		}
	}
	while (done < text->len) {
		ssize_t n = write(fd, text->data + done, text->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	r = done < text->len ? -errno : 0;
	if (path && close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "Error: could not write %s - %s\n", path ? path : "the output",
			strerror(r == 0 ? EIO : -r));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int tool_static_nodes(int argc, char *argv[])
{
	enum lkm_static_nodes_format format = LKM_STATIC_NODES_HUMAN;
	const struct lkm_devname_line *lines;
	const char *output = NULL;
	struct lkm_buf text = { 0 };
	struct lkm_err err = { 0 };
	struct lkm_devname *dn = NULL;
	struct lkm_ctx *ctx = NULL;
	struct tool_parser p;
	char *path = NULL;
	int c, r, ret = EXIT_FAILURE;
	size_t i, n;

	tool_parser_init(&p, options);
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (lkm_static_nodes_format_from_name(optarg, &format) < 0) {
				fprintf(stderr, "Unknown format: '%s'.\n", optarg);
				help();
				return EXIT_FAILURE;
			}
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}
	/* Arguments after the options are ignored, as kmod does. */
	r = lkm_ctx_new(NULL, &ctx);
	if (r < 0) {
		fputs("Error: uname failed!\n", stderr);
		return EXIT_FAILURE;
	}
	if (asprintf(&path, "%s/modules.devname", lkm_ctx_get_dirname(ctx)) < 0) {
		path = NULL;
		fprintf(stderr, "Error: %s\n", strerror(ENOMEM));
		goto out;
	}
	r = lkm_devname_read(path, &dn, &err);
	if (r == -ENOENT) {
		fprintf(stderr, "Warning: %s not found - ignoring\n", path);
		ret = EXIT_SUCCESS;
		goto out;
	} else if (r < 0) {
		fprintf(stderr, "Error: could not open %s - %s\n", path, lkm_err_reason(&err, r));
		goto out;
	}
	ret = EXIT_SUCCESS;
	lines = lkm_devname_get_lines(dn, &n);
	for (i = 0; i < n; i++) {
		if (!lines[i].valid) {
			fprintf(stderr, "Error: invalid devname entry: %s", lines[i].text);
			ret = EXIT_FAILURE;
		} else if (lkm_static_node_format(&lines[i].node, format, &text) < 0) {
			fprintf(stderr, "Error: %s\n", strerror(ENOMEM));
			ret = EXIT_FAILURE;
			goto out;
		}
	}
	if (write_output(output, &text) != EXIT_SUCCESS)
		ret = EXIT_FAILURE;
out:
	lkm_buf_free(&text);
	lkm_devname_free(dn);
	free(path);
	lkm_ctx_unref(ctx);
	return ret;
}
