/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * gs_uring.bpf.h - io_uring handlers (included by gilscope.bpf.c). A request
 * is matched from submission to completion by its io_kiocb pointer;
 * completions and io-wq punts happen in other contexts (workers, task work),
 * so they are counted per submitting tid in `uring_tids`.
 */

static __always_inline void handle_uring_submit(bool btf, void *req)
{
	struct gs_task_entry *s = current_entry(btf);
	struct gs_uring_req in = {};
	__u64 key = (__u64)req;

	if (!s)
		return;
	s->f.events++;
	s->f.iouring_submits++;
	in.submit_ns = bpf_ktime_get_ns();
	in.tid = s->f.tid;
	in.tgid = s->f.tgid;
	if (bpf_map_update_elem(&iouring_reqs, &key, &in, BPF_ANY))
		count(GS_CTR_LOST_IOURING); /* full, or any other failure */
}

static __always_inline struct gs_uring_tid *uring_tid(__u32 tid)
{
	struct gs_uring_tid zero = {}, *u = bpf_map_lookup_elem(&uring_tids, &tid);

	if (u)
		return u;
	u = bpf_map_update_elem(&uring_tids, &tid, &zero, BPF_NOEXIST) ? NULL :
	    bpf_map_lookup_elem(&uring_tids, &tid);
	if (!u)
		u = bpf_map_lookup_elem(&uring_tids, &tid); /* another CPU made it (EEXIST) */
	if (!u)
		count(GS_CTR_LOST_IOURING);
	return u;
}

static __always_inline void handle_uring_complete(bool btf, void *req)
{
	__u64 key = (__u64)req, now, d;
	struct gs_uring_req *in = bpf_map_lookup_elem(&iouring_reqs, &key);
	struct gs_task_entry *s;
	struct gs_uring_tid *u;
	__u32 tid, tgid;

	if (!in) {
		s = current_entry(btf);
		if (s) {
			/* e.g. a multishot request's later completions */
			s->f.iouring_completes++;
			count(GS_CTR_IOURING_UNMATCHED);
		}
		return;
	}
	now = bpf_ktime_get_ns();
	d = now - in->submit_ns;
	tid = in->tid;
	tgid = in->tgid;
	bpf_map_delete_elem(&iouring_reqs, &key);
	hist_add(GS_HIST_IOURING, d);
	u = uring_tid(tid);
	if (u)
		__sync_fetch_and_add(&u->completes, 1);
	emit(GS_EV_IOURING, tid, tgid, now - d, d, key, 0);
}

static __always_inline void handle_uring_punt(bool btf, void *req)
{
	__u64 key = (__u64)req;
	struct gs_uring_req *in = bpf_map_lookup_elem(&iouring_reqs, &key);
	struct gs_uring_tid *u;

	if (!in)
		return;
	u = uring_tid(in->tid);
	if (u)
		__sync_fetch_and_add(&u->punts, 1);
}

static __always_inline void handle_uring_cqring_wait(bool btf, void *ring)
{
	struct gs_task_entry *s = current_entry(btf);

	if (s)
		s->f.iouring_cqring_waits++;
}
