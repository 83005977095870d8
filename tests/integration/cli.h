/* cli.h - running the real ./gilscope from integration tests: spawn it with
 * its output in a file, read what it said, find the processes it started. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <jansson.h>
#include "integ.h"

static char tmp[64];

static inline int cli_setup(void **state)
{
	strcpy(tmp, "/tmp/gs-cli-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static inline int cli_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* Run gilscope with args (NULL-terminated) as uid (0: as we are),
 * stdout/stderr to tmp/out.txt. */
static inline pid_t cli_spawn_as(char *const args[], uid_t uid)
{
	char out[128];
	pid_t pid;

	snprintf(out, sizeof(out), "%s/out.txt", tmp);
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		if (uid && setuid(uid))
			_exit(98);
		execv(integ_gilscope(), args);
		_exit(99);
	}
	return pid;
}

static inline pid_t cli_spawn(char *const args[])
{
	return cli_spawn_as(args, 0);
}

static inline int cli_status(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline int cli_run(char *const args[])
{
	int st;

	waitpid(cli_spawn(args), &st, 0);
	return cli_status(st);
}

/* cli_run, but a gilscope still running after secs is killed: -1. */
static inline int cli_run_within(char *const args[], double secs)
{
	pid_t p = cli_spawn(args);
	int st;

	for (double t0 = integ_now(); integ_now() - t0 < secs; usleep(10000))
		if (waitpid(p, &st, WNOHANG) == p)
			return cli_status(st);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	return -1;
}

/* What gilscope said (stdout and stderr), in a static buffer. */
static inline const char *cli_output(void)
{
	static char buf[16384];
	char path[128];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/out.txt", tmp);
	buf[0] = 0;
	if ((f = fopen(path, "r"))) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static inline bool cli_says(const char *needle)
{
	const char *out = cli_output();

	if (!strstr(out, needle))
		printf("    output was: %s\n", out);
	return strstr(out, needle) != NULL;
}

/* The first live child of pid (0: none), from /proc. */
static inline pid_t cli_child_of(pid_t pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[64], buf[512], *p, state;
		int ppid = 0;
		FILE *f;

		if (atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", atoi(e->d_name));
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == pid && state != 'Z')
			found = atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* Is pid a live process (not gone, not a zombie)? */
static inline bool cli_alive(pid_t pid)
{
	char path[64], buf[512], *p, state = 'X';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return false;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 1, " %c", &state);
	fclose(f);
	return state != 'Z' && state != 'X';
}

/* Wait up to secs for pid to be gone; true if it is. */
static inline bool cli_gone_within(pid_t pid, double secs)
{
	for (double t0 = integ_now(); integ_now() - t0 < secs; usleep(20000))
		if (!cli_alive(pid))
			return true;
	return !cli_alive(pid);
}

/* Poll for a child of pid for up to secs. */
static inline pid_t cli_wait_child(pid_t pid, double secs)
{
	pid_t c = 0;

	for (double t0 = integ_now(); !c && integ_now() - t0 < secs; usleep(20000))
		c = cli_child_of(pid);
	return c;
}

static inline json_t *cli_load(const char *dir, const char *name)
{
	char path[256];
	json_error_t je;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	doc = json_load_file(path, 0, &je);
	if (!doc)
		fail_msg("%s: %s", path, je.text);
	return doc;
}

/* The interpreter the Python tests run: GILSCOPE_PYTHON, else Debian's. */
static inline const char *cli_python(void)
{
	const char *py = getenv("GILSCOPE_PYTHON") ? getenv("GILSCOPE_PYTHON") : "/usr/bin/python3";

	if (access(py, X_OK))
		fail_msg("%s not found: make deps installs Debian's python3", py);
	return py;
}

/* gilscope record [-q] -f json -o dir -- cmd...: it must succeed; its
 * results.json (terminal output in tmp/out.txt, see cli_output). */
static inline json_t *cli_record_json(const char *dir, bool quiet, char *const cmd[])
{
	char *args[40] = { "gilscope", "record", "-f", "json", "-o", (char *)dir };
	int n = 6;

	if (quiet)
		args[n++] = "-q";
	args[n++] = "--";
	for (int i = 0; cmd[i] && n < 39; i++)
		args[n++] = cmd[i];
	args[n] = NULL;
	assert_int_equal(cli_run(args), 0);
	return cli_load(dir, "results.json");
}

#endif
