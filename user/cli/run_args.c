/* run_args.c - parse the command line of `gilscope run`. */
#include "run_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "record_args.h"
#include "outputs.h"

const char run_usage[] =
"usage: gilscope run [OPTIONS]\n"
"\n"
"Run the same work under each concurrency model, traced, and compare them:\n"
"serial, threads-gil (threads under a simulated CPython GIL), threads-nogil\n"
"(free-threaded), processes (fork, results serialised through pipes), async\n"
"(one thread, an io_uring event loop of many tasks) and async-pool (the loop\n"
"hands CPU work to a process pool); for cpu, io (loopback requests to a peer\n"
"with a set latency, plus file reads) and mixed work (CPU and I/O threads side\n"
"by side). Writes DIR/results.json, summary.csv and report.html.\n"
"\n"
"options:\n"
"  -m, --models LIST      models to run (default all); serial is the speed-up baseline\n"
"  -w, --workloads LIST   from cpu,io,mixed,mixed-echo,cpu-release,shared,io-block\n"
"                         (default all but mixed-echo, which is mixed with the peer an\n"
"                         echo thread of the same process); cpu-release: CPU work in a\n"
"                         C call that releases the GIL (zlib crc32); shared: CPU work\n"
"                         ending under a lock the threads share (both: half the\n"
"                         --cpu-units); io-block: async io where one task makes a\n"
"                         blocking call (async model only)\n"
"  -n, --workers N        CPU parallelism (default: online CPUs, at least 2)\n"
"      --tasks N          I/O concurrency: threads, processes or async tasks (default 16;\n"
"                         up to 256 threads or processes, 100000 async tasks)\n"
"      --interval-us LIST GIL switch interval, or a comma list of them to sweep\n"
"                         (default 5000, as sys.setswitchinterval)\n"
"      --gil new|old      the simulated GIL: CPython 3.2+'s (default) or <= 3.1's\n"
"                         tick-based lock (released and re-taken every 100 bytecodes)\n"
"      --python [PATH]    also run every cell on a real interpreter (default: python3\n"
"                         in PATH) with bundled scripts; rows carry their runtime\n"
"                         (sim or cpython-X.Y.Z), plus a calibration table of the\n"
"                         simulation against it\n"
"      --no-calibration   with --python: skip the calibration cells\n"
"      --workers-sweep    also run the cpu workload at 1, 2, ... 2x online CPUs workers\n"
"                         (serial, threads-gil, threads-nogil, processes), on each\n"
"                         runtime: the scaling claim C16\n"
"  -r, --repeat N         run each cell N times; figures carry median and spread (default 3)\n"
"      --cpu-units N      CPU units of the cpu and mixed workloads (default 800)\n"
"      --io-units N       I/O units of the io workload (default 400; mixed: a quarter)\n"
"      --unit-us N        CPU time of one unit (default 1000)\n"
"      --latency-us N     the I/O peer's service latency (default 1000); 0: a bare\n"
"                         echo, no file read\n"
"  -o, --output DIR       where to write (default reports/out/<time>)\n"
"  -f, --format LIST      from json,csv,html (default all)\n"
"  -t, --timeline         also write DIR/trace-MODEL-WORKLOAD.json (Chrome trace events,\n"
"                         opens in Perfetto) of the first repeat of each cell\n"
"  -q, --quiet            no progress, no table\n"
"  -h, --help             this text\n";

static int number(const char *opt, const char *s, unsigned long lo, unsigned long hi,
		  unsigned long *out, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		snprintf(err, errlen, "%s takes a whole number from %lu to %lu, not '%s'", opt, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* "a,b,c" of names into flags; parse() maps a name to its index. */
static int name_list(const char *opt, const char *s, bool *flags, int n,
		     int (*parse)(const char *, int *), char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok;
	int any = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	memset(flags, 0, (size_t)n * sizeof(*flags));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;

		if (parse(tok, &i)) {
			snprintf(err, errlen, "%s: unknown name '%s'", opt, tok);
			return -1;
		}
		flags[i] = true;
		any = 1;
	}
	if (!any) {
		snprintf(err, errlen, "%s needs at least one name", opt);
		return -1;
	}
	return 0;
}

/* "5000" or "20000,5000,1000,100": the sweep, in the order given */
static int interval_list(const char *s, struct run_opts *o, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", s);
	o->nintervals = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nintervals == RUN_MAX_INTERVALS) {
			snprintf(err, errlen, "--interval-us takes at most %d intervals", RUN_MAX_INTERVALS);
			return -1;
		}
		if (number("--interval-us", tok, 100, 1000000, &v, err, errlen))
			return -1;
		for (unsigned i = 0; i < o->nintervals; i++)
			if (o->intervals[i] == v) {
				snprintf(err, errlen, "--interval-us lists %lu twice", v);
				return -1;
			}
		o->intervals[o->nintervals++] = (unsigned)v;
	}
	if (!o->nintervals) {
		snprintf(err, errlen, "--interval-us needs at least one interval");
		return -1;
	}
	o->interval_us = o->intervals[0];
	return 0;
}

static int parse_model(const char *s, int *i)
{
	enum wl_model m;
	int e = wl_model_parse(s, &m);

	*i = (int)m;
	return e;
}

static int parse_kind(const char *s, int *i)
{
	enum wl_kind k;
	int e = wl_kind_parse(s, &k);

	*i = (int)k;
	return e;
}

/* A thread or a process per task of the io workload: many tasks only for async */
static int check_tasks(const struct run_opts *o, char *err, size_t errlen)
{
	static const enum wl_model per_task[] = { WL_THREADS_GIL, WL_THREADS_NOGIL, WL_PROCESSES };

	if (o->tasks <= RUN_MAX_WORKER_TASKS || !o->kinds[WL_IO])
		return ARGS_OK;
	for (size_t i = 0; i < sizeof(per_task) / sizeof(per_task[0]); i++) {
		if (!o->models[per_task[i]])
			continue;
		snprintf(err, errlen, "--tasks %u: %s runs a %s per task of the io workload, at most "
			 "%d; run the async models alone (-m async,async-pool) for more",
			 o->tasks, wl_model_name(per_task[i]),
			 per_task[i] == WL_PROCESSES ? "process" : "thread", RUN_MAX_WORKER_TASKS);
		return ARGS_ERROR;
	}
	return ARGS_OK;
}

int run_parse_args(int argc, char **argv, struct run_opts *o, char *err, size_t errlen)
{
	enum { O_TASKS = 256, O_INTERVAL, O_CPU_UNITS, O_IO_UNITS, O_UNIT_US, O_LATENCY, O_GIL,
	       O_PYTHON, O_NO_CALIB, O_SWEEP };
	static const struct option longopts[] = {
		{ "models", required_argument, NULL, 'm' },
		{ "workloads", required_argument, NULL, 'w' },
		{ "workers", required_argument, NULL, 'n' },
		{ "tasks", required_argument, NULL, O_TASKS },
		{ "interval-us", required_argument, NULL, O_INTERVAL },
		{ "repeat", required_argument, NULL, 'r' },
		{ "cpu-units", required_argument, NULL, O_CPU_UNITS },
		{ "io-units", required_argument, NULL, O_IO_UNITS },
		{ "unit-us", required_argument, NULL, O_UNIT_US },
		{ "latency-us", required_argument, NULL, O_LATENCY },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "timeline", no_argument, NULL, 't' },
		{ "gil", required_argument, NULL, O_GIL },
		{ "python", optional_argument, NULL, O_PYTHON },
		{ "no-calibration", no_argument, NULL, O_NO_CALIB },
		{ "workers-sweep", no_argument, NULL, O_SWEEP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long v;
	int c;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < WL_NMODELS; i++)
		o->models[i] = true;
	for (int i = 0; i < WL_NKINDS; i++)
		o->kinds[i] = i != WL_MIXED_ECHO; /* the in-process peer: asked for, or calibration */
	o->tasks = 16;
	o->interval_us = o->intervals[0] = 5000;
	o->nintervals = 1;
	o->calibration = true;
	o->repeat = 3; /* medians of three: one run of a 30 ms cell is noisy */
	o->cpu_units = 800;
	o->io_units = 400;
	o->unit_us = 1000;
	o->latency_us = 1000;
	o->formats = FMT_DEFAULT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:w:n:r:o:f:tqh", longopts, NULL)) != -1) {
		int e = 0;

		switch (c) {
		case 'm':
			e = name_list("--models", optarg, o->models, WL_NMODELS, parse_model, err, errlen);
			break;
		case 'w':
			e = name_list("--workloads", optarg, o->kinds, WL_NKINDS, parse_kind, err, errlen);
			break;
		case 'n':
			e = number("--workers", optarg, 1, 256, &v, err, errlen);
			o->workers = (unsigned)v;
			break;
		case O_TASKS:
			e = number("--tasks", optarg, 1, RUN_MAX_TASKS, &v, err, errlen);
			o->tasks = (unsigned)v;
			break;
		case O_INTERVAL:
			e = interval_list(optarg, o, err, errlen);
			break;
		case O_GIL:
			if (gil_mode_parse(optarg, &o->gil_mode)) {
				snprintf(err, errlen, "--gil takes new or old, not '%s'", optarg);
				e = -1;
			}
			break;
		case O_PYTHON:
			/* --python PATH as well as --python=PATH: run takes no operands */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			if (optarg && !*optarg) {
				snprintf(err, errlen, "--python needs a path to an interpreter, not ''");
				e = -1;
			}
			o->python = optarg ? optarg : "python3";
			break;
		case O_NO_CALIB:
			o->calibration = false;
			break;
		case O_SWEEP:
			o->workers_sweep = true;
			break;
		case 'r':
			e = number("--repeat", optarg, 1, 100, &v, err, errlen);
			o->repeat = (unsigned)v;
			break;
		case O_CPU_UNITS:
			e = number("--cpu-units", optarg, 1, 10000000, &v, err, errlen);
			o->cpu_units = v;
			break;
		case O_IO_UNITS:
			e = number("--io-units", optarg, 4, 10000000, &v, err, errlen);
			o->io_units = v;
			break;
		case O_UNIT_US:
			e = number("--unit-us", optarg, 10, 1000000, &v, err, errlen);
			o->unit_us = (unsigned)v;
			break;
		case O_LATENCY:
			e = number("--latency-us", optarg, 0, 1000000, &v, err, errlen);
			o->latency_us = (unsigned)v;
			break;
		case 'o':
			o->outdir = optarg;
			break;
		case 'f':
			e = outputs_formats_parse(optarg, &o->formats, err, errlen);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 't':
			o->timeline = true;
			break;
		case 'h':
			return ARGS_HELP;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			return ARGS_ERROR;
		default:
			snprintf(err, errlen, "unknown option %s (see gilscope run --help)", argv[optind - 1]);
			return ARGS_ERROR;
		}
		if (e)
			return ARGS_ERROR;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see gilscope run --help)", argv[optind]);
		return ARGS_ERROR;
	}
	o->mixed_io_units = o->io_units / 4 ? o->io_units / 4 : 1;
	return check_tasks(o, err, errlen);
}
