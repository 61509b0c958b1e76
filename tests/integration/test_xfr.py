#!/usr/bin/env python3
"""Outgoing zone transfers of tetherd (docs/zone-transfers.md) with real clients and peers.

kdig: AXFR and IXFR with the allowed TSIG key, without a key and with another key (REFUSED),
from an allowed network unsigned; IXFR from an old serial after updates (the journal's
changes, SOA first and last), IXFR when current (the single SOA), IXFR from a serial the
journal does not reach (the whole zone); AXFR over UDP (NOTIMP) and IXFR over UDP (the SOA).

NSD and Knot (knotd) configured here as secondaries of tetherd with TSIG (`tether zone
secondary add ... --key`): the initial transfer, then a stream of updates reaches them by
NOTIFY + IXFR, and dig gets the same answers from them as from tetherd. Every wait polls
with a deadline.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_xfr.py
(re-executes itself in a private network namespace).
"""

import os
import shutil
import socket
import struct
import subprocess
import time
import unittest

import tetherlib as tl

ZONE = "dyn.test."
WAIT = 30.0


def kdig_xfr(port, qtype, key=None, source=None, host="127.0.0.1"):
    """kdig AXFR/IXFR=N of ZONE: (error or None, [RR lines without TSIG], text)."""
    return tl.kdig_transfer(port, ZONE, qtype, key=key, source=source, host=host)


def soa_serial_of(rr):
    return int(rr.split(" ")[6])


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def ixfr_udp(port, serial, source="127.0.0.1"):
    """An IXFR query over UDP with the client's SOA in the authority section (RFC 1995 3);
    the parsed response (tetherlib.parse_message) or None."""
    soa_rdata = wire_name("ns1.example.net.") + wire_name("h.example.net.") + struct.pack(
        "!5I", serial, 3600, 900, 1209600, 60)
    packet = struct.pack("!6H", 0x5151, 0, 1, 0, 1, 0)
    packet += wire_name(ZONE) + struct.pack("!HH", 251, 1)
    packet += wire_name(ZONE) + struct.pack("!HHIH", 6, 1, 0, len(soa_rdata)) + soa_rdata
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(2)
        s.sendto(packet, ("127.0.0.1", port))
        try:
            return tl.parse_message(s.recv(65535))
        except socket.timeout:
            return None


def wait_for(what, check, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class KnotSecondary(tl.Server):
    """knotd as a secondary of `primary_port` for ZONE, with TSIG `key` for NOTIFY and
    transfers."""

    name = "knotd"

    def __init__(self, primary_port, key):
        super().__init__()
        port = tl.free_port("127.0.0.1")
        self.endpoints = [("127.0.0.1", port)]
        t = self.tmp
        conf = [
            "server:",
            '    rundir: "%s"' % t.path,
            "    listen: 127.0.0.1@%d" % port,
            "    udp-workers: 1",
            "    tcp-workers: 1",
            "    background-workers: 1",
            "    automatic-acl: off",
            "control:",
            '    listen: "%s"' % t.join("knot.sock"),
            "database:",
            '    storage: "%s"' % t.path,
            "log:",
            "  - target: stderr",
            "    any: info",
            "key:",
            "  - id: %s" % key.name.rstrip("."),
            "    algorithm: %s" % key.algorithm,
            "    secret: %s" % key.secret_b64,
            "remote:",
            "  - id: tetherd",
            "    address: 127.0.0.1@%d" % primary_port,
            "    key: %s" % key.name.rstrip("."),
            "acl:",
            "  - id: notify",
            "    address: 127.0.0.1",
            "    key: %s" % key.name.rstrip("."),
            "    action: notify",
            "template:",
            "  - id: default",
            '    storage: "%s"' % t.path,
            "    zonefile-sync: -1",
            "    semantic-checks: off",
            "zone:",
            '  - domain: "%s"' % ZONE,
            "    master: tetherd",
            "    acl: notify",
        ]
        self.conf_path = t.write("knot.conf", "\n".join(conf) + "\n")
        self._spawn([tl.KNOTD, "-c", self.conf_path])


class XfrTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("kdig", "knotd", "nsd", "dig"):
            if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.tmp = tl.TempDir()
        cls.server = tl.Tetherd(dns=["127.0.0.1:0"], tmp=cls.tmp, log_level="debug")
        admin = cls.server.admin
        admin("zone", "add", ZONE, "--ns", "ns1.example.net", "--soa-email", "h@example.net")
        cls.update_key = tl.parse_key_add(admin("key", "add", "upd.key").stdout)[0]
        admin("key", "grant", "upd.key", ZONE)
        cls.xfr_key = tl.parse_key_add(admin("key", "add", "xfr.key").stdout)[0]
        cls.other_key = tl.parse_key_add(admin("key", "add", "other.key").stdout)[0]
        out = admin("zone", "allow-transfer", ZONE, "--key", "xfr.key", "--address",
                    "127.0.0.2").stdout
        assert out == "key\txfr.key.\naddress\t127.0.0.2/32\n", out
        cls.updates = 0
        for i in range(5):
            cls.update(cls, "add h%d.%s 60 A 192.0.2.%d" % (i, ZONE, i + 1))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.close()

    def update(self, *commands):
        message = tl.update_message(ZONE, *commands)
        result = tl.send_update("127.0.0.1", self.server.port, message, key=self.update_key)
        assert result.ok, result
        self.updates += 1

    def serial(self):
        return tl.soa_serial(self.server.port, ZONE)

    def export(self):
        records = tl.parse_master(self.server.admin("zone", "export", ZONE).stdout, ZONE)
        return sorted("%s %d IN %s %s" % (o, ttl, t, tl.normalise_rr(r)) for o, ttl, t, r
                      in records)

    # ---- AXFR ----

    def test_axfr_with_key_is_the_zone_soa_first_and_last(self):
        error, rrs, text = kdig_xfr(self.server.port, "AXFR", key=self.xfr_key)
        self.assertIsNone(error, text)
        self.assertEqual(rrs[0].split(" ")[3], "SOA", text)
        self.assertEqual(rrs[-1], rrs[0])
        self.assertEqual(soa_serial_of(rrs[0]), self.serial())
        self.assertEqual([r for r in rrs[1:-1] if r.split(" ")[3] == "SOA"], [])
        self.assertEqual(sorted(rrs[:-1]), self.export())

    def test_axfr_without_key_is_refused(self):
        error, rrs, text = kdig_xfr(self.server.port, "AXFR")
        self.assertIn("REFUSED", error or "", text)
        self.assertEqual(rrs, [])

    def test_axfr_with_another_key_is_refused(self):
        error, rrs, text = kdig_xfr(self.server.port, "AXFR", key=self.other_key)
        self.assertIn("REFUSED", error or "", text)
        self.assertEqual(rrs, [])

    def test_axfr_from_allowed_network_unsigned(self):
        error, rrs, text = kdig_xfr(self.server.port, "AXFR", source="127.0.0.2")
        self.assertIsNone(error, text)
        self.assertEqual(sorted(rrs[:-1]), self.export())

    def test_axfr_over_udp_is_notimp(self):
        reply = tl.udp_exchange("127.0.0.1", self.server.port, tl.build_query(ZONE, 252))
        self.assertIsNotNone(reply)
        self.assertEqual(tl.parse_message(reply)["rcode"], 4)  # NOTIMP, as Knot answers

    def test_axfr_of_a_zone_not_served_is_notauth(self):
        argv = [tl.KDIG, "@127.0.0.1", "-p", str(self.server.port), "+timeout=3", "+retry=0",
                "other.test.", "AXFR", "-y", self.xfr_key.y_arg]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        self.assertIn("NOTAUTH", proc.stdout + proc.stderr)

    # ---- IXFR ----

    def test_ixfr_from_an_old_serial_sends_the_changes(self):
        old = self.serial()
        self.update("add ixfr1.%s 60 A 198.51.100.1" % ZONE)
        self.update("add ixfr2.%s 60 TXT \"two\"" % ZONE, "add ixfr1.%s 60 A 198.51.100.2" % ZONE)
        self.update("del ixfr1.%s 60 A 198.51.100.1" % ZONE)
        new = self.serial()
        error, rrs, text = kdig_xfr(self.server.port, "IXFR=%d" % old, key=self.xfr_key)
        self.assertIsNone(error, text)
        soas = [soa_serial_of(r) for r in rrs if r.split(" ")[3] == "SOA"]
        # RFC 1995 5, condensed: new SOA, old SOA, removed, new SOA, added, new SOA
        self.assertEqual(soas, [new, old, new, new], text)
        body = "\n".join(rrs)
        self.assertIn("ixfr1.dyn.test. 60 IN A 198.51.100.2", body)
        self.assertIn('ixfr2.dyn.test. 60 IN TXT "two"', body)
        self.assertNotIn("ixfr1.dyn.test. 60 IN A 198.51.100.1", rrs)  # added, removed: not sent
        self.assertNotIn("h0.dyn.test.", body)  # unchanged names are not sent

    def test_ixfr_when_current_is_the_single_soa(self):
        current = self.serial()
        error, rrs, text = kdig_xfr(self.server.port, "IXFR=%d" % current, key=self.xfr_key)
        self.assertIsNone(error, text)
        self.assertEqual(len(rrs), 1, text)
        self.assertEqual(soa_serial_of(rrs[0]), current)

    def test_ixfr_older_than_the_journal_is_the_whole_zone(self):
        # The zone started at serial 1: the journal has nothing from serial 0.
        error, rrs, text = kdig_xfr(self.server.port, "IXFR=0", key=self.xfr_key)
        self.assertIsNone(error, text)
        self.assertEqual(rrs[0], rrs[-1])
        self.assertEqual(sorted(rrs[:-1]), self.export())

    def test_ixfr_without_key_is_refused(self):
        error, rrs, text = kdig_xfr(self.server.port, "IXFR=1")
        self.assertIn("REFUSED", error or "", text)

    def test_ixfr_over_udp_is_the_soa(self):
        reply = ixfr_udp(self.server.port, 1, source="127.0.0.2")
        self.assertIsNotNone(reply)
        self.assertEqual(reply["rcode"], 0)
        self.assertEqual(reply["ancount"], 1)
        refused = ixfr_udp(self.server.port, 1, source="127.0.0.1")  # unsigned, not allowed
        self.assertEqual(refused["rcode"], 5)

    def test_soa_over_tcp(self):
        ans = tl.dig(self.server.port, ZONE, "SOA", tcp=True)[0]
        self.assertEqual(ans.rcode, "NOERROR")
        self.assertIn("aa", ans.flags)
        self.assertEqual(len(ans.rrs("answer", "SOA")), 1)

    # ---- NSD and Knot as secondaries ----

    def test_zz_nsd_and_knot_follow_by_notify_and_ixfr(self):
        admin = self.server.admin
        knot = KnotSecondary(self.server.port, self.xfr_key)
        # Reloads at once after each transfer.
        nsd = tl.Nsd({ZONE: self.tmp.join("nsd-dyn.test.zone")}, primary=("127.0.0.1", self.server.port),
                     key=self.xfr_key, extra_server="xfrd-reload-timeout: 0")
        try:
            for peer in (knot, nsd):
                admin("zone", "secondary", "add", ZONE, "127.0.0.1:%d" % peer.port, "--key",
                      "xfr.key")
            listed = admin("zone", "secondary", "list", ZONE).stdout.splitlines()
            self.assertEqual(sorted(listed), sorted("127.0.0.1:%d\txfr.key." % p.port
                                                    for p in (knot, nsd)))
            # The initial transfer (the secondaries ask at start).
            for peer in (knot, nsd):
                wait_for("%s to load the zone" % peer.name,
                         lambda: self.peer_serial(peer) == self.serial())
            # A stream of updates: NOTIFY + IXFR bring each change.
            for i in range(30):
                self.update("add s%d.%s 60 A 203.0.113.%d" % (i, ZONE, i + 1))
                if i % 3 == 0:
                    self.update("del s%d.%s 60 A 203.0.113.%d" % (i, ZONE, i + 1),
                                "add s%d.%s 60 AAAA 2001:db8::%d" % (i, ZONE, i + 1))
            final = self.serial()
            for peer in (knot, nsd):
                wait_for("%s to reach serial %d" % (peer.name, final),
                         lambda: self.peer_serial(peer) == final)
            # Same answers from all three.
            names = ["s%d.%s" % (i, ZONE) for i in range(30)] + ["h0." + ZONE, ZONE]
            for name in names:
                for rtype in ("A", "AAAA", "SOA", "NS"):
                    ours = tl.dig(self.server.port, name, rtype)[0]
                    for peer in (knot, nsd):
                        theirs = tl.dig(peer.port, name, rtype)[0]
                        self.assertEqual((theirs.rcode, theirs.answer), (ours.rcode, ours.answer),
                                         "%s %s from %s" % (name, rtype, peer.name))
            # The changes came incrementally, prompted by NOTIFY.
            self.assertRegex(knot.log(), r"IXFR, incoming")
            self.assertRegex(self.server.log(), r"IXFR of dyn\.test\. from serial")
            self.assertRegex(nsd.log(), r"(?i)notify")
            # Removing a secondary withdraws its permission.
            admin("zone", "secondary", "remove", ZONE, "127.0.0.1:%d" % nsd.port)
            self.assertEqual(len(admin("zone", "secondary", "list", ZONE).stdout.splitlines()), 1)
        except Exception:
            for peer in (knot, nsd):
                print("--- %s log ---\n%s" % (peer.name, peer.log()[-3000:]))
            raise
        finally:
            knot.stop(expect_status=None)
            nsd.stop(expect_status=None)

    def peer_serial(self, peer):
        ans = tl.dig(peer.port, ZONE, "SOA", check=False, expect=None)
        if not ans or ans[0].rcode != "NOERROR":
            return None
        soas = ans[0].rrs("answer", "SOA")
        return int(soas[0].split()[6]) if soas else None


if __name__ == "__main__":
    tl.run_tests()
