/* uring_reads - M reads of a file through io_uring, one at a time.
 *   uring_reads M FILE */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct io_uring ring;
	char buf[4096];
	int m = argc > 1 ? atoi(argv[1]) : 100, fd;

	if (argc < 3 || (fd = open(argv[2], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: uring_reads M FILE\n");
		return 2;
	}
	if (io_uring_queue_init(8, &ring, 0)) {
		fprintf(stderr, "uring_reads: io_uring unavailable\n");
		return 1;
	}
	for (int i = 0; i < m; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;

		io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &cqe) || cqe->res < 0) {
			fprintf(stderr, "uring_reads: read %d failed\n", i);
			return 1;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	return 0;
}
