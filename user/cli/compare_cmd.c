/* compare_cmd.c - `gilscope compare A.json B.json [...]`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "derive.h"
#include "fsout.h"
#include "html.h"
#include "results.h"

static const char usage[] =
"usage: gilscope compare A.json B.json [...] [-o DIR]\n"
"\n"
"Put results of different runs, hosts or kernels side by side: the same\n"
"model x workload cells (or record runs of the same label) with their ratio\n"
"to the first file. A difference is marked when the medians lie outside each\n"
"other's min..max spread (run with --repeat to have a spread). Claims whose\n"
"verdict differs between the files are printed.\n"
"Writes DIR/compare.html and DIR/compare.csv.\n"
"\n"
"  -o, --output DIR   where to write (default reports/out/<time>)\n"
"  -h, --help         this text\n";

static int write_html(FILE *f, const void *cmp)
{
	return html_write_comparison(f, cmp);
}

static int write_csv(FILE *f, const void *cmp)
{
	return compare_write_csv(f, cmp);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL, *names[16];
	json_t *docs[16] = { 0 }, *cmp = NULL;
	char err[512];
	int c, n, rc = 1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "gilscope compare: bad option %s (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	n = argc - optind;
	if (n < 2 || n > 16) {
		fprintf(stderr, "gilscope compare: give 2 to 16 results.json files (see --help)\n");
		return 2;
	}
	/* every input is checked before anything is written */
	for (int i = 0; i < n; i++) {
		names[i] = argv[optind + i];
		docs[i] = results_load(names[i], err, sizeof(err));
		if (!docs[i]) {
			fprintf(stderr, "gilscope compare: %s\n", err);
			goto out;
		}
		results_derive_missing(docs[i]);
	}
	cmp = compare_docs(docs, names, (size_t)n);
	if (!out)
		out = out_default_dir();
	if (out_write_file(out, "compare.html", write_html, cmp, err, sizeof(err)) ||
	    out_write_file(out, "compare.csv", write_csv, cmp, err, sizeof(err))) {
		fprintf(stderr, "gilscope compare: %s\n", err);
		goto out;
	}
	compare_print_verdict_changes(stdout, cmp);
	printf("compare: %s/compare.html\n         %s/compare.csv\n", out, out);
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		json_decref(docs[i]);
	json_decref(cmp);
	return rc;
}
