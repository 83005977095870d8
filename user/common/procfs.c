/* procfs.c - see procfs.h. */
#include "procfs.h"

#include <stdio.h>
#include <string.h>

int proc_read_field(const char *path, const char *prefix, char *out, size_t outlen)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int rc = -1;

	out[0] = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, prefix, strlen(prefix))) {
			char *v = strchr(line, ':');

			if (v) {
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				v[strcspn(v, "\n")] = 0;
				snprintf(out, outlen, "%s", v);
				rc = 0;
			}
			break;
		}
	}
	fclose(f);
	return rc;
}

int proc_read_int(const char *path, int dflt)
{
	FILE *f = fopen(path, "re");
	int v = dflt;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

uint64_t proc_sum_kb(const char *path, const char *const *keys)
{
	char line[256];
	uint64_t total = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		for (const char *const *k = keys; *k; k++)
			if (!strncmp(line, *k, strlen(*k))) {
				unsigned long long v = 0;

				sscanf(line + strlen(*k), " %llu", &v);
				total += v;
			}
	fclose(f);
	return total * 1024;
}
