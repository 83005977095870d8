#!/usr/bin/env python3
"""make mutate: plant each mutant of tests/mutate/mutants.txt, one at a time,
in a scratch copy of the tree, build what its tests need, run them under a
timeout, and count the mutants the tests killed.

    tests/mutate/mutate.py [--list FILE] [--only ID[,ID...]] [--keep]

A mutant is killed when one of its tests fails (or hangs and is timed out);
it survives when they all pass. A mutant whose original snippet is no longer
in its file (the code moved on) is "stale": reported, counted in neither.
A build failure is reported as such and not counted as killed. Ends with the
line "mutants: K killed of N". Not part of CI: run it before a release.

The scratch copy starts from this tree's build/ (make all first), so only
what a mutant touches is rebuilt. Files are located by basename
(git ls-files '*/NAME'), so mutants survive file moves.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
# seconds per test binary: a unit test takes well under one, an integration
# test a few; a mutant that makes one hang is killed by the timeout
TIMEOUT = {"unit": 15, "integration": 60}


class Mutant:
    def __init__(self, mid, desc):
        self.id, self.desc = mid, desc
        self.file = None
        self.tests = []  # (binary, filter or None)
        self.orig, self.repl = [], []


def parse(path):
    """Blocks of:
        === ID: description
        file: BASENAME (or a path)
        tests: unit/test_x integration/test_y:GLOB ...
        --- original
        exact lines
        +++ replacement
        lines (none: the original is deleted)
    Lines starting with '#' outside a snippet are comments."""
    mutants, m, where = [], None, None
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("=== "):
                mid, _, desc = line[4:].partition(":")
                m = Mutant(mid.strip(), desc.strip())
                mutants.append(m)
                where = None
            elif m is None or (where is None and (not line.strip() or line.startswith("#"))):
                continue
            elif where is None and line.startswith("file:"):
                m.file = line[5:].strip()
            elif where is None and line.startswith("tests:"):
                for t in line[6:].split():
                    b, _, flt = t.partition(":")
                    m.tests.append((b, flt or None))
            elif line == "--- original":
                where = m.orig
            elif line == "+++ replacement":
                where = m.repl
            elif where is not None:
                where.append(line)
    for m in mutants:
        if not (m.file and m.tests and m.orig):
            sys.exit("mutate: mutant %s is incomplete (file, tests and original needed)" % m.id)
    return mutants


def locate(tree, name):
    """The one tracked file called name (a basename) or at name (a path)."""
    if "/" in name and os.path.exists(os.path.join(tree, name)):
        return name
    out = subprocess.run(["git", "ls-files", "*/" + name, name], cwd=TOP, capture_output=True,
                         text=True).stdout.split()
    out = sorted(set(out))
    return out[0] if len(out) == 1 else None


def scratch_copy():
    d = tempfile.mkdtemp(prefix="gilscope-mutate-")
    # the tree as it is (tracked or not), without .git and node_modules; with build/
    subprocess.run("tar -C %s --exclude=./.git --exclude=node_modules --exclude=./reports/out "
                   "-cf - . | tar -C %s -xpf -" % (TOP, d), shell=True, check=True)
    return d


def build(tree, m):
    targets = ["build/tests/" + os.path.basename(b) for b, _ in m.tests]
    if any(b.startswith("integration/") for b, _ in m.tests):
        targets += ["build/gilscope"]
    r = subprocess.run(["make", "-s", "-j2"] + targets, cwd=tree, capture_output=True, text=True,
                       errors="replace")
    return r.returncode == 0, r.stdout + r.stderr


def run_tests(tree, m):
    """None if every test passed, else what failed."""
    env = dict(os.environ, GILSCOPE=os.path.join(tree, "build/gilscope"),
               PROGS=os.path.join(tree, "build/progs"), CI="true")
    for b, flt in m.tests:
        env.pop("GS_TEST_FILTER", None)
        if flt:
            env["GS_TEST_FILTER"] = flt
        cmd = ["timeout", "--kill-after=5", str(TIMEOUT.get(b.split("/")[0], 60)),
               os.path.join(tree, "build/tests", os.path.basename(b))]
        # test output may hold any bytes (the escape tests print invalid UTF-8)
        r = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True,
                           errors="replace")
        if r.returncode in (124, 137):
            return "%s hung (timed out)" % b
        if r.returncode != 0:
            fails = [l for l in (r.stdout + r.stderr).splitlines()
                     if "FAILED  ]" in l or "ERROR" in l]
            return "%s: %s" % (b, fails[0].strip() if fails else "exit %d" % r.returncode)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", default=os.path.join(HERE, "mutants.txt"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true", help="keep the scratch tree")
    a = ap.parse_args()
    mutants = parse(a.list)
    if a.only:
        want = set(a.only.split(","))
        mutants = [m for m in mutants if m.id in want]
    if not os.path.exists(os.path.join(TOP, "build/gilscope")):
        sys.exit("mutate: build the tree first (make all)")
    t0 = time.time()
    tree = scratch_copy()
    killed, survived, stale, broken = [], [], [], []
    try:
        for m in mutants:
            rel = locate(tree, m.file)
            if rel is None:
                stale.append((m, "no single file named %s" % m.file))
                continue
            path = os.path.join(tree, rel)
            with open(path) as f:
                orig_text = f.read()
            snippet = "\n".join(m.orig) + "\n"
            n = orig_text.count(snippet)
            if n != 1:
                stale.append((m, "%s: the original snippet is %s" %
                              (rel, "gone" if n == 0 else "there %d times" % n)))
                print("%-4s STALE     %s (%s)" % (m.id, m.desc, stale[-1][1]), flush=True)
                continue
            repl = "\n".join(m.repl) + "\n" if m.repl else ""
            started = time.time()
            with open(path, "w") as f:
                f.write(orig_text.replace(snippet, repl))
            try:
                ok, log = build(tree, m)
                if not ok:
                    broken.append((m, log.strip().splitlines()[-1] if log.strip() else "?"))
                    sys.stderr.write(log[-3000:])
                    print("%-4s BUILD     %s (%s)" % (m.id, m.desc, broken[-1][1]), flush=True)
                    continue
                why = run_tests(tree, m)
            finally:
                with open(path, "w") as f:
                    f.write(orig_text)
            took = time.time() - started
            if why:
                killed.append(m)
                print("%-4s killed    %s [%.0fs] by %s" % (m.id, m.desc, took, why), flush=True)
            else:
                survived.append(m)
                print("%-4s SURVIVED  %s [%.0fs] (%s)" % (m.id, m.desc, took,
                      " ".join(b for b, _ in m.tests)), flush=True)
    finally:
        if a.keep:
            print("scratch tree kept: %s" % tree)
        else:
            shutil.rmtree(tree, ignore_errors=True)
    n = len(killed) + len(survived)
    print()
    if survived:
        print("survivors: " + ", ".join("%s (%s)" % (m.id, m.desc) for m in survived))
    if stale:
        print("stale (re-point them): " + ", ".join(m.id for m, _ in stale))
    if broken:
        print("did not build (fix them): " + ", ".join(m.id for m, _ in broken))
    print("time: %.0f s" % (time.time() - t0))
    # the score is the verdict: the run itself succeeded (so that this line
    # stays the last one make prints)
    print("mutants: %d killed of %d" % (len(killed), n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
