#!/usr/bin/env python3
"""Differential test: the same zones served by knotd (the reference) and by tetherd must give
the same answers to a few hundred deterministic queries.

Compared per query: RCODE, the header flags qr aa tc rd ra ad cd, EDNS presence/version/DO/
payload, the question exactly (case included), and every section as a sorted multiset of RR
lines (names case-folded; a case-only difference is printed as a note, not a failure).
Ignored: message ID, EDNS options, timing.

Run: TETHERD=build/tetherd python3 tests/integration/test_knot_differential.py
     TETHER_DIFF_PEER=nsd ...   compares knotd with nsd instead (to check the harness;
                                NSD differs by design in a few places).
     TETHER_DIFF_VERBOSE=1 ...  prints every query and both answers.
"""

import difflib
import os
import random
import unittest

import tetherlib as tl

ZONES = {
    "example.": os.path.join(tl.HERE, "zones", "diff-example.zone"),
    "child.example.": os.path.join(tl.HERE, "zones", "diff-child.example.zone"),
}

QTYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "SRV", "CNAME", "DNAME", "DS", "CAA", "PTR",
          "TYPE65000", "HINFO", "SSHFP", "NAPTR", "TLSA"]

# The RFC 4592 2.2.1 queries and their textbook outcomes (the comment), asked first.
RFC4592_QUERIES = [
    ("host3.example.", "MX"),          # wildcard answer (*.example MX)
    ("host3.example.", "A"),           # wildcard NODATA
    ("foo.bar.example.", "TXT"),       # wildcard answer
    ("host1.example.", "MX"),          # NODATA: host1 exists
    ("sub.*.example.", "MX"),          # NODATA: "*" here is an ordinary label
    ("_telnet._tcp.host1.example.", "SRV"),  # NXDOMAIN: closest encloser _tcp.host1
    ("host.subdel.example.", "A"),     # referral
    ("ghost.*.example.", "MX"),        # NXDOMAIN: closest encloser *.example itself
    ("_ssh._tcp.host1.example.", "SRV"),
    ("_ssh._tcp.host2.example.", "SRV"),
    ("host2.example.", "A"),           # empty non-terminal: NODATA, not the wildcard
    ("_tcp.host2.example.", "SRV"),    # empty non-terminal
    ("sub.*.example.", "TXT"),
    ("*.example.", "TXT"),             # the wildcard owner asked for literally
    ("*.example.", "MX"),
]

# Hand-picked questions for the rest of the zone; each gets a few more qtypes below.
NAMES = [
    # apex and exact data
    "example.", "ns1.example.", "host1.example.", "www.example.", "_443._tcp.www.example.",
    "mx2.example.", "mxwild.example.", "_sip._udp.example.", "naptr.example.", "ptr.example.",
    "4.2.0.192.in-addr.example.", "unknown.example.", "esc.example.", "long.example.",
    "ttls.example.",
    # wildcards
    "anything.example.", "a.b.c.example.", "x.wild.example.", "y.x.wild.example.",
    "exact.wild.example.", "sub.exact.wild.example.", "wild.example.", "q.wc.example.",
    "r.s.wc.example.", "a.wcloop.example.", "a.wcout.example.", "foo.a.ent2.example.",
    "bar.foo.a.ent2.example.", "x.ent2.example.", "x.ent3.example.", "c.deep.ent3.example.",
    "*.a.ent2.example.", "*.wild.example.", "x.sub.*.example.",
    # empty non-terminals
    "ent2.example.", "a.ent2.example.", "ent3.example.", "deep.ent3.example.",
    "b.deep.ent3.example.", "_tcp.www.example.", "_udp.example.", "target.example.",
    "in-addr.example.", "2.0.192.in-addr.example.",
    # NXDOMAIN below existing names (no wildcard applies)
    "nx.host1.example.", "nx._ssh._tcp.host1.example.", "nx.ns1.example.", "a.b.mx2.example.",
    # CNAME chains
    "c1.example.", "c2.example.", "c3.example.", "cwild.example.", "cwild2.example.",
    "cnx.example.", "cnodata.example.", "cout.example.", "loop1.example.", "self.example.",
    "cdel.example.", "cdname.example.", "cent.example.", "cchild.example.", "capex.example.",
    "below.c1.example.",
    # DNAME
    "dn.example.", "x.dn.example.", "y.x.dn.example.", "nx.dn.example.", "a.b.c.dn.example.",
    "www.dnout.example.", "x.dnchain.example.", "dnchain.example.", "x.target.example.",
    # delegations
    "subdel.example.", "host.subdel.example.", "del1.example.", "host.del1.example.",
    "ns.del1.example.", "ns2.del1.example.", "a.b.del1.example.", "del2.example.",
    "x.del2.example.", "del3.example.", "ns.del3.example.", "del4.example.", "x.del4.example.",
    # the hosted child zone
    "child.example.", "ns1.child.example.", "www.child.example.", "nx.child.example.",
    "a.wild.child.example.",
    # outside every zone
    "example.org.", "com.", "org.", "www.example.org.", "example.com.",
]


def random_case(name, rng):
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in name)


def generate_queries():
    """[(qname, qtype, [per-query dig options])], deterministic."""
    rng = random.Random(20261126)
    queries = [(n, t, []) for n, t in RFC4592_QUERIES]
    for name in NAMES:
        types = ["A"] + rng.sample([t for t in QTYPES if t != "A"], 3)
        for qtype in types:
            queries.append((name, qtype, []))
    # A slice with every qtype at a few interesting owners.
    for name in ("example.", "host1.example.", "del1.example.", "x.dn.example.",
                 "anything.example.", "c1.example.", "dn.example.", "child.example."):
        for qtype in QTYPES:
            if (name, qtype, []) not in queries:
                queries.append((name, qtype, []))
    # Variations: letter case, RD, DO, CD, no AD, no EDNS, TCP.
    varied = []
    for qname, qtype, opts in queries:
        r = rng.random()
        opts = list(opts)
        if r < 0.15:
            qname = random_case(qname, rng)
        if rng.random() < 0.15:
            opts.append("+rec")
        if rng.random() < 0.10:
            opts.append("+dnssec")
        if rng.random() < 0.05:
            opts.append("+cdflag")
        if rng.random() < 0.05:
            opts.append("+noadflag")
        if rng.random() < 0.05:
            opts.append("+noedns")
        if rng.random() < 0.10:
            opts.append("+tcp")
        varied.append((qname, qtype, opts))
    varied += [("HoSt1.ExAmPlE.", "A", []), ("X.DN.EXAMPLE.", "A", []),
               ("FOO.BAR.example.", "TXT", []), ("WwW.ChIlD.ExAmPlE.", "A", []),
               ("HOST.DEL1.EXAMPLE.", "A", []), ("Nx.Example.", "A", [])]
    return varied


FLAG_NAMES = {"qr", "aa", "tc", "rd", "ra", "ad", "cd"}


def comparable(ans):
    """What must match between the two servers."""
    edns = None
    if ans.edns is not None:
        edns = (ans.edns["version"], tuple(sorted(ans.edns["flags"])), ans.edns["udp"])
    return {"rcode": ans.rcode, "opcode": ans.opcode,
            "flags": " ".join(sorted(ans.flags & FLAG_NAMES)), "edns": edns,
            **tl.fold_answer_case(ans), "question": ans.question}


def render(ans):
    c = comparable(ans)
    lines = ["rcode %s  flags [%s]  edns %s" % (c["rcode"], c["flags"], c["edns"]),
             "question: %s" % " | ".join(c["question"])]
    for sec in ("answer", "authority", "additional"):
        for rr in c[sec]:
            lines.append("%-10s %s" % (sec, rr))
    return lines


def ask(server, queries, batch=40):
    """Answers to `queries` from one server, in order; re-asks one by one if a batch fails."""
    out = []
    for i in range(0, len(queries), batch):
        chunk = queries[i:i + batch]
        args = []
        for qname, qtype, opts in chunk:
            args += [qname, qtype] + opts
        answers = tl.dig(server.port, *args, expect=None, timeout_s=2, tries=2)
        if len(answers) != len(chunk) or any(
                a.question != ["%s IN %s" % (q[0], q[1])] for a, q in zip(answers, chunk)):
            answers = []
            for qname, qtype, opts in chunk:
                got = tl.dig(server.port, qname, qtype, *opts, expect=None, tries=3)
                answers.append(got[0] if got else None)
        out += answers
    return out


class KnotDifferentialTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.peer_kind = os.environ.get("TETHER_DIFF_PEER", tl.server_kind())
        cls.knot = tl.Knotd(ZONES)
        try:
            if cls.peer_kind == "nsd":
                cls.peer = tl.Nsd(ZONES)
            elif cls.peer_kind == "knotd":
                cls.peer = tl.Knotd(ZONES)
            else:
                cls.peer = tl.start_server_under_test(ZONES, ipv6=False)
        except Exception:
            cls.knot.kill()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop()
        cls.peer.stop()

    def test_queries_cover_enough(self):
        queries = generate_queries()
        self.assertGreaterEqual(len(queries), 250)
        self.assertEqual(set(QTYPES), {t for _, t, _ in queries})

    def test_same_answers_as_knot(self):
        queries = generate_queries()
        want = ask(self.knot, queries)
        got = ask(self.peer, queries)
        verbose = os.environ.get("TETHER_DIFF_VERBOSE") == "1"
        mismatches, case_notes = [], []
        for (qname, qtype, opts), k, p in zip(queries, want, got):
            query = "dig %s %s %s" % (qname, qtype, " ".join(opts))
            if k is None:
                mismatches.append("%s\n  knotd gave no answer" % query)
                continue
            if p is None:
                mismatches.append("%s\n  %s gave no answer" % (query, self.peer_kind))
                continue
            ck, cp = comparable(k), comparable(p)
            if verbose:
                print("\n" + query + "\n  " + "\n  ".join(render(k)))
            if ck != cp:
                diff = difflib.unified_diff(render(k), render(p), "knotd", self.peer_kind,
                                            lineterm="", n=20)
                mismatches.append("%s\n  %s" % (query, "\n  ".join(diff)))
            elif (k.answer, k.authority, k.additional) != (p.answer, p.authority, p.additional):
                case_notes.append("%s: knotd %s / %s %s" % (
                    query, k.answer + k.authority, self.peer_kind, p.answer + p.authority))
        if case_notes:
            print("\nnote: %d answers differ only in letter case of names:" % len(case_notes))
            for note in case_notes[:20]:
                print("  " + note)
        if mismatches:
            print("\n%d of %d queries differ between knotd and %s:\n" % (
                len(mismatches), len(queries), self.peer_kind))
            print("\n\n".join(mismatches))
        else:
            print("\nall %d queries: knotd and %s agree" % (len(queries), self.peer_kind))
        self.assertEqual(len(mismatches), 0, "%d of %d queries differ (see above)" % (
            len(mismatches), len(queries)))


if __name__ == "__main__":
    tl.run_tests()
