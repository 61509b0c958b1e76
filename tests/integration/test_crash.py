#!/usr/bin/env python3
"""Crash test: no acknowledged update is lost when tetherd is killed with SIGKILL.

tetherd serves a dynamic zone made with `tether zone add`. Six concurrent clients (three over
UDP, three over one TCP connection each; our own RFC 2136 + TSIG client from tetherlib) send
bounded streams of signed updates; every update adds a distinct name, and every third adds two
names in one message. A monitor digs the SOA serial and a few names while they stream. After
a random short delay, `kill -9`. tetherd starts again on the same data directory, and then:

  * every name whose update was ACKNOWLEDGED (NOERROR received) is there — in `tether zone
    export` and, for a sample, in dig;
  * everything dig showed before the crash is still there (published implies committed), and
    the SOA serial is at least the highest one dig saw;
  * no partial message: the two names of a two-name update are both there or both absent;
  * nothing else appeared: every test name there was sent;
  * the zone is consistent: the SOA serial dig answers equals the serial of the export;
  * tetherd takes new updates (our client and nsupdate) and serves them at once.

Three rounds in one run, on the same data directory; each round also re-checks the
acknowledged names of the earlier rounds. Bounded: at most MAX_PER_CLIENT messages per
client, every wait has a deadline.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_crash.py
     TETHER_CRASH_SEED=N fixes the random delays (printed on failure).
"""

import json
import os
import random
import re
import socket
import subprocess
import threading
import time
import unittest

import tetherlib as tl

ZONE = "crash.test."
CLIENTS = 6
ROUNDS = 3
MAX_PER_CLIENT = 3000
STREAM_DEADLINE_S = 20.0
NAME_RE = re.compile(r"^c(\d+)-r(\d+)-(\d+)([ab]?)\.crash\.test\.$")


class Client(threading.Thread):
    """Sends signed updates one at a time until told to stop, the server goes away, or the
    bound is reached; records what was sent and what was acknowledged."""

    def __init__(self, index, round_no, port, key, tcp, stop):
        super().__init__(daemon=True)
        self.index, self.round_no, self.port, self.key, self.tcp = index, round_no, port, key, tcp
        self.stop_event = stop
        self.sent = []    # [names] per message handed to the socket
        self.acked = []   # [names] per message answered NOERROR
        self.failures = []  # unexpected answers (anything but NOERROR while the server lived)
        self.ended_by = None

    def names(self, n):
        base = "c%d-r%d-%d" % (self.index, self.round_no, n)
        if n % 3 == 2:
            return [base + "a." + ZONE, base + "b." + ZONE]
        return [base + "." + ZONE]

    def run(self):
        sock = None
        deadline = time.monotonic() + STREAM_DEADLINE_S
        try:
            if self.tcp:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            for n in range(MAX_PER_CLIENT):
                if self.stop_event.is_set() or time.monotonic() > deadline:
                    self.ended_by = "stopped"
                    return
                names = self.names(n)
                msg = tl.UpdateMessage(ZONE)
                for k, name in enumerate(names):
                    msg.require_nxdomain(name)
                    msg.add(name, 60, "A", "10.%d.%d.%d" % (self.index, (n >> 8) & 255, n & 255))
                    if k == 1:  # the second name also gets a TXT: more than one RRset changes
                        msg.add(name, 60, "TXT", '"pair %d"' % n)
                self.sent.append(names)
                result = tl.send_update("127.0.0.1", self.port, msg, key=self.key,
                                        tcp=self.tcp, timeout=1.0, sock=sock)
                if result.error is not None:
                    self.ended_by = result.error
                    return
                if result.rcode == "NOERROR":
                    if not result.verified:
                        self.failures.append("unverified NOERROR for %s: %r" % (names, result))
                    self.acked.append(names)
                else:
                    self.failures.append("%s for %s" % (result, names))
        except OSError as e:
            self.ended_by = "%s: %s" % (type(e).__name__, e)
        finally:
            if sock is not None:
                sock.close()
            if self.ended_by is None:
                self.ended_by = "bound reached"


class Monitor(threading.Thread):
    """Digs the SOA serial and names acknowledged so far while the clients stream, to record
    what was visible before the crash."""

    def __init__(self, port, clients, stop):
        super().__init__(daemon=True)
        self.port, self.clients, self.stop_event = port, clients, stop
        self.max_serial = 0
        self.seen = set()

    def run(self):
        deadline = time.monotonic() + STREAM_DEADLINE_S
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            reply = tl.udp_exchange("127.0.0.1", self.port, tl.build_query(ZONE, "SOA", rd=False),
                                    timeout=0.3)
            msg = tl.parse_message(reply) if reply else None
            if msg and msg["rcode"] == 0:
                for sec, name, rtype, _, _, rdata in msg["records"]:
                    if rtype == 6 and sec == "answer":
                        serial = int.from_bytes(rdata[-20:-16], "big")
                        self.max_serial = max(self.max_serial, serial)
            # A name some client sent, if it is visible now it must survive the crash.
            sent = [c.sent[-1] for c in self.clients if c.sent]
            for names in sent[:2]:
                reply = tl.udp_exchange("127.0.0.1", self.port,
                                        tl.build_query(names[0], "A", rd=False), timeout=0.3)
                msg = tl.parse_message(reply) if reply else None
                if msg and msg["rcode"] == 0 and msg["ancount"] > 0:
                    self.seen.add(names[0])
            time.sleep(0.01)


class CrashTest(unittest.TestCase):

    def setUp(self):
        self.seed = int(os.environ.get("TETHER_CRASH_SEED", random.randrange(1 << 30)))
        self.rng = random.Random(self.seed)
        self.tmp = tl.TempDir(prefix="tether-crash-")
        self.server = tl.Tetherd(dns=["127.0.0.1:0"], tmp=self.tmp)
        self.server.admin("zone", "add", ZONE, "--ns", "ns1.example.net")
        self.key, _ = tl.parse_key_add(self.server.admin("key", "add", "crash-key").stdout)
        self.server.admin("key", "grant", "crash-key", ZONE)
        self.server.wait_answers(ZONE, "SOA")

    def tearDown(self):
        self.server.kill()
        self.tmp.close()

    def msg(self, text):
        return "%s (seed %d; TETHER_CRASH_SEED=%d reproduces the delays)" % (text, self.seed,
                                                                           self.seed)

    def exported(self):
        """({test name: set of types}, SOA serial) from `tether zone export`."""
        text = self.server.admin("zone", "export", ZONE).stdout
        records = tl.parse_master(text, ZONE)
        self.assertTrue(records and records[0][2] == "SOA", self.msg("export starts with SOA:\n"
                                                                     + text[:500]))
        serial = int(records[0][3].split()[2])
        names = {}
        for owner, _, rtype, _ in records:
            names.setdefault(owner, set()).add(rtype)
        return names, serial

    def test_kill_9_loses_no_acknowledged_update(self):
        all_acked, all_sent = [], set()
        for round_no in range(ROUNDS):
            with self.subTest(round=round_no):
                acked, sent = self.crash_round(round_no)
                all_acked += acked
                all_sent |= sent
                self.verify(all_acked, all_sent, round_no)
                self.accepts_new_updates(round_no)

    def crash_round(self, round_no):
        # Admin changes acknowledged by `tether` before the kill must survive it too.
        name = "round-%d" % round_no
        self.round_keys = getattr(self, "round_keys", [])
        key, _ = tl.parse_key_add(self.server.admin("key", "add", name).stdout)
        self.server.admin("key", "grant", name, ZONE, "--name", "%s.%s" % (name, ZONE))
        self.round_keys.append((name, key))
        port = self.server.port
        stop = threading.Event()
        clients = [Client(i, round_no, port, self.key, tcp=i % 2 == 1, stop=stop)
                   for i in range(CLIENTS)]
        self.monitor = Monitor(port, clients, stop)
        for c in clients:
            c.start()
        self.monitor.start()
        # Let the stream get going (some acknowledgements), then kill after a random delay.
        deadline = time.monotonic() + 10
        while sum(len(c.acked) for c in clients) < 20 and time.monotonic() < deadline:
            if not any(c.is_alive() for c in clients):
                break
            time.sleep(0.005)
        started_at = time.monotonic()
        acked_before = sum(len(c.acked) for c in clients)
        self.assertGreater(acked_before, 0, self.msg("no update acknowledged before the kill: %s"
                                                     % [c.ended_by for c in clients]))
        time.sleep(self.rng.uniform(0.05, 0.8))
        self.server.crash()
        killed_at = time.monotonic()
        for c in clients:
            c.join(10)
        stop.set()
        self.monitor.join(10)
        for c in clients:
            self.assertFalse(c.is_alive(), self.msg("client %d still running" % c.index))
            self.assertEqual(c.failures, [], self.msg("client %d got unexpected answers"
                                                      % c.index))
        acked = [names for c in clients for names in c.acked]
        sent = {name for c in clients for names in c.sent for name in names}
        unacked = sum(len(c.sent) - len(c.acked) for c in clients)
        print("round %d: %d updates acknowledged, %d sent without an answer; SIGKILL %.2f s "
              "after the first %d acknowledgements" % (round_no, len(acked), unacked,
                                                       killed_at - started_at, acked_before),
              flush=True)
        self.server.start()
        self.server.wait_answers(ZONE, "SOA", timeout=60)
        return acked, sent

    def verify(self, all_acked, all_sent, round_no):
        names, export_serial = self.exported()
        present = {n for n in names if NAME_RE.match(n)}
        missing = [n for names_ in all_acked for n in names_ if n not in names]
        self.assertEqual(missing[:20], [], self.msg("acknowledged but lost (%d in all)"
                                                    % len(missing)))
        seen_lost = sorted(self.monitor.seen - set(names))
        self.assertEqual(seen_lost, [], self.msg("visible before the crash, gone after"))
        strangers = sorted(present - all_sent)
        self.assertEqual(strangers, [], self.msg("names nobody sent"))
        # Two-name messages: both or neither (and the second one with its TXT too).
        for name in present:
            m = NAME_RE.match(name)
            if m.group(4):
                base = name[:-len(ZONE) - 2]
                pair = [base + "a." + ZONE, base + "b." + ZONE]
                self.assertEqual([p in names for p in pair], [True, True],
                                 self.msg("half of a two-name update: %s" % pair))
                self.assertEqual(names[pair[1]], {"A", "TXT"}, self.msg(pair[1]))
            else:
                self.assertEqual(names[name], {"A"}, self.msg(name))
        dig_serial = tl.soa_serial(self.server.port, ZONE)
        self.assertEqual(dig_serial, export_serial, self.msg("dig and export disagree on serial"))
        self.assertGreaterEqual(dig_serial, self.monitor.max_serial,
                                self.msg("serial went back below one dig saw before the kill"))
        # dig agrees with the export for a sample of acknowledged names.
        sample = self.rng.sample(all_acked, min(40, len(all_acked)))
        for names_ in sample:
            for name in names_:
                ans = tl.dig(self.server.port, name, "A")[0]
                self.assertEqual(ans.rcode, "NOERROR", self.msg(ans.text))
                self.assertEqual(len(ans.rrs("answer", "A")), 1, self.msg(ans.text))
        print("round %d: after restart %d test names present (%d acknowledged in all rounds), "
              "serial %d" % (round_no, len(present), sum(len(n) for n in all_acked), dig_serial),
              flush=True)

    def accepts_new_updates(self, round_no):
        port = self.server.port
        listed = self.server.admin("key", "list").stdout
        for name, key in self.round_keys:
            self.assertIn(name + ".\t", listed, self.msg("key made before the kill is gone"))
            msg = tl.UpdateMessage(ZONE).delete_rrset("%s.%s" % (name, ZONE), "TXT").add(
                "%s.%s" % (name, ZONE), 60, "TXT", '"round %d"' % round_no)
            result = tl.send_update("127.0.0.1", port, msg, key=key)
            self.assertEqual(result.rcode, "NOERROR", self.msg("%s: %r" % (name, result)))
        before = tl.soa_serial(port, ZONE)
        name = "after-r%d.%s" % (round_no, ZONE)
        msg = tl.UpdateMessage(ZONE).add(name, 60, "A", "192.0.2.%d" % (round_no + 1))
        result = tl.send_update("127.0.0.1", port, msg, key=self.key, tcp=round_no % 2 == 1)
        self.assertEqual(result.rcode, "NOERROR", self.msg(repr(result)))
        self.assertTrue(result.verified, self.msg(repr(result)))
        ans = tl.dig(port, name, "A")[0]
        self.assertEqual(ans.answer, ["%s 60 IN A 192.0.2.%d" % (name, round_no + 1)], ans.text)
        run = tl.nsupdate(port, ["update add nsupdate-r%d.%s 60 TXT \"alive\"" % (round_no, ZONE)],
                          key=self.key, zone=ZONE)
        self.assertEqual(run.rcode, "NOERROR", run)
        self.assertGreater(tl.soa_serial(port, ZONE), before)

    def test_kill_9_during_import_is_all_or_nothing(self):
        """`tether zone add --import` of a big zone, SIGKILL part-way: after the restart the
        zone is either absent or complete; a zone `tether` acknowledged is complete."""
        hosts = 100000
        lines = ["$ORIGIN big.test.", "$TTL 60",
                 "@ IN SOA ns1.example.net. hostmaster.example.net. 1 3600 900 1209600 60",
                 "@ IN NS ns1.example.net."]
        lines += ["h%d IN A 10.%d.%d.%d" % (n, n >> 16, (n >> 8) & 255, n & 255)
                  for n in range(hosts)]
        outcomes = []
        for attempt in range(3):
            origin = "big%d.test." % attempt
            text = "\n".join(lines).replace("big.test.", origin) + "\n"
            path = self.tmp.write(origin + "zone", text)
            argv = [tl.tether_binary(), "--data-dir", self.server.data_dir, "zone", "add",
                    origin, "--import", path]
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            time.sleep(self.rng.uniform(0.0, 0.35))
            self.server.crash()
            out, err = proc.communicate(timeout=30)
            acknowledged = proc.returncode == 0 and out.strip() == "id: " + origin
            self.server.start()
            zones = {z["origin"]: z for z in json.loads(
                self.server.admin("zone", "list", "--json").stdout)}
            outcomes.append("acknowledged" if acknowledged else
                            "present" if origin in zones else "absent")
            if acknowledged:
                self.assertIn(origin, zones, self.msg("acknowledged import lost"))
            if origin in zones:
                self.server.wait_answers(origin, "SOA")
                self.assertEqual(zones[origin]["kind"], "dynamic")
                last = "h%d.%s" % (hosts - 1, origin)
                ans = tl.dig(self.server.port, last, "A")[0]
                self.assertEqual(ans.rcode, "NOERROR", self.msg("partial import: " + ans.text))
                exported = tl.parse_master(self.server.admin("zone", "export", origin).stdout,
                                           origin)
                self.assertEqual(len(exported), hosts + 2, self.msg("partial import of %s"
                                                                    % origin))
            else:
                ans = tl.dig(self.server.port, origin, "SOA")[0]
                self.assertEqual(ans.rcode, "REFUSED", self.msg(ans.text))
                # The name is free again: the import can be repeated.
                self.server.admin("zone", "add", origin, "--import", path)
        print("imports killed part-way: %s" % outcomes, flush=True)


if __name__ == "__main__":
    tl.run_tests()
