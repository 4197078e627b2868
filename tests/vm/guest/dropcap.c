// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dropcap CMD [ARG...]: run CMD as root but without CAP_SYS_MODULE, the way a container
 * or a systemd service with a reduced capability set does. The guest has only BusyBox,
 * which cannot drop a single capability, so run-vm.sh builds this statically.
 *
 * The capability goes from the bounding set first (so that exec cannot give it back),
 * then from the effective, permitted and inheritable sets.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int drop_sys_module(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned idx = CAP_TO_INDEX(CAP_SYS_MODULE), mask = CAP_TO_MASK(CAP_SYS_MODULE);

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE, 0, 0, 0) < 0)
		return -errno;
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[idx].effective &= ~mask;
	data[idx].permitted &= ~mask;
	data[idx].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

int main(int argc, char *argv[])
{
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: dropcap CMD [ARG...]\n");
		return 2;
	}
	r = drop_sys_module();
	if (r < 0) {
		fprintf(stderr, "dropcap: could not drop CAP_SYS_MODULE: %s\n", strerror(-r));
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "dropcap: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
