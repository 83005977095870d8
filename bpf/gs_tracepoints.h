/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * gs_tracepoints.h - the one list of tracepoints gilscope attaches to.
 *
 * X(ID, TRACEPOINT, PROG, REQUIRED, ALT, SHAPE, FEATURE)
 *   ID          enum probe_tp name (TP_ID)
 *   TRACEPOINT  the kernel's tracepoint name: the only place it is spelled
 *   PROG        base name of its programs in bpf/gilscope.bpf.c: PROG_btf
 *               (tp_btf) and PROG_raw (raw_tp) for the usual shape, and
 *               PROG_v1_btf / PROG_v1_raw for the older shape where there is
 *               one. Their sections carry no tracepoint name: the tracer sets
 *               the target from this table.
 *   REQUIRED    gilscope refuses to run without it
 *   ALT         the ID of a tracepoint measuring the same thing under another
 *               name (this one is only needed where that one is missing), or NONE
 *   SHAPE       what the probe checks in the prototype (enum probe_shape)
 *   FEATURE     what is not measured without it (doctor, errors)
 */
#ifndef GS_TRACEPOINTS_H
#define GS_TRACEPOINTS_H

#define GS_TRACEPOINTS(X)                                                              \
	X(SCHED_SWITCH, sched_switch, on_switch, 1, NONE, SHAPE_SWITCH,                \
	  "on-CPU time, context switches, where each thread's time goes")              \
	X(SCHED_WAKEUP, sched_wakeup, on_wakeup, 1, NONE, SHAPE_TASK,                  \
	  "run-queue latency")                                                         \
	X(SCHED_WAKING, sched_waking, on_waking, 0, NONE, SHAPE_TASK,                  \
	  "futex wakes")                                                               \
	X(SCHED_MIGRATE, sched_migrate_task, on_migrate, 0, NONE, SHAPE_TASK,          \
	  "migrations")                                                                \
	X(TASK_NEWTASK, task_newtask, on_newtask, 1, NONE, SHAPE_TASK,                 \
	  "following new threads and processes")                                       \
	X(SCHED_EXIT, sched_process_exit, on_exit, 0, NONE, SHAPE_TASK,                \
	  "exit times")                                                                \
	X(SCHED_EXEC, sched_process_exec, on_exec, 0, NONE, SHAPE_TASK,                \
	  "command names after exec")                                                  \
	X(URING_SUBMIT, io_uring_submit_req, uring_submit, 0, URING_SUBMIT_SQE,        \
	  SHAPE_URING_REQ, "io_uring submissions and latency")                         \
	X(URING_SUBMIT_SQE, io_uring_submit_sqe, uring_submit_sqe, 0, URING_SUBMIT,    \
	  SHAPE_URING_REQ, "io_uring submissions and latency (kernels before 6.4)")    \
	X(URING_COMPLETE, io_uring_complete, uring_complete, 0, NONE,                  \
	  SHAPE_URING_COMPLETE, "io_uring completions and latency")                    \
	X(URING_PUNT, io_uring_queue_async_work, uring_punt, 0, NONE, SHAPE_URING_REQ, \
	  "io_uring io-wq punts")                                                      \
	X(URING_CQWAIT, io_uring_cqring_wait, uring_cqwait, 0, NONE, SHAPE_ANY,        \
	  "io_uring completion waits")

#endif
