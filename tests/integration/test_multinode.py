#!/usr/bin/env python3
"""Two tetherd nodes on one PostgreSQL (issue 5; docs/postgresql.md, "Several nodes").

A real PostgreSQL server (pglib.py) and two tetherd, A and B, on its database (`--store`),
each with its own data directory (control socket), DNS and HTTP on 127.0.0.1. A change
acknowledged by one node must be answered and honoured by the other within CROSS_NODE_S (1 s):
every such check polls the other node for at most that long after the acknowledgement (the
exit of `tether`, nsupdate or curl, or our own client's NOERROR) and records the delay;
tearDownClass prints the largest and the median.

  1. Records: a zone added on A is served by B; a key added and granted on A signs updates
     through B; nsupdate through A is answered by B and through B by A, with one serial.
     Then 20 nsupdates through each node, alternating, and 20 through each from two threads
     at once, all to one zone (a node's view lags the other's writes: the stale-view retry):
     all succeed, and both nodes end with every name and the same serial, one per update.
  2. Accounts: a service zone, a user, hosts and a token made on A work through B (dyndns2
     with the token and the password); `tether user passwd` on A makes the old password
     `badauth` on B; `tether token revoke` on B makes the token `badauth` on A; `tether host
     remove` on A makes B answer `nohost` and drop the name from DNS; a key removed on B
     no longer signs updates through A.
  3. Kill: a bounded stream of updates (STREAM_MAX or STREAM_S), alternately to A and B, of
     three kinds (our RFC 2136 + TSIG client over UDP and TCP, nsupdate, dyndns2 with curl),
     each acknowledged one recorded; from a little before the kill, two writers keep updates
     of another zone in flight at A; `kill -9` of A half-way; the stream goes on (what is sent
     to the dead A is not acknowledged); then B answers every acknowledged change, and A,
     started again on the same database, answers them too and follows B again.

Failed logins are throttled per account name and client address (src/accounts), so the
polls that expect an authentication to start or stop working use a new client address
(127.0.0.N) each time and, for tokens, a new user name; the [ddns] limits are raised in a
--config file so that the polls and the stream are not answered `911` / `abuse`.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_multinode.py
(re-executes itself in a private network namespace).
"""

import itertools
import shutil
import statistics
import threading
import time
import unittest

import ddnslib as dd
import pglib
import tetherlib as tl

CROSS_NODE_S = 1.0  # issue 5: a change on one node is honoured by every node within 1 s
LATE_S = 10.0       # after a miss, how long we keep watching to say when it did arrive
AUTH_POLL_S = 0.1   # polls that may fail a login: at most 10 per second (the burst allowed)
STREAM_MAX = 300
STREAM_S = 30.0
KILL_AT = STREAM_MAX // 2
SAMPLE_EVERY = 10   # during the stream, every 10th acknowledged DNS update is timed on the
                    # other node
IN_FLIGHT_FROM = KILL_AT - 30  # writers that keep updates in flight at A start here
IN_FLIGHT_MAX = 3000           # messages per writer at most

CONFIG = """
[ddns]
nochg_per_hour = 100000
host_changes_per_minute = 100000
account_changes_per_minute = 100000
address_requests_per_minute = 100000
"""

_sources = itertools.count()


def new_source():
    """A loopback client address not used before in this run (127.0.N.M)."""
    n = next(_sources)
    return "127.0.%d.%d" % (10 + n // 250, 1 + n % 250)


_token_users = itertools.count()


def token_user():
    """A user name for Basic with a token (any name works; a new one is never throttled)."""
    return "tok%d" % next(_token_users)


def words(reply):
    return reply.words if reply is not None else None


class InFlight(threading.Thread):
    """Sends signed updates of new names to one node, one at a time, each as soon as the last
    is answered (our client, UDP or a TCP connection per message), until the node is gone,
    `stop` is set or the bounds are reached: so that updates are in flight when it is
    killed. Records what was acknowledged (NOERROR) and any other answer."""

    def __init__(self, node, key, zone, tag, tcp, stop):
        super().__init__(daemon=True)
        self.node, self.key, self.zone, self.tag, self.tcp = node, key, zone, tag, tcp
        self.stop_event = stop
        self.acked = []     # (name, value, monotonic time of the answer)
        self.refused = []   # (name, UpdateResult) answered but not NOERROR
        self.sent = 0
        self.ended_by = None

    def run(self):
        deadline = time.monotonic() + STREAM_S
        for n in range(IN_FLIGHT_MAX):
            if self.stop_event.is_set() or time.monotonic() > deadline:
                self.ended_by = "stopped"
                return
            name = "%s%d.%s" % (self.tag, n, self.zone)
            value = "10.9.%d.%d" % (n >> 8, n & 255)
            self.sent += 1
            result = tl.send_update(self.node.host, self.node.port,
                                    tl.update_message(self.zone, "add %s 60 A %s" % (name, value)),
                                    key=self.key, tcp=self.tcp, timeout=1.0)
            if result.error is not None:
                self.ended_by = result.error
                return
            if result.ok:
                self.acked.append((name, value, time.monotonic()))
            else:
                self.refused.append((name, result))
        self.ended_by = "bound reached"


class MultiNodeTest(unittest.TestCase):
    delays = []  # (what, seconds from the acknowledgement to the other node honouring it)

    @classmethod
    def setUpClass(cls):
        for tool in ("nsupdate", "curl", "dig"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.started = time.monotonic()
        cls.pg = pglib.PostgresServer()
        cls.tmp = tl.TempDir(prefix="tether-multinode-")
        cls.config = cls.tmp.write("tetherd.toml", CONFIG)
        cls.nodes = []
        try:
            cls.a = cls.start_node("A")
            cls.b = cls.start_node("B")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for node in cls.nodes:
            node.kill()
        for node in cls.nodes:
            node.tmp.close()
        cls.tmp.close()
        cls.pg.close()
        if cls.delays:
            values = [d for _, d in cls.delays]
            worst = max(cls.delays, key=lambda x: x[1])
            print("\ncross-node delays: %d measured, max %.3f s (%s), median %.3f s; "
                  "run time %.1f s" % (len(values), worst[1], worst[0],
                                       statistics.median(values),
                                       time.monotonic() - cls.started), flush=True)

    @classmethod
    def start_node(cls, label):
        """tetherd on the shared database; its own temporary directory (log, data dir)."""
        node = tl.Tetherd(dns=["127.0.0.1:0"], http=["127.0.0.1:0"],
                          tmp=tl.TempDir(prefix="tether-node-%s-" % label.lower()),
                          config=cls.config, extra_args=["--store", cls.pg.uri])
        node.label = label
        cls.nodes.append(node)
        return node

    # --- helpers ------------------------------------------------------------------------

    def logs(self):
        return "".join("\n--- node %s log (tail) ---\n%s" % (n.label, tl._tail(n.log_path, 40))
                       for n in self.nodes)

    def honoured(self, what, node, check, since, interval=0.01, describe=None, record=True):
        """Polls check() until it holds, at most CROSS_NODE_S after `since` (when the other
        node acknowledged the change; time.monotonic()); records the delay unless told not
        to (when the first check comes late: the delay would say when we looked). On a miss,
        keeps watching for LATE_S to report when it did hold, then fails. describe(): what
        the node answers now, for the message."""
        budget = since + CROSS_NODE_S - time.monotonic()
        if tl.wait_until(check, max(0.0, budget), interval) is not None:
            delay = time.monotonic() - since
            if record:
                self.delays.append(("%s, seen on %s" % (what, node.label), delay))
            return delay
        late = tl.wait_until(check, LATE_S, max(interval, AUTH_POLL_S))
        when = ("it did %.2f s after the acknowledgement" % (time.monotonic() - since)
                if late is not None else "nor within %.0f s more" % LATE_S)
        self.fail("%s: node %s did not honour it within %.1f s (%s)%s%s" % (
            what, node.label, CROSS_NODE_S, when,
            "; now: %s" % describe() if describe else "", self.logs()))

    @staticmethod
    def soa(node, zone):
        """The serial `node` answers for `zone` (None: no authoritative answer)."""
        answer = tl.lookup(node.host, node.port, zone, "SOA")
        return answer.serial if answer.rcode == "NOERROR" and answer.aa else None

    @staticmethod
    def rdata(node, name, rtype="A"):
        """The rdata `node` answers at `name` (None: no authoritative NOERROR/NXDOMAIN)."""
        answer = tl.lookup(node.host, node.port, name, rtype)
        if answer.rcode not in ("NOERROR", "NXDOMAIN") or not answer.aa:
            return None
        return answer.rdata

    @staticmethod
    def update(node, key, zone, *commands, tcp=False, timeout=5.0):
        """Our own signed RFC 2136 UPDATE ("add NAME TTL TYPE VALUE") to `node`."""
        return tl.send_update(node.host, node.port, tl.update_message(zone, *commands),
                              key=key, tcp=tcp, timeout=timeout)

    def nsupdate(self, node, key, zone, *commands):
        run = tl.nsupdate(node.port, list(commands), key=key, zone=zone)
        self.assertTrue(run.ok, "nsupdate through %s: %r%s" % (node.label, run, self.logs()))
        return time.monotonic()

    def admin(self, node, *args):
        """`tether` on `node`; returns (AdminResult, monotonic time of its exit)."""
        result = node.admin(*args)
        return result, time.monotonic()

    def nic(self, node, host, myip, user, source=None):
        """dyndns2 on `node` (curl); None if curl got no HTTP answer."""
        try:
            return dd.nic_update(node, "hostname=%s&myip=%s" % (host, myip), user,
                                 source=source or new_source(), timeout=5)
        except dd.CurlError:
            return None

    def add_zone_and_key(self, zone, key_name):
        """`zone` and a key granted on it, made on A; returns (key, monotonic time of the
        grant's acknowledgement)."""
        self.admin(self.a, "zone", "add", zone, "--ns", "ns1." + zone)
        key, _ = tl.parse_key_add(self.a.admin("key", "add", key_name).stdout)
        _, since = self.admin(self.a, "key", "grant", key_name, zone)
        return key, since

    # --- 1. records ---------------------------------------------------------------------

    def test_1_records(self):
        a, b = self.a, self.b
        zone = "rec.test."
        _, since = self.admin(a, "zone", "add", zone, "--ns", "ns1.rec.test")
        self.honoured("zone added on A", b, lambda: self.soa(b, zone) is not None, since)
        serial0 = self.soa(a, zone)
        self.assertEqual(self.soa(b, zone), serial0)

        key, _ = tl.parse_key_add(a.admin("key", "add", "reckey").stdout)
        _, since = self.admin(a, "key", "grant", "reckey", zone)
        last = [None]

        def b_takes_the_key():
            last[0] = self.update(b, key, zone, "add probe.rec.test. 300 A 192.0.2.99",
                                  timeout=1.0)
            return last[0].ok
        self.honoured("key added and granted on A, an update signed with it through B", b,
                      b_takes_the_key, since, describe=lambda: last[0])

        since = self.nsupdate(a, key, zone, "update add www.rec.test. 300 A 192.0.2.10")
        self.honoured("nsupdate through A", b,
                      lambda: self.rdata(b, "www.rec.test") == ["192.0.2.10"], since,
                      describe=lambda: self.rdata(b, "www.rec.test"))
        since = self.nsupdate(b, key, zone, "update add web.rec.test. 300 A 192.0.2.11",
                              'update add web.rec.test. 300 TXT "from b"')
        self.honoured("nsupdate through B", a,
                      lambda: (self.rdata(a, "web.rec.test") == ["192.0.2.11"] and
                               self.rdata(a, "web.rec.test", "TXT") == ['"from b"']),
                      since, describe=lambda: self.rdata(a, "web.rec.test"))
        self.honoured("the serial of three updates", a,
                      lambda: self.soa(a, zone) == self.soa(b, zone) == serial0 + 3, since,
                      describe=lambda: "A %s, B %s, expected %d" % (
                          self.soa(a, zone), self.soa(b, zone), serial0 + 3))

        # One zone written through both nodes: each node's view lags the other's writes.
        # One at a time, alternating (nsupdate): each is one commit, so one serial each.
        base = self.soa(a, zone)
        names = []
        for i in range(20):
            for node in (a, b):
                name = "seq%d-%s.%s" % (i, node.label.lower(), zone)
                since = self.nsupdate(node, key, zone,
                                      "update add %s 300 A 198.51.100.%d" % (name, i))
                names.append((name, "198.51.100.%d" % i))
        self.converged("40 alternating nsupdates", zone, names, since, base + 40)

        # Both at once (our client, TCP): a commit may carry several updates of one node.
        base = self.soa(a, zone)
        results = {a.label: [], b.label: []}

        def writer(node):
            for i in range(20):
                name = "par%d-%s.%s" % (i, node.label.lower(), zone)
                value = "203.0.113.%d" % i
                result = self.update(node, key, zone, "add %s 300 A %s" % (name, value),
                                     tcp=True)
                results[node.label].append((name, value, result))
        threads = [threading.Thread(target=writer, args=(node,), daemon=True) for node in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertFalse(any(t.is_alive() for t in threads), "a writer did not finish")
        since = time.monotonic()
        for label, rows in results.items():
            failed = [(name, r) for name, _, r in rows if not r.ok]
            self.assertEqual(failed, [], "concurrent updates through %s%s" % (label, self.logs()))
            names += [(name, value) for name, value, _ in rows]
        self.converged("80 updates, the last 40 from two threads", zone, names, since,
                       (base + 1, base + 40))

    def converged(self, what, zone, names, since, serial):
        """Both nodes answer every (name, address) of `names` and one SOA serial: `serial`,
        or within (low, high)."""
        a, b = self.a, self.b
        low, high = serial if isinstance(serial, tuple) else (serial, serial)

        def missing(node):
            return [n for n, v in names if self.rdata(node, n) != [v]]

        def serials():
            return self.soa(a, zone), self.soa(b, zone)

        def done():
            serial_a, serial_b = serials()
            return (serial_a == serial_b and low <= serial_a <= high and not missing(a) and
                    not missing(b))
        self.honoured("%s: every name on both nodes, one serial" % what, a, done, since,
                      interval=0.05,
                      describe=lambda: "serials (A, B) %s, expected %d..%d; missing on A %s, "
                      "on B %s" % (serials(), low, high, missing(a)[:10], missing(b)[:10]))

    # --- 2. accounts ----------------------------------------------------------------------

    def test_2_accounts(self):
        a, b = self.a, self.b
        _, since = self.admin(a, "zone", "add", dd.ZONE, "--service", "--ns", dd.NS)
        self.honoured("service zone added on A", b, lambda: self.soa(b, dd.ZONE) is not None,
                      since)
        home, tok, gone = dd.fqdn("home"), dd.fqdn("tok"), dd.fqdn("gone")
        dd.add_user(a, "alice", "alice-pw-1")
        for host in (home, tok, gone):
            dd.add_host(a, host, "alice")
        token_id, token = dd.add_token(a, "alice", hosts=[tok])
        since = time.monotonic()
        last = [None]

        def b_takes(host, myip, user, expect, remember=last):
            remember[0] = self.nic(b, host, myip, user)
            return words(remember[0]) == [expect]
        # The token first: polling with it costs no throttled failures (a new user name and
        # address each time). The user and hosts were made before it.
        self.honoured("user, hosts and token made on A: dyndns2 with the token through B", b,
                      lambda: b_takes(tok, "2001:db8::1", "%s:%s" % (token_user(), token),
                                      "good"),
                      since, describe=lambda: last[0])
        self.honoured("user made on A: dyndns2 with the password through B", b,
                      lambda: b_takes(home, "198.51.100.1", "alice:alice-pw-1", "good"),
                      since, interval=AUTH_POLL_S, describe=lambda: last[0])
        self.assertEqual(words(self.nic(b, gone, "198.51.100.9", "alice:alice-pw-1")), ["good"])
        self.honoured("dyndns2 through B", a,
                      lambda: (self.rdata(a, home) == ["198.51.100.1"] and
                               self.rdata(a, tok, "AAAA") == ["2001:db8::1"] and
                               self.rdata(a, gone) == ["198.51.100.9"]),
                      time.monotonic())

        # A new password on A: the old one is refused by B.
        _, since = self.admin(a, "user", "passwd", "alice", "--password", "alice-pw-2")
        self.honoured("password changed on A: the old one through B", b,
                      lambda: b_takes(home, "198.51.100.1", "alice:alice-pw-1", "badauth"),
                      since, interval=AUTH_POLL_S, describe=lambda: last[0])
        self.honoured("password changed on A: the new one through B", b,
                      lambda: b_takes(home, "198.51.100.2", "alice:alice-pw-2", "good"),
                      since, interval=AUTH_POLL_S, describe=lambda: last[0])

        # A token revoked on B: refused by A.
        _, since = self.admin(b, "token", "revoke", token_id)
        reply = [None]

        def a_refuses_token():
            reply[0] = self.nic(a, tok, "2001:db8::1", "%s:%s" % (token_user(), token))
            return words(reply[0]) == ["badauth"]
        self.honoured("token revoked on B, used through A", a, a_refuses_token, since,
                      describe=lambda: reply[0])

        # A host removed on A: gone from B's DNS, and B answers nohost for it. The address
        # sent is the host's own, so that B, while it has not heard of the removal, answers
        # nochg and writes nothing; it must never write it back (`good`): the name would then
        # stay in every node's DNS without a host.
        _, since = self.admin(a, "host", "remove", gone)
        self.honoured("host removed on A, its name in B's DNS", b,
                      lambda: self.rdata(b, gone) == [], since,
                      describe=lambda: self.rdata(b, gone))
        answers = []

        def b_says_nohost():
            reply = self.nic(b, gone, "198.51.100.9", "alice:alice-pw-2")
            answers.append(reply.lines if reply is not None else None)
            return words(reply) == ["nohost"]
        self.honoured("host removed on A, dyndns2 for it through B", b, b_says_nohost, since,
                      describe=lambda: answers[-5:])
        self.honoured("host removed on A, its name on both nodes after B's nohost", a,
                      lambda: self.rdata(a, gone) == [] and self.rdata(b, gone) == [], since,
                      describe=lambda: "A %s, B %s; B's dyndns2 answers for it meanwhile: %s" %
                      (self.rdata(a, gone), self.rdata(b, gone), answers))
        self.assertNotIn(gone, a.admin("host", "list").stdout)
        self.assertNotIn(gone, b.admin("host", "list").stdout)

        # A key removed on B: refused by A.
        zone = "keys.test."
        key, since = self.add_zone_and_key(zone, "gonekey")
        probes = itertools.count()
        result = [None]

        def signed_update(node):
            result[0] = self.update(node, key, zone, "add p%d.%s 300 A 192.0.2.1"
                                    % (next(probes), zone), timeout=1.0)
            return result[0]
        self.honoured("key made on A, an update through B", b, lambda: signed_update(b).ok,
                      since, describe=lambda: result[0])
        self.assertTrue(signed_update(a).ok, result[0])
        _, since = self.admin(b, "key", "remove", "gonekey")
        self.honoured("key removed on B, an update signed with it through A", a,
                      lambda: signed_update(a).rcode in ("NOTAUTH", "REFUSED"), since,
                      describe=lambda: result[0])
        run = tl.nsupdate(a.port, ["update add nsupdate.%s 300 A 192.0.2.2" % zone], key=key,
                          zone=zone)
        self.assertIn(run.rcode, ("NOTAUTH", "REFUSED"), run)

    # --- 3. kill -9 during a stream of updates ----------------------------------------------

    def test_3_kill_during_stream(self):
        a, b = self.a, self.b
        zone = "kill.test."
        key, since = self.add_zone_and_key(zone, "killkey")
        self.honoured("zone and key made on A, an update through B", b,
                      lambda: self.update(b, key, zone, "add ready.kill.test. 60 A 192.0.2.1",
                                          timeout=1.0).ok, since)
        # A second zone, written only through A by the in-flight writers.
        in_flight_zone = "inflight.test."
        a.admin("zone", "add", in_flight_zone, "--ns", "ns1." + in_flight_zone)
        a.admin("key", "grant", "killkey", in_flight_zone)
        if self.soa(a, dd.ZONE) is None:  # test_2 did not run
            a.admin("zone", "add", dd.ZONE, "--service", "--ns", dd.NS)
        hosts = [dd.fqdn("kill%d" % i) for i in range(7)]  # 7: each host hears from both nodes
        dd.add_user(a, "bob", "bob-pw-12")
        for host in hosts:
            dd.add_host(a, host, "bob")
        _, token = dd.add_token(a, "bob")
        since = time.monotonic()
        self.honoured("user, hosts and token made on A: dyndns2 with the token through B", b,
                      lambda: words(self.nic(b, hosts[0], "192.0.2.200", "%s:%s"
                                             % (token_user(), token))) == ["good"], since)
        base_serial = self.soa(b, zone)

        acked = []          # (node label, kind, name, value, ack time)
        unacked = []        # (node label, kind, name, value, what came back)
        events = []         # (acknowledged?, kind, name, value) in the order sent
        stream_delays = []
        killed_at = None
        started = time.monotonic()
        sent = 0
        stop = threading.Event()
        writers = [InFlight(a, key, in_flight_zone, "w%d-" % k, tcp=k == 1, stop=stop)
                   for k in range(2)]
        for i in range(STREAM_MAX):
            if time.monotonic() - started > STREAM_S:
                break
            if i == IN_FLIGHT_FROM:
                for writer in writers:
                    writer.start()
            if i == KILL_AT:
                self.assertGreater(sum(1 for r in acked if r[0] == "A"), 10,
                                   "too few updates acknowledged by A before the kill")
                a.crash()
                killed_at = time.monotonic()
            sent += 1
            node = a if i % 2 == 0 else b
            kind = ("udp", "tcp", "udp", "dyndns2", "nsupdate")[i % 5]
            if kind == "dyndns2":
                name = hosts[(i // 5) % len(hosts)] + "."
                value = "%s.%d" % (("192.0.2", "198.51.100", "203.0.113")[i // 250], i % 250 + 1)
                reply = self.nic(node, name.rstrip("."), value, "bob:bob-pw-12")
                ok = words(reply) in (["good"], ["nochg"]) and reply.lines[0].split()[1] == value
                outcome = reply
            else:
                name = "s%d.%s" % (i, zone)
                value = "10.%d.%d.%d" % (i % 2, i >> 8, i & 255)
                if kind == "nsupdate" and node.alive():
                    run = tl.nsupdate(node.port, ["update add %s 60 A %s" % (name, value)],
                                      key=key, zone=zone, timeout_s=2)
                    ok, outcome = run.ok, run
                else:
                    result = self.update(node, key, zone, "add %s 60 A %s" % (name, value),
                                         tcp=kind == "tcp", timeout=2.0)
                    ok, outcome = result.ok, result
            events.append((ok, kind, name, value))
            if not ok:
                unacked.append((node.label, kind, name, value, outcome))
                if node is b or killed_at is None:
                    self.fail("update %d (%s) through live node %s not acknowledged: %r%s"
                              % (i, kind, node.label, outcome, self.logs()))
                continue
            now = time.monotonic()
            acked.append((node.label, kind, name, value, now))
            if kind != "dyndns2" and killed_at is None and len(acked) % SAMPLE_EVERY == 0:
                other = b if node is a else a
                stream_delays.append(self.honoured(
                    "stream update %d (%s) through %s" % (i, kind, node.label), other,
                    lambda: self.rdata(other, name) == [value], now,
                    describe=lambda: self.rdata(other, name)))
        stream_s = time.monotonic() - started
        stop.set()
        for writer in writers:
            if writer.is_alive() or writer.ident is not None:
                writer.join(30)
        self.assertFalse(any(w.is_alive() for w in writers), "an in-flight writer still runs")
        for writer in writers:
            self.assertEqual(writer.refused, [], "in-flight updates to A refused while it lived")
        print("\nin flight: %d updates acknowledged by A from two writers before its kill, %d "
              "sent without an answer; the writers ended by: %s" % (
                  sum(len(w.acked) for w in writers), sum(w.sent - len(w.acked) for w in writers),
                  "; ".join(str(w.ended_by) for w in writers)), flush=True)
        by_a = [r for r in acked if r[0] == "A"]
        print("\nstream: %d sent in %.1f s, %d acknowledged (%d by A before its kill at update "
              "%d, %d by B), %d not acknowledged (sent to the dead A)" % (
                  sent, stream_s, len(acked), len(by_a), KILL_AT, len(acked) - len(by_a),
                  len(unacked)), flush=True)
        self.assertIsNotNone(killed_at, "the stream ended before the kill")

        # What each node must answer: every acknowledged name, and for each dyndns2 host its
        # last acknowledged address, or one sent after it without an answer (it may have
        # committed as A died).
        expected = {}
        for ok, kind, name, value in events:
            if ok:
                expected[name] = {value}
            elif kind == "dyndns2" and name in expected:
                expected[name].add(value)
        dns_acked = sum(1 for r in acked if r[1] != "dyndns2")
        for writer in writers:
            for name, value, _ in writer.acked:
                expected[name] = {value}

        def wrong(node):
            out = []
            for name, values in expected.items():
                got = self.rdata(node, name)
                if got is None or len(got) != 1 or got[0] not in values:
                    out.append((name, sorted(values), got))
            return out
        last_ack = max([r[4] for r in acked] + [t for w in writers for _, _, t in w.acked])
        # The first look comes after the rest of the stream and the writers' wait for answers
        # from the dead A, so how long after the last acknowledgement it is says nothing.
        self.honoured("every acknowledged update (%d) after A's kill" % len(expected), b,
                      lambda: not wrong(b), last_ack, interval=0.05, record=False,
                      describe=lambda: "%d wrong, first ones %s" % (len(wrong(b)), wrong(b)[:10]))
        serial_b = self.soa(b, zone)
        self.assertGreaterEqual(serial_b, base_serial + dns_acked)
        # And what the real dig sees, for every tenth of them.
        sample = sorted(expected)[::10]

        def dig_wrong(node):
            seen = {name: dd.addresses(node.port, name) for name in sample}
            return [(name, got) for name, got in seen.items()
                    if len(got) != 1 or got[0] not in expected[name]]
        self.assertEqual(dig_wrong(b), [])

        # A again, on the same database: it answers everything, and follows B again.
        a.start()
        a.wait_answers(zone, "SOA", timeout=60)
        self.assertEqual(wrong(a), [])
        self.assertEqual(dig_wrong(a), [])
        self.assertEqual(self.soa(a, zone), serial_b)
        result = self.update(b, key, zone, "add after-b.kill.test. 60 A 192.0.2.50")
        self.assertTrue(result.ok, result)
        self.honoured("update through B after A's restart", a,
                      lambda: self.rdata(a, "after-b.kill.test") == ["192.0.2.50"],
                      time.monotonic())
        result = self.update(a, key, zone, "add after-a.kill.test. 60 A 192.0.2.51")
        self.assertTrue(result.ok, result)
        self.honoured("update through A after its restart", b,
                      lambda: self.rdata(b, "after-a.kill.test") == ["192.0.2.51"],
                      time.monotonic())
        if stream_delays:
            print("stream: %d cross-node delays sampled before the kill, max %.3f s, median "
                  "%.3f s" % (len(stream_delays), max(stream_delays),
                              statistics.median(stream_delays)), flush=True)


if __name__ == "__main__":
    tl.run_tests()
