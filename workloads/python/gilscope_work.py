# gilscope_work.py - the work units of `gilscope run` on a real CPython.
#
# gilscope runs this script once per cell (model x workload) under its tracer:
#   python gilscope_work.py SPEC_JSON
# SPEC_JSON says the model, the workload and its sizes, the I/O peer and two
# file descriptors: `up` (JSON lines to gilscope) and `down` (one byte "g"
# from gilscope: start the work). The script reports:
#   {"event": "ready", ...}   the interpreter is up; gilscope may now look
#                             for its GIL, then sends "g"
#   {"event": "result", ...}  the figures of the work; then the script waits
#                             for `down` to close (gilscope reads the
#                             interpreter's GIL counter meanwhile)
# and, with model "calibrate", {"event": "calibration", ...} instead: the loop
# iterations that make one CPU unit last unit_us, and the expected results.
#
# The same units as gilscope's simulation (workloads/work.c): a CPU unit is a
# xorshift mixing loop in pure Python whose result is checked; an I/O unit is a
# 64-byte request echoed by the peer (in another process, or by an echo thread
# in this one), plus a 4 KiB file read when the peer has a service latency.
#
# Runs on CPython 2.7 (serial, threads-gil, processes) and 3.x (every model;
# asyncio models live in gilscope_async.py). Keep it 2.7-compatible: no
# f-strings, no keyword-only arguments.
import json
import os
import socket
import sys
import threading
import time

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
SEEDS = 16
MSG = 64
FILE_READ = 4096
TICKS = 32  # hand-off observation points per CPU unit
SHARED_FROM = TICKS * 3 // 4  # shared: the ticks from here on run under the lock
RELEASE_BUF = 64 * 1024  # cpu-release: bytes of each zlib.crc32 call
CPU_KINDS = ("cpu", "cpu-release", "shared")
IO_KINDS = ("io", "io-block")

try:
    xrange
except NameError:  # Python 3
    xrange = range

now = getattr(time, "perf_counter", time.time)


def now_ns():
    return int(now() * 1e9)


# ---- the units -------------------------------------------------------------

class Holder(object):
    """Which worker last ran Python code, seen at every tick: counts the GIL
    changing hands between workers of this process (a lower bound: a hand-off
    and back within one tick is not seen)."""

    def __init__(self):
        self.last = -1
        self.handoffs = 0

    def mark(self, me):
        if self.last != me:
            self.last = me
            self.handoffs += 1


def unit_start(u):
    return 0x5DEECE66D * (u % SEEDS + 1)


def cpu_unit(u, iters, holder, me):
    s = unit_start(u)
    for _ in xrange(TICKS):
        for _ in xrange(iters):
            s ^= (s << 13) & M64
            s ^= s >> 7
            s ^= (s << 17) & M64
            s = (s + GOLDEN) & M64
        holder.mark(me)
    return s


_release_buf = []


def release_buf():
    """The bytes of the GIL-releasing unit, as gilscope's workloads/work.c
    makes them: byte i is (7 i + i // 256) mod 256."""
    if not _release_buf:
        _release_buf.append(bytes(bytearray((i * 7 + i // 256) & 255 for i in xrange(RELEASE_BUF))))
    return _release_buf[0]


def release_unit(u, calls, holder, me):
    """A CPU unit done in C with the GIL released: zlib.crc32 over 64 KiB
    (CPython drops the GIL around it for buffers over 5 KiB), `calls` times,
    chained from the unit's seed."""
    import zlib
    buf = release_buf()
    c = ((u % SEEDS + 1) * 0x9E3779B1) & 0xFFFFFFFF
    for _ in xrange(calls):
        c = zlib.crc32(buf, c) & 0xFFFFFFFF
        holder.mark(me)
    return c


def shared_unit(u, iters, holder, me, lock, state):
    """A CPU unit whose last quarter updates data shared by the threads,
    under their lock (the GIL may switch threads while it is held)."""
    s = unit_start(u)
    for k in xrange(TICKS):
        if k == SHARED_FROM:
            lock.acquire()
        for _ in xrange(iters):
            s ^= (s << 13) & M64
            s ^= s >> 7
            s ^= (s << 17) & M64
            s = (s + GOLDEN) & M64
        holder.mark(me)
    state[0] = (state[0] + s) & M64
    lock.release()
    return s


def calibrate(unit_us):
    holder = Holder()
    iters = 50
    while True:  # grow until one unit takes a measurable time
        t0 = now()
        cpu_unit(0, iters, holder, 0)
        t = now() - t0
        if t > 0.01:
            break
        iters *= 2
    best = t
    for _ in range(2):  # the fastest of three: the least disturbed
        t0 = now()
        cpu_unit(0, iters, holder, 0)
        best = min(best, now() - t0)
    iters = max(1, int(iters * (unit_us / 1e6) / best))
    expected = ["%x" % cpu_unit(i, iters, holder, 0) for i in range(SEEDS)]
    return iters, expected


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise IOError("the peer closed the connection")
        buf += chunk
    return buf


def read_block(fd, off):
    if hasattr(os, "pread"):
        return os.pread(fd, FILE_READ, off)
    os.lseek(fd, off, 0)
    return os.read(fd, FILE_READ)


class Job(object):
    """A worker's share: CPU units [cpu_from, cpu_to), then I/O units
    [io_from, io_to) -- or, with until set, I/O units until until() is true
    (the mixed workload: I/O for as long as the CPU work runs)."""

    def __init__(self, spec, me, cpu_from, cpu_to, io_from, io_to, until=None):
        self.spec, self.me = spec, me
        self.cpu_from, self.cpu_to, self.io_from, self.io_to = cpu_from, cpu_to, io_from, io_to
        self.until = until
        self.lock = self.state = None  # shared: the threads' lock and data
        self.cpu_done = self.io_done = 0
        self.lat = []
        self.error = ""

    def run(self, holder):
        try:
            self.run_cpu(holder)
            self.run_io(holder)
        except Exception as e:  # reported, never lost
            self.error = "%s: %s" % (type(e).__name__, e)

    def run_cpu(self, holder):
        sp = self.spec
        for u in xrange(self.cpu_from, self.cpu_to):
            if sp["kind"] == "cpu-release":
                ok = release_unit(u, sp["release_calls"], holder, self.me) == \
                    sp["release_expected"][u % SEEDS]
            elif sp["kind"] == "shared" and self.lock is not None:
                ok = "%x" % shared_unit(u, sp["iters"], holder, self.me, self.lock, self.state) == \
                    sp["expected"][u % SEEDS]
            else:
                ok = "%x" % cpu_unit(u, sp["iters"], holder, self.me) == sp["expected"][u % SEEDS]
            if not ok:
                raise ValueError("cpu unit %d computed a wrong result" % u)
            self.cpu_done += 1

    def run_io(self, holder):
        sp = self.spec
        if self.until is None and self.io_to <= self.io_from:
            return
        sock = connect(sp["port"])
        fd = os.open(sp["data_file"], os.O_RDONLY) if sp.get("data_file") else -1
        try:
            u = self.io_from
            while (u < self.io_to) if self.until is None else (not self.io_done or not self.until()):
                msg = ("%d" % u).encode().ljust(MSG, b"\0")
                t0 = now_ns()
                sock.sendall(msg)
                if recv_exact(sock, MSG) != msg:
                    raise ValueError("the peer answered the wrong request")
                if fd >= 0 and len(read_block(fd, (u % 16) * FILE_READ)) != FILE_READ:
                    raise IOError("a file read came back short")
                self.lat.append(now_ns() - t0)
                holder.mark(self.me)
                self.io_done += 1
                u += 1
        finally:
            sock.close()
            if fd >= 0:
                os.close(fd)


def split(n, workers, w):
    return n * w // workers, n * (w + 1) // workers


def plan(spec, n):
    """Jobs of n workers: as workloads/jobs.c plans them. In a mixed workload
    with several workers the first half compute and the rest do I/O until the
    computing is done; the until() callback is attached by the model."""
    kind = spec["kind"]
    cpu = 0 if kind in IO_KINDS else spec["cpu_units"]
    io = 0 if kind in CPU_KINDS else spec["io_units"]
    if not kind.startswith("mixed") or n == 1:
        return [Job(spec, i, *(split(cpu, n, i) + split(io, n, i))) for i in range(n)]
    ncpu = (n + 1) // 2
    jobs = [Job(spec, i, *(split(cpu, ncpu, i) + (0, 0))) for i in range(ncpu)]
    return jobs + [Job(spec, i, 0, 0, 0, 0) for i in range(ncpu, n)]


# ---- the echo thread (the peer inside the interpreter) ----------------------

def echo_thread():
    """An echo server on a thread of this interpreter: every request it
    answers needs the GIL (the in-process variant of the convoy)."""
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(512)

    def serve(c):
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                m = recv_exact(c, MSG)
                c.sendall(m)
        except (IOError, OSError):
            pass
        c.close()

    def accept():
        while True:
            c, _ = lsock.accept()
            t = threading.Thread(target=serve, args=(c,), name="echo")
            t.daemon = True
            t.start()

    t = threading.Thread(target=accept, name="echo-accept")
    t.daemon = True
    t.start()
    return lsock.getsockname()[1]


# ---- memory -----------------------------------------------------------------

def smaps(pid, field):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except (IOError, OSError):
        pass
    return 0


def peak_rss():
    import resource
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss +
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024


# ---- the models -------------------------------------------------------------

def concurrency(spec):
    if spec["model"] == "serial":
        return 1
    if spec["kind"] in IO_KINDS:
        return spec["tasks"]
    return spec["workers"]


def merge(out, jobs, holder=None):
    for j in jobs:
        out["cpu_units"] += j.cpu_done
        out["io_units"] += j.io_done
        out["io_latency_ns"].extend(j.lat)
        if j.error and not out["error"]:
            out["error"] = j.error


def model_threads(spec, out):
    n = concurrency(spec)
    jobs = plan(spec, n)
    holder = Holder()
    done = []
    ncpu = sum(1 for j in jobs if j.cpu_to > j.cpu_from)
    lock, state = threading.Lock(), [0]
    for j in jobs:
        j.lock, j.state = lock, state
        if j.cpu_to == j.cpu_from and spec["kind"].startswith("mixed") and n > 1:
            j.until = lambda: len(done) >= ncpu

    # As the simulation's threads (workloads/model_threads.c): each notes
    # its first instruction and waits at a start gate until all are up, so
    # that a thread's start-up is its creation to its first instruction, not
    # also its wait for the GIL behind threads already computing; the work
    # (wall_s) starts when the gate opens.
    gate = threading.Event()
    up = threading.Condition()
    arrived = []

    def body(j):
        started[j.me] = now_ns()
        with up:
            arrived.append(j.me)
            up.notify()
        gate.wait()
        j.run(holder)
        if j.cpu_to > j.cpu_from:
            done.append(j.me)

    started = [0] * n
    if spec["model"] == "serial":
        gate.set()
        t0 = now_ns()
        body(jobs[0])
        out["wall_s"] = (now_ns() - t0) / 1e9
    else:
        rss0 = smaps(os.getpid(), "Rss:")
        threads = [threading.Thread(target=body, args=(j,), name="py-%d" % j.me) for j in jobs]
        created = []
        for t in threads:
            created.append(now_ns())
            t.start()
        with up:
            while len(arrived) < n:
                up.wait()
        out["startup_ns_per_worker"] = sum(s - c for s, c in zip(started, created)) // n
        out["rss_bytes_per_worker"] = max(0, smaps(os.getpid(), "Rss:") - rss0) // n
        t0 = now_ns()
        gate.set()
        for t in threads:
            t.join()
        out["wall_s"] = (now_ns() - t0) / 1e9
        out["gil_handoffs"] = holder.handoffs
    merge(out, jobs)
    if spec["kind"] == "shared" and not out["error"]:
        want = sum(int(spec["expected"][u % SEEDS], 16) for u in xrange(out["cpu_units"])) & M64
        if state[0] != want:
            out["error"] = "the shared data lost updates"


# Process workers: module-level so that multiprocessing can pickle them.
_pool_started = None
_cpu_done_flag = None


def _pool_init(q, flag):
    global _pool_started, _cpu_done_flag
    _pool_started, _cpu_done_flag = q, flag
    q.put((os.getpid(), now_ns()))


def _pool_job(args):
    import pickle
    spec, me, cf, ct, iof, iot, until = args
    j = Job(spec, me, cf, ct, iof, iot, (lambda: _cpu_done_flag.is_set()) if until else None)
    j.run(Holder())
    res = (j.cpu_done, j.io_done, j.lat, j.error)
    t0 = now_ns()
    blob = pickle.dumps(res, 2)
    return blob, now_ns() - t0


def model_processes(spec, out):
    import multiprocessing
    import pickle
    n = concurrency(spec)
    q = multiprocessing.Queue()
    flag = multiprocessing.Event()
    t0 = now_ns()
    pool = multiprocessing.Pool(n, _pool_init, (q, flag))
    started = [q.get() for _ in range(n)]  # every worker ran its initializer
    ready = now_ns()
    out["pool_startup_ns"] = ready - t0
    out["startup_ns_per_worker"] = sum(s - t0 for _, s in started) // n
    out["rss_bytes_per_worker"] = sum(smaps(p, "Pss:") for p, _ in started) // n
    jobs = plan(spec, n)
    work, io_jobs = [], []
    for j in jobs:
        if j.cpu_to > j.cpu_from:
            # chunks of a few units: the pool balances them over its workers
            step = max(1, (j.cpu_to - j.cpu_from) // 4)
            for a in range(j.cpu_from, j.cpu_to, step):
                work.append((spec, j.me, a, min(a + step, j.cpu_to), 0, 0, False))
        if spec["kind"].startswith("mixed") and n > 1 and j.cpu_to == j.cpu_from:
            io_jobs.append((spec, j.me, 0, 0, 0, 0, True))
        elif j.io_to > j.io_from:
            work.append((spec, j.me, 0, 0, j.io_from, j.io_to, False))
    io_pending = [pool.apply_async(_pool_job, (a,)) for a in io_jobs]
    pending = [pool.apply_async(_pool_job, (a,)) for a in work]
    ser = []
    for i, p in enumerate(pending + io_pending):
        if i == len(pending):
            flag.set()  # the computing is done: the I/O workers stop
        blob, dumps_ns = p.get()
        t1 = now_ns()
        cpu, io, lat, err = pickle.loads(blob)
        ser.append(dumps_ns + now_ns() - t1)
        out["cpu_units"] += cpu
        out["io_units"] += io
        out["io_latency_ns"].extend(lat)
        if err and not out["error"]:
            out["error"] = err
    pool.close()
    pool.join()
    out["wall_s"] = (now_ns() - t0) / 1e9
    out["serialise_ns"] = sum(ser) // max(1, len(ser))


def free_threaded():
    f = getattr(sys, "_is_gil_enabled", None)
    return f is not None and not f()


def main():
    spec = json.loads(sys.argv[1])
    up = os.fdopen(spec["up"], "w")

    def send(obj):
        up.write(json.dumps(obj) + "\n")
        up.flush()

    info = {"version": "%d.%d.%d" % sys.version_info[:3], "implementation":
            getattr(sys, "implementation", None) and sys.implementation.name or "cpython",
            "free_threaded": free_threaded(), "pid": os.getpid()}
    if spec["model"] == "calibrate":
        iters, expected = calibrate(spec["unit_us"])
        info.update(event="calibration", iters=iters, expected=expected, ticks=TICKS)
        send(info)
        return 0
    if spec["kind"] == "mixed-echo":
        spec["port"] = echo_thread()
    if spec.get("interval_us") and hasattr(sys, "setswitchinterval"):
        sys.setswitchinterval(spec["interval_us"] / 1e6)
    info["event"] = "ready"
    send(info)
    if os.read(spec["down"], 1) != b"g":
        return 3
    out = {"event": "result", "ok": False, "error": "", "cpu_units": 0, "io_units": 0,
           "io_latency_ns": [], "wall_s": 0.0}
    model = spec["model"]
    try:
        if model in ("serial", "threads-gil", "threads-nogil"):
            if model == "threads-nogil" and not free_threaded():
                raise RuntimeError("threads-nogil needs a free-threaded build (python3.13t)")
            model_threads(spec, out)
        elif model == "processes":
            model_processes(spec, out)
        elif model in ("async", "async-pool"):
            if sys.version_info < (3, 7):
                raise RuntimeError("the asyncio models need Python 3.7 or later")
            if spec["kind"] == "io-block":
                import gilscope_block
                gilscope_block.run(spec, out)
            else:
                import gilscope_async
                gilscope_async.run(spec, out)
        else:
            raise ValueError("unknown model %r" % model)
    except Exception as e:
        out["error"] = out["error"] or "%s: %s" % (type(e).__name__, e)
    out["peak_rss_bytes"] = peak_rss()
    out["ok"] = not out["error"]
    send(out)
    os.read(spec["down"], 1)  # until gilscope is done with this interpreter
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
