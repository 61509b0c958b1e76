#!/usr/bin/env python3
"""tetherd answers the real dig and kdig: record types, UDP/TCP, IPv4/IPv6, negative answers,
EDNS(0), malformed packets, SIGHUP reload under load and a clean SIGTERM.

Run: TETHERD=build/tetherd python3 tests/integration/test_dig.py   (re-executes itself in a
private network namespace). TETHER_IT_SERVER=knotd runs the same checks against knotd.
"""

import os
import shutil
import signal
import struct
import threading
import time
import unittest

import tetherlib as tl

ORIGIN = "example.test."
ZONE_FILE = os.path.join(tl.HERE, "zones", "example.test.zone")
SOA = "example.test. 120 IN SOA ns1.example.test. hostmaster.example.test. 2026112601 7200 3600 1209600 120"


class DigTest(unittest.TestCase):
    """One server for the whole class, on 127.0.0.1 and ::1; stopped with SIGTERM at the end."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tl.TempDir()
        zone = cls.tmp.join("example.test.zone")
        shutil.copy(ZONE_FILE, zone)
        cls.server = tl.start_server_under_test({ORIGIN: zone}, ipv6=True, tmp=cls.tmp)
        cls.port = cls.server.endpoints[0][1]
        cls.port6 = cls.server.endpoints[1][1]

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()  # SIGTERM; raises unless the exit status is 0
        finally:
            cls.server.kill()
            cls.tmp.close()

    def dig(self, *args, **kw):
        return tl.dig(self.port, *args, **kw)[0]

    def assertPositive(self, ans, answer, additional=()):
        self.assertEqual(ans.rcode, "NOERROR", ans.text)
        self.assertEqual(ans.flags, {"qr", "aa"}, ans.text)
        self.assertEqual(ans.answer, sorted(answer), ans.text)
        self.assertEqual(ans.authority, [], ans.text)
        self.assertEqual(ans.additional, sorted(additional), ans.text)

    # --- record types -------------------------------------------------------------------

    EXPECTED = {
        ("www.example.test.", "A"): (["www.example.test. 300 IN A 192.0.2.80"], []),
        ("www.example.test.", "AAAA"): (["www.example.test. 300 IN AAAA 2001:db8::80"], []),
        ("example.test.", "MX"): (
            ["example.test. 300 IN MX 10 mail.example.test."],
            ["mail.example.test. 300 IN A 192.0.2.25",
             "mail.example.test. 300 IN AAAA 2001:db8::25"]),
        ("example.test.", "NS"): (
            ["example.test. 3600 IN NS ns1.example.test.",
             "example.test. 3600 IN NS ns2.example.test."],
            ["ns1.example.test. 300 IN A 192.0.2.53", "ns1.example.test. 300 IN AAAA 2001:db8::53",
             "ns2.example.test. 300 IN A 192.0.2.54"]),
        ("example.test.", "SOA"): (
            ["example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. "
             "2026112601 7200 3600 1209600 120"], []),
        ("txt.example.test.", "TXT"): (
            ['txt.example.test. 300 IN TXT "v=spf1 -all"',
             'txt.example.test. 300 IN TXT "hello" "world"'], []),
        ("_sip._udp.example.test.", "SRV"): (
            ["_sip._udp.example.test. 300 IN SRV 10 60 5060 sip.example.test."],
            ["sip.example.test. 300 IN A 192.0.2.60"]),
        ("caa.example.test.", "CAA"): (
            ['caa.example.test. 300 IN CAA 0 issue "letsencrypt.org"',
             'caa.example.test. 300 IN CAA 0 iodef "mailto:security@example.test"'], []),
        ("ptr.example.test.", "PTR"): (["ptr.example.test. 300 IN PTR www.example.test."], []),
        ("hinfo.example.test.", "HINFO"): (['hinfo.example.test. 300 IN HINFO "PDP-11" "UNIX"'],
                                           []),
        ("unknown.example.test.", "TYPE65000"): (
            ["unknown.example.test. 300 IN TYPE65000 \\# 4 0A0B0C0D"], []),
        ("alias.example.test.", "A"): (
            ["alias.example.test. 300 IN CNAME www.example.test.",
             "www.example.test. 300 IN A 192.0.2.80"], []),
    }

    def check_all_types(self, client, host, port, tcp):
        args = []
        for qname, qtype in self.EXPECTED:
            args += [qname, qtype]
        answers = client(port, *args, host=host, tcp=tcp, expect=len(self.EXPECTED))
        for (key, (answer, additional)), ans in zip(self.EXPECTED.items(), answers):
            with self.subTest(query=key, client=client.__name__, host=host, tcp=tcp):
                self.assertEqual(ans.question, ["%s IN %s" % key], ans.text)
                self.assertPositive(ans, answer, additional)
                want = "(TCP)" if tcp else "(UDP)"
                self.assertIn(want, ans.server or "", ans.text)

    def test_dig_udp_ipv4(self):
        self.check_all_types(tl.dig, "127.0.0.1", self.port, tcp=False)

    def test_dig_tcp_ipv4(self):
        self.check_all_types(tl.dig, "127.0.0.1", self.port, tcp=True)

    def test_dig_udp_ipv6(self):
        self.check_all_types(tl.dig, "::1", self.port6, tcp=False)

    def test_dig_tcp_ipv6(self):
        self.check_all_types(tl.dig, "::1", self.port6, tcp=True)

    def test_kdig_udp_and_tcp(self):
        for host, port in self.server.endpoints:
            for tcp in (False, True):
                self.check_all_types(tl.kdig, host, port, tcp)

    # --- negative answers ---------------------------------------------------------------

    def test_nxdomain_has_soa_with_minimum_ttl(self):
        for tcp in (False, True):
            ans = self.dig("nosuchname.example.test.", "A", tcp=tcp)
            self.assertEqual(ans.rcode, "NXDOMAIN", ans.text)
            self.assertEqual(ans.flags, {"qr", "aa"}, ans.text)
            self.assertEqual(ans.answer, [], ans.text)
            self.assertEqual(ans.authority, [SOA], ans.text)

    def test_nodata_has_soa(self):
        for qname, qtype in (("www.example.test.", "MX"), ("example.test.", "TXT"),
                             ("_udp.example.test.", "A")):  # the last is an empty non-terminal
            with self.subTest(qname=qname, qtype=qtype):
                ans = self.dig(qname, qtype)
                self.assertEqual(ans.rcode, "NOERROR", ans.text)
                self.assertEqual(ans.flags, {"qr", "aa"}, ans.text)
                self.assertEqual(ans.answer, [], ans.text)
                self.assertEqual(ans.authority, [SOA], ans.text)

    def test_refused_outside_zones(self):
        for qname in ("example.org.", "test.", ".", "example.test.example.org."):
            with self.subTest(qname=qname):
                ans = self.dig(qname, "A")
                self.assertEqual(ans.rcode, "REFUSED", ans.text)
                self.assertNotIn("aa", ans.flags, ans.text)
                self.assertEqual(ans.answer + ans.authority + ans.additional, [], ans.text)

    # --- the question as sent -----------------------------------------------------------

    def test_question_case_preserved(self):
        ans = self.dig("WwW.ExAmPlE.TeSt.", "A")
        self.assertEqual(ans.question, ["WwW.ExAmPlE.TeSt. IN A"], ans.text)
        self.assertEqual(ans.rcode, "NOERROR", ans.text)
        self.assertEqual([tl.normalise_rr(l, True) for l in ans.answer],
                         ["www.example.test. 300 in a 192.0.2.80"], ans.text)
        # And byte for byte on the wire.
        query = tl.build_query("mAiL.eXaMpLe.TeSt.", "AAAA", qid=4242)
        msg = tl.parse_message(tl.udp_exchange("127.0.0.1", self.port, query))
        self.assertEqual(msg["id"], 4242)
        self.assertEqual(msg["question"], [("mAiL.eXaMpLe.TeSt.", 28, 1)])

    # --- EDNS(0) and truncation ---------------------------------------------------------

    def big_txt(self):
        return sorted(l for l in self.dig("big.example.test.", "TXT", tcp=True).answer)

    def test_bufsize_512_truncates_over_udp_complete_over_tcp(self):
        ans = self.dig("big.example.test.", "TXT", "+bufsize=512", "+ignore")
        self.assertIn("tc", ans.flags, ans.text)
        self.assertLess(len(ans.answer), 8, ans.text)
        raw = tl.udp_exchange("127.0.0.1", self.port,
                              tl.build_query("big.example.test.", "TXT", edns={"payload": 512}))
        self.assertLessEqual(len(raw), 512)
        self.assertTrue(tl.parse_message(raw)["tc"])
        full = self.dig("big.example.test.", "TXT", "+bufsize=512", tcp=True)
        self.assertNotIn("tc", full.flags, full.text)
        self.assertEqual(len(full.answer), 8, full.text)
        # dig's own fallback: TC over UDP, then the same query over TCP.
        retried = self.dig("big.example.test.", "TXT", "+bufsize=512")
        self.assertEqual(retried.answer, full.answer, retried.text)

    def test_no_edns_means_512_bytes(self):
        ans = self.dig("big.example.test.", "TXT", "+noedns", "+ignore")
        self.assertIn("tc", ans.flags, ans.text)
        self.assertIsNone(ans.edns, ans.text)
        raw = tl.udp_exchange("127.0.0.1", self.port, tl.build_query("big.example.test.", "TXT"))
        self.assertLessEqual(len(raw), 512)
        msg = tl.parse_message(raw)
        self.assertTrue(msg["tc"])
        self.assertIsNone(msg["edns"])

    def test_default_payload_1232_fits_big_not_huge(self):
        ans = self.dig("big.example.test.", "TXT", "+ignore")
        self.assertNotIn("tc", ans.flags, ans.text)
        self.assertEqual(len(ans.answer), 8, ans.text)
        self.assertEqual(ans.edns["udp"], 1232, ans.text)
        ans = self.dig("huge.example.test.", "TXT", "+bufsize=4096", "+ignore")
        raw = tl.udp_exchange("127.0.0.1", self.port,
                              tl.build_query("huge.example.test.", "TXT", edns={"payload": 4096}))
        self.assertLessEqual(len(raw), 4096)
        ans = self.dig("huge.example.test.", "TXT", "+ignore")
        self.assertIn("tc", ans.flags, ans.text)
        raw = tl.udp_exchange("127.0.0.1", self.port,
                              tl.build_query("huge.example.test.", "TXT", edns={"payload": 1232}))
        self.assertLessEqual(len(raw), 1232)
        full = self.dig("huge.example.test.", "TXT", tcp=True)
        self.assertNotIn("tc", full.flags, full.text)
        self.assertEqual(len(full.answer), 20, full.text)

    def test_do_bit_echoed(self):
        ans = self.dig("www.example.test.", "A", "+dnssec")
        self.assertEqual(ans.edns["flags"], {"do"}, ans.text)
        self.assertEqual(ans.edns["version"], 0, ans.text)
        ans = self.dig("www.example.test.", "A")
        self.assertEqual(ans.edns["flags"], set(), ans.text)

    def test_unknown_edns_option_ignored(self):
        want = ["www.example.test. 300 IN A 192.0.2.80"]
        for client in (tl.kdig, tl.dig):
            with self.subTest(client=client.__name__):
                ans = client(self.port, "www.example.test.", "A", "+ednsopt=65001:c0ffee")[0]
                self.assertPositive(ans, want)
                self.assertFalse(any("65001" in o for o in ans.edns["options"]), ans.text)

    def test_edns_version_1_gets_badvers(self):
        ans = self.dig("www.example.test.", "A", "+edns=1", "+noednsnegotiation")
        self.assertEqual(ans.rcode, "BADVERS", ans.text)
        self.assertEqual(ans.edns["version"], 0, ans.text)
        self.assertEqual(ans.answer, [], ans.text)

    # --- malformed and unusual messages -------------------------------------------------

    def assertStillServing(self):
        ans = self.dig("www.example.test.", "A")
        self.assertEqual(ans.answer, ["www.example.test. 300 IN A 192.0.2.80"], ans.text)

    def test_bad_packets_are_not_answered(self):
        good = tl.build_query("www.example.test.", "A", qid=7)
        cases = {
            "response (QR=1)": tl.build_query("www.example.test.", "A", qr=True),
            "empty": b"",
            "5 bytes": b"\x01\x02\x03\x04\x05",
            "11 bytes": good[:11],
            "response with EDNS": tl.build_query("www.example.test.", "A", qr=True, edns={}),
        }
        for name, packet in cases.items():
            with self.subTest(packet=name):
                self.assertIsNone(tl.udp_exchange("127.0.0.1", self.port, packet, timeout=0.3))
                self.assertStillServing()

    def test_garbage_never_crashes(self):
        # Random bytes with a query-looking header: answered with FORMERR or dropped, never
        # with data, and the server keeps serving. Bounded: 300 packets.
        rng = __import__("random").Random(1234)
        good = tl.build_query("www.example.test.", "A", qid=7, edns={})
        sock_packets = []
        for i in range(300):
            kind = i % 3
            if kind == 0:  # truncated somewhere in the question or OPT
                packet = good[:rng.randrange(12, len(good))]
            elif kind == 1:  # random tail after a plausible header
                packet = good[:12] + bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
            else:  # bit flips in a good query, QR kept clear
                b = bytearray(good)
                for _ in range(3):
                    b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
                b[2] &= 0x7F
                packet = bytes(b)
            sock_packets.append(packet)
        for packet in sock_packets:
            reply = tl.udp_exchange("127.0.0.1", self.port, packet, timeout=0.05)
            if reply is None:
                continue
            msg = tl.parse_message(reply)
            self.assertIsNotNone(msg, "unparseable reply %r to %r" % (reply, packet))
            self.assertTrue(msg["qr"])
            self.assertEqual(msg["id"], struct.unpack("!H", packet[:2])[0])
        self.assertTrue(self.server.alive())
        self.assertStillServing()

    def test_truncated_question_dropped_or_formerr(self):
        good = tl.build_query("www.example.test.", "A", qid=9)
        for cut in (12, 14, len(good) - 2):
            with self.subTest(cut=cut):
                reply = tl.udp_exchange("127.0.0.1", self.port, good[:cut], timeout=0.3)
                if reply is not None:
                    msg = tl.parse_message(reply)
                    self.assertEqual(tl.RCODES.get(msg["rcode"]), "FORMERR", msg)
                    self.assertEqual(msg["ancount"], 0, msg)
                self.assertStillServing()

    def test_unknown_opcode_notimp(self):
        ans = self.dig("www.example.test.", "A", "+opcode=15")
        self.assertEqual(ans.rcode, "NOTIMP", ans.text)
        self.assertEqual(ans.answer, [], ans.text)
        for opcode in (3, 7, 15):
            with self.subTest(opcode=opcode):
                msg = tl.parse_message(tl.udp_exchange(
                    "127.0.0.1", self.port,
                    tl.build_query("www.example.test.", "A", qid=77, opcode=opcode)))
                self.assertEqual(tl.RCODES.get(msg["rcode"]), "NOTIMP", msg)
                self.assertEqual(msg["opcode"], opcode, msg)
                self.assertEqual(msg["id"], 77)
                self.assertTrue(msg["qr"])

    def test_two_questions_formerr(self):
        query = tl.build_query("www.example.test.", "A", qid=99,
                               extra_questions=[("mail.example.test.", "A")])
        for exchange in (tl.udp_exchange, tl.tcp_exchange):
            with self.subTest(transport=exchange.__name__):
                reply = exchange("127.0.0.1", self.port, query)
                self.assertIsNotNone(reply, "QDCOUNT=2 got no answer")
                msg = tl.parse_message(reply)
                self.assertEqual(tl.RCODES.get(msg["rcode"]), "FORMERR", msg)
                self.assertEqual(msg["id"], 99)
                self.assertEqual(msg["ancount"], 0, msg)
        self.assertStillServing()

    def test_tcp_pipelined_queries(self):
        # RFC 7766 6.2.1: several queries on one connection, each answered.
        import socket
        queries = [tl.build_query(n, "A", qid=1000 + i)
                   for i, n in enumerate(["www.example.test.", "mail.example.test.",
                                          "nosuch.example.test.", "ns1.example.test."])]
        with socket.create_connection(("127.0.0.1", self.port), timeout=3) as s:
            s.sendall(b"".join(struct.pack("!H", len(q)) + q for q in queries))
            ids = set()
            for _ in queries:
                size = struct.unpack("!H", tl._recv_exact(s, 2))[0]
                ids.add(tl.parse_message(tl._recv_exact(s, size))["id"])
        self.assertEqual(ids, {1000, 1001, 1002, 1003})


ZONE_V1 = """$ORIGIN reload.test.
$TTL 60
@    3600 IN SOA ns hostmaster %d 7200 3600 1209600 60
@    3600 IN NS ns
ns        IN A 192.0.2.53
moving    IN A %s
"""


class ReloadTest(unittest.TestCase):
    """SIGHUP reloads changed zone files while queries keep being answered."""

    def setUp(self):
        self.tmp = tl.TempDir()
        self.zone = self.tmp.write("reload.test.zone", ZONE_V1 % (1, "192.0.2.1"))
        self.server = tl.start_server_under_test({"reload.test.": self.zone}, ipv6=False,
                                                 tmp=self.tmp)
        self.addCleanup(self.tmp.close)
        self.addCleanup(self.server.kill)

    def query_loop(self, stop, results, max_queries=20000, max_seconds=30.0):
        deadline = time.monotonic() + max_seconds
        host, port = self.server.endpoints[0]
        qid = 0
        while not stop.is_set() and len(results) < max_queries and time.monotonic() < deadline:
            qid = (qid + 1) & 0xFFFF
            reply = tl.udp_exchange(host, port, tl.build_query("moving.reload.test.", "A",
                                                               qid=qid), timeout=1.0)
            msg = tl.parse_message(reply) if reply else None
            if msg is None or msg["id"] != qid:
                results.append("no answer")
            elif msg["rcode"] != 0 or not msg["records"]:
                results.append("rcode %d ancount %d" % (msg["rcode"], msg["ancount"]))
            else:
                results.append(".".join(str(b) for b in msg["records"][0][5]))

    def test_sighup_reload_under_queries(self):
        stop, results = threading.Event(), []
        loop = threading.Thread(target=self.query_loop, args=(stop, results))
        loop.start()
        try:
            deadline = time.monotonic() + 10
            while len(results) < 50 and time.monotonic() < deadline and loop.is_alive():
                time.sleep(0.01)
            self.assertGreaterEqual(len(results), 50, results[:10])
            tl.write_atomically(self.zone, ZONE_V1 % (2, "192.0.2.2") +
                                "added IN TXT \"new\"\n")
            self.server.signal(signal.SIGHUP)
            deadline = time.monotonic() + 15
            while "192.0.2.2" not in results and time.monotonic() < deadline and loop.is_alive():
                time.sleep(0.01)
            seen_at = len(results)
            # A few more answers after the switch, then stop.
            while len(results) < seen_at + 50 and time.monotonic() < deadline + 5:
                time.sleep(0.01)
        finally:
            stop.set()
            loop.join(60)
        self.assertIn("192.0.2.2", results, "reload never became visible")
        first_new = results.index("192.0.2.2")
        bad = [r for r in results if r not in ("192.0.2.1", "192.0.2.2")]
        self.assertEqual(bad, [], "%d of %d queries failed" % (len(bad), len(results)))
        self.assertNotIn("192.0.2.1", results[first_new:], "old data after the new was seen")
        ans = tl.dig(self.server.port, "added.reload.test.", "TXT")[0]
        self.assertEqual(ans.answer, ['added.reload.test. 60 IN TXT "new"'], ans.text)
        ans = tl.dig(self.server.port, "reload.test.", "SOA")[0]
        self.assertIn(" 2 7200 ", ans.answer[0], ans.text)
        self.assertEqual(self.server.stop(), 0)

    def test_sigterm_exits_zero(self):
        ans = tl.dig(self.server.port, "moving.reload.test.", "A")[0]
        self.assertEqual(ans.answer, ["moving.reload.test. 60 IN A 192.0.2.1"], ans.text)
        self.assertEqual(self.server.stop(timeout=10), 0)


if __name__ == "__main__":
    tl.run_tests()
