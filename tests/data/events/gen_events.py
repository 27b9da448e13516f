#!/usr/bin/python3
"""gen_events.py: event logs (schema v1) with known contents, for the tests
and the benchmark of `aigatectl report`.

    gen_events.py fixture OUT.json       the fixed test log (deterministic)
    gen_events.py bench N OUT.json       N events of a plausible mix (seeded)

The fixture's contents are in FIXTURE below; tests/data/events/check_report.py
recomputes every figure of the report from the same events on its own and
compares.  Standard library only.
"""
import json
import random
import sys

S1, S2 = 2026112501, 2026113001
PSEUDONYM = "p-sob7b6jzbdj3wd4u"
HOSTILE = '<img src=x onerror=alert(1)>"llm\\x01.example'  # \x01 as events write it
HOSTILE_VENDOR = "Evil\u202eCorp\u0007<b>"


def ev(day, hour, minute, src, name, service, vendor, terms, action, verdict, reason,
       app="tls", zone=None, contract=None, count=1, mode="enforce"):
    serial = S1 if day <= 27 else S2
    e = {"v": 1, "timestamp": "2026-11-%02dT%02d:%02d:07.250000Z" % (day, hour, minute),
         "sensor": "gw1", "src_ip": src, "src_port": 40000 + minute,
         "dest_ip": "198.51.100.7", "dest_port": 53 if app == "dns" else 443,
         "proto": "UDP" if app in ("dns", "quic") else "TCP", "app_proto": app,
         "name": name, "service": service, "vendor": vendor, "terms": terms,
         "action": action, "verdict": verdict, "reason": reason, "mode": mode,
         "zone": zone, "contract": contract, "list_serial": serial, "flags": []}
    if app == "dns":
        e["dns"] = {"id": 4660, "rrtype": "A"}
    if count > 1:
        e["count"] = count
    return e


def fixture():
    out = []
    B = ("block", "reset", "terms")
    for day in range(26, 31):  # chatgpt from 10.0.0.1, folded: 3 each
        out.append(ev(day, 9, 5, "10.0.0.1", "chatgpt.com", "chatgpt", "OpenAI", "shared", *B, count=3))
    for day in range(26, 30):
        out.append(ev(day, 10, 1, "10.0.0.2", "chatgpt.com", "chatgpt", "OpenAI", "shared", *B))
    for m in (1, 2):
        out.append(ev(30, 14, m, "10.0.0.3", "claude.ai", "claude", "Anthropic", "shared",
                      "block", "nxdomain", "terms", app="dns"))
    out.append(ev(30, 15, 0, PSEUDONYM, "claude.ai", "claude", "Anthropic", "shared",
                  "block", "nxdomain", "terms", app="dns", count=2))
    for c in ("10.0.1.1", "10.0.1.2", "10.0.1.3"):
        for day in (28, 29):
            out.append(ev(day, 11, 3, c, "chat.mistral.ai", "mistral-lechat", "Mistral AI", "shared",
                          "allow", "accept", "contract", contract="mistral-2026"))
    for h in range(8, 13):
        out.append(ev(27, h, 30, "10.0.2.1", "agency.openai.azure.com", "azure-openai", "Microsoft",
                      "enterprise", "allow", "accept", "terms"))
    for m in (1, 2, 3):
        out.append(ev(29, 13, m, "10.99.0.5", "chatgpt.com", "chatgpt", "OpenAI", "shared",
                      "log", "accept", "zone", zone="sandbox"))
    for m in (4, 5):
        out.append(ev(29, 13, m, "10.99.0.6", "chat.deepseek.com", "deepseek-chat", "DeepSeek",
                      "consumer", "log", "accept", "zone", app="quic", zone="sandbox", count=2))
    for m in (1, 2, 3):
        out.append(ev(26, 7, m, "10.0.0.4", "dns.google", "google-public-dns", "Google", "dns-bypass",
                      "block", "nxdomain", "terms", app="dns"))
    out.append(ev(30, 16, 0, "10.0.0.5", "chatgpt.com", "chatgpt", "OpenAI", "shared",
                  "block", "accept", "terms", mode="monitor"))
    U = (None, None, None, "allow", "accept", "unlisted")
    for m in (1, 2):
        out.append(ev(30, 8, m, "10.0.3.1", "mygpt-helper.example", *U, app="dns", count=3))
    for m in (3, 4, 5):
        out.append(ev(30, 8, m, "10.0.3.1", "chat.randomcorp.example", *U))
    out.append(ev(30, 8, 6, "10.0.3.1", "api.newvendor.ai", *U))
    for m in range(10):
        out.append(ev(30, 8, 10 + m, "10.0.3.1", "www.example.org", *U, app="dns"))
    for m in range(4):
        out.append(ev(30, 8, 30 + m, "10.0.3.1", "www.google.com", *U))
    out.append(ev(30, 8, 40, "10.0.3.1", "assistant-ml.google.com", *U))
    out.append(ev(30, 8, 41, "10.0.3.1", HOSTILE, *U))
    out.append(ev(30, 17, 0, "10.0.0.6", "odd.example", "odd-svc", HOSTILE_VENDOR, "consumer",
                  "block", "reset", "terms"))
    out.sort(key=lambda e: e["timestamp"])
    return out


# The names the report must propose for review, with score and signals.
REVIEW = [
    ("assistant-ml.google.com", 4, ["assistant", "ml", "under google.com"], 1),
    ("mygpt-helper.example", 3, ["gpt"], 6),
    (HOSTILE, 3, ["llm"], 1),
    ("chat.randomcorp.example", 2, ["chat"], 3),
    ("api.newvendor.ai", 2, [".ai"], 1),
]

# Vendor facts of the services above, as rules/list.conf has them.
FACTS = {
    "chatgpt": ("ChatGPT", "OpenAI", "US", False),
    "claude": ("Claude", "Anthropic", "US", False),
    "mistral-lechat": ("Le Chat", "Mistral AI", "FR", True),
    "azure-openai": ("Azure OpenAI", "Microsoft", "US", False),
    "deepseek-chat": ("DeepSeek", "DeepSeek", "CN", False),
    "google-public-dns": ("Google Public DNS (DoH/DoT)", "Google", "US", False),
}


def bench(n, out):
    rnd = random.Random(6)
    services = [("chatgpt.com", "chatgpt", "OpenAI", "shared"), ("claude.ai", "claude", "Anthropic", "shared"),
                ("chat.mistral.ai", "mistral-lechat", "Mistral AI", "shared"),
                ("chat.deepseek.com", "deepseek-chat", "DeepSeek", "consumer"),
                ("agency.openai.azure.com", "azure-openai", "Microsoft", "enterprise"),
                ("dns.google", "google-public-dns", "Google", "dns-bypass")]
    for i in range(n):
        day = 1 + (i * 30) // n
        src = "10.%d.%d.%d" % (rnd.randrange(4), rnd.randrange(256), rnd.randrange(1, 255))
        r = rnd.random()
        if r < 0.5:
            name = "host%d.example%d.org" % (rnd.randrange(100000), rnd.randrange(50))
            if rnd.random() < 0.02:
                name = "gpt%d.tools.example" % rnd.randrange(5000)
            e = ev(26, 0, 0, src, name, None, None, None, "allow", "accept", "unlisted", app="dns")
        else:
            name, svc, vendor, terms = rnd.choice(services)
            action = "allow" if terms == "enterprise" else "block"
            e = ev(26, 0, 0, src, name, svc, vendor, terms, action,
                   "accept" if action == "allow" else "reset", "terms")
        e["timestamp"] = "2026-%02d-%02dT%02d:%02d:%02d.000000Z" % (
            11 if day <= 30 else 12, min(day, 30), rnd.randrange(24), rnd.randrange(60), rnd.randrange(60))
        out.write(json.dumps(e, separators=(",", ":")) + "\n")


def main(argv):
    if len(argv) == 3 and argv[1] == "fixture":
        with open(argv[2], "w") as f:
            for e in fixture():
                f.write(json.dumps(e, separators=(",", ":")) + "\n")
        return 0
    if len(argv) == 4 and argv[1] == "bench":
        with open(argv[3], "w") as f:
            bench(int(argv[2]), f)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
