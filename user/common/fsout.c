/* fsout.c - atomic report files that never follow a symlink (see fsout.h). */
#include "fsout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Walk dir one component at a time with openat(O_NOFOLLOW|O_DIRECTORY), creating
 * missing components when create is set. Returns an fd of the directory.
 */
static int open_dir_nofollow(const char *dir, bool create, char *err, size_t errlen)
{
	char *copy = strdup(dir), *save = NULL, *part;
	int fd = open(dir[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (!copy || fd < 0) {
		snprintf(err, errlen, "cannot open output directory %s: %s", dir, strerror(errno));
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		int next;

		if (create && mkdirat(fd, part, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create output directory %s: %s", dir,
				 strerror(errno));
			goto fail;
		}
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			snprintf(err, errlen, "cannot open output directory %s: %s%s", dir,
				 strerror(errno),
				 errno == ELOOP || errno == ENOTDIR ? " (a symlink or a file is in the way)" : "");
			goto fail;
		}
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
fail:
	free(copy);
	close(fd);
	return -1;
}

int out_dir_prepare(const char *dir, char *err, size_t errlen)
{
	int fd = open_dir_nofollow(dir, true, err, errlen);

	if (fd < 0)
		return -1;
	if (faccessat(fd, ".", W_OK, AT_EACCESS) < 0) {
		snprintf(err, errlen, "output directory %s is not writable: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int out_dir_check(const char *dir, char *err, size_t errlen)
{
	enum { MAX_DEPTH = 128 };
	int fds[MAX_DEPTH + 1], depth = 0, rc = -1;
	const char *names[MAX_DEPTH];
	bool made[MAX_DEPTH];
	char *copy = strdup(dir), *save = NULL, *part;

	fds[0] = open(dir[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!copy || fds[0] < 0) {
		snprintf(err, errlen, "cannot open output directory %s: %s", dir, strerror(errno));
		goto out;
	}
	for (part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		int next;

		if (depth == MAX_DEPTH) {
			snprintf(err, errlen, "output directory %s is too deep", dir);
			goto out;
		}
		made[depth] = mkdirat(fds[depth], part, 0755) == 0;
		if (!made[depth] && errno != EEXIST) {
			snprintf(err, errlen, "cannot create output directory %s: %s", dir,
				 strerror(errno));
			goto out;
		}
		names[depth] = part;
		next = openat(fds[depth], part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			snprintf(err, errlen, "cannot open output directory %s: %s%s", dir,
				 strerror(errno),
				 errno == ELOOP || errno == ENOTDIR ? " (a symlink or a file is in the way)" : "");
			if (made[depth])
				unlinkat(fds[depth], part, AT_REMOVEDIR);
			goto out;
		}
		fds[++depth] = next;
	}
	if (faccessat(fds[depth], ".", W_OK, AT_EACCESS) < 0) {
		snprintf(err, errlen, "output directory %s is not writable: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	/* leave the file system as it was: the directories made here go again */
	for (; depth > 0; depth--) {
		close(fds[depth]);
		if (made[depth - 1])
			unlinkat(fds[depth - 1], names[depth - 1], AT_REMOVEDIR);
	}
	if (fds[0] >= 0)
		close(fds[0]);
	free(copy);
	return rc;
}

const char *out_default_dir(void)
{
	static char buf[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "reports/out/%Y%m%d-%H%M%S", &tm);
	return buf;
}

int out_open(struct out_file *o, const char *dir, const char *name, char *err, size_t errlen)
{
	int fd;

	memset(o, 0, sizeof(*o));
	o->dirfd = -1;
	if (strlen(name) >= sizeof(o->name) || strchr(name, '/')) {
		snprintf(err, errlen, "bad output file name %s", name);
		return -1;
	}
	o->dirfd = open_dir_nofollow(dir, true, err, errlen);
	if (o->dirfd < 0)
		return -1;
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->tmp, sizeof(o->tmp), ".gilscope-%d-%lx.tmp", (int)getpid(),
		 (unsigned long)random());
	fd = openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write in %s: %s", dir, strerror(errno));
		close(o->dirfd);
		o->dirfd = -1;
		return -1;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		snprintf(err, errlen, "cannot write in %s: %s", dir, strerror(errno));
		close(fd);
		unlinkat(o->dirfd, o->tmp, 0);
		close(o->dirfd);
		o->dirfd = -1;
		return -1;
	}
	return 0;
}

void out_abort(struct out_file *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->dirfd >= 0) {
		unlinkat(o->dirfd, o->tmp, 0);
		close(o->dirfd);
	}
	o->dirfd = -1;
}

int out_commit(struct out_file *o, char *err, size_t errlen)
{
	int failed, e;

	/* flush first: after an earlier failed write it fails again and says why */
	errno = 0;
	failed = fflush(o->f) != 0;
	e = errno;
	if (!failed && (failed = ferror(o->f)))
		e = EIO;
	if (!failed && (failed = fsync(fileno(o->f)) != 0))
		e = errno;
	if (failed) {
		snprintf(err, errlen, "cannot write %s: %s", o->name, strerror(e ? e : EIO));
		out_abort(o);
		return -1;
	}
	if (fclose(o->f) != 0) {
		o->f = NULL;
		snprintf(err, errlen, "cannot write %s: %s", o->name, strerror(errno));
		out_abort(o);
		return -1;
	}
	o->f = NULL;
	/* rename replaces a symlink named `name` itself; it never writes through it */
	if (renameat(o->dirfd, o->tmp, o->dirfd, o->name) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", o->name, strerror(errno));
		out_abort(o);
		return -1;
	}
	close(o->dirfd);
	o->dirfd = -1;
	return 0;
}

int out_write_file(const char *dir, const char *name, out_writer_fn write, const void *arg,
		   char *err, size_t errlen)
{
	struct out_file o;

	if (out_open(&o, dir, name, err, errlen))
		return -1;
	errno = 0;
	if (write(o.f, arg)) {
		int e = errno ? errno : EIO;

		out_abort(&o);
		snprintf(err, errlen, "cannot write %s/%s: %s", dir, name, strerror(e));
		return -1;
	}
	return out_commit(&o, err, errlen);
}
