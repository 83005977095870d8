/* test_probe - choosing program variants from BTF: tracepoint prototypes as
 * Debian 12's 6.1, 6.2-6.3, 6.4+ and older kernels declare them, built here
 * with libbpf's BTF writer; and every tracepoint of the table has its
 * programs in the BPF object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "tracer.h"
#include "gilscope.skel.h"
#include "probe.h"

struct types {
	int vptr, u8, u32, u64, bool_, int_, task, kiocb, ctx, cqe, work;
};

static struct btf *new_btf(struct types *ty)
{
	struct btf *b = btf__new_empty();
	int s;

	assert_non_null(b);
	ty->vptr = btf__add_ptr(b, 0);
	ty->u8 = btf__add_int(b, "u8", 1, 0);
	ty->u32 = btf__add_int(b, "u32", 4, 0);
	ty->u64 = btf__add_int(b, "u64", 8, 0);
	ty->bool_ = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	ty->int_ = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	s = btf__add_struct(b, "task_struct", 8);
	ty->task = btf__add_ptr(b, s);
	s = btf__add_struct(b, "io_kiocb", 8);
	ty->kiocb = btf__add_ptr(b, s);
	s = btf__add_struct(b, "io_ring_ctx", 8);
	ty->ctx = btf__add_ptr(b, s);
	s = btf__add_struct(b, "io_uring_cqe", 8);
	ty->cqe = btf__add_ptr(b, s);
	s = btf__add_struct(b, "io_wq_work", 8);
	ty->work = btf__add_ptr(b, s);
	return b;
}

/* typedef void (*btf_trace_NAME)(void *, args...) */
static void add_tp(struct btf *b, const struct types *ty, const char *name, int nargs, ...)
{
	char tname[128];
	va_list ap;
	int proto = btf__add_func_proto(b, 0);

	assert_true(proto > 0);
	assert_int_equal(btf__add_func_param(b, NULL, ty->vptr), 0);
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		assert_int_equal(btf__add_func_param(b, NULL, va_arg(ap, int)), 0);
	va_end(ap);
	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	assert_true(btf__add_typedef(b, tname, btf__add_ptr(b, proto)) > 0);
}

static void add_sched(struct btf *b, const struct types *ty, bool old_switch)
{
	if (old_switch)
		add_tp(b, ty, "sched_switch", 3, ty->bool_, ty->task, ty->task);
	else
		add_tp(b, ty, "sched_switch", 4, ty->bool_, ty->task, ty->task, ty->u32);
	add_tp(b, ty, "sched_wakeup", 1, ty->task);
	add_tp(b, ty, "sched_waking", 1, ty->task);
	add_tp(b, ty, "sched_migrate_task", 2, ty->task, ty->int_);
	add_tp(b, ty, "task_newtask", 2, ty->task, ty->u64);
	add_tp(b, ty, "sched_process_exit", 1, ty->task);
	add_tp(b, ty, "sched_process_exec", 3, ty->task, ty->int_, ty->vptr);
}

/* 6.18, this machine: submit_req(req), complete(ctx, req, cqe), queue_async_work(req, rw) */
static void test_recent_kernel(void **state)
{
	struct types ty;
	struct btf *b = new_btf(&ty);
	struct probe_result r;

	add_sched(b, &ty, false);
	add_tp(b, &ty, "io_uring_submit_req", 1, ty.kiocb);
	add_tp(b, &ty, "io_uring_complete", 3, ty.ctx, ty.vptr, ty.cqe);
	add_tp(b, &ty, "io_uring_queue_async_work", 2, ty.kiocb, ty.int_);
	add_tp(b, &ty, "io_uring_cqring_wait", 2, ty.vptr, ty.int_);
	probe_btf(b, &r);
	for (int i = 0; i < TP_COUNT; i++)
		if (i != TP_URING_SUBMIT_SQE)
			assert_int_equal(r.tp[i], PROBE_OK);
	assert_int_equal(r.tp[TP_URING_SUBMIT_SQE], PROBE_MISSING);
	assert_false(probe_lacking(&r, TP_URING_SUBMIT_SQE)); /* submit_req does its job */
	btf__free(b);
}

/* 5.19-6.1 (Debian 12): submit_sqe(ctx, req, user_data, opcode, flags, nonblock,
 * sq_thread), complete(ctx, req, user_data, res, cflags, extra1, extra2),
 * queue_async_work(ctx, req, user_data, opcode, flags, work, rw) */
static void test_debian12_kernel(void **state)
{
	struct types ty;
	struct btf *b = new_btf(&ty);
	struct probe_result r;

	add_sched(b, &ty, false);
	add_tp(b, &ty, "io_uring_submit_sqe", 7, ty.vptr, ty.vptr, ty.u64, ty.u8, ty.u32, ty.bool_,
	       ty.bool_);
	add_tp(b, &ty, "io_uring_complete", 7, ty.vptr, ty.vptr, ty.u64, ty.int_, ty.u32, ty.u64,
	       ty.u64);
	add_tp(b, &ty, "io_uring_queue_async_work", 7, ty.vptr, ty.vptr, ty.u64, ty.u8, ty.u32,
	       ty.work, ty.int_);
	add_tp(b, &ty, "io_uring_cqring_wait", 2, ty.vptr, ty.int_);
	probe_btf(b, &r);
	assert_int_equal(r.tp[TP_URING_SUBMIT], PROBE_MISSING);
	assert_int_equal(r.tp[TP_URING_SUBMIT_SQE], PROBE_OLD_SHAPE);
	assert_int_equal(r.tp[TP_URING_PUNT], PROBE_OLD_SHAPE);
	assert_int_equal(r.tp[TP_URING_COMPLETE], PROBE_OK);
	assert_false(probe_lacking(&r, TP_URING_SUBMIT));
	assert_true(probe_usable(&r, TP_URING_SUBMIT_SQE));
	btf__free(b);
}

/* 6.2-6.3: submit_sqe(req, force_nonblock), queue_async_work(req, rw) */
static void test_kiocb_first_sqe(void **state)
{
	struct types ty;
	struct btf *b = new_btf(&ty);
	struct probe_result r;

	add_sched(b, &ty, false);
	add_tp(b, &ty, "io_uring_submit_sqe", 2, ty.kiocb, ty.bool_);
	add_tp(b, &ty, "io_uring_queue_async_work", 2, ty.kiocb, ty.int_);
	probe_btf(b, &r);
	assert_int_equal(r.tp[TP_URING_SUBMIT_SQE], PROBE_OK);
	assert_int_equal(r.tp[TP_URING_PUNT], PROBE_OK);
	btf__free(b);
}

/* 5.11-5.13: no request pointer to key by; sched_switch before 5.18 */
static void test_old_kernel(void **state)
{
	struct types ty;
	struct btf *b = new_btf(&ty);
	struct probe_result r;

	add_sched(b, &ty, true);
	add_tp(b, &ty, "io_uring_submit_sqe", 5, ty.vptr, ty.u8, ty.u64, ty.bool_, ty.bool_);
	add_tp(b, &ty, "io_uring_complete", 4, ty.vptr, ty.u64, ty.int_, ty.u32);
	add_tp(b, &ty, "io_uring_queue_async_work", 5, ty.vptr, ty.int_, ty.vptr, ty.work, ty.u32);
	probe_btf(b, &r);
	assert_int_equal(r.tp[TP_SCHED_SWITCH], PROBE_OLD_SHAPE);
	assert_int_equal(r.tp[TP_URING_SUBMIT_SQE], PROBE_BAD_SHAPE);
	assert_int_equal(r.tp[TP_URING_COMPLETE], PROBE_BAD_SHAPE);
	assert_int_equal(r.tp[TP_URING_PUNT], PROBE_BAD_SHAPE);
	assert_true(probe_lacking(&r, TP_URING_SUBMIT));
	btf__free(b);
}

/* Every tracepoint has its tp_btf or raw_tp program, and an older-shape
 * program where the probe can report one. */
static void test_table_matches_programs(void **state)
{
	struct gilscope_bpf *s = gilscope_bpf__open();
	char name[96];

	assert_non_null(s);
	for (int i = 0; i < TP_COUNT; i++) {
		const char *p = probe_tps[i].prog;

		snprintf(name, sizeof(name), "%s_btf", p);
		assert_non_null(bpf_object__find_program_by_name(s->obj, name));
		snprintf(name, sizeof(name), "%s_raw", p);
		assert_non_null(bpf_object__find_program_by_name(s->obj, name));
		if (probe_tps[i].shape == SHAPE_SWITCH || probe_tps[i].shape == SHAPE_URING_REQ) {
			snprintf(name, sizeof(name), "%s_v1_raw", p);
			if (i != TP_URING_SUBMIT) /* submit_req has only one shape */
				assert_non_null(bpf_object__find_program_by_name(s->obj, name));
		}
	}
	gilscope_bpf__destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recent_kernel),
		cmocka_unit_test(test_debian12_kernel),
		cmocka_unit_test(test_kiocb_first_sqe),
		cmocka_unit_test(test_old_kernel),
		cmocka_unit_test(test_table_matches_programs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
