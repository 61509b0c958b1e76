#!/usr/bin/env python3
"""tetherd as a secondary (docs/zone-transfers.md, "tetherd as a secondary").

Of knotd, with TSIG: `tether zone add ZONE --primary ... --key` transfers the zone (AXFR);
changes made on knotd by RFC 2136 reach tetherd by NOTIFY + IXFR; tetherd's answers and its
own AXFR equal knotd's. UPDATE to the secondary is REFUSED; NOTIFY from an address that is
not a primary, or unsigned when the zone has a key, is REFUSED; a zone added with a key
knotd does not know is not created. Without NOTIFY, the SOA timers: a change arrives after
REFRESH; with knotd stopped the zone answers SERVFAIL after EXPIRE, and again once knotd is
back.

Of another tetherd, with a TSIG key shared by `tether key add --secret`: updates on the
primary (UPDATE messages and nsupdate) reach the secondary; the secondary restarted serves its zone from its store at
once, before any refresh (the primary is down meanwhile); a secondary of the secondary
(chained, unsigned, allowed by address) gets IXFR from its journal.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_secondary.py
(re-executes itself in a private network namespace).
"""

import os
import shutil
import socket
import unittest

import tetherlib as tl
from test_xfr import ZONE, kdig_xfr, soa_serial_of, wait_for

ZONE_FILE = """$ORIGIN {zone}
$TTL 300
@        3600 IN SOA ns1.example.net. hostmaster.example.net. 1 3600 900 1209600 60
@        3600 IN NS  ns1.example.net.
@        3600 IN NS  ns2.example.net.
www           IN A   192.0.2.1
www           IN AAAA 2001:db8::1
mail          IN MX  10 mx.example.net.
txt           IN TXT "hello" "world"
""".format(zone=ZONE)


def notify_from(source, port, zone=ZONE):
    """An unsigned NOTIFY for `zone` sent from `source`; the answer's RCODE (or None)."""
    packet = tl.build_query(zone, "SOA", opcode=4, rd=False)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(2)
        s.sendto(packet, ("127.0.0.1", port))
        try:
            return tl.parse_message(s.recv(65535))["rcode"]
        except socket.timeout:
            return None


def axfr_body(port, key):
    """The zone as AXFR sends it, SOA once, sorted (for comparing two servers)."""
    error, rrs, text = kdig_xfr(port, "AXFR", key=key)
    assert error is None, text
    return sorted(rrs[:-1])


def serial_or_none(port):
    ans = tl.dig(port, ZONE, "SOA", check=False, expect=None)
    if not ans or ans[0].rcode != "NOERROR":
        return None
    soas = ans[0].rrs("answer", "SOA")
    return int(soas[0].split()[6]) if soas else None


class KnotPrimaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("kdig", "knotd", "knsupdate", "dig"):
            if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.tmp = tl.TempDir()
        cls.secondary = tl.Tetherd(dns=["127.0.0.1:0"], tmp=cls.tmp, log_level="debug")
        admin = cls.secondary.admin
        cls.key = tl.parse_key_add(admin("key", "add", "xfr.key").stdout)[0]
        cls.update_key = tl.TsigKey.generate("upd.key")
        cls.knot_tmp = tl.TempDir()
        zone_file = cls.knot_tmp.write("zone", ZONE_FILE)
        cls.knot = tl.Knotd({ZONE: zone_file}, tmp=cls.knot_tmp, update_keys=[cls.update_key],
                            journal_content="changes", transfer_key=cls.key,
                            notify=[("127.0.0.1", cls.secondary.port)])
        out = admin("zone", "add", ZONE, "--primary", "127.0.0.1:%d" % cls.knot.port,
                    "--key", "xfr.key").stdout
        assert out == "id: %s\n" % ZONE, out
        # So that tetherd's own AXFR can be compared with knotd's.
        admin("zone", "allow-transfer", ZONE, "--key", "xfr.key")

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop(expect_status=None)
        cls.secondary.stop()
        cls.knot_tmp.close()
        cls.tmp.close()

    def knot_update(self, *commands):
        run = tl.knsupdate(self.knot.port, ["zone " + ZONE] + list(commands), key=self.update_key)
        self.assertTrue(run.ok, run)

    def assert_same_zone(self):
        self.assertEqual(axfr_body(self.secondary.port, self.key), axfr_body(self.knot.port, self.key))
        for name, rtype in ((ZONE, "SOA"), (ZONE, "NS"), ("www." + ZONE, "A"),
                            ("mail." + ZONE, "MX"), ("txt." + ZONE, "TXT"), ("none." + ZONE, "A")):
            ours = tl.dig(self.secondary.port, name, rtype)[0]
            theirs = tl.dig(self.knot.port, name, rtype)[0]
            self.assertEqual((ours.rcode, ours.answer), (theirs.rcode, theirs.answer), name + " " + rtype)

    def test_initial_transfer_is_knots_zone(self):
        listed = self.secondary.admin("zone", "list").stdout
        self.assertIn("%s\tsecondary\t" % ZONE, listed)
        wait_for("the same serial", lambda: serial_or_none(self.secondary.port) ==
                 serial_or_none(self.knot.port))
        self.assert_same_zone()

    def test_knot_changes_arrive_by_notify_and_ixfr(self):
        before = serial_or_none(self.knot.port)
        self.knot_update("update add new.%s 60 A 198.51.100.7" % ZONE,
                         "update delete www.%s AAAA" % ZONE)
        self.knot_update("update add new.%s 60 TXT \"second change\"" % ZONE)
        final = serial_or_none(self.knot.port)
        self.assertNotEqual(before, final)
        wait_for("tetherd to reach knotd's serial %s" % final,
                 lambda: serial_or_none(self.secondary.port) == final)
        self.assert_same_zone()
        self.assertRegex(self.secondary.log(), r"zone dyn\.test\.: IXFR from 127\.0\.0\.1:%d to serial %d"
                         % (self.knot.port, final))
        # The journal kept knotd's changes: an IXFR from tetherd gives them again.
        error, rrs, text = kdig_xfr(self.secondary.port, "IXFR=%d" % before, key=self.key)
        self.assertIsNone(error, text)
        self.assertEqual(soa_serial_of(rrs[1]), before, text)
        self.assertIn("new.dyn.test. 60 IN A 198.51.100.7", "\n".join(rrs))

    def test_update_to_the_secondary_is_refused(self):
        message = tl.UpdateMessage(ZONE)
        message.add("x." + ZONE, 60, "A", "192.0.2.9")
        self.assertEqual(tl.send_update("127.0.0.1", self.secondary.port, message).rcode, "REFUSED")
        run = tl.nsupdate(self.secondary.port, ["update add y.%s 60 A 192.0.2.9" % ZONE], zone=ZONE,
                          key=self.key)
        self.assertFalse(run.ok)
        self.assertIn("REFUSED", run.stdout + run.stderr)
        allowed = self.secondary.admin("zone", "allow-update", ZONE, "--address", "127.0.0.0/8",
                                       check=False)
        self.assertEqual(allowed.returncode, 1, allowed)

    def test_notify_not_from_the_primary_or_unsigned_is_refused(self):
        self.assertEqual(notify_from("127.0.0.2", self.secondary.port), 5)
        self.assertEqual(notify_from("127.0.0.1", self.secondary.port), 5)  # needs xfr.key
        self.assertEqual(notify_from("127.0.0.1", self.secondary.port, zone="other.test."), 9)
        self.assertRegex(self.secondary.log(), r"NOTIFY for dyn\.test\. refused: not from a primary")

    def test_zone_with_a_key_knot_does_not_know_is_not_created(self):
        admin = self.secondary.admin
        admin("key", "add", "other.key")
        result = admin("zone", "add", "other." + ZONE, "--primary", "127.0.0.1:%d" % self.knot.port,
                       "--key", "other.key", check=False)
        self.assertEqual(result.returncode, 1, result)
        self.assertNotIn("other." + ZONE, admin("zone", "list").stdout)


class KnotTimersTest(unittest.TestCase):
    """The SOA timers without NOTIFY: REFRESH 1 s, RETRY 1 s, EXPIRE 4 s."""

    @classmethod
    def setUpClass(cls):
        for tool in ("knotd", "knsupdate", "dig"):
            if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.tmp = tl.TempDir()
        cls.secondary = tl.Tetherd(dns=["127.0.0.1:0"], tmp=cls.tmp, log_level="debug")
        cls.update_key = tl.TsigKey.generate("upd.key")
        cls.knot_tmp = tl.TempDir()
        zone_file = cls.knot_tmp.write("zone", ZONE_FILE.replace("1 3600 900 1209600 60", "1 1 1 4 60"))
        key = tl.TsigKey.generate("xfr.key")
        cls.secondary.admin("key", "add", "xfr.key", "--secret", key.secret_b64)
        cls.knot = tl.Knotd({ZONE: zone_file}, tmp=cls.knot_tmp, update_keys=[cls.update_key],
                            journal_content="changes", transfer_key=key)
        cls.secondary.admin("zone", "add", ZONE, "--primary", "127.0.0.1:%d" % cls.knot.port,
                            "--key", "xfr.key")

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop(expect_status=None)
        cls.secondary.stop()
        cls.knot_tmp.close()
        cls.tmp.close()

    def test_refresh_then_expiry_then_recovery(self):
        # No NOTIFY is configured: the change arrives by the REFRESH timer.
        run = tl.knsupdate(self.knot.port, ["zone " + ZONE, "update add t.%s 60 A 192.0.2.77" % ZONE],
                           key=self.update_key)
        self.assertTrue(run.ok, run)
        final = serial_or_none(self.knot.port)
        wait_for("a refresh to serial %s" % final, lambda: serial_or_none(self.secondary.port) == final)
        # The primary goes away: after EXPIRE the zone answers SERVFAIL.
        self.knot.stop(expect_status=None)
        wait_for("expiry", lambda: tl.dig(self.secondary.port, ZONE, "SOA", check=False,
                                          expect=None)[0].rcode == "SERVFAIL", timeout=15)
        self.assertIn("expired", self.secondary.log())
        # It comes back: the next RETRY refreshes and the zone answers again.
        self.knot._spawn([tl.KNOTD, "-c", self.knot.conf_path])
        wait_for("recovery", lambda: serial_or_none(self.secondary.port) == final, timeout=15)
        self.assertIn("no longer expired", self.secondary.log())


class TetherdPrimaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("kdig"):
            raise unittest.SkipTest("kdig not installed")
        cls.tmp = tl.TempDir()
        cls.primary = tl.Tetherd(dns=["127.0.0.1:0"], tmp=tl.TempDir(), log_level="debug")
        cls.secondary = tl.Tetherd(dns=["127.0.0.1:0"], tmp=cls.tmp, log_level="debug")
        cls.chained = tl.Tetherd(dns=["127.0.0.1:0"], tmp=tl.TempDir(), log_level="debug")
        admin = cls.primary.admin
        admin("zone", "add", ZONE, "--ns", "ns1.example.net", "--soa-email", "h@example.net")
        cls.update_key = tl.parse_key_add(admin("key", "add", "upd.key").stdout)[0]
        admin("key", "grant", "upd.key", ZONE)
        # The primary's transfer key, shared with the secondary (`key add --secret`).
        key = tl.parse_key_add(admin("key", "add", "xfr.key").stdout)[0]
        cls.secondary.admin("key", "add", "xfr.key", "--secret", key.secret_b64)
        admin("zone", "secondary", "add", ZONE, "127.0.0.1:%d" % cls.secondary.port, "--key",
              "xfr.key")
        cls.secondary.admin("zone", "add", ZONE, "--primary", "127.0.0.1:%d" % cls.primary.port,
                            "--key", "xfr.key")
        # The secondary's own secondary, fed from its journal, without a key.
        cls.secondary.admin("zone", "secondary", "add", ZONE, "127.0.0.1:%d" % cls.chained.port)
        cls.chained.admin("zone", "add", ZONE, "--primary", "127.0.0.1:%d" % cls.secondary.port)

    @classmethod
    def tearDownClass(cls):
        for server in (cls.chained, cls.secondary, cls.primary):
            server.stop()
        cls.tmp.close()

    def update(self, *commands):
        message = tl.update_message(ZONE, *commands)
        result = tl.send_update("127.0.0.1", self.primary.port, message, key=self.update_key)
        self.assertTrue(result.ok, result)

    def export(self, server):
        return server.admin("zone", "export", ZONE).stdout

    def test_updates_reach_the_secondary_and_its_secondary(self):
        for i in range(10):
            self.update("add u%d.%s 60 A 203.0.113.%d" % (i, ZONE, i + 1))
        run = tl.nsupdate(self.primary.port, ["update add ns.%s 60 TXT \"by nsupdate\"" % ZONE],
                          zone=ZONE, key=self.update_key)
        self.assertTrue(run.ok, run)
        final = tl.soa_serial(self.primary.port, ZONE)
        for server in (self.secondary, self.chained):
            wait_for("serial %d" % final, lambda: serial_or_none(server.port) == final)
            self.assertEqual(self.export(server), self.export(self.primary))
        ans = tl.dig(self.chained.port, "ns." + ZONE, "TXT")[0]
        self.assertEqual(ans.rcode, "NOERROR")
        self.assertRegex(self.chained.log(), r"IXFR from 127\.0\.0\.1:%d" % self.secondary.port)

    def test_zz_restarted_secondary_serves_at_once_from_its_store(self):
        self.update("add before-restart.%s 60 A 198.51.100.99" % ZONE)
        final = tl.soa_serial(self.primary.port, ZONE)
        wait_for("serial %d" % final, lambda: serial_or_none(self.secondary.port) == final)
        self.primary.stop()  # no primary: whatever it serves comes from its store
        try:
            self.secondary.restart()
            self.assertEqual(tl.soa_serial(self.secondary.port, ZONE), final)
            ans = tl.dig(self.secondary.port, "before-restart." + ZONE, "A")[0]
            self.assertEqual(ans.answer and ans.rrs("answer", "A")[0].split()[-1], "198.51.100.99")
            self.assertIn("secondary zone dyn.test. loaded from the store", self.secondary.log())
            self.assertEqual(self.secondary.admin("zone", "list").stdout.split("\t")[1], "secondary")
        finally:
            self.primary.start()


if __name__ == "__main__":
    tl.run_tests()
