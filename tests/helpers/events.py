#!/usr/bin/python3
"""events.py: count (or print) the events of an aigate event log that match.

    events.py FILE [--print] [--min N] KEY=VALUE...

KEY may name a nested member with dots (dns.rrtype).  VALUE is compared
with the JSON value written as text: strings as they are, numbers as
digits, true/false/null as those words; a VALUE of "*" only requires the
key to be present; a list (flags) also matches when VALUE is one of its
elements.  Prints the number of matching events (with --print:
the events themselves).  Exit 0 when at least --min events match (default
1), else 1; with --max N also at most N.  Lines that are not valid JSON
are an error (exit 3): the event log must be JSON lines.
Standard library only.
"""
import json
import sys


def text(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (list, dict)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def lookup(ev, key):
    cur = ev
    for part in key.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False, None
        cur = cur[part]
    return True, cur


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[1]
    want_print = False
    lo, hi = 1, None
    conds = []
    args = argv[2:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--print":
            want_print = True
        elif a == "--min":
            i += 1
            lo = int(args[i])
        elif a == "--max":
            i += 1
            hi = int(args[i])
        elif "=" in a:
            k, v = a.split("=", 1)
            conds.append((k, v))
        else:
            print("events.py: bad argument %r" % a, file=sys.stderr)
            return 2
        i += 1
    n = 0
    try:
        f = open(path, encoding="utf-8", errors="strict")
    except FileNotFoundError:
        lines = []
    else:
        with f:
            lines = f.read().splitlines()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError as e:
            print("events.py: %s:%d: not JSON: %s" % (path, lineno, e), file=sys.stderr)
            return 3
        ok = True
        for k, v in conds:
            present, val = lookup(ev, k)
            if not present or (v != "*" and text(val) != v and
                               not (isinstance(val, list) and v in [text(x) for x in val])):
                ok = False
                break
        if ok:
            n += 1
            if want_print:
                print(line)
    if not want_print:
        print(n)
    if n < lo or (hi is not None and n > hi):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
