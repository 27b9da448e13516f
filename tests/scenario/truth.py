#!/usr/bin/env python3
"""truth.py: compare what `aigatectl scan` finds in every capture of
tests/data/pcaps with what tshark finds (tests/data/truth, see TRUTH.md).

For each capture, the set of (protocol, name) pairs for DNS queries, TLS
ClientHellos and QUIC Initials must be equal.  Every known difference is
listed, with its reason, in expected-differences.tsv beside this script;
an expected difference that no longer occurs is reported too, so that the
file stays true.  Nothing is skipped silently.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PCAPS = os.path.join(TOP, "tests", "data", "pcaps")
TRUTH = os.path.join(TOP, "tests", "data", "truth")
PROTOS = ("dns", "tls", "quic")


def tshark_style(name):
    """Render aigate's \\xNN-escaped name the way tshark prints it:
    control bytes as \\ooo, bytes >= 0x80 as U+FFFD."""
    if name is None:
        return None
    raw = bytearray()
    i = 0
    while i < len(name):
        m = re.match(r"\\x([0-9a-f]{2})", name[i:])
        if m:
            raw.append(int(m.group(1), 16))
            i += 4
        else:
            raw.append(ord(name[i]))
            i += 1
    # tshark prints control bytes as \ooo and decodes the rest as UTF-8,
    # invalid sequences becoming U+FFFD; the truth was then lowercased
    # (Python's str.lower, which also lowers non-ASCII letters).
    out, run = [], bytearray()
    for b in raw:
        if b < 0x20 or b == 0x7F:
            out.append(run.decode("utf-8", "replace"))
            run = bytearray()
            out.append("\\%03o" % b)
        else:
            run.append(b)
    out.append(run.decode("utf-8", "replace"))
    return "".join(out).lower()


def comparable(name):
    """tshark's text for bytes >= 0x80 is not byte-exact (TRUTH.md,
    limit 6): its replacement of invalid UTF-8 differs from Python's in
    how many U+FFFD a bad sequence becomes.  Names with non-ASCII text
    are therefore compared by their ASCII characters alone, marked so
    that they cannot collide with a plain name."""
    if name is None or all(ord(c) < 0x80 for c in name):
        return name
    return "~ascii-only~" + "".join(c for c in name if ord(c) < 0x80)


def load_truth(capture):
    pairs = set()
    path = os.path.join(TRUTH, capture + ".jsonl")
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["proto"] in PROTOS:
                pairs.add((rec["proto"], comparable(rec["name"])))
    return pairs


def scan(aigatectl, capture):
    path = os.path.join(PCAPS, capture)
    p = subprocess.run([aigatectl, "scan", "--json", "--list", os.path.join(TOP, "rules"), path],
                       capture_output=True, text=True)
    pairs = set()
    for line in p.stdout.splitlines():
        ev = json.loads(line)
        name = ev["name"]
        # tshark drops the root name; so do we, for the comparison only.
        if ev["app_proto"] == "dns" and name == "":
            continue
        pairs.add((ev["app_proto"], comparable(tshark_style(name))))
    return p.returncode, pairs, p.stderr


def load_expected():
    exp = {}
    with open(os.path.join(HERE, "expected-differences.tsv"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 5:
                sys.exit("expected-differences.tsv:%d: want 5 tab-separated columns" % n)
            capture, kind, proto, name, reason = cols
            if kind not in ("missing", "extra") or not reason.strip():
                sys.exit("expected-differences.tsv:%d: kind must be missing|extra, reason required" % n)
            name = None if name == "(null)" else name.encode().decode("unicode_escape") if "\\u" in name else name
            exp.setdefault(capture, set()).add((kind, proto, name))
    return exp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aigatectl", default=os.path.join(TOP, "build", "aigatectl"))
    ap.add_argument("captures", nargs="*")
    args = ap.parse_args()
    expected = load_expected()
    captures = args.captures or sorted(f for f in os.listdir(PCAPS) if f.endswith((".pcap", ".pcapng")))
    bad = 0
    for cap in captures:
        rc, got, err = scan(args.aigatectl, cap)
        want = load_truth(cap)
        diffs = {("missing",) + p for p in want - got} | {("extra",) + p for p in got - want}
        exp = expected.get(cap, set())
        unexpected = diffs - exp
        stale = exp - diffs
        if rc != 0 or unexpected or stale:
            bad += 1
            print("not ok - %s" % cap)
            if rc != 0:
                print("   scan exit %d: %s" % (rc, err.strip()[:300]))
            for d in sorted(unexpected, key=str):
                print("   unexpected %s %s %r" % d)
            for d in sorted(stale, key=str):
                print("   expected difference no longer seen: %s %s %r" % d)
        else:
            note = " (%d expected difference(s))" % len(exp) if exp else ""
            print("ok - %s: %d pairs%s" % (cap, len(want), note))
    print("%d passed, %d failed" % (len(captures) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
