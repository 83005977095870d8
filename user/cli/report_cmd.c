/* report_cmd.c - `gilscope report`: regenerate reports from results.json alone. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "derive.h"
#include "fsout.h"
#include "outputs.h"
#include "results.h"

static const char usage[] =
"usage: gilscope report RESULTS.json [-o DIR] [-f html,csv]\n"
"\n"
"Regenerate report.html and summary.csv (or the formats given) from a\n"
"results.json alone, for example one copied from another host.\n"
"\n"
"  -o, --output DIR   where to write (default: the directory of RESULTS.json)\n"
"  -f, --format LIST  from json,csv,html (default html,csv)\n"
"  -h, --help         this text\n";

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned formats = FMT_HTML | FMT_CSV;
	const char *out = NULL;
	char err[512], *copy = NULL;
	json_t *doc;
	int c, rc = 1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (outputs_formats_parse(optarg, &formats, err, sizeof(err))) {
				fprintf(stderr, "gilscope report: %s\n", err);
				return 2;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "gilscope report: bad option %s (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gilscope report: give one RESULTS.json (see --help)\n");
		return 2;
	}
	doc = results_load(argv[optind], err, sizeof(err));
	if (!doc) {
		fprintf(stderr, "gilscope report: %s\n", err);
		return 1;
	}
	/* a document of an older gilscope: derive what it lacks (rates, verdicts) */
	results_derive_missing(doc);
	if (!out) {
		copy = strdup(argv[optind]);
		out = copy ? dirname(copy) : ".";
	}
	if (outputs_write_all(doc, out, formats, err, sizeof(err))) {
		fprintf(stderr, "gilscope report: %s\n", err);
	} else {
		if (formats & FMT_HTML)
			printf("report: %s/report.html\n", out);
		if (formats & FMT_CSV)
			printf("csv:    %s/summary.csv\n", out);
		rc = 0;
	}
	free(copy);
	json_decref(doc);
	return rc;
}
