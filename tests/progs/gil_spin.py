# Two CPU-bound Python threads that spin for a fixed time (argv[1] seconds,
# default 2) and nothing else: under the GIL they hand it over about every
# switch interval (5 ms by default) from start to end. Prints "spin ok".
import sys
import threading
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
counts = [0, 0]


def spin(i):
    end = time.monotonic() + SECONDS
    n = 0
    while time.monotonic() < end:
        for _ in range(200):
            n += 1
    counts[i] = n


threads = [threading.Thread(target=spin, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("spin", "ok" if all(counts) else "WRONG", sys.version.split()[0])
