/* results.c - the results document's schema: a new document, its runs'
 * metrics, units, and loading and checking one (docs/results.md). It knows
 * nothing of the tracer: runs are built from trace data in run_build.c. */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "metric_registry.h"
#include "procfs.h"
#include "run_check.h"
#include "sysstr.h"

/* The unit of a metric: the registry's (kept for the schema's readers). */
const char *results_metric_unit(const char *name)
{
	return metric_unit(name);
}

static json_t *env_block(int argc, char **argv)
{
	struct utsname u;
	char cpu[256], host[256] = "", when[64], *cmd;
	size_t len = 1;
	time_t now = time(NULL);
	struct tm tm;
	json_t *env = json_object();

	uname(&u);
	proc_read_field("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = calloc(1, len);
	for (int i = 0; cmd && i < argc; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	json_object_set_new(env, "kernel", json_sysstr(u.release));
	json_object_set_new(env, "arch", json_sysstr(u.machine));
	json_object_set_new(env, "hostname", json_sysstr(host));
	json_object_set_new(env, "cpu_model", json_sysstr(cpu));
	json_object_set_new(env, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(env, "gilscope_version", json_string(GILSCOPE_VERSION));
	json_object_set_new(env, "start_time", json_string(when));
	json_object_set_new(env, "command", json_sysstr(cmd ? cmd : ""));
	json_object_set_new(env, "params", json_object());
	free(cmd);
	return env;
}

json_t *results_new(int argc, char **argv)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "schema", json_integer(GS_SCHEMA_VERSION));
	json_object_set_new(doc, "env", env_block(argc, argv));
	json_object_set_new(doc, "units", json_object());
	json_object_set_new(doc, "runs", json_array());
	return doc;
}

json_t *results_run_new(const char *label)
{
	json_t *run = json_object();

	json_object_set_new(run, "label", json_sysstr(label));
	json_object_set_new(run, "wall_s", json_real(0));
	json_object_set_new(run, "metrics", json_object());
	json_object_set_new(run, "threads", json_array());
	return run;
}

json_t *results_append_run(json_t *doc, json_t *run)
{
	json_array_append_new(json_object_get(doc, "runs"), run);
	return run;
}

json_t *results_add_run(json_t *doc, const char *label)
{
	return results_append_run(doc, results_run_new(label));
}

void results_set_metric(json_t *run, const char *name, double value)
{
	json_t *m = json_object_get(run, "metrics");

	if (!m) {
		m = json_object();
		json_object_set_new(run, "metrics", m);
	}
	/* whole numbers stay integers, so counts read back exactly */
	if (value == (double)(long long)value && value < 9e15 && value > -9e15)
		json_object_set_new(m, name, json_integer((json_int_t)value));
	else
		json_object_set_new(m, name, json_real(value));
}

double results_get_metric(const json_t *run, const char *name, double dflt)
{
	json_t *v = json_object_get(json_object_get(run, "metrics"), name);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

int results_check(const json_t *doc, char *err, size_t errlen)
{
	json_t *schema = json_object_get(doc, "schema"), *runs, *run;
	size_t i;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "not a gilscope results document (the top level is not an object)");
		return -1;
	}
	if (!json_is_integer(schema)) {
		snprintf(err, errlen, "not a gilscope results document (no schema version)");
		return -1;
	}
	if (json_integer_value(schema) != GS_SCHEMA_VERSION) {
		snprintf(err, errlen, "results schema %lld is not supported (this gilscope reads schema %d)",
			 (long long)json_integer_value(schema), GS_SCHEMA_VERSION);
		return -1;
	}
	runs = json_object_get(doc, "runs");
	if (!json_is_object(json_object_get(doc, "env")) || !json_is_array(runs)) {
		snprintf(err, errlen, "not a gilscope results document (env or runs missing)");
		return -1;
	}
	json_array_foreach(runs, i, run) {
		if (!json_is_object(run) || !json_is_string(json_object_get(run, "label")) ||
		    !json_is_object(json_object_get(run, "metrics")) ||
		    !json_is_number(json_object_get(run, "wall_s"))) {
			snprintf(err, errlen, "run %zu of the results document is malformed "
				 "(label, wall_s or metrics missing)", i);
			return -1;
		}
		if (results_check_run(run, i, err, errlen))
			return -1;
	}
	return 0;
}

/* Open path for reading if it is a regular file: a FIFO would block, a
 * device or directory is never a results document. */
static int results_open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s: not a regular file (a FIFO, device or "
			 "directory is not a results document)", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* jansson's message quotes the input near the error: keep it one printable
 * line (a hostile file could hold newlines or terminal escapes there). */
static void printable(char *dst, size_t n, const char *src)
{
	size_t o = 0;

	for (; *src && o + 5 < n; src++) {
		unsigned char c = (unsigned char)*src;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(dst + o, n - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

json_t *results_load(const char *path, char *err, size_t errlen)
{
	char why[4 * JSON_ERROR_TEXT_LENGTH + 8];
	json_error_t je;
	json_t *doc;
	int fd = results_open_regular(path, err, errlen);

	if (fd < 0)
		return NULL;
	doc = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (!doc) {
		printable(why, sizeof(why), je.text);
		snprintf(err, errlen, "%s is not valid JSON (line %d: %s)%s", path, je.line, why,
			 json_error_code(&je) == json_error_premature_end_of_input ? "; is it truncated?" : "");
		return NULL;
	}
	if (results_check(doc, err, errlen)) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "%s: %s", path, msg);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

void results_fill_units(json_t *doc)
{
	json_t *units = json_object_get(doc, "units"), *run, *v;
	const char *name;
	size_t i;

	if (!units) {
		units = json_object();
		json_object_set_new(doc, "units", units);
	}
	json_array_foreach(json_object_get(doc, "runs"), i, run)
		json_object_foreach(json_object_get(run, "metrics"), name, v)
			json_object_set_new(units, name, json_string(results_metric_unit(name)));
}
