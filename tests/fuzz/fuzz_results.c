/* fuzz_results.c - libFuzzer target for the results.json reader: what
 * `gilscope report` and `gilscope compare` do with a document from elsewhere.
 * Each input goes through results_load (the public reader, which checks the
 * document); an accepted document then goes through the writers report and
 * compare use, into /dev/null. Beyond the sanitizers, two properties abort:
 *  - a rejected input gets one error line (not empty, no newline);
 *  - an accepted document, written back as JSON, is accepted again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <jansson.h>

#include "compare.h"
#include "csv.h"
#include "html.h"
#include "results.h"
#include "run_table.h"

static FILE *sink;

/* The input as a file results_load can open: a memfd, by its /proc path. */
static const char *as_file(int *fd, const void *data, size_t size)
{
	static char path[64];

	if (*fd < 0) {
		*fd = memfd_create("fuzz-results.json", 0);
		if (*fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(*fd, 0) || (size && pwrite(*fd, data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", *fd);
	return path;
}

static json_t *load(int *fd, const void *data, size_t size)
{
	char err[512] = "";
	json_t *doc = results_load(as_file(fd, data, size), err, sizeof(err));

	if (!doc && (!err[0] || strchr(err, '\n'))) {
		fprintf(stderr, "rejected without one error line: '%s'\n", err);
		abort();
	}
	return doc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in_fd = -1, again_fd = -1;
	json_t *doc, *again, *cmp;
	json_t *docs[2];
	const char *names[2] = { "a.json", "b.json" };
	char *text;

	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	doc = load(&in_fd, data, size);
	if (!doc)
		return 0;

	text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		abort();
	again = load(&again_fd, text, strlen(text));
	if (!again) {
		fprintf(stderr, "an accepted document, written back, is rejected\n");
		abort();
	}
	free(text);

	csv_write_results(sink, doc);
	html_write_report(sink, doc);
	run_table_print(sink, doc);
	docs[0] = doc;
	docs[1] = again;
	cmp = compare_docs(docs, names, 2);
	if (cmp) {
		compare_write_csv(sink, cmp);
		html_write_comparison(sink, cmp);
		json_decref(cmp);
	}
	json_decref(again);
	json_decref(doc);
	return 0;
}
