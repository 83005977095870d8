/*
 * probe.c - look each tracepoint of gs_tracepoints.h up in the kernel's BTF
 * (typedef btf_trace_NAME, a pointer to the prototype of its probe) and check
 * the argument shapes the programs rely on. Program variants are chosen from
 * what is found here, never from kernel version numbers.
 */
#include "probe.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

const struct probe_tp_info probe_tps[TP_COUNT] = {
#define X(id, tp, prog, req, alt, shape, feature) \
	[TP_##id] = { #tp, #prog, req, TP_##alt, shape, feature },
	GS_TRACEPOINTS(X)
#undef X
};

const char *probe_state_name(enum probe_state s)
{
	switch (s) {
	case PROBE_OK: return "ok";
	case PROBE_OLD_SHAPE: return "ok (older shape)";
	case PROBE_MISSING: return "missing";
	case PROBE_BAD_SHAPE: return "unsupported argument layout";
	}
	return "?";
}

bool probe_usable(const struct probe_result *r, int tp)
{
	return r->tp[tp] == PROBE_OK || r->tp[tp] == PROBE_OLD_SHAPE;
}

bool probe_lacking(const struct probe_result *r, int tp)
{
	int alt = probe_tps[tp].alt;

	return !probe_usable(r, tp) && (alt == TP_NONE || !probe_usable(r, alt));
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

static const struct btf_type *skip_mods(const struct btf *btf, const struct btf_type *t)
{
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* Is tracepoint argument `arg` (0-based) a pointer to `struct sname` (NULL: any pointer)? */
static bool arg_is_ptr(const struct btf *btf, const struct btf_type *proto, int arg,
		       const char *sname)
{
	const struct btf_param *p = btf_params(proto);
	const struct btf_type *t;

	if (arg + 1 >= btf_vlen(proto))
		return false;
	t = skip_mods(btf, btf__type_by_id(btf, p[arg + 1].type));
	if (!t || !btf_is_ptr(t))
		return false;
	if (!sname)
		return true;
	t = skip_mods(btf, btf__type_by_id(btf, t->type));
	return t && btf_is_composite(t) && !strcmp(btf__name_by_offset(btf, t->name_off), sname);
}

static enum probe_state check_shape(const struct btf *btf, const struct btf_type *proto,
				    enum probe_shape shape)
{
	int nargs = btf_vlen(proto) - 1;

	switch (shape) {
	case SHAPE_ANY:
		return PROBE_OK;
	case SHAPE_TASK:
		return arg_is_ptr(btf, proto, 0, "task_struct") ? PROBE_OK : PROBE_BAD_SHAPE;
	case SHAPE_SWITCH:
		if (!arg_is_ptr(btf, proto, 1, "task_struct") || !arg_is_ptr(btf, proto, 2, "task_struct"))
			return PROBE_BAD_SHAPE;
		return nargs == 4 ? PROBE_OK : nargs == 3 ? PROBE_OLD_SHAPE : PROBE_BAD_SHAPE;
	case SHAPE_URING_REQ:
		/* the programs key requests by the io_kiocb */
		if (arg_is_ptr(btf, proto, 0, "io_kiocb"))
			return PROBE_OK;
		/* 5.15-6.1: (ring, request, user_data, ...); before 5.15 the
		 * second argument was not a pointer: no request to key by */
		if (arg_is_ptr(btf, proto, 0, NULL) && arg_is_ptr(btf, proto, 1, NULL))
			return PROBE_OLD_SHAPE;
		return PROBE_BAD_SHAPE;
	case SHAPE_URING_COMPLETE:
		/* (ring, request, ...) from 5.19; before, there was no request pointer */
		return arg_is_ptr(btf, proto, 0, NULL) && arg_is_ptr(btf, proto, 1, NULL) ?
			       PROBE_OK : PROBE_BAD_SHAPE;
	}
	return PROBE_BAD_SHAPE;
}

void probe_btf(const struct btf *btf, struct probe_result *r)
{
	for (int i = 0; i < TP_COUNT; i++) {
		const struct btf_type *proto = tp_proto(btf, probe_tps[i].name);

		r->tp[i] = proto ? check_shape(btf, proto, probe_tps[i].shape) : PROBE_MISSING;
	}
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
	probe_btf(btf, r);
	btf__free(btf);
	return 0;
}
