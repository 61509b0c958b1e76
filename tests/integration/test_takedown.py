#!/usr/bin/env python3
"""Takedown orders (docs/abuse.md) through the real `tether` and `tetherd`, seen by dig and
curl: `tether takedown preview FILE` reports and prints `preview: ID` last; `apply` makes the
listed hosts answer the action (sinkhole, nxdomain, nodata, delegate) while every other
name's answer stays exactly what it was; updates of an enforced host answer `abuse`;
`restore` brings back every answer; orders above the approval size need a second person;
apexes need --force; an order with --expires lifts itself.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_takedown.py
"""

import time
import unittest

import ddnslib as dd
import tetherlib as tl

CONFIG = """
[abuse]
sinkhole = ["192.0.2.53", "2001:db8::53"]
ttl = 30
approve_above_names = 3
approve_above_accounts = 3

[ddns]
host_changes_per_minute = 1000
"""

BAD = ["bad1", "bad2"]
GOOD = ["good1", "good2"]
QUERIES = ["A", "AAAA", "TXT", "MX"]


class TakedownTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.server = dd.start_configured_server(self, CONFIG)
        self.port = self.server.endpoints[0][1]
        dd.add_user(self.server, "alice", "alice-pw-1")
        dd.add_user(self.server, "bob", "bob-pw-22")
        dd.add_abuse_desk(self.server)
        for i, label in enumerate(BAD + GOOD):
            dd.add_host(self.server, dd.fqdn(label), "alice" if label != "good2" else "bob")
            reply = dd.nic_update(self.server, "hostname=%s&myip=198.51.100.%d,2001:db8::%d&wildcard=ON"
                                  % (dd.fqdn(label), i + 1, i + 1),
                                  "alice:alice-pw-1" if label != "good2" else "bob:bob-pw-22")
            self.assertTrue(reply.body.startswith("good"), reply)

    # ---- helpers ----

    def admin(self, *args, check=True):
        return self.server.admin(*args, check=check)

    def answer(self, name, rrtype):
        ans = tl.dig(self.port, name + ".", rrtype)[0]
        return (ans.rcode, "aa" in ans.flags, sorted(ans.answer),
                sorted(l for l in ans.authority if " SOA " not in l))

    def snapshot(self):
        """Every answer of every host, its wildcard child and the apex, by (name, type)."""
        names = [dd.fqdn(label) for label in BAD + GOOD]
        names += ["www." + name for name in names]
        out = {}
        for name in names:
            for rrtype in QUERIES:
                out[(name, rrtype)] = self.answer(name, rrtype)
        return out

    def preview(self, names, *options, check=True):
        path = self.tmp.write("list-%d.txt" % time.monotonic_ns(), "\n".join(names) + "\n")
        result = self.admin("takedown", "preview", path, *options, check=check)
        if not check:
            return result
        last = result.stdout.splitlines()[-1]
        self.assertRegex(last, r"^preview: \d+$", result)
        return result, last.split()[1]

    def apply(self, preview_id, *options, check=True):
        result = self.admin("takedown", "apply", preview_id, *options, check=check)
        if not check:
            return result
        last = result.stdout.splitlines()[-1]
        self.assertRegex(last, r"^order: \d+$", result)
        return last.split()[1]

    def assert_only_listed_changed(self, before, listed):
        after = self.snapshot()
        for key, value in before.items():
            if any(key[0] == n or key[0].endswith("." + n) for n in listed):
                continue
            self.assertEqual(after[key], value, key)
        return after

    # ---- tests ----

    def test_sinkhole_touches_only_the_listed_hosts_and_restores_exactly(self):
        before = self.snapshot()
        listed = [dd.fqdn(label) for label in BAD]
        result, preview_id = self.preview(listed + [dd.fqdn("nothere")], "--action", "sinkhole",
                                          "--reason", "njRAT C2", "--reference", "case 2014-1",
                                          "--as", "desk")
        report = result.stdout
        self.assertIn("names listed: 3 (found 2, not found 1)", report)
        self.assertIn("not found (skipped): nothere.dyn.example.net.", report)
        self.assertIn("account alice: 2 listed, 1 not listed and not touched: good1.dyn.example.net.",
                      report)
        self.assertIn("A 192.0.2.53, AAAA 2001:db8::53 (TTL 30)", report)
        self.assertEqual(self.snapshot(), before)  # a preview changes nothing

        order_id = self.apply(preview_id, "--as", "desk")
        after = self.assert_only_listed_changed(before, listed)
        for name in listed:
            self.assertEqual(after[(name, "A")][2], ["%s. 30 IN A 192.0.2.53" % name])
            self.assertEqual(after[(name, "AAAA")][2], ["%s. 30 IN AAAA 2001:db8::53" % name])
            self.assertEqual(after[("www." + name, "A")][2],  # the wildcard child too
                             ["www.%s. 30 IN A 192.0.2.53" % name])
        # The owner's update is refused and changes nothing.
        reply = dd.nic_update(self.server, "hostname=%s&myip=203.0.113.9" % listed[0], "alice:alice-pw-1")
        self.assertEqual(reply.body.strip(), "abuse")
        self.assertEqual(self.answer(listed[0], "A")[2], ["%s. 30 IN A 192.0.2.53" % listed[0]])
        state = self.admin("host", "state", listed[0]).stdout
        self.assertIn("abuse: enforced\naction: sinkhole\norder: %s\n" % order_id, state)

        self.admin("takedown", "restore", order_id, "--as", "desk2", "--reason", "appeal granted")
        self.assertEqual(self.snapshot(), before)
        self.assertIn("abuse: none", self.admin("host", "state", listed[0]).stdout)

        rows = [l.split("\t") for l in self.admin("audit", "list").stdout.splitlines()]
        actions = [(r[2], r[3], r[4]) for r in rows]
        self.assertEqual(actions, [("desk", "takedown.apply", ",".join(n + "." for n in listed)),
                                   ("desk2", "takedown.restore", ",".join(n + "." for n in listed))])
        self.assertEqual(int(rows[0][8]), int(rows[0][7]) + 1)  # one serial for the whole order
        self.assertEqual(rows[0][6], "case 2014-1")
        self.assertRegex(self.admin("audit", "verify").stdout, r"^ok: 2 entries")
        orders = [l.split("\t") for l in self.admin("takedown", "list").stdout.splitlines()]
        self.assertEqual([(o[0], o[1], o[2]) for o in orders],
                         [(order_id, "restored", "sinkhole"), (preview_id, "preview", "sinkhole")])

    def test_nxdomain_nodata_and_delegation(self):
        before = self.snapshot()
        name = dd.fqdn("bad1")
        for action, options in (("nxdomain", ()), ("nodata", ()),
                                ("delegate", ("--ns", "ns1.partner.example,ns2.partner.example"))):
            _, preview_id = self.preview([name], "--action", action, *options)
            order_id = self.apply(preview_id)
            self.assert_only_listed_changed(before, [name])
            if action == "nxdomain":
                for rrtype in QUERIES:
                    self.assertEqual(self.answer(name, rrtype)[:3], ("NXDOMAIN", True, []))
                self.assertEqual(self.answer("www." + name, "A")[0], "NXDOMAIN")
            elif action == "nodata":
                for rrtype in QUERIES + ["ANY"]:
                    self.assertEqual(self.answer(name, rrtype)[:3], ("NOERROR", True, []), rrtype)
            else:
                rcode, aa, answer, authority = self.answer(name, "A")
                self.assertEqual((rcode, aa, answer), ("NOERROR", False, []))
                self.assertEqual(authority, ["%s. 30 IN NS ns1.partner.example." % name,
                                             "%s. 30 IN NS ns2.partner.example." % name])
            self.admin("takedown", "restore", order_id)
            self.assertEqual(self.snapshot(), before, action)

    def test_large_orders_need_a_second_person_and_apexes_need_force(self):
        names = [dd.fqdn(label) for label in BAD + GOOD]  # 4 names > approve_above_names = 3
        result, preview_id = self.preview(names, "--action", "nxdomain", "--as", "desk")
        self.assertIn("second approver needed", result.stdout)
        refused = self.apply(preview_id, "--as", "desk", check=False)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("second approver", refused.stderr)
        refused = self.apply(preview_id, "--approve", "--as", "desk", check=False)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("other than the author", refused.stderr)
        order_id = self.apply(preview_id, "--approve", "--as", "desk2")
        self.assertEqual(self.answer(dd.fqdn("good2"), "A")[0], "NXDOMAIN")
        self.admin("takedown", "restore", order_id)

        apex = self.preview([dd.ZONE], "--action", "sinkhole", check=False)
        self.assertEqual(apex.returncode, 1)
        self.assertIn("a zone apex", apex.stderr)
        wildcard = self.preview(["*." + dd.ZONE], "--action", "nxdomain", check=False)
        self.assertEqual(wildcard.returncode, 1)
        self.assertIn("a wildcard", wildcard.stderr)
        usage = self.preview([dd.fqdn("bad1")], "--action", "delegate", check=False)
        self.assertEqual(usage.returncode, 2)
        user = self.preview([dd.fqdn("bad1")], "--action", "nxdomain", "--as", "alice", check=False)
        self.assertEqual(user.returncode, 2)  # not of the abuse desk

    def test_an_order_with_an_expiry_lifts_itself(self):
        before = self.snapshot()
        name = dd.fqdn("bad2")
        _, preview_id = self.preview([name], "--action", "nxdomain", "--expires", "+2s")
        self.apply(preview_id)
        self.assertEqual(self.answer(name, "A")[0], "NXDOMAIN")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.answer(name, "A")[0] == "NXDOMAIN":
            time.sleep(0.2)
        self.assertEqual(self.snapshot(), before)
        self.assertIn("takedown.restore", self.admin("audit", "list").stdout)
        self.assertIn("expiry", self.admin("audit", "list").stdout)

    def test_a_watched_hosts_queries_are_logged(self):
        name = dd.fqdn("bad1")
        self.admin("host", "state", name, "--set", "watch", "--reason", "report 7")
        self.answer(name, "A")
        self.answer(dd.fqdn("good1"), "A")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "watched host %s.: query A from 127.0.0.1:" % name not in self.server.log():
            time.sleep(0.05)
        log = self.server.log()
        self.assertIn("watched host %s.: query A from 127.0.0.1:" % name, log)
        self.assertNotIn("watched host %s." % dd.fqdn("good1"), log)
        # Over TCP too.
        tl.dig(self.port, name + ".", "TXT", tcp=True)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "watched host %s.: query TXT from 127.0.0.1:" % name not in self.server.log():
            time.sleep(0.05)
        log = self.server.log()
        self.assertIn("watched host %s.: query TXT from 127.0.0.1:" % name, log)
        self.admin("host", "state", name, "--set", "none", "--reason", "done")
        before = log.count("watched host %s.: query" % name)
        self.answer(name, "A")
        time.sleep(0.2)
        self.assertEqual(self.server.log().count("watched host %s.: query" % name), before)

    def test_abuse_scan_flags_a_fast_flux_host(self):
        name = dd.fqdn("bad1")
        for i in range(40):  # 40 addresses in 40 /16 networks within minutes: fast flux
            reply = dd.nic_update(self.server, "hostname=%s&myip=%d.%d.1.%d" % (name, 11 + i, i * 3 % 250, i + 1),
                                  "alice:alice-pw-1")
            self.assertTrue(reply.body.startswith("good"), reply)
        rows = [l.split("\t") for l in self.admin("abuse", "scan").stdout.splitlines()]
        self.assertEqual([r[0] for r in rows], [name + "."], rows)
        self.assertEqual(rows[0][2:4], ["watch", "none"])
        self.assertIn("flux score", rows[0][4])
        self.assertGreater(float(rows[0][1]), 142.38)
        everything = self.admin("abuse", "scan", "--all").stdout.splitlines()
        self.assertEqual(len(everything), len(BAD + GOOD))
        result = self.admin("abuse", "scan", "--watch", "--as", "desk")
        self.assertEqual(result.stderr, "watched: 1\n")
        self.assertIn("abuse: watch", self.admin("host", "state", name).stdout)
        self.assertIn("abuse: none", self.admin("host", "state", dd.fqdn("good1")).stdout)
        audit = self.admin("audit", "list").stdout
        self.assertIn("desk\thost.state\t%s." % name, audit)


if __name__ == "__main__":
    unittest.main()
