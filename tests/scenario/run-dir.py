#!/usr/bin/env python3
"""run-dir.py: one scenario directory = a configuration, a capture and
the expected events.

    DIR/aigate.conf        configuration (list and contracts relative to it)
    DIR/capture.args       arguments of make-capture.py (the capture is
                           generated into the build directory), or
    DIR/capture.pcap       a capture
    DIR/expected.jsonl     one object per expected event, in order, with
                           the keys to compare (any subset of schema v1)

`aigatectl scan --json --config DIR/aigate.conf --list rules` runs over
the capture; every event must match its line in expected.jsonl on the
keys given there, and there must be as many events as lines."""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aigatectl", default=os.path.join(TOP, "build", "aigatectl"))
    ap.add_argument("dir")
    a = ap.parse_args()
    d = a.dir
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(d, "capture.pcap")
        if not os.path.exists(cap):
            cap = os.path.join(tmp, "capture.pcap")
            with open(os.path.join(d, "capture.args")) as f:
                args = shlex.split(f.read(), comments=True)
            subprocess.run([sys.executable, os.path.join(HERE, "make-capture.py"), cap] + args, check=True)
        p = subprocess.run([a.aigatectl, "scan", "--json", "--config", os.path.join(d, "aigate.conf"),
                            "--list", os.path.join(TOP, "rules"), cap], capture_output=True, text=True)
    if p.returncode != 0:
        print("not ok - scan failed (%d): %s" % (p.returncode, p.stderr.strip()))
        return 1
    got = [json.loads(l) for l in p.stdout.splitlines()]
    with open(os.path.join(d, "expected.jsonl")) as f:
        want = [json.loads(l) for l in f if l.strip() and not l.startswith("#")]
    bad = 0
    for i, w in enumerate(want):
        if i >= len(got):
            print("not ok - event %d missing: %s" % (i + 1, json.dumps(w)))
            bad += 1
            continue
        diff = {k: (v, got[i].get(k)) for k, v in w.items() if got[i].get(k) != v}
        if diff:
            print("not ok - event %d: %s" % (i + 1, "; ".join("%s: want %r got %r" % (k, v[0], v[1]) for k, v in diff.items())))
            bad += 1
        else:
            print("ok - event %d %s %s" % (i + 1, w.get("name"), w.get("action", "")))
    for g in got[len(want):]:
        print("not ok - unexpected event: %s" % json.dumps(g))
        bad += 1
    print("%d passed, %d failed" % (len(want) - min(bad, len(want)), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
