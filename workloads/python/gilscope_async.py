# gilscope_async.py - the asyncio models of gilscope_work.py (Python 3.7+).
#
# async: one event loop; I/O tasks talk to the peer over sockets on the loop,
# sharing a pool of at most MAX_CONNS connections (as a client's connection
# pool is shared: tens of thousands of tasks need no socket each; a task
# waits for a free connection), CPU units run on the loop itself, one at a
# time.
# async-pool: the same loop hands the CPU units to a process pool
# (ProcessPoolExecutor, started and timed before the work).
import asyncio
import concurrent.futures
import os
import socket

import gilscope_work as w

MAX_CONNS = 256  # as workloads/model_async.c's channels


async def echo(loop, sock, u, fd):
    """One request of unit u: its number to the peer and back, checked, then
    the file block it names read (when there is a data file, fd >= 0)."""
    msg = ("%d" % u).encode().ljust(w.MSG, b"\0")
    await loop.sock_sendall(sock, msg)
    got = b""
    while len(got) < w.MSG:
        chunk = await loop.sock_recv(sock, w.MSG - len(got))
        if not chunk:
            raise IOError("the peer closed the connection")
        got += chunk
    if got != msg:
        raise ValueError("the peer answered the wrong request")
    if fd >= 0 and len(w.read_block(fd, (u % 16) * w.FILE_READ)) != w.FILE_READ:
        raise IOError("a file read came back short")


async def io_task(spec, loop, conns, fd, units, lat, until):
    """Requests on a connection of the pool: the units given, or until
    until(). A unit's latency runs from when the task wants a connection."""
    done = 0
    while True:
        if until is None:
            if not units:
                return done
            u = units.pop()
        elif done and until():
            return done
        else:
            u = done
        t0 = w.now_ns()
        sock = await conns.get()
        try:
            await echo(loop, sock, u, fd)
        finally:
            conns.put_nowait(sock)
        lat.append(w.now_ns() - t0)
        done += 1


async def cpu_inline(spec, units, holder):
    """One task per unit, run by the loop in turn: while one computes,
    nothing else on the loop runs."""
    async def one(u):
        r = w.cpu_unit(u, spec["iters"], holder, 0)
        if "%x" % r != spec["expected"][u % w.SEEDS]:
            raise ValueError("cpu unit %d computed a wrong result" % u)
        await asyncio.sleep(0)  # let the I/O tasks in between units
        return 1
    done = 0
    for u in units:
        done += await one(u)
    return done


def _pool_chunk(spec, a, b):
    h = w.Holder()
    for u in range(a, b):
        if "%x" % w.cpu_unit(u, spec["iters"], h, 0) != spec["expected"][u % w.SEEDS]:
            raise ValueError("cpu unit %d computed a wrong result" % u)
    return b - a


def _pool_ready(_):
    return os.getpid(), w.now_ns()


async def main(spec, out):
    loop = asyncio.get_running_loop() if hasattr(asyncio, "get_running_loop") else \
        asyncio.get_event_loop()
    kind = spec["kind"]
    cpu_total = 0 if kind == "io" else spec["cpu_units"]
    io_total = 0 if kind == "cpu" else spec["io_units"]
    mixed = kind.startswith("mixed")
    pool = None
    t0 = w.now_ns()
    if spec["model"] == "async-pool" and cpu_total:
        n = spec["workers"]
        pool = concurrent.futures.ProcessPoolExecutor(n)
        # start every worker (one blocking call each, held until all run)
        started = await asyncio.gather(*[loop.run_in_executor(pool, _pool_ready, i)
                                         for i in range(n * 4)])
        pids = sorted(set(p for p, _ in started))
        out["pool_startup_ns"] = w.now_ns() - t0
        out["startup_ns_per_worker"] = out["pool_startup_ns"] // max(1, len(pids))
        out["rss_bytes_per_worker"] = sum(w.smaps(p, "Pss:") for p in pids) // max(1, len(pids))
    ntasks = min(spec["tasks"], io_total) if io_total else 0
    if mixed and cpu_total:
        ntasks = spec["tasks"]  # in flight for as long as the computing runs
    socks = []
    conns = asyncio.Queue()
    rss0 = w.smaps(os.getpid(), "Rss:")
    c0 = w.now_ns()
    for _ in range(min(ntasks, MAX_CONNS)):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        await loop.sock_connect(s, ("127.0.0.1", spec["port"]))
        socks.append(s)
        conns.put_nowait(s)
    fd = os.open(spec["data_file"], os.O_RDONLY) if spec.get("data_file") else -1
    holder = w.Holder()
    cpu_finished = []
    until = (lambda: bool(cpu_finished)) if mixed and cpu_total else None
    units = list(range(io_total)) if until is None else []
    units.reverse()
    lat = []
    tasks = [loop.create_task(io_task(spec, loop, conns, fd, units, lat, until))
             for _ in range(ntasks)]
    if ntasks and pool is None and not cpu_total:
        out["startup_ns_per_worker"] = (w.now_ns() - c0) // ntasks
        out["rss_bytes_per_worker"] = max(0, w.smaps(os.getpid(), "Rss:") - rss0) // ntasks
    cpu_done = 0
    try:
        if cpu_total and pool is None:
            cpu_done = await cpu_inline(spec, range(cpu_total), holder)
        elif cpu_total:
            step = max(1, cpu_total // (spec["workers"] * 4))
            parts = await asyncio.gather(*[loop.run_in_executor(pool, _pool_chunk, spec, a,
                                                                 min(a + step, cpu_total))
                                           for a in range(0, cpu_total, step)])
            cpu_done = sum(parts)
        cpu_finished.append(True)
        io_done = sum(await asyncio.gather(*tasks))
    finally:
        for s in socks:
            s.close()
        if fd >= 0:
            os.close(fd)
        if pool is not None:
            pool.shutdown()
    out["wall_s"] = (w.now_ns() - t0) / 1e9
    out["cpu_units"] = cpu_done
    out["io_units"] = io_done
    out["io_latency_ns"] = lat


def run(spec, out):
    asyncio.run(main(spec, out))
