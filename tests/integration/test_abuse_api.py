#!/usr/bin/env python3
"""The abuse desk's REST API under /api/v1/abuse/ (docs/abuse.md "REST API") driven by curl
against a real tetherd, checked with dig: an anonymous report listed by the desk (403 for a
user's token); a takedown previewed, applied by a second approver and restored over REST;
an owner's appeal reversed, after which the host answers its own address again while the
rest of the order stays in force; the month's counts; the RPZ zone as a file over HTTP, for
the desk and, without a token, for the zone's transfer networks.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_abuse_api.py
"""

import json
import shutil
import unittest

import ddnslib as dd
import tetherlib as tl

CONFIG = """
[abuse]
sinkhole = ["192.0.2.53"]
ttl = 30
approve_above_names = 1
approve_above_accounts = 3

[ddns]
host_changes_per_minute = 1000
"""

RPZ = "rpz.example.net."
HOSTS = {"bad1": "alice", "bad2": "alice", "good1": "alice", "cam": "bob"}


class AbuseApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("curl", "dig"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s not installed" % tool)

    def setUp(self):
        self.tmp, self.server = dd.start_configured_server(self, CONFIG)
        self.port = self.server.endpoints[0][1]
        dd.add_user(self.server, "alice", "alice-pw-1")
        dd.add_user(self.server, "bob", "bob-pw-22")
        dd.add_abuse_desk(self.server)
        self.tokens = {user: dd.add_token(self.server, user)[1]
                       for user in ("alice", "bob", "desk", "desk2")}
        self.addresses = {}
        for i, (label, owner) in enumerate(sorted(HOSTS.items())):
            dd.add_host(self.server, dd.fqdn(label), owner)
            address = "198.51.100.%d" % (i + 1)
            password = "alice-pw-1" if owner == "alice" else "bob-pw-22"
            reply = dd.nic_update(self.server, "hostname=%s&myip=%s" % (dd.fqdn(label), address),
                                  "%s:%s" % (owner, password))
            self.assertTrue(reply.body.startswith("good"), reply)
            self.addresses[label] = address

    # ---- helpers ----

    def call(self, method, path, body=None, user=None):
        """(status, parsed JSON or None, reply) of one curl request; `user` None: no token."""
        host, port = self.server.http_endpoints[0]
        headers = []
        if user is not None:
            headers.append("Authorization: Bearer " + self.tokens[user])
        data = json.dumps(body) if body is not None else None
        if data is not None:
            headers.append("Content-Type: application/json")
        reply = dd.curl("http://%s:%d%s" % (host, port, path), headers=headers, data=data,
                        method=method, check=False)
        try:
            parsed = json.loads(reply.body) if reply.body else None
        except ValueError:
            parsed = None
        return reply.status, parsed, reply

    def ok(self, status, method, path, body=None, user=None):
        got, parsed, reply = self.call(method, path, body, user)
        self.assertEqual(got, status, reply)
        return parsed

    def answer(self, label):
        """(rcode, addresses) of the host's A records."""
        ans = tl.dig(self.port, dd.fqdn(label) + ".", "A")[0]
        return ans.rcode, sorted(line.split()[-1] for line in ans.answer)

    def order(self, labels, action="nxdomain"):
        """An order of `labels` over REST: previewed by desk, applied by desk2 (approve)."""
        preview = self.ok(201, "POST", "/api/v1/abuse/takedowns/preview",
                          {"names": [dd.fqdn(label) for label in labels], "action": action,
                           "reason": "phishing kit", "reference": "case 7"}, "desk")
        applied = self.ok(200, "POST", "/api/v1/abuse/takedowns/%d/apply" % preview["preview"],
                          {"approve": True}, "desk2")
        return applied["order"]

    # ---- tests ----

    def test_an_anonymous_report_is_listed_for_the_desk_only(self):
        created = self.ok(201, "POST", "/api/v1/abuse/reports",
                          {"name": dd.fqdn("bad1"), "category": "phishing",
                           "evidence": "https://evidence.example/kit.html",
                           "contact": "cert@example.org"})
        self.assertEqual(created["state"], "open")
        status, body, reply = self.call("GET", "/api/v1/abuse/reports", user="alice")
        self.assertEqual(status, 403, reply)
        self.assertEqual(body["error"]["code"], "forbidden", reply)
        self.assertEqual(self.call("GET", "/api/v1/abuse/reports")[0], 401)
        listed = self.ok(200, "GET", "/api/v1/abuse/reports?state=open", user="desk")["reports"]
        self.assertEqual([r["id"] for r in listed], [created["id"]])
        self.assertEqual(listed[0]["name"], dd.fqdn("bad1") + ".")
        self.assertEqual(listed[0]["source"], "127.0.0.1")
        self.assertEqual(listed[0]["target"]["account"], "alice")
        self.assertEqual(listed[0]["target"]["abuse"], "none")
        closed = self.ok(200, "POST", "/api/v1/abuse/reports/%d" % created["id"],
                         {"state": "closed", "note": "duplicate"}, "desk")
        self.assertEqual((closed["state"], closed["updated_by"]), ("closed", "desk"))
        self.assertEqual(self.ok(200, "GET", "/api/v1/abuse/reports?state=open", user="desk"),
                         {"reports": []})

    def test_preview_apply_and_restore_with_a_second_approver(self):
        names = [dd.fqdn("bad1"), dd.fqdn("bad2")]  # 2 names > approve_above_names = 1
        self.assertEqual(self.call("POST", "/api/v1/abuse/takedowns/preview",
                                   {"names": names, "action": "sinkhole", "reason": "c2"},
                                   "alice")[0], 403)
        preview = self.ok(201, "POST", "/api/v1/abuse/takedowns/preview",
                          {"names": names, "action": "sinkhole", "reason": "c2"}, "desk")
        self.assertIn("second approver needed", preview["report"])
        self.assertEqual(self.answer("bad1"), ("NOERROR", [self.addresses["bad1"]]))
        apply = "/api/v1/abuse/takedowns/%d/apply" % preview["preview"]
        status, body, reply = self.call("POST", apply, {}, "desk")
        self.assertEqual(status, 409, reply)
        self.assertIn("second approver", body["error"]["message"])
        status, body, reply = self.call("POST", apply, {"approve": True}, "desk")
        self.assertEqual(status, 409, reply)
        self.assertIn("other than the author", body["error"]["message"])
        order = self.ok(200, "POST", apply, {"approve": True}, "desk2")
        self.assertEqual((order["status"], order["author"], order["approver"]),
                         ("applied", "desk", "desk2"))
        self.assertEqual(len(order["serials"]), 1)
        for label in ("bad1", "bad2"):
            self.assertEqual(self.answer(label), ("NOERROR", ["192.0.2.53"]))
        self.assertEqual(self.answer("good1"), ("NOERROR", [self.addresses["good1"]]))
        self.assertEqual(self.call("POST", apply, {"approve": True}, "desk2")[0], 409)  # used

        listed = self.ok(200, "GET", "/api/v1/abuse/takedowns", user="desk")["takedowns"]
        self.assertEqual([(t["id"], t["status"]) for t in listed],
                         [(order["order"], "applied"), (preview["preview"], "preview")])
        restore = "/api/v1/abuse/takedowns/%d/restore" % order["order"]
        restored = self.ok(200, "POST", restore, {"reason": "cleaned"}, "desk")
        self.assertEqual(restored["status"], "restored")
        for label in ("bad1", "bad2", "good1"):
            self.assertEqual(self.answer(label), ("NOERROR", [self.addresses[label]]))
        self.assertEqual(self.call("POST", restore, {"reason": "again"}, "desk")[0], 409)
        rows = [l.split("\t") for l in self.server.admin("audit", "list").stdout.splitlines()]
        self.assertEqual([(r[2], r[3]) for r in rows],
                         [("desk2", "takedown.apply"), ("desk", "takedown.restore")])

    def test_an_owners_appeal_reversed_brings_the_host_back(self):
        order_id = self.order(["bad1", "bad2"])
        self.assertEqual(self.answer("bad1")[0], "NXDOMAIN")
        # bob's token: alice's host is no host of his.
        self.assertEqual(self.call("POST", "/api/v1/abuse/appeals",
                                   {"name": dd.fqdn("bad1"), "text": "mine"}, "bob")[0], 404)
        self.assertEqual(self.call("POST", "/api/v1/abuse/appeals",
                                   {"name": dd.fqdn("good1"), "text": "?"}, "alice")[0], 409)
        appeal = self.ok(201, "POST", "/api/v1/abuse/appeals",
                         {"name": dd.fqdn("bad1"), "text": "the kit is gone, see ticket 12"},
                         "alice")
        self.assertEqual(appeal["decision"], "pending")
        mine = self.ok(200, "GET", "/api/v1/abuse/appeals", user="alice")["appeals"]
        self.assertEqual([(a["id"], a["state"], a["order"]) for a in mine],
                         [(appeal["id"], "enforced", order_id)])
        self.assertEqual(self.ok(200, "GET", "/api/v1/abuse/appeals", user="bob"), {"appeals": []})
        decide = "/api/v1/abuse/appeals/%d" % appeal["id"]
        self.assertEqual(self.call("POST", decide, {"decision": "reverse"}, "alice")[0], 403)
        decided = self.ok(200, "POST", decide, {"decision": "reverse", "note": "cleaned"}, "desk")
        self.assertEqual((decided["decision"], decided["decided_by"]), ("reversed", "desk"))

        self.assertEqual(self.answer("bad1"), ("NOERROR", [self.addresses["bad1"]]))
        self.assertEqual(self.answer("bad2")[0], "NXDOMAIN")  # the order holds it still
        self.assertIn("abuse: none", self.server.admin("host", "state", dd.fqdn("bad1")).stdout)
        orders = self.ok(200, "GET", "/api/v1/abuse/takedowns", user="desk")["takedowns"]
        current = [t for t in orders if t["id"] == order_id][0]
        self.assertEqual((current["status"], current["restored_names"]),
                         ("applied", [dd.fqdn("bad1") + "."]))
        # The owner updates the host again; the order's final restore leaves it alone.
        reply = dd.nic_update(self.server, "hostname=%s&myip=203.0.113.5" % dd.fqdn("bad1"),
                              "alice:alice-pw-1")
        self.assertTrue(reply.body.startswith("good"), reply)
        self.ok(200, "POST", "/api/v1/abuse/takedowns/%d/restore" % order_id, {"reason": "done"},
                "desk")
        self.assertEqual(self.answer("bad1"), ("NOERROR", ["203.0.113.5"]))
        self.assertEqual(self.answer("bad2"), ("NOERROR", [self.addresses["bad2"]]))
        self.assertRegex(self.server.admin("audit", "verify").stdout, r"^ok: ")

    def test_the_months_counts(self):
        self.ok(201, "POST", "/api/v1/abuse/reports",
                {"name": dd.fqdn("bad2"), "category": "malware", "evidence": "sample hash 1234",
                 "contact": "lab@example.org"})
        self.ok(200, "POST", "/api/v1/abuse/hosts/" + dd.fqdn("cam"),
                {"state": "frozen", "reason": "spam relay"}, "desk")
        appeal = self.ok(201, "POST", "/api/v1/abuse/appeals",
                         {"name": dd.fqdn("cam"), "text": "not me"}, "bob")
        self.ok(200, "POST", "/api/v1/abuse/appeals/%d" % appeal["id"], {"decision": "uphold"},
                "desk2")
        order_id = self.order(["bad2"], "nodata")
        self.ok(200, "POST", "/api/v1/abuse/takedowns/%d/restore" % order_id,
                {"reason": "expired"}, "desk")
        self.assertEqual(self.call("GET", "/api/v1/abuse/stats", user="alice")[0], 403)
        stats = self.ok(200, "GET", "/api/v1/abuse/stats", user="desk")
        self.assertEqual(stats["reports"], 1, stats)
        self.assertEqual(stats["actions"]["takedowns"], {"nodata": 1}, stats)
        self.assertEqual(stats["actions"]["host_states"], {"frozen": 1}, stats)
        self.assertEqual(stats["actions"]["by_source"], {"desk": 1, "desk2": 1}, stats)
        self.assertEqual(stats["restores"], 1, stats)
        self.assertIsNotNone(stats["median_seconds_to_act"], stats)
        self.assertGreaterEqual(stats["median_seconds_to_act"], 0, stats)
        self.assertIsNotNone(stats["median_seconds_to_restore"], stats)
        self.assertEqual(stats["appeals"], {"filed": 1, "reversed": 0, "upheld": 1}, stats)
        earlier = self.ok(200, "GET", "/api/v1/abuse/stats?month=2020-01", user="desk")
        self.assertEqual((earlier["reports"], earlier["appeals"]["filed"]), (0, 0), earlier)

    def test_the_rpz_zone_as_a_file_over_http(self):
        self.server.admin("zone", "add", RPZ, "--rpz")
        self.order(["bad2"])
        path = "/api/v1/abuse/feed/rpz.zone"
        status, _, reply = self.call("GET", path, user="desk")
        self.assertEqual(status, 200, reply)
        self.assertTrue(reply.header("content-type").startswith("text/plain"), reply)
        records = [line.split() for line in reply.body.splitlines()
                   if line and not line.startswith(("$", ";"))]
        owners = {(r[0], r[3], r[4]) for r in records if r[3] not in ("SOA", "NS")}
        self.assertEqual(owners, {("%s.%s" % (dd.fqdn("bad2"), RPZ), "CNAME", ".")}, reply.body)
        self.assertEqual([r[3] for r in records][0], "SOA")
        self.assertEqual(self.call("GET", path)[0], 401)  # no token, not a transfer network
        self.assertEqual(self.call("GET", path, user="alice")[0], 403)
        self.server.admin("zone", "allow-transfer", RPZ, "--address", "127.0.0.1/32")
        status, _, anonymous = self.call("GET", path + "?zone=" + RPZ)
        self.assertEqual(status, 200, anonymous)
        self.assertEqual(anonymous.body, reply.body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
