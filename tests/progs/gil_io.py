# An I/O thread beside a CPU-bound thread, for the integration test of the
# time breakdown and the "GIL convoy" finding. The I/O thread echoes small
# messages with a peer process over a socket pair, which answers after 1 ms;
# while it waits in recv the spinning thread takes the GIL, and after every
# answer the I/O thread must wait for it to give the GIL back, a whole switch
# interval (5 ms) later. So it waits for the GIL most of its life, and in I/O
# (recv) some of it (its send drops the GIL as well, so the answer is often
# there before it has the GIL back). The first answer comes after 100 ms, so
# that the I/O thread's I/O time does not hang on that race alone: it waits
# in recv for most of those 100 ms on any machine.
import os
import socket
import sys
import threading
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
a, b = socket.socketpair()
peer = os.fork()  # before any thread: the peer has its own interpreter and GIL
if peer == 0:
    a.close()
    delay = 0.1
    while True:
        m = b.recv(64)
        if not m:
            os._exit(0)
        time.sleep(delay)
        delay = 0.001
        b.sendall(m)
b.close()
stop = threading.Event()


def spin():
    s = 0
    while not stop.is_set():
        for k in range(2000):
            s += k * k % 7


def io():
    n = 0
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        a.sendall(b"ping")
        a.recv(64)
        n += 1
    stop.set()
    print("round trips", n)


threads = [threading.Thread(target=f) for f in (spin, io)]
for t in threads:
    t.start()
for t in threads:
    t.join()
a.close()
os.waitpid(peer, 0)
