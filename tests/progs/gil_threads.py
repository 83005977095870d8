# Two CPU-bound Python threads doing the same pure-Python sum, for the
# integration test that records a real CPython: under the GIL they share one
# core and hand the GIL over every switch interval (5 ms by default).
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
out = [0, 0]


def spin(i):
    s = 0
    for k in range(N):
        s += k * k % 7
    out[i] = s


threads = [threading.Thread(target=spin, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
want = sum(k * k % 7 for k in range(N))
print("result", "ok" if out == [want, want] else "WRONG", sys.version.split()[0])
sys.exit(0 if out == [want, want] else 1)
