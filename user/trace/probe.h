/* probe.h - what the running kernel offers, found in its BTF before load. */
#ifndef GS_PROBE_H
#define GS_PROBE_H

#include <stdbool.h>

/* The tracepoints gilscope attaches to, in the order of probe_tps[]. */
enum probe_tp {
	TP_SCHED_SWITCH,
	TP_SCHED_WAKEUP,
	TP_SCHED_WAKEUP_NEW,
	TP_SCHED_MIGRATE,
	TP_SCHED_FORK,
	TP_SCHED_EXIT,
	TP_SCHED_EXEC,
	TP_SYS_ENTER,
	TP_SYS_EXIT,
	TP_URING_SUBMIT,
	TP_URING_COMPLETE,
	TP_URING_PUNT,
	TP_URING_CQWAIT,
	TP_COUNT,
};

enum probe_state {
	PROBE_OK,        /* present, with a shape the programs understand */
	PROBE_OLD_SHAPE, /* sched_switch without prev_state (before 5.18) */
	PROBE_MISSING,   /* not in this kernel */
	PROBE_BAD_SHAPE, /* present, but with arguments gilscope cannot read */
};

struct probe_tp_info {
	const char *name;    /* tracepoint name */
	bool required;       /* gilscope cannot run without it */
	const char *feature; /* what is lost without it */
};

extern const struct probe_tp_info probe_tps[TP_COUNT];

struct probe_result {
	bool btf;                      /* /sys/kernel/btf/vmlinux loaded */
	enum probe_state tp[TP_COUNT];
};

/* Fills r from the kernel's BTF; returns -1 when there is no BTF at all. */
int probe_kernel(struct probe_result *r);
const char *probe_state_name(enum probe_state s);

#endif
