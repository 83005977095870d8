/* record_args.c - parse the command line of `gilscope record`. */
#include "record_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "outputs.h"

const char record_usage[] =
"usage: gilscope record [OPTIONS] -- CMD [ARGS...]\n"
"       gilscope record [OPTIONS] -p PID [-d SECONDS]\n"
"\n"
"Trace a program (and every thread and process it starts) with the kernel's\n"
"scheduler, futex and io_uring tracepoints, then print a summary and write\n"
"DIR/results.json, DIR/summary.csv and DIR/report.html (DIR is made then).\n"
"\n"
"options:\n"
"  -o, --output DIR      where to write the results (default reports/out/<time>)\n"
"  -f, --format LIST     formats to write, from json,csv,html (default all three)\n"
"  -i, --interval MS     width of the CPU-utilisation time bins (default 100)\n"
"  -p, --pid PID         attach to a running process, its threads and descendants\n"
"  -d, --duration SECS   stop after SECS seconds (default: when it exits or on Ctrl-C);\n"
"                        with -- CMD the command is sent SIGTERM then\n"
"  -t, --timeline        also write DIR/trace.json (Chrome trace events, opens in Perfetto)\n"
"      --bpf-stats       measure the BPF programs' own run time per event\n"
"  -q, --quiet           no summary table\n"
"  -h, --help            this text\n"
"\n"
"Ctrl-C stops recording; the results of what was seen are still written. With\n"
"-- CMD, Ctrl-C is the command's; pressed again it sends SIGTERM, a third time\n"
"SIGKILL, to the command and everything it started. If gilscope itself is\n"
"killed, the command gets SIGKILL.\n"
"\n"
"exit status:\n"
"  with -- CMD     the command's (128+N when signal N ended it)\n"
"  126, 127        CMD cannot be run, or is not found (as a shell says)\n"
"  2               a bad command line\n"
"  1               gilscope failed, and said why: also when a results file\n"
"                  cannot be written (a full disk) - that wins over CMD's status\n";

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int record_parse_args(int argc, char **argv, struct record_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, 'i' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "timeline", no_argument, NULL, 't' },
		{ "bpf-stats", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long v;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->formats = FMT_DEFAULT;
	o->interval_ms = 100;
	optind = 1;
	opterr = 0;
	/* "+": stop at the first non-option, so the command's own flags stay its own */
	while ((c = getopt_long(argc, argv, "+:o:f:i:p:d:tqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!optarg[0]) {
				snprintf(err, errlen, "-o needs a directory");
				return ARGS_ERROR;
			}
			o->outdir = optarg;
			break;
		case 'f':
			if (outputs_formats_parse(optarg, &o->formats, err, errlen))
				return ARGS_ERROR;
			break;
		case 'i':
			if (parse_uint(optarg, 60000, &v) || v < 10) {
				snprintf(err, errlen, "-i takes milliseconds from 10 to 60000, not '%s'", optarg);
				return ARGS_ERROR;
			}
			o->interval_ms = (unsigned)v;
			break;
		case 'p':
			if (parse_uint(optarg, 4194304, &v) || v == 0) {
				snprintf(err, errlen, "-p takes a process id, not '%s'", optarg);
				return ARGS_ERROR;
			}
			o->pid = (pid_t)v;
			break;
		case 'd':
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->duration_s > 0) || o->duration_s > 1e6) {
				snprintf(err, errlen, "-d takes a positive number of seconds, not '%s'", optarg);
				return ARGS_ERROR;
			}
			break;
		case 't':
			o->timeline = true;
			break;
		case 'S':
			o->bpf_stats = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			return ARGS_HELP;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			return ARGS_ERROR;
		default:
			snprintf(err, errlen, "unknown option %s (see gilscope record --help)",
				 argv[optind - 1]);
			return ARGS_ERROR;
		}
	}
	o->cmd = argv + optind;
	o->cmdc = argc - optind;
	if (o->pid && o->cmdc) {
		snprintf(err, errlen, "give either -p PID or -- CMD, not both");
		return ARGS_ERROR;
	}
	if (!o->pid && !o->cmdc) {
		snprintf(err, errlen, "nothing to record: give -- CMD [ARGS...] or -p PID");
		return ARGS_ERROR;
	}
	return ARGS_OK;
}
