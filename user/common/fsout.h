/* fsout.h - writing report files safely as root.
 *
 * Output goes to a temporary file created with O_EXCL|O_NOFOLLOW inside the
 * output directory (opened with O_NOFOLLOW|O_DIRECTORY) and is renamed into
 * place only when complete, so a reader never sees half a report and a symlink
 * planted in the directory is never followed.
 */
#ifndef GS_FSOUT_H
#define GS_FSOUT_H

#include <stdio.h>
#include <stddef.h>

struct out_file {
	FILE *f;        /* write here */
	int dirfd;
	char tmp[64];
	char name[128];
};

/* mkdir -p dir (mode 0755), refusing symlinked components; opens nothing. */
int out_dir_prepare(const char *dir, char *err, size_t errlen);
/* Could dir be created and written? Any component it makes to find out is
 * removed again: out_open creates the directory when the first file is
 * written, so a gilscope that fails or is killed before leaves nothing. */
int out_dir_check(const char *dir, char *err, size_t errlen);
/* Default output directory: reports/out/<YYYYmmdd-HHMMSS> (static buffer). */
const char *out_default_dir(void);
int out_open(struct out_file *o, const char *dir, const char *name, char *err, size_t errlen);
/* Flush, fsync, rename into place. On failure the temporary file is removed. */
int out_commit(struct out_file *o, char *err, size_t errlen);
void out_abort(struct out_file *o);

/* Writes one file's content to f; non-zero on failure. */
typedef int (*out_writer_fn)(FILE *f, const void *arg);
/* The one entry point for every file gilscope writes: out_open, write(f, arg),
 * out_commit; on any failure nothing of that name is left behind and err
 * says why. */
int out_write_file(const char *dir, const char *name, out_writer_fn write, const void *arg,
		   char *err, size_t errlen);

#endif
