/* main.c - gilscope's entry point: dispatch to a subcommand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"

static const char usage[] =
"usage: gilscope COMMAND [OPTIONS]\n"
"\n"
"Kernel-traced profile of concurrency: context switches, lock and GIL waits,\n"
"run-queue latency, io_uring and core use, per thread, from eBPF tracepoints.\n"
"\n"
"commands:\n"
"  run       run the same work under each concurrency model (serial, threads with\n"
"            and without a GIL, processes, async, async + process pool), traced,\n"
"            and compare them\n"
"  record    trace any program: gilscope record -- CMD [ARGS...] | -p PID\n"
"  report    regenerate the HTML/CSV report from a results.json\n"
"  compare   put results.json files of different runs or hosts side by side\n"
"  doctor    check that this machine can run gilscope, and say how to fix it\n"
"\n"
"`gilscope COMMAND --help` explains each. Recording needs root.\n";

/* A summary that could not be printed (a full disk, a closed pipe) is a
 * failure like any other write: it says why and wins over rc. */
static int stdout_checked(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "gilscope: cannot write the standard output: %s\n",
		strerror(errno ? errno : EIO));
	return 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "record", cmd_record }, { "run", cmd_run }, { "report", cmd_report },
		{ "compare", cmd_compare }, { "doctor", cmd_doctor },
	};

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("gilscope %s\n", GILSCOPE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return stdout_checked(cmds[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "gilscope: unknown command '%s' (see gilscope --help)\n", argv[1]);
	return 2;
}
