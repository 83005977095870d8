/* doctor.c - `gilscope doctor`: can this machine run gilscope, and if not, why. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <liburing.h>

#include "commands.h"
#include "probe.h"
#include "procfs.h"
#include "tracer.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int problems;

static void check(bool ok, const char *what, const char *fix)
{
	printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
	if (!ok) {
		printf("         fix: %s\n", fix);
		problems++;
	}
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

int cmd_doctor(int argc, char **argv)
{
	struct probe_result pr;
	struct io_uring ring;
	char what[256], err[512];
	int e;

	if (argc > 1) {
		if (strcmp(argv[1], "-h") && strcmp(argv[1], "--help")) {
			fprintf(stderr, "gilscope doctor: takes no arguments\n");
			return 2;
		}
		printf("usage: gilscope doctor\n\nChecks privileges, kernel BTF, every tracepoint "
		       "gilscope uses, io_uring, and that the BPF programs load; says how to fix "
		       "what fails. Exit status 0 when all is well.\n");
		return 0;
	}
	printf("gilscope doctor\n");
	check(geteuid() == 0 || (has_cap(CAP_BPF) && has_cap(CAP_PERFMON)),
	      "privileges: root or CAP_BPF + CAP_PERFMON", "run gilscope with sudo");
	check(probe_kernel(&pr) == 0, "kernel BTF at /sys/kernel/btf/vmlinux",
	      "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's kernels are)");
	/* the list is bpf/gs_tracepoints.h; "usable" and "lacking" are probe.c's */
	for (int i = 0; i < TP_COUNT; i++) {
		bool ok = probe_usable(&pr, i);
		int alt = probe_tps[i].alt;

		if (!ok && !probe_lacking(&pr, i)) {
			printf("  [ ok ] tracepoint %-26s %s: %s is used instead\n", probe_tps[i].name,
			       probe_state_name(pr.tp[i]), probe_tps[alt].name);
			continue;
		}
		snprintf(what, sizeof(what), "tracepoint %-26s %s%s", probe_tps[i].name,
			 probe_state_name(pr.tp[i]), ok ? "" : (probe_tps[i].required ?
				" (required)" : " (optional)"));
		snprintf(err, sizeof(err), "%s: without it gilscope cannot measure %s; a kernel "
			 "with CONFIG_FTRACE and the tracepoint is needed", probe_tps[i].required ?
			 "required" : "optional", probe_tps[i].feature);
		if (ok || probe_tps[i].required)
			check(ok, what, err);
		else
			printf("  [warn] %s\n         %s\n", what, err);
	}
	e = io_uring_queue_init(2, &ring, 0);
	if (e == 0)
		io_uring_queue_exit(&ring);
	snprintf(what, sizeof(what), "io_uring enabled (kernel.io_uring_disabled=%d)%s%s",
		 proc_read_int("/proc/sys/kernel/io_uring_disabled", 0), e ? ": " : "",
		 e ? strerror(-e) : "");
	check(e == 0, what, "sysctl -w kernel.io_uring_disabled=0 (the async models need io_uring)");

	if (!problems) {
		struct tracer_opts o = { 0 };
		struct tracer *t = tracer_open(&o, err, sizeof(err));

		check(t != NULL, "BPF programs load and attach", err);
		tracer_close(t);
	}
	printf(problems ? "\n%d problem(s) found.\n" : "\nall checks passed.\n", problems);
	return problems ? 1 : 0;
}
