/*
 * work.h - the units of work every model does: CPU units of deterministic
 * computation whose results are checked, and I/O units (a request/response
 * over loopback TCP to the peer, plus a file read).
 */
#ifndef GS_WORK_H
#define GS_WORK_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Ticks in one CPU unit: the GIL's drop request is polled every tick, about
 * every microsecond of a 1 ms unit, as often as CPython's eval breaker is
 * checked (every backward jump of a Python loop: well under a microsecond) */
#define WORK_TICKS_PER_UNIT 1024
#define WORK_SEEDS 16          /* unit i computes from seed i % WORK_SEEDS */
#define WORK_MSG_SIZE 64       /* bytes of a request and of a response */
#define WORK_FILE_READ 4096    /* bytes read from the data file per I/O unit */

/* Iterations of one tick, calibrated by work_calibrate(); shared by all models. */
extern uint32_t work_tick_iters;

/* Calibrate one unit to about unit_us of CPU on this machine and compute the
 * expected result of every seed. Call once, before any model runs. */
void work_calibrate(unsigned unit_us);
/* One tick of unit computation: advance state. */
uint64_t work_tick(uint64_t state);
uint64_t work_unit_start(uint64_t unit);
/* Is `result` the right answer for unit `unit`? */
bool work_unit_check(uint64_t unit, uint64_t result);

/* Data file read by I/O units: created once, nameless (see work.c); returns a
 * /proc/self/fd path that this process and its children open. */
const char *work_data_file(void);
/* Connect to the peer on 127.0.0.1:port; -1 on error. */
int work_connect(unsigned port);
/* The steps of an I/O unit, each a blocking call (a Python thread releases
 * the GIL around each and re-takes it after): send the request, receive the
 * peer's echo of it, read the file (only when the peer has a latency: a
 * zero-latency unit is the bare echo). 0 on success. */
int work_send(int sock, uint64_t unit);
int work_recv(int sock, uint64_t unit);
int work_read(int data_fd, uint64_t unit);
/* A GIL-releasing CPU unit (cpu-release): work_release_calls calls of
 * zlib's crc32 over the same WORK_RELEASE_BUF bytes, chained from the
 * unit's seed; each call is made with the GIL released, as CPython's
 * zlib.crc32 does for buffers over 5 KiB. The bundled Python script makes
 * the same calls on the same bytes (byte i is (7 i + i / 256) mod 256), so
 * both runtimes check the same results. */
#define WORK_RELEASE_BUF (64 * 1024)
extern uint32_t work_release_calls;
const unsigned char *work_release_buf(void);
uint32_t work_release_seed(uint64_t unit);
uint32_t work_release_step(uint32_t crc);
bool work_release_check(uint64_t unit, uint32_t crc);
/* The expected crc of each seed, for the Python script. */
uint32_t work_release_expected(unsigned seed);
/* The result of CPU unit `unit` (the shared workload sums them). */
uint64_t work_unit_expected(uint64_t unit);
/* shared: the ticks of a unit from which it runs under the shared lock */
#define WORK_SHARED_FROM_TICK (WORK_TICKS_PER_UNIT * 3 / 4)
/* io-block: the blocking call one task of the loop makes after each of its
 * requests (a 5 ms sleep, as time.sleep(0.005) inside a coroutine) */
#define WORK_BLOCK_US 5000

/* Interpreter CPU of one step of an I/O unit (building the request, checking
 * the answer: what CPython spends in bytecode around each socket call), in
 * ticks of work_tick(). */
#define WORK_IO_STEP_TICKS 3

#endif
