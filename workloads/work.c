/* work.c - CPU and I/O units of work (see work.h). */
#include "work.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

uint32_t work_tick_iters = 40;
uint32_t work_release_calls = 16;
static uint64_t expected[WORK_SEEDS];
static uint32_t release_expected[WORK_SEEDS];
static unsigned char release_buf[WORK_RELEASE_BUF];

/* A mixing step no compiler folds into a closed form. */
uint64_t work_tick(uint64_t s)
{
	for (uint32_t i = 0; i < work_tick_iters; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		s += 0x9E3779B97F4A7C15ull;
	}
	return s;
}

uint64_t work_unit_start(uint64_t unit)
{
	return 0x5DEECE66Dull * (unit % WORK_SEEDS + 1);
}

static uint64_t unit_result(uint64_t unit)
{
	uint64_t s = work_unit_start(unit);

	for (int t = 0; t < WORK_TICKS_PER_UNIT; t++)
		s = work_tick(s);
	return s;
}

bool work_unit_check(uint64_t unit, uint64_t result)
{
	return expected[unit % WORK_SEEDS] == result;
}

uint64_t work_unit_expected(uint64_t unit)
{
	return expected[unit % WORK_SEEDS];
}

const unsigned char *work_release_buf(void)
{
	return release_buf;
}

uint32_t work_release_seed(uint64_t unit)
{
	return (uint32_t)(unit % WORK_SEEDS + 1) * 0x9E3779B1u;
}

uint32_t work_release_step(uint32_t c)
{
	return (uint32_t)crc32(c, release_buf, WORK_RELEASE_BUF);
}

static uint32_t release_result(uint64_t unit)
{
	uint32_t c = work_release_seed(unit);

	for (uint32_t i = 0; i < work_release_calls; i++)
		c = work_release_step(c);
	return c;
}

bool work_release_check(uint64_t unit, uint32_t crc)
{
	return release_expected[unit % WORK_SEEDS] == crc;
}

uint32_t work_release_expected(unsigned seed)
{
	return release_expected[seed % WORK_SEEDS];
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void work_calibrate(unsigned unit_us)
{
	double t0, t;
	uint64_t n = 0;
	volatile uint64_t sink = 0; /* keeps the timed work from being optimised away */

	/* time a few units at the default size, then scale the tick */
	work_tick_iters = 40;
	t0 = cpu_seconds();
	do {
		sink += unit_result(n++);
		t = cpu_seconds() - t0;
	} while (t < 0.02);
	work_tick_iters = (uint32_t)(40.0 * ((double)unit_us / 1e6) / (t / (double)n));
	if (work_tick_iters < 1)
		work_tick_iters = 1;
	for (uint64_t i = 0; i < WORK_SEEDS; i++)
		expected[i] = unit_result(i);

	/* the GIL-releasing unit: as many crc32 calls as make unit_us */
	for (size_t i = 0; i < sizeof(release_buf); i++)
		release_buf[i] = (unsigned char)(i * 7 + i / 256);
	n = 0;
	t0 = cpu_seconds();
	do {
		sink += work_release_step((uint32_t)n++);
		t = cpu_seconds() - t0;
	} while (t < 0.01);
	work_release_calls = (uint32_t)((double)unit_us / 1e6 / (t / (double)n) + 0.5);
	if (work_release_calls < 1)
		work_release_calls = 1;
	for (uint64_t i = 0; i < WORK_SEEDS; i++)
		release_expected[i] = release_result(i);
}

/*
 * The data file has no name, so nothing is left in /tmp whatever ends this
 * process (SIGKILL included): an O_TMPFILE (or a file unlinked as soon as it
 * is made) whose fd stays open, without close-on-exec, and which every
 * process forked or exec'd from here reopens by its /proc/self/fd path.
 */
const char *work_data_file(void)
{
	static char path[64];
	char buf[WORK_FILE_READ], name[] = "/tmp/gilscope-data-XXXXXX";
	int fd;

	if (path[0])
		return path;
	fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	if (fd < 0 && (fd = mkstemp(name)) >= 0)
		unlink(name);
	if (fd < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	for (int i = 0; i < 16; i++) {
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			close(fd);
			return NULL;
		}
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return path;
}

int work_connect(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static int full(ssize_t (*op)(int, void *, size_t), int fd, char *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = op(fd, buf + done, n - done);

		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static ssize_t write_op(int fd, void *b, size_t n)
{
	return write(fd, b, n);
}

int work_send(int sock, uint64_t unit)
{
	char msg[WORK_MSG_SIZE];

	memset(msg, 0, sizeof(msg));
	memcpy(msg, &unit, sizeof(unit));
	return full(write_op, sock, msg, sizeof(msg));
}

int work_recv(int sock, uint64_t unit)
{
	char msg[WORK_MSG_SIZE];

	if (full(read, sock, msg, sizeof(msg)))
		return -1;
	/* the peer echoes the unit number back */
	return memcmp(msg, &unit, sizeof(unit)) ? -1 : 0;
}

int work_read(int data_fd, uint64_t unit)
{
	char data[WORK_FILE_READ];

	return pread(data_fd, data, sizeof(data), (off_t)((unit % 16) * WORK_FILE_READ)) ==
	       (ssize_t)sizeof(data) ? 0 : -1;
}
