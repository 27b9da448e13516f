#!/usr/bin/python3
"""check_report.py: check the output of `aigatectl report` over the fixture
of gen_events.py against figures recomputed here, independently, from the
same events.

    check_report.py json|text|dom FILE [--since T] [--until T] [--lines N] [--corrupt N]

json: the --format json output, every figure compared.
text: the text output, a line checked for every row of every section.
dom:  the DOM of the HTML report as headless Chromium dumped it: the
      summary cards, every chart bar and table row, the escaped hostile
      strings (text, never markup), and no script or external reference.
--since/--until (ISO times, inclusive) as given to report; --lines and
--corrupt: the expected line and corrupt-line counts of the input.
Prints one line per problem; exit 0 when there is none.
"""
import collections
import datetime
import html.parser
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_events  # noqa: E402

ACTIONS = ("allow", "log", "block")
problems = []


def problem(msg):
    problems.append(msg)
    print("MISMATCH: " + msg)


def eq(what, got, want):
    if got != want:
        problem("%s: got %r, want %r" % (what, got, want))


def ts(e):
    return datetime.datetime.strptime(e["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")


def counts():
    return collections.Counter()


def expected(since, until):
    evs = [e for e in gen_events.fixture() if since <= ts(e) <= until]
    x = {"events": 0, "records": len(evs), "act": counts(), "verdicts": collections.defaultdict(counts),
         "modes": collections.defaultdict(counts), "protos": collections.defaultdict(counts),
         "reasons": collections.defaultdict(counts), "services": collections.defaultdict(counts),
         "svc_vendor": {}, "vendors": collections.defaultdict(counts), "terms": collections.defaultdict(counts),
         "clients": counts(), "client_svcs": collections.defaultdict(list), "days": collections.defaultdict(counts),
         "hours": collections.defaultdict(counts), "zones": collections.defaultdict(counts),
         "zone_svcs": collections.defaultdict(counts), "zone_clients": collections.defaultdict(set),
         "contracts": collections.defaultdict(counts), "contract_svcs": collections.defaultdict(counts),
         "contract_clients": collections.defaultdict(set), "contract_times": collections.defaultdict(list),
         "serials": collections.defaultdict(counts), "serial_times": collections.defaultdict(list),
         "unlisted": 0, "review": counts()}
    review_names = {r[0] for r in gen_events.REVIEW}
    for e in evs:
        w = e.get("count", 1)
        a = e["action"]
        t = ts(e)
        x["events"] += w
        for key, tab in (("verdict", "verdicts"), ("mode", "modes"), ("app_proto", "protos"), ("reason", "reasons")):
            x[tab][e[key]][a] += w
        if e["service"]:
            x["services"][e["service"]][a] += w
            x["svc_vendor"][e["service"]] = e["vendor"]
            fact = gen_events.FACTS.get(e["service"])
            x["vendors"][fact[1] if fact else e["vendor"]][a] += w
        x["terms"][e["terms"] or "unlisted"][a] += w
        x["days"][t.strftime("%Y-%m-%d")][a] += w
        x["hours"][t.strftime("%Y-%m-%dT%H:00:00Z")][a] += w
        what = e["service"] or "(unlisted)"
        if e["zone"]:
            x["zones"][e["zone"]][a] += w
            x["zone_svcs"][e["zone"]][what] += w
            x["zone_clients"][e["zone"]].add(e["src_ip"])
        if e["contract"]:
            x["contracts"][e["contract"]][a] += w
            x["contract_svcs"][e["contract"]][what] += w
            x["contract_clients"][e["contract"]].add(e["src_ip"])
            x["contract_times"][e["contract"]].append(t)
        x["serials"][e["list_serial"]][a] += w
        x["serial_times"][e["list_serial"]].append(t)
        if a == "block":
            x["clients"][e["src_ip"]] += w
            if what not in x["client_svcs"][e["src_ip"]]:
                x["client_svcs"][e["src_ip"]].append(what)
        if not e["service"]:
            x["unlisted"] += w
            if e["name"] in review_names:
                x["review"][e["name"]] += w
    return x


def row(c):
    """The counts of a report row."""
    return {"events": sum(c.values()), "allow": c["allow"], "log": c["log"], "block": c["block"]}


def got_row(o):
    return {k: o[k] for k in ("events", "allow", "log", "block")}


def sec(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def by_events(d):
    return sorted(d.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))


def timeline(x, since, until, bounded):
    lo = since if bounded[0] else min(ts(e) for e in gen_events.fixture() if since <= ts(e) <= until)
    hi = until if bounded[1] else max(ts(e) for e in gen_events.fixture() if since <= ts(e) <= until)
    hourly = hi - lo < datetime.timedelta(days=3)
    out = []
    if hourly:
        b = lo.replace(minute=0, second=0, microsecond=0)
        step, table, fmt = datetime.timedelta(hours=1), x["hours"], "%Y-%m-%dT%H:00:00Z"
    else:
        b = lo.replace(hour=0, minute=0, second=0, microsecond=0)
        step, table, fmt = datetime.timedelta(days=1), x["days"], "%Y-%m-%d"
    while b <= hi:
        k = b.strftime(fmt)
        out.append((k, row(table.get(k, counts()))))
        b += step
    return ("hour" if hourly else "day"), out


def check_json(path, since, until, bounded, lines, corrupt):
    m = json.load(open(path))
    x = expected(since, until)
    hdr, tot = m["report"], m["totals"]
    eq("records", hdr["records"], x["records"])
    eq("lines", hdr["lines"], lines)
    eq("corrupt_lines", hdr["corrupt_lines"], corrupt)
    all_events = sum(e.get("count", 1) for e in gen_events.fixture())
    eq("outside_range", hdr["outside_range"], all_events - x["events"])
    eq("totals", got_row(tot), row(x["act"]) if x["act"] else {"events": x["events"], **{a: sum(c[a] for c in x["verdicts"].values()) for a in ACTIONS}})
    for key, tab, name in (("verdicts", "verdicts", "verdict"), ("modes", "modes", "mode"),
                           ("app_protos", "protos", "app_proto"), ("reasons", "reasons", "reason")):
        eq("totals." + key, [(o[name], got_row(o)) for o in tot[key]], [(k, row(v)) for k, v in by_events(x[tab])])
    want = []
    for k, v in by_events(x["services"]):
        f = gen_events.FACTS.get(k)
        want.append({"service": k, "name": f[0] if f else None, "vendor": f[1] if f else x["svc_vendor"][k],
                     "jurisdiction": f[2] if f else None, "eu": f[3] if f else None, **row(v)})
    eq("services", [{k: o[k] for k in ("service", "name", "vendor", "jurisdiction", "eu", "events", "allow", "log", "block")}
                    for o in m["services"]], want)
    facts_by_vendor = {f[1]: f for f in gen_events.FACTS.values()}
    want = [{"vendor": k, "jurisdiction": facts_by_vendor[k][2] if k in facts_by_vendor else None,
             "eu": facts_by_vendor[k][3] if k in facts_by_vendor else None, **row(v)} for k, v in by_events(x["vendors"])]
    eq("vendors", [{k: o[k] for k in ("vendor", "jurisdiction", "eu", "events", "allow", "log", "block")} for o in m["vendors"]], want)
    known = sum(sum(v.values()) for k, v in x["vendors"].items() if k in facts_by_vendor)
    eu = sum(sum(v.values()) for k, v in x["vendors"].items() if k in facts_by_vendor and facts_by_vendor[k][3])
    eq("eu_share.events", (m["eu_share"]["events_known"], m["eu_share"]["events_eu"]), (known, eu))
    if known:
        eq("eu_share.share", round(m["eu_share"]["share"], 6), round(eu / known, 6))
    aknown = sum(v["allow"] + v["log"] for k, v in x["vendors"].items() if k in facts_by_vendor)
    aeu = sum(v["allow"] + v["log"] for k, v in x["vendors"].items() if k in facts_by_vendor and facts_by_vendor[k][3])
    eq("eu_share.allowed", (m["eu_share"]["allowed_known"], m["eu_share"]["allowed_eu"]), (aknown, aeu))
    order = ["consumer", "shared", "api", "enterprise", "dns-bypass", "unlisted"]
    eq("terms", [(o["terms"], got_row(o)) for o in m["terms"]], [(t, row(x["terms"].get(t, counts()))) for t in order])
    clients = sorted(x["clients"].items(), key=lambda kv: (-kv[1], kv[0]))
    eq("top_clients", [(o["client"], o["blocked"], o["overcount"], o["services"]) for o in m["top_clients"]["clients"]],
       [(k, v, 0, x["client_svcs"][k]) for k, v in clients])
    eq("top_clients.evicted", m["top_clients"]["evicted"], 0)
    unit, buckets = timeline(x, since, until, bounded)
    eq("timeline.unit", m["timeline"]["unit"], unit)
    eq("timeline", [(b["start"], got_row(b)) for b in m["timeline"]["buckets"]], buckets)
    for name, tab, svcs, cls, times in (("zones", "zones", "zone_svcs", "zone_clients", None),
                                         ("contracts", "contracts", "contract_svcs", "contract_clients", "contract_times")):
        key = name[:-1]
        want = []
        for k, v in by_events(x[tab]):
            w = {key: k, **row(v), "clients": len(x[cls][k]), "clients_complete": True,
                 "services": [(s, n) for s, n in sorted(x[svcs][k].items(), key=lambda kv: (-kv[1], kv[0]))]}
            if times:
                w["first"], w["last"] = sec(min(x[times][k])), sec(max(x[times][k]))
            want.append(w)
        got = []
        for o in m[name]:
            g = {key: o[key], **got_row(o), "clients": o["clients"], "clients_complete": o["clients_complete"],
                 "services": [(s["service"], s["events"]) for s in o["services"]]}
            if times:
                g["first"], g["last"] = o["first"], o["last"]
            got.append(g)
        eq(name, got, want)
    want = [(k, row(v), sec(min(x["serial_times"][k])), sec(max(x["serial_times"][k]))) for k, v in sorted(x["serials"].items())]
    eq("list_serials", [(o["serial"], got_row(o), o["first"], o["last"]) for o in m["list_serials"]], want)
    rv = m["names_to_review"]
    eq("names_to_review.unlisted_events", rv["unlisted_events"], x["unlisted"])
    eq("names_to_review.candidate_events", rv["candidate_events"], sum(x["review"].values()))
    want = [(n, s, sig, x["review"][n]) for n, s, sig, _ in gen_events.REVIEW if x["review"][n] > 0]
    eq("names_to_review", [(o["name"], o["score"], o["signals"], o["events"]) for o in rv["names"]], want)


def text_row(label, r):
    return r"^\s+%s\s+.*?%d\s+%d\s+%d\s+%d\s*$" % (re.escape(label), r["events"], r["allow"], r["log"], r["block"])


def check_text(path, since, until, bounded, lines, corrupt):
    t = open(path).read()
    x = expected(since, until)

    def want(regex, what):
        if not re.search(regex, t, re.M):
            problem("text: no line for %s (/%s/)" % (what, regex))
    want(r"^\s+lines:\s+%d \(%d events, %d corrupt lines skipped" % (lines, x["records"], corrupt), "the line counts")
    want(text_row("all", {"events": x["events"], **{a: sum(c[a] for c in x["verdicts"].values()) for a in ACTIONS}}), "totals")
    want(r"^\s+verdicts:\s+" + ", ".join("%s %d" % (k, sum(v.values())) for k, v in by_events(x["verdicts"])) + "$", "verdicts")
    for k, v in x["services"].items():
        f = gen_events.FACTS.get(k)
        want(r"^\s+%s\s+%s\s+%s\s+%d\s+%d\s+%d\s+%d\s*$" % (re.escape(k), re.escape(f[1]) if f else r".+", f[2] if f else "-",
             *row(v).values()), "service " + k)
    for k, v in x["terms"].items():
        want(text_row(k, row(v)), "terms " + k)
    for k, v in x["clients"].items():
        want(r"^\s+%s\s+%d\s+%s$" % (re.escape(k), v, re.escape(" ".join(x["client_svcs"][k]))), "client " + k)
    unit, buckets = timeline(x, since, until, bounded)
    want(r"^Timeline \(per %s, UTC\)$" % unit, "timeline title")
    for k, r in buckets:
        want(r"^\s+%s\s+%d\s+%d\s+%d\s+%d\s+#*$" % (re.escape(k), r["events"], r["allow"], r["log"], r["block"]), "bucket " + k)
    for k, v in x["zones"].items():
        r = row(v)
        want(r"^\s+%s: %d events \(allow %d, log %d, block %d\), %d clients?$" % (k, r["events"], r["allow"], r["log"], r["block"], len(x["zone_clients"][k])), "zone " + k)
    for k, v in x["contracts"].items():
        r = row(v)
        want(r"^\s+%s: %d events \(allow %d, log %d, block %d\), %d clients?$" % (k, r["events"], r["allow"], r["log"], r["block"], len(x["contract_clients"][k])), "contract " + k)
    for k, v in x["serials"].items():
        want(r"^\s+%d\s+%d events\s+%s \.\. %s$" % (k, sum(v.values()), sec(min(x["serial_times"][k])), sec(max(x["serial_times"][k]))), "serial %d" % k)
    for n, s, sig, _ in gen_events.REVIEW:
        if x["review"][n]:
            want(r"^\s+%d\s+%d\s+%s\s+%s$" % (s, x["review"][n], re.escape(n), re.escape(", ".join(sig))), "review " + n)
    # Hostile strings are escaped: no raw control or bidi character anywhere.
    if re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", t):
        problem("text: a raw control or bidi character is in the output")
    want(re.escape(r"Evil\u202eCorp\x07<b>"), "the escaped hostile vendor")


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.elems = []          # (tag, attrs)
        self.text = {}           # id -> text
        self.stack = []
        self.rows = []           # table rows: (table id, [cell texts])
        self.table = None
        self.cells = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elems.append((tag, a))
        if tag == "table":
            self.table = a.get("id")
        if tag == "tr":
            self.cells = []
        if tag in ("td", "th"):
            self.cell = []
        self.stack.append((tag, a.get("id"), []))

    def handle_endtag(self, tag):
        while self.stack:
            t, i, buf = self.stack.pop()
            s = "".join(buf)
            if i:
                self.text[i] = s
            if self.stack:
                self.stack[-1][2].append(s)
            if t == tag:
                break
        if tag in ("td", "th") and self.cells is not None:
            self.cells.append(s.strip())
        if tag == "tr" and self.cells is not None:
            self.rows.append((self.table, self.cells))
            self.cells = None

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2].append(data)


def check_dom(path, since, until, bounded, lines, corrupt):
    d = Dom()
    d.feed(open(path, encoding="utf-8").read())
    x = expected(since, until)
    tags = [t for t, _ in d.elems]
    for bad in ("script", "img", "iframe", "link", "object", "embed"):
        if bad in tags:
            problem("dom: a <%s> element (hostile input turned into markup, or an external reference)" % bad)
    for t, a in d.elems:
        for k, v in a.items():
            if k in ("src", "href") or k.startswith("on") or (v and re.match(r"\s*(https?:|//)", v) and k != "xmlns"):
                problem("dom: <%s %s=%r>" % (t, k, v))
    tot = {a: sum(c[a] for c in x["verdicts"].values()) for a in ACTIONS}
    for i, v in (("total-events", x["events"]), ("total-block", tot["block"]), ("total-log", tot["log"]), ("total-allow", tot["allow"])):
        got = re.match(r"\s*(\d+)", d.text.get(i, ""))
        eq("dom card " + i, int(got.group(1)) if got else None, v)
    eq("dom corrupt", d.text.get("corrupt"), str(corrupt))
    bars = {a["data-service"]: int(a["data-block"]) for t, a in d.elems if t == "g" and "data-block" in a}
    eq("dom chart-blocked", bars, {k: v["block"] for k, v in x["services"].items() if v["block"]})
    terms = {a["data-terms"]: int(a["data-events"]) for t, a in d.elems if t == "g" and "data-terms" in a}
    order = ["consumer", "shared", "api", "enterprise", "dns-bypass", "unlisted"]
    eq("dom chart-terms", terms, {k: sum(x["terms"].get(k, counts()).values()) for k in order})
    parts = collections.defaultdict(dict)
    cur = None
    for t, a in d.elems:
        if t == "g" and "data-terms" in a:
            cur = a["data-terms"]
        elif t == "g":
            cur = None
        if t == "rect" and cur and "data-part" in a:
            parts[cur][a["data-part"]] = int(a["data-value"])
    eq("dom chart-terms parts", dict(parts), {k: {a: v[a] for a in ("block", "log", "allow") if v[a]}
                                              for k, v in x["terms"].items() if sum(v.values())})
    unit, buckets = timeline(x, since, until, bounded)
    got = [(a["data-start"], int(a["data-events"])) for t, a in d.elems if t == "g" and "data-start" in a]
    eq("dom chart-timeline", got, [(k, r["events"]) for k, r in buckets])
    svc_rows = {c[0].split(" ")[0]: [int(n) for n in c[3:7]] for tid, c in d.rows if tid == "services" and c and c[0] != "service"}
    eq("dom services table", svc_rows, {k: list(row(v).values()) for k, v in x["services"].items()})
    review = [(c[2], int(c[0]), int(c[1])) for tid, c in d.rows if tid == "review" and c[0] != "score"]
    eq("dom review table", review, [(n, s, x["review"][n]) for n, s, _, _ in gen_events.REVIEW if x["review"][n]])
    vend = [c[0] for tid, c in d.rows if tid == "vendors"]
    if "Evil\\u202eCorp\\x07<b>" not in vend:
        problem("dom: the hostile vendor is not shown as escaped text: %r" % vend)
    eu = {c[0]: c[2] for tid, c in d.rows if tid == "vendors" and c[0] != "vendor"}
    eq("dom vendors EU column", eu.get("Mistral AI"), "yes")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mode, path = argv[1], argv[2]
    since, until = datetime.datetime.min, datetime.datetime.max
    bounded = [False, False]
    lines = corrupt = None
    args = argv[3:]
    while args:
        k, v = args[0], args[1]
        args = args[2:]
        if k == "--since":
            since, bounded[0] = datetime.datetime.fromisoformat(v.rstrip("Z")), True
        elif k == "--until":
            until, bounded[1] = datetime.datetime.fromisoformat(v.rstrip("Z")), True
        elif k == "--lines":
            lines = int(v)
        elif k == "--corrupt":
            corrupt = int(v)
    if lines is None:
        lines = len(gen_events.fixture())
    if corrupt is None:
        corrupt = 0
    {"json": check_json, "text": check_text, "dom": check_dom}[mode](path, since, until, bounded, lines, corrupt)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
