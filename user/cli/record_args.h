/* record_args.h - the command line of `gilscope record` (pure; unit-tested). */
#ifndef GS_RECORD_ARGS_H
#define GS_RECORD_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct record_opts {
	const char *outdir;   /* NULL: out_default_dir() */
	unsigned formats;     /* FMT_* mask */
	unsigned interval_ms; /* per-CPU utilisation bin width */
	pid_t pid;            /* -p: attach to a running process; 0: run cmd */
	double duration_s;    /* -d: stop after this long; 0: until the end */
	bool timeline;        /* --timeline: write trace.json */
	bool bpf_stats;       /* --bpf-stats: BPF run time per event */
	bool quiet;           /* -q: no summary table */
	char **cmd;           /* the command after --, NULL-terminated */
	int cmdc;
};

enum { ARGS_OK = 0, ARGS_HELP = 1, ARGS_ERROR = -1 };

/* Parses argv (argv[0] is "record"). On ARGS_ERROR, err holds one line. */
int record_parse_args(int argc, char **argv, struct record_opts *o, char *err, size_t errlen);
extern const char record_usage[];

#endif
