# gilscope_block.py - the io-block workload of gilscope_work.py (Python 3.7+):
# one asyncio loop of tasks, each a connection to the I/O peer doing the io
# workload's requests; task 0 also makes a blocking call, time.sleep(), after
# each of its requests. While it sleeps no other task runs. The latencies
# reported are the OTHER tasks', to be held against the async model's io
# latency without the blocking call (claim C15).
import asyncio
import os
import socket
import time

import gilscope_async as a
import gilscope_work as w


async def main(spec, out):
    loop = asyncio.get_running_loop()
    n, total = spec["tasks"], spec["io_units"]
    block_s = spec["block_us"] / 1e6
    rss0 = w.smaps(os.getpid(), "Rss:")
    c0 = w.now_ns()
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        await loop.sock_connect(s, ("127.0.0.1", spec["port"]))
        socks.append(s)
    out["startup_ns_per_worker"] = (w.now_ns() - c0) // n
    out["rss_bytes_per_worker"] = max(0, w.smaps(os.getpid(), "Rss:") - rss0) // n
    fd = os.open(spec["data_file"], os.O_RDONLY) if spec.get("data_file") else -1
    nxt, lat = [0], []

    async def task(i, sock):
        done = 0
        while nxt[0] < total:
            u = nxt[0]
            nxt[0] += 1
            t0 = w.now_ns()
            await a.echo(loop, sock, u, fd)
            if i == 0:
                time.sleep(block_s)  # the blocking call: the whole loop stops
            else:
                lat.append(w.now_ns() - t0)
            done += 1
        return done

    t0 = w.now_ns()
    try:
        done = sum(await asyncio.gather(*[task(i, s) for i, s in enumerate(socks)]))
    finally:
        for s in socks:
            s.close()
        if fd >= 0:
            os.close(fd)
    out["wall_s"] = (w.now_ns() - t0) / 1e9
    out["io_units"] = done
    out["io_latency_ns"] = lat


def run(spec, out):
    asyncio.run(main(spec, out))
