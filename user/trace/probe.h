/* probe.h - what the running kernel offers, found in its BTF before load. */
#ifndef GS_PROBE_H
#define GS_PROBE_H

#include <stdbool.h>
#include "gs_tracepoints.h"

struct btf;

/* The tracepoints gilscope attaches to, in the order of gs_tracepoints.h. */
enum probe_tp {
#define X(id, tp, prog, req, alt, shape, feature) TP_##id,
	GS_TRACEPOINTS(X)
#undef X
	TP_COUNT,
	TP_NONE = -1,
};

/* What the probe checks in a tracepoint's prototype. */
enum probe_shape {
	SHAPE_ANY,            /* present is enough */
	SHAPE_TASK,           /* first argument: struct task_struct * */
	SHAPE_SWITCH,         /* (preempt, prev, next, prev_state); 3 arguments: before 5.18 */
	SHAPE_URING_REQ,      /* request first (struct io_kiocb *), or second after the ring (5.15-6.1) */
	SHAPE_URING_COMPLETE, /* (ring, request, ...) */
};

enum probe_state {
	PROBE_OK,        /* present, with a shape the programs understand */
	PROBE_OLD_SHAPE, /* present with an older shape: the _v1 programs read it */
	PROBE_MISSING,   /* not in this kernel */
	PROBE_BAD_SHAPE, /* present, but with arguments gilscope cannot read */
};

struct probe_tp_info {
	const char *name;    /* tracepoint name */
	const char *prog;    /* base name of its programs (PROG_btf, PROG_raw, PROG_v1_*) */
	bool required;       /* gilscope cannot run without it */
	int alt;             /* TP_* measuring the same under another name, or TP_NONE */
	enum probe_shape shape;
	const char *feature; /* what is lost without it */
};

extern const struct probe_tp_info probe_tps[TP_COUNT];

struct probe_result {
	bool btf;                      /* /sys/kernel/btf/vmlinux loaded */
	enum probe_state tp[TP_COUNT];
};

/* Fills r from the kernel's BTF; returns -1 when there is no BTF at all. */
int probe_kernel(struct probe_result *r);
/* Fills r from the given BTF (the kernel's, or one built by a test). */
void probe_btf(const struct btf *btf, struct probe_result *r);
const char *probe_state_name(enum probe_state s);
/* The programs can read it (in its usual or its older shape). */
bool probe_usable(const struct probe_result *r, int tp);
/* Not usable, and nothing else measures what it does: worth a warning. */
bool probe_lacking(const struct probe_result *r, int tp);

#endif
