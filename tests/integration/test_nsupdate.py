#!/usr/bin/env python3
"""RFC 2136 UPDATE with TSIG against tetherd, driven by the real nsupdate (bind9-dnsutils) and
knsupdate (knot-dnsutils), with zones and keys made by the real `tether` command.

Covered: add / replace (delete + add in one message) / delete of A, AAAA, TXT and MX with
`nsupdate -y`, `nsupdate -k FILE` and `knsupdate -y`, over UDP and TCP (`-v`); every
prerequisite kind satisfied and failing (with the RCODE the client reports); refusals
(unsigned, wrong secret, unknown key, a `--name` grant, an `--acme` grant, a `--types` grant,
a name outside the zone, a zone not served, a static `--zone` zone); every HMAC algorithm;
`zone allow-update`; `zone export` through named-checkzone and kzonecheck; `zone list --json`;
`key list` never printing a secret; and a restart on the same data directory.

After every accepted update, dig sees the change at once (no sleep) and the SOA serial has
grown; after every refused one, nothing changed.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_nsupdate.py
(re-executes itself in a private network namespace).
"""

import json
import os
import shutil
import subprocess
import time
import unittest

import tetherlib as tl

ZONE = "dyn.test."
OPEN = "open.test."      # unsigned updates from 127.0.0.1/32 (zone allow-update)
STATIC = "static.test."  # tetherd --zone: read-only
STATIC_ZONE = """$TTL 300
@ IN SOA ns1.static.test. hostmaster.static.test. 7 3600 900 1209600 60
@ IN NS ns1.static.test.
ns1 IN A 192.0.2.53
www IN A 192.0.2.80
"""
ALGORITHMS = ["hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
              "hmac-sha512"]

# (type, first value, replacement value) as nsupdate writes them and dig prints them.
VALUES = [
    ("A", "192.0.2.1", "198.51.100.7"),
    ("AAAA", "2001:db8::1", "2001:db8:10::7"),
    ("TXT", '"hello world" "second string"', '"v=spf1 -all"'),
    ("MX", "10 mail.dyn.test.", "20 mx2.dyn.test."),
]

# The client configurations every record type goes through.
CLIENTS = [  # (client, key mode, tcp)
    ("nsupdate", "y", False),
    ("nsupdate", "y", True),
    ("nsupdate", "k", False),
    ("nsupdate", "k", True),
    ("knsupdate", "y", False),
    ("knsupdate", "y", True),
]


class NsupdateTest(unittest.TestCase):
    """One tetherd (127.0.0.1 and ::1) for the class; test_zz restarts it on the same store."""

    @classmethod
    def setUpClass(cls):
        for tool in ("nsupdate", "knsupdate", "named-checkzone", "kzonecheck"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.tmp = tl.TempDir()
        static = cls.tmp.write("static.test.zone", STATIC_ZONE)
        cls.server = tl.Tetherd({STATIC: static}, dns=["127.0.0.1:0", "[::1]:0"], tmp=cls.tmp)
        cls.server.wait_answers(STATIC, "SOA")
        admin = cls.server.admin
        out = admin("zone", "add", ZONE, "--ns", "ns1.dyn.test,ns2.dyn.test",
                    "--soa-email", "hostmaster@dyn.test").stdout
        assert out.strip() == "id: " + ZONE, out
        admin("zone", "add", OPEN.upper().rstrip("."), "--serial-policy", "unixtime",
              "--ns", "ns1.example.net")
        # One key per algorithm, each allowed the whole zone.
        cls.keys, cls.keyfiles = {}, {}
        for alg in ALGORITHMS:
            name = "k-" + alg
            key, block = tl.parse_key_add(admin("key", "add", name, "--algorithm", alg).stdout)
            assert key.algorithm == alg and key.name == name + ".", (key, alg)
            cls.keys[alg] = key
            cls.keyfiles[alg] = cls.tmp.write(name + ".key", block)
            admin("key", "grant", name, ZONE)
        # Narrow grants.
        cls.limited = cls.make_key("limited", ("--name", "a.dyn.test"))
        cls.acme = cls.make_key("acme", ("--acme", "www.dyn.test"))
        cls.typed = cls.make_key("typed", ("--subtree", "t.dyn.test", "--types", "A"))
        # A key from the default algorithm that knows another zone only.
        cls.other_zone_key = cls.make_key("openkey", (), zone=OPEN)
        for origin in (ZONE, OPEN):
            cls.server.wait_answers(origin, "SOA")
        # Addresses for the in-zone name servers (named-checkzone wants them).
        run = tl.nsupdate(cls.server.port, ["update add ns1.dyn.test. 3600 A 192.0.2.53",
                                            "update add ns2.dyn.test. 3600 AAAA 2001:db8::53"],
                          key=cls.keys["hmac-sha256"], zone=ZONE)
        assert run.ok, run

    @classmethod
    def make_key(cls, name, grant_args, zone=ZONE):
        out = cls.server.admin("key", "add", name).stdout
        key, _ = tl.parse_key_add(out)
        assert key.algorithm == "hmac-sha256", key  # the documented default
        cls.server.admin("key", "grant", name, zone, *grant_args)
        return key

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.server.kill()
            cls.tmp.close()

    # --- helpers ------------------------------------------------------------------------

    @property
    def port(self):
        return self.server.port

    def records(self, name, rrtype, zone=ZONE):
        ans = tl.dig(self.port, name, rrtype)[0]
        self.assertIn(ans.rcode, ("NOERROR", "NXDOMAIN"), ans.text)
        self.assertIn("aa", ans.flags, ans.text)
        return ans.rrs("answer", rrtype)

    def serial(self, zone=ZONE):
        return tl.soa_serial(self.port, zone)

    def update(self, commands, key=None, keyfile=None, tcp=False, client="nsupdate", zone=ZONE,
               expect="NOERROR", host="127.0.0.1", port=None):
        """Runs one update and checks the RCODE the client reported; returns the run."""
        before = self.serial(zone) if zone in (ZONE, OPEN) else None
        run = tl.nsupdate(port or self.port, commands, key=key, keyfile=keyfile, tcp=tcp, client=client, zone=zone, host=host)
        self.assertEqual(run.rcode, expect, run)
        if before is not None:
            after = self.serial(zone)
            if expect == "NOERROR":
                self.assertTrue(0 < (after - before) % 2**32 < 2**31,
                                "serial did not grow: %d -> %d\n%r" % (before, after, run))
            else:
                self.assertEqual(after, before, "refused update changed the serial\n%r" % run)
        return run

    def client_args(self, mode, alg):
        if mode == "y":
            return {"key": self.keys[alg]}
        return {"keyfile": self.keyfiles[alg]}

    def rr(self, name, rrtype, value, ttl=60):
        return tl.normalise_rr("%s %d IN %s %s" % (name, ttl, rrtype, value))

    # --- add, replace, delete -----------------------------------------------------------

    def test_add_replace_delete_every_type_every_client(self):
        for i, (client, mode, tcp) in enumerate(CLIENTS):
            alg = ALGORITHMS[i % len(ALGORITHMS)]
            kw = dict(self.client_args(mode, alg), tcp=tcp, client=client)
            for rrtype, first, second in VALUES:
                name = "r%d-%s.dyn.test." % (i, rrtype.lower())
                with self.subTest(client=client, key=mode, tcp=tcp, alg=alg, type=rrtype):
                    self.assertEqual(self.records(name, rrtype), [])
                    self.update(["update add %s 60 %s %s" % (name, rrtype, first)], **kw)
                    self.assertEqual(self.records(name, rrtype), [self.rr(name, rrtype, first)])
                    # Replace: delete the RRset and add the new value in one message.
                    self.update(["update delete %s %s" % (name, rrtype),
                                 "update add %s 120 %s %s" % (name, rrtype, second)], **kw)
                    self.assertEqual(self.records(name, rrtype),
                                     [self.rr(name, rrtype, second, ttl=120)])
                    # Add a second record, delete one by value, then the whole RRset.
                    self.update(["update add %s 120 %s %s" % (name, rrtype, first)], **kw)
                    self.assertEqual(self.records(name, rrtype),
                                     sorted([self.rr(name, rrtype, first, 120),
                                             self.rr(name, rrtype, second, 120)]))
                    self.update(["update delete %s %s %s" % (name, rrtype, second)], **kw)
                    self.assertEqual(self.records(name, rrtype),
                                     [self.rr(name, rrtype, first, 120)])
                    self.update(["update delete %s %s" % (name, rrtype)], **kw)
                    self.assertEqual(self.records(name, rrtype), [])
                    ans = tl.dig(self.port, name, rrtype)[0]
                    self.assertEqual(ans.rcode, "NXDOMAIN", ans.text)

    def test_delete_name_removes_every_rrset(self):
        name = "multi.dyn.test."
        key = self.keys["hmac-sha256"]
        self.update(["update add %s 60 A 192.0.2.9" % name,
                     "update add %s 60 TXT \"x\"" % name,
                     "update add %s 60 AAAA 2001:db8::9" % name], key=key)
        for rrtype in ("A", "TXT", "AAAA"):
            self.assertEqual(len(self.records(name, rrtype)), 1)
        self.update(["update delete %s" % name], key=key, tcp=True)
        ans = tl.dig(self.port, name, "A")[0]
        self.assertEqual(ans.rcode, "NXDOMAIN", ans.text)

    def test_every_algorithm_signs_and_is_answered_signed(self):
        for alg in ALGORITHMS:
            key = self.keys[alg]
            name = "alg-%s.dyn.test." % alg
            with self.subTest(alg=alg):
                self.update(["update add %s 60 A 192.0.2.44" % name], key=key)
                self.assertEqual(self.records(name, "A"), [self.rr(name, "A", "192.0.2.44")])
                # Our own client checks the response's TSIG too (RFC 8945 5.3).
                for tcp in (False, True):
                    msg = tl.UpdateMessage(ZONE).require_yxdomain(name).delete_rrset(
                        name, "A").add(name, 60, "A", "192.0.2.45" if tcp else "192.0.2.46")
                    result = tl.send_update("127.0.0.1", self.port, msg, key=key, tcp=tcp)
                    self.assertEqual(result.rcode, "NOERROR", result)
                    self.assertTrue(result.signed and result.verified, result)
                    failing = tl.UpdateMessage(ZONE).require_nxdomain(name)
                    result = tl.send_update("127.0.0.1", self.port, failing, key=key, tcp=tcp)
                    self.assertEqual(result.rcode, "YXDOMAIN", result)
                    self.assertTrue(result.signed and result.verified, result)
                self.assertEqual(self.records(name, "A"), [self.rr(name, "A", "192.0.2.45")])

    def test_signed_query_gets_signed_answer(self):
        """RFC 8945 5.3: a signed request gets a signed response. nsupdate relies on it when
        it looks for the zone itself (no `zone` line): it signs that SOA query too."""
        key = self.keys["hmac-sha256"]
        for tcp in (False, True):
            with self.subTest(tcp=tcp):
                argv = [tl.DIG, "@127.0.0.1", "-p", str(self.port), "+norecurse", "+time=2",
                        "+tries=1", "-y", key.y_arg, ZONE, "SOA"] + (["+tcp"] if tcp else [])
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
                self.assertNotIn("Couldn't verify", proc.stdout + proc.stderr, proc.stdout)
                self.assertIn("TSIG PSEUDOSECTION", proc.stdout, proc.stdout)
                self.assertIn("status: NOERROR", proc.stdout, proc.stdout)
        run = tl.nsupdate(self.port, ["update add nozone.dyn.test. 60 A 192.0.2.88"], key=key)
        self.assertEqual(run.rcode, "NOERROR", run)
        self.assertEqual(self.records("nozone.dyn.test.", "A"),
                         [self.rr("nozone.dyn.test.", "A", "192.0.2.88")])

    def test_update_over_ipv6(self):
        host, port6 = self.server.endpoints[1]
        name = "v6.dyn.test."
        for client in ("nsupdate", "knsupdate"):
            run = tl.nsupdate(port6, ["update delete %s A" % name,
                                      "update add %s 60 A 192.0.2.66" % name],
                              key=self.keys["hmac-sha512"], host=host, client=client, zone=ZONE,
                              tcp=client == "knsupdate")
            self.assertEqual(run.rcode, "NOERROR", run)
            self.assertEqual(self.records(name, "A"), [self.rr(name, "A", "192.0.2.66")])

    # --- prerequisites (RFC 2136 2.4, 3.2) ----------------------------------------------

    def test_prerequisites_satisfied_and_failing(self):
        key = self.keys["hmac-sha384"]
        name = "pre.dyn.test."
        self.update(["update add %s 60 A 192.0.2.10" % name], key=key)
        absent = "pre-absent.dyn.test."
        cases = [  # (prerequisite, RCODE when it fails, or NOERROR)
            ("prereq yxdomain %s" % name, "NOERROR"),
            ("prereq yxdomain %s" % absent, "NXDOMAIN"),
            ("prereq nxdomain %s" % absent, "NOERROR"),
            ("prereq nxdomain %s" % name, "YXDOMAIN"),
            ("prereq yxrrset %s A" % name, "NOERROR"),
            ("prereq yxrrset %s AAAA" % name, "NXRRSET"),
            ("prereq yxrrset %s A 192.0.2.10" % name, "NOERROR"),
            ("prereq yxrrset %s A 192.0.2.11" % name, "NXRRSET"),
            ("prereq nxrrset %s AAAA" % name, "NOERROR"),
            ("prereq nxrrset %s A" % name, "YXRRSET"),
        ]
        for n, (prereq, expect) in enumerate(cases):
            for client, tcp in (("nsupdate", False), ("nsupdate", True), ("knsupdate", False)):
                marker = "m%d-%s-%d.dyn.test." % (n, client, tcp)
                with self.subTest(prereq=prereq, client=client, tcp=tcp):
                    self.update([prereq, "update add %s 60 TXT \"ok\"" % marker], key=key,
                                client=client, tcp=tcp, expect=expect)
                    want = [self.rr(marker, "TXT", '"ok"')] if expect == "NOERROR" else []
                    self.assertEqual(self.records(marker, "TXT"), want)
        # Several prerequisites in one message: all must hold.
        marker = "multi-pre.dyn.test."
        self.update(["prereq yxrrset %s A 192.0.2.10" % name, "prereq nxdomain %s" % absent,
                     "prereq nxrrset %s A" % name, "update add %s 60 A 192.0.2.1" % marker],
                    key=key, expect="YXRRSET")
        self.assertEqual(self.records(marker, "A"), [])

    # --- refusals -----------------------------------------------------------------------

    def test_unsigned_update_refused(self):
        name = "unsigned.dyn.test."
        for client in ("nsupdate", "knsupdate"):
            for tcp in (False, True):
                with self.subTest(client=client, tcp=tcp):
                    self.update(["update add %s 60 A 192.0.2.1" % name], client=client, tcp=tcp,
                                expect="REFUSED")
        self.assertEqual(self.records(name, "A"), [])

    def test_wrong_secret_and_unknown_key(self):
        name = "badsig.dyn.test."
        good = self.keys["hmac-sha256"]
        wrong = tl.TsigKey(good.name, tl.TsigKey.generate("x").secret_b64, good.algorithm)
        unknown = tl.TsigKey.generate("nosuchkey")
        for client in ("nsupdate", "knsupdate"):
            for key, tsig in ((wrong, "BADSIG"), (unknown, "BADKEY")):
                with self.subTest(client=client, tsig=tsig):
                    run = self.update(["update add %s 60 A 192.0.2.1" % name], key=key,
                                      client=client, expect="NOTAUTH")
                    self.assertEqual(run.tsig, tsig, run)
        # The same key name with another algorithm is not the key either (RFC 8945 5.2.1).
        other_alg = tl.TsigKey(good.name, good.secret_b64, "hmac-sha512")
        run = self.update(["update add %s 60 A 192.0.2.1" % name], key=other_alg,
                          expect="NOTAUTH")
        self.assertIsNotNone(run.tsig, run)
        self.assertEqual(self.records(name, "A"), [])

    def test_name_grant_covers_only_that_name(self):
        self.update(["update add a.dyn.test. 60 A 192.0.2.21"], key=self.limited)
        self.assertEqual(self.records("a.dyn.test.", "A"), [self.rr("a.dyn.test.", "A",
                                                                    "192.0.2.21")])
        for other in ("b.dyn.test.", "x.a.dyn.test.", ZONE):
            with self.subTest(name=other):
                self.update(["update add %s 60 A 192.0.2.22" % other], key=self.limited,
                            expect="REFUSED")
        # One change out of the grant refuses the whole message.
        self.update(["update add a.dyn.test. 60 TXT \"a\"", "update add b.dyn.test. 60 A 192.0.2.22"],
                    key=self.limited, expect="REFUSED")
        self.assertEqual(self.records("a.dyn.test.", "TXT"), [])
        self.assertEqual(self.records("b.dyn.test.", "A"), [])
        # A grant on one zone says nothing about another.
        self.update(["update add a.dyn.test. 60 A 192.0.2.23"], key=self.other_zone_key,
                    expect="REFUSED")

    def test_acme_grant_only_for_the_challenge_txt(self):
        challenge = "_acme-challenge.www.dyn.test."
        token = '"gfj9Xq-Rs5EAZVLWo6Bq0gJ3BT4pOXy3sD3bWm4ie2Y"'
        self.update(["update add %s 60 TXT %s" % (challenge, token)], key=self.acme, tcp=True)
        self.assertEqual(self.records(challenge, "TXT"), [self.rr(challenge, "TXT", token)])
        for line in ("update add %s 60 A 192.0.2.1" % challenge,
                     "update add www.dyn.test. 60 TXT \"x\"",
                     "update add _acme-challenge.other.dyn.test. 60 TXT \"x\"",
                     "update add x._acme-challenge.www.dyn.test. 60 TXT \"x\""):
            with self.subTest(update=line):
                # nsupdate itself refuses an A record on an owner with "_" unless told not to.
                self.update(["check-names off", line], key=self.acme, expect="REFUSED")
        self.update(["update delete %s TXT %s" % (challenge, token)], key=self.acme)
        self.assertEqual(self.records(challenge, "TXT"), [])

    def test_types_grant_refuses_other_types(self):
        self.update(["update add t.dyn.test. 60 A 192.0.2.31"], key=self.typed)
        self.update(["update add deep.t.dyn.test. 60 A 192.0.2.32"], key=self.typed)
        self.assertEqual(self.records("deep.t.dyn.test.", "A"),
                         [self.rr("deep.t.dyn.test.", "A", "192.0.2.32")])
        for line in ("update add t.dyn.test. 60 TXT \"no\"",
                     "update add t.dyn.test. 60 AAAA 2001:db8::31",
                     "update add u.dyn.test. 60 A 192.0.2.33",
                     # Deleting every RRset of a name needs a grant without types.
                     "update delete deep.t.dyn.test."):
            with self.subTest(update=line):
                self.update([line], key=self.typed, expect="REFUSED")
        self.assertEqual(self.records("t.dyn.test.", "TXT"), [])
        self.assertEqual(len(self.records("deep.t.dyn.test.", "A")), 1)

    def test_name_outside_the_zone_is_notzone(self):
        for client in ("nsupdate", "knsupdate"):
            with self.subTest(client=client):
                self.update(["update add www.elsewhere.test. 60 A 192.0.2.1"],
                            key=self.keys["hmac-sha1"], client=client, expect="NOTZONE")
        self.update(["update add www.static.test. 60 A 192.0.2.1"], key=self.keys["hmac-sha1"],
                    expect="NOTZONE")

    def test_zone_not_served_is_notauth(self):
        for client in ("nsupdate", "knsupdate"):
            for zone in ("elsewhere.test.", "sub.dyn.test.", "test."):
                with self.subTest(client=client, zone=zone):
                    self.update(["update add www.%s 60 A 192.0.2.1" % zone],
                                key=self.keys["hmac-sha256"], client=client, zone=zone,
                                expect="NOTAUTH")
        self.assertEqual(self.records("www.sub.dyn.test.", "A"), [])

    def test_static_zone_refused(self):
        before = tl.soa_serial(self.port, STATIC)
        for key in (None, self.keys["hmac-sha256"]):
            for client in ("nsupdate", "knsupdate"):
                with self.subTest(signed=key is not None, client=client):
                    self.update(["update add new.static.test. 60 A 192.0.2.1"], key=key,
                                client=client, zone=STATIC, expect="REFUSED")
        self.assertEqual(self.records("new.static.test.", "A", zone=STATIC), [])
        self.assertEqual(tl.soa_serial(self.port, STATIC), before)
        # The admin command refuses to grant on or to remove a static zone.
        self.assertEqual(self.server.admin("key", "grant", "limited", STATIC, check=False)
                         .returncode, 1)
        self.assertEqual(self.server.admin("zone", "remove", STATIC, check=False).returncode, 1)

    # --- unsigned updates from allowed networks ----------------------------------------

    def test_allow_update_admits_unsigned_updates(self):
        name = "home.open.test."
        self.update(["update add %s 60 A 192.0.2.50" % name], zone=OPEN, expect="REFUSED")
        out = self.server.admin("zone", "allow-update", OPEN, "--address", "127.0.0.1/32").stdout
        self.assertIn("127.0.0.1/32", out)
        started = int(time.time())
        self.update(["update add %s 60 A 192.0.2.50" % name], zone=OPEN)
        self.assertEqual(self.records(name, "A", zone=OPEN), [self.rr(name, "A", "192.0.2.50")])
        # --serial-policy unixtime: the serial is now at least the current time.
        self.assertGreaterEqual(self.serial(OPEN), started)
        self.update(["update delete %s A" % name, "update add %s 60 A 192.0.2.51" % name],
                    zone=OPEN, client="knsupdate", tcp=True)
        self.assertEqual(self.records(name, "A", zone=OPEN), [self.rr(name, "A", "192.0.2.51")])
        # ::1 is not in 127.0.0.1/32; and the other zone is not opened.
        host, port6 = self.server.endpoints[1]
        run = tl.nsupdate(port6, ["update add %s 60 A 192.0.2.52" % name], host=host, zone=OPEN)
        self.assertEqual(run.rcode, "REFUSED", run)
        self.update(["update add unsigned2.dyn.test. 60 A 192.0.2.1"], expect="REFUSED")

    # --- the admin command's view -------------------------------------------------------

    def test_export_passes_named_checkzone_and_kzonecheck(self):
        self.update(["update add exp.dyn.test. 60 TXT \"with \\\"quotes\\\" and ; semicolon\"",
                     "update add exp.dyn.test. 60 MX 5 mail.dyn.test.",
                     "update add mail.dyn.test. 60 A 192.0.2.25"], key=self.keys["hmac-sha256"])
        for origin in (ZONE, OPEN, STATIC):
            with self.subTest(zone=origin):
                text = self.server.admin("zone", "export", origin).stdout
                first = [l for l in text.splitlines() if l.strip() and not l.startswith((";", "$"))]
                self.assertIn(" SOA ", " ".join(first[0].split()[:4]) + " ", text[:500])
                path = self.tmp.write("export-%s" % origin.rstrip("."), text)
                for argv in (["named-checkzone", "-k", "fail", "-i", "local", origin, path],
                             ["kzonecheck", "-v", "-o", origin, path]):
                    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                    self.assertEqual(proc.returncode, 0, "%s\n%s%s\n--- export ---\n%s" % (
                        " ".join(argv), proc.stdout, proc.stderr, text[:3000]))
                # The exported serial is the one dig sees.
                soa = first[0].split()
                self.assertEqual(int(soa[soa.index("SOA") + 3]), tl.soa_serial(self.port, origin))

    def test_zone_list_json_and_text(self):
        proc = self.server.admin("zone", "list", "--json")
        zones = {z["origin"]: z for z in json.loads(proc.stdout)}
        self.assertEqual(zones[ZONE]["kind"], "dynamic", proc)
        self.assertEqual(zones[OPEN]["kind"], "dynamic", proc)
        self.assertEqual(zones[STATIC]["kind"], "static", proc)
        self.assertEqual(zones[STATIC]["serial"], 7, proc)
        self.assertGreaterEqual(zones[ZONE]["names"], 3, proc)
        text = self.server.admin("zone", "list").stdout
        rows = {line.split("\t")[0]: line.split("\t") for line in text.splitlines()}
        self.assertEqual(set(rows), set(zones), text)
        for origin, row in rows.items():
            self.assertEqual(len(row), 4, text)
            self.assertEqual(row[1], zones[origin]["kind"], text)

    def test_key_list_never_shows_secrets(self):
        secrets = [k.secret_b64 for k in self.keys.values()] + [
            self.limited.secret_b64, self.acme.secret_b64, self.typed.secret_b64]
        for args in (("key", "list"), ("key", "list", "--json")):
            out = self.server.admin(*args).stdout
            for secret in secrets:
                self.assertNotIn(secret, out)
                self.assertNotIn(secret[:12], out)
        keys = {k["name"]: k for k in json.loads(self.server.admin("key", "list", "--json").stdout)}
        self.assertEqual(keys["k-hmac-md5."]["algorithm"], "hmac-md5", keys)
        self.assertIn("limited.", keys)
        text = self.server.admin("key", "list").stdout
        self.assertTrue(all(len(l.split("\t")) == 3 for l in text.splitlines()), text)

    def test_key_add_twice_fails_and_remove_revokes(self):
        key, _ = tl.parse_key_add(self.server.admin("key", "add", "Temp-Key.").stdout)
        self.assertEqual(key.name, "temp-key.")
        self.assertEqual(self.server.admin("key", "add", "temp-key", check=False).returncode, 1)
        self.server.admin("key", "grant", "temp-key", ZONE, "--name", "temp.dyn.test")
        self.update(["update add temp.dyn.test. 60 A 192.0.2.77"], key=key)
        self.server.admin("key", "remove", "temp-key")
        run = self.update(["update add temp.dyn.test. 60 A 192.0.2.78"], key=key,
                          expect="NOTAUTH")
        self.assertEqual(run.tsig, "BADKEY", run)
        self.assertEqual(self.records("temp.dyn.test.", "A"),
                         [self.rr("temp.dyn.test.", "A", "192.0.2.77")])

    def test_docs_example(self):
        """The example of docs/cli.md, with only the port and data directory changed."""
        admin = self.server.admin
        admin("zone", "add", "dyn.example.net", "--ns", "ns1.example.net,ns2.example.net",
              "--soa-email", "hostmaster@example.net")
        home_key = self.tmp.write("home.key", admin("key", "add", "router-home").stdout)
        admin("key", "grant", "router-home", "dyn.example.net", "--name", "home.dyn.example.net",
              "--types", "A,AAAA")
        script = ("printf 'server 127.0.0.1 %d\\nupdate delete home.dyn.example.net A\\n"
                  "update add home.dyn.example.net 60 A 198.51.100.7\\nsend\\n' "
                  "| nsupdate -t 5 -y \"$(sed -n 2p %s)\"" % (self.port, home_key))
        proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertEqual(self.records("home.dyn.example.net.", "A"),
                         ["home.dyn.example.net. 60 IN A 198.51.100.7"])
        ans = tl.dig(self.port, "dyn.example.net.", "SOA")[0]
        self.assertEqual(ans.answer[0].split()[4:7],
                         ["ns1.example.net.", "hostmaster.example.net.", "2"], ans.text)

    # --- restart ------------------------------------------------------------------------

    def test_zz_restart_keeps_everything(self):
        """Runs last (unittest sorts by name): SIGTERM, start on the same data dir."""
        admin = self.server.admin
        name = "restart.dyn.test."
        self.update(["update add %s 60 A 192.0.2.90" % name,
                     "update add %s 60 TXT \"kept\"" % name], key=self.keys["hmac-md5"])
        exports = {z: admin("zone", "export", z).stdout for z in (ZONE, OPEN)}
        zone_list = admin("zone", "list", "--json").stdout
        key_list = admin("key", "list").stdout
        serial = self.serial()
        self.server.restart()
        for origin in (ZONE, OPEN, STATIC):
            self.server.wait_answers(origin, "SOA")
        self.assertEqual(self.serial(), serial)
        for origin, text in exports.items():
            self.assertEqual(admin("zone", "export", origin).stdout, text, origin)
        self.assertEqual(json.loads(admin("zone", "list", "--json").stdout), json.loads(zone_list))
        self.assertEqual(admin("key", "list").stdout, key_list)
        self.assertEqual(self.records(name, "TXT"), [self.rr(name, "TXT", '"kept"')])
        # Keys, grants and allow-update still apply.
        self.update(["update delete %s A" % name, "update add %s 60 A 192.0.2.91" % name],
                    key=self.keys["hmac-md5"], tcp=True)
        self.assertEqual(self.records(name, "A"), [self.rr(name, "A", "192.0.2.91")])
        self.update(["update add b.dyn.test. 60 A 192.0.2.22"], key=self.limited,
                    expect="REFUSED")
        self.update(["update add after.open.test. 60 A 192.0.2.92"], zone=OPEN)
        self.update(["update add after.dyn.test. 60 A 192.0.2.92"], expect="REFUSED")
        self.update(["update add new.static.test. 60 A 192.0.2.1"], key=self.keys["hmac-md5"],
                    zone=STATIC, expect="REFUSED")


if __name__ == "__main__":
    tl.run_tests()
