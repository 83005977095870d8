/*
 * probe.c - look each tracepoint up in the kernel's BTF (typedef btf_trace_NAME,
 * a pointer to the prototype of its probe) and check the argument shapes the
 * programs rely on. Program variants are chosen from what is found here,
 * never from kernel version numbers.
 */
#include "probe.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

const struct probe_tp_info probe_tps[TP_COUNT] = {
	[TP_SCHED_SWITCH] = { "sched_switch", true, "on-CPU time, context switches" },
	[TP_SCHED_WAKEUP] = { "sched_wakeup", true, "run-queue latency" },
	[TP_SCHED_WAKEUP_NEW] = { "sched_wakeup_new", true, "run-queue latency of new tasks" },
	[TP_SCHED_MIGRATE] = { "sched_migrate_task", false, "migrations" },
	[TP_SCHED_FORK] = { "sched_process_fork", true, "following child threads and processes" },
	[TP_SCHED_EXIT] = { "sched_process_exit", false, "exit times" },
	[TP_SCHED_EXEC] = { "sched_process_exec", false, "command names after exec" },
	[TP_SYS_ENTER] = { "sys_enter", false, "futex waits and wakes" },
	[TP_SYS_EXIT] = { "sys_exit", false, "futex waits and wakes" },
	[TP_URING_SUBMIT] = { "io_uring_submit_req", false, "io_uring submissions and latency" },
	[TP_URING_COMPLETE] = { "io_uring_complete", false, "io_uring completions and latency" },
	[TP_URING_PUNT] = { "io_uring_queue_async_work", false, "io_uring io-wq punts" },
	[TP_URING_CQWAIT] = { "io_uring_cqring_wait", false, "io_uring completion waits" },
};

const char *probe_state_name(enum probe_state s)
{
	switch (s) {
	case PROBE_OK: return "ok";
	case PROBE_OLD_SHAPE: return "ok (pre-5.18 shape)";
	case PROBE_MISSING: return "missing";
	case PROBE_BAD_SHAPE: return "unsupported argument layout";
	}
	return "?";
}

/* The probe prototype of a tracepoint; its first parameter is the `void *data`
 * of the tracepoint machinery, the tracepoint's own arguments follow. */
static const struct btf_type *tp_proto(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type); /* ptr */
	if (!t || !btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* Is tracepoint argument `arg` (0-based) a pointer to `struct sname` (NULL: any pointer)? */
static bool arg_is_ptr(const struct btf *btf, const struct btf_type *proto, int arg,
		       const char *sname)
{
	const struct btf_param *p = btf_params(proto);
	const struct btf_type *t;

	if (arg + 1 >= btf_vlen(proto))
		return false;
	t = btf__type_by_id(btf, p[arg + 1].type);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_ptr(t))
		return false;
	if (!sname)
		return true;
	t = btf__type_by_id(btf, t->type);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_composite(t) && !strcmp(btf__name_by_offset(btf, t->name_off), sname);
}

int probe_kernel(struct probe_result *r)
{
	struct btf *btf = btf__load_vmlinux_btf();

	memset(r, 0, sizeof(*r));
	if (!btf) {
		for (int i = 0; i < TP_COUNT; i++)
			r->tp[i] = PROBE_MISSING;
		return -1;
	}
	r->btf = true;
	for (int i = 0; i < TP_COUNT; i++) {
		const struct btf_type *proto = tp_proto(btf, probe_tps[i].name);
		int nargs;

		if (!proto) {
			r->tp[i] = PROBE_MISSING;
			continue;
		}
		nargs = btf_vlen(proto) - 1;
		r->tp[i] = PROBE_OK;
		switch (i) {
		case TP_SCHED_SWITCH:
			if (nargs == 3)
				r->tp[i] = PROBE_OLD_SHAPE;
			else if (nargs != 4)
				r->tp[i] = PROBE_BAD_SHAPE;
			break;
		case TP_URING_SUBMIT:
		case TP_URING_PUNT:
			/* the programs key requests by the io_kiocb, their first argument */
			if (!arg_is_ptr(btf, proto, 0, "io_kiocb"))
				r->tp[i] = PROBE_BAD_SHAPE;
			break;
		case TP_URING_COMPLETE:
			/* (ctx, req, ...) from 5.19; before, there was no request pointer */
			if (!arg_is_ptr(btf, proto, 1, NULL))
				r->tp[i] = PROBE_BAD_SHAPE;
			break;
		default:
			break;
		}
	}
	btf__free(btf);
	return 0;
}
