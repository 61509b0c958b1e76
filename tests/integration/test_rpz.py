#!/usr/bin/env python3
"""The RPZ feed (docs/abuse.md) with Unbound as a real consumer: `tether zone add ... --rpz`
makes a response policy zone that follows the takedown orders in force; Unbound (started
here on loopback, `do-not-query-localhost: no`) resolves the service zone through a stub
and transfers the policy zone from tetherd (allowed by address, NOTIFY from tetherd). A
taken-down name is blocked by Unbound, a legitimate name still resolves, and a restore
unblocks it. The stub points at a static copy of the service zone made before the order,
so what blocks the name at Unbound is the feed and nothing else. The TSIG-protected
transfer of the same zone is tested with kdig (Unbound 1.17 has no TSIG for RPZ).

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_rpz.py
"""

import shutil
import time
import unittest

import ddnslib as dd
import tetherlib as tl

CONFIG = """
[abuse]
sinkhole = ["192.0.2.53"]
ttl = 30
"""
RPZ = "rpz.example.net."


class RpzTest(unittest.TestCase):
    def setUp(self):
        if not shutil.which(tl.UNBOUND) and not shutil.which("unbound"):
            raise unittest.SkipTest("unbound is not installed")
        self.tmp, self.server = dd.start_configured_server(self, CONFIG)
        self.port = self.server.endpoints[0][1]
        dd.add_user(self.server, "alice", "alice-pw-1")
        for i, label in enumerate(("bad1", "bad2", "good1")):
            dd.add_host(self.server, dd.fqdn(label), "alice")
            reply = dd.nic_update(self.server, "hostname=%s&myip=198.51.100.%d" % (dd.fqdn(label), i + 1),
                                  "alice:alice-pw-1")
            self.assertTrue(reply.body.startswith("good"), reply)

    def order(self, names, action):
        path = self.tmp.write("list-%d.txt" % time.monotonic_ns(), "\n".join(names) + "\n")
        preview = self.server.admin("takedown", "preview", path, "--action", action).stdout
        applied = self.server.admin("takedown", "apply", preview.splitlines()[-1].split()[1]).stdout
        return applied.splitlines()[-1].split()[1]

    def feed(self, key=None):
        """(error, RR lines) of an AXFR of the policy zone, signed with `key` if given."""
        error, rrs, _ = tl.kdig_transfer(self.port, RPZ, "AXFR", key=key)
        return error, rrs

    def test_the_feed_is_signed_or_by_address_and_follows_the_orders(self):
        # The resolver's view of the service zone (below): a copy made before any order.
        copy = self.tmp.write("copy.zone", self.server.admin("zone", "export", dd.ZONE).stdout)
        bad2_order = self.order([dd.fqdn("bad2")], "nxdomain")  # in force before the zone exists
        self.server.admin("zone", "add", RPZ, "--rpz")
        key, _ = tl.parse_key_add(self.server.admin("key", "add", "feed-key").stdout)
        self.server.admin("zone", "allow-transfer", RPZ, "--key", key.name)

        # TSIG: unsigned is refused, signed gets the zone with the order already in force.
        error, lines = self.feed()
        self.assertTrue(error is not None and not lines, (error, lines))
        error, lines = self.feed(key)
        self.assertIsNone(error)
        self.assertIn("%s.%s 30 IN CNAME ." % (dd.fqdn("bad2"), RPZ), lines)
        self.assertFalse([l for l in lines if l.startswith(dd.fqdn("good1"))])

        # Unbound: the service zone from a static copy, the feed from tetherd by address.
        static = tl.Tetherd(zones={dd.ZONE: copy})
        self.addCleanup(static.kill)
        self.server.admin("zone", "allow-transfer", RPZ, "--address", "127.0.0.1/32")
        unbound = tl.Unbound({dd.ZONE: static.endpoints[0]}, rpz=(RPZ, ("127.0.0.1", self.port)))
        self.addCleanup(unbound.kill)
        self.server.admin("zone", "secondary", "add", RPZ, "127.0.0.1:%d" % unbound.port)  # NOTIFY it

        def resolve(label):
            ans = tl.dig(unbound.port, dd.fqdn(label) + ".", "A", norecurse=False, timeout_s=3)[0]
            return ans.rcode, sorted(l.split()[-1] for l in ans.rrs("answer", "A"))

        def wait_for(label, expected):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                got = resolve(label)
                if got == expected:
                    return
                time.sleep(0.2)
            self.fail("%s: %r, not %r\n%s" % (label, got, expected, unbound.log()))

        wait_for("bad2", ("NXDOMAIN", []))  # from the feed: the copy still has its address
        self.assertEqual(resolve("bad1"), ("NOERROR", ["198.51.100.1"]))
        self.assertEqual(resolve("good1"), ("NOERROR", ["198.51.100.3"]))

        bad1_order = self.order([dd.fqdn("bad1")], "sinkhole")
        wait_for("bad1", ("NOERROR", ["192.0.2.53"]))
        self.assertEqual(resolve("good1"), ("NOERROR", ["198.51.100.3"]))
        self.assertIn("tether-feed", unbound.log())  # rpz-log names the policy hits

        self.server.admin("takedown", "restore", bad1_order)
        self.server.admin("takedown", "restore", bad2_order)
        wait_for("bad1", ("NOERROR", ["198.51.100.1"]))
        wait_for("bad2", ("NOERROR", ["198.51.100.2"]))
        error, lines = self.feed(key)
        self.assertIsNone(error)
        self.assertEqual([l for l in lines if " SOA " not in l and " NS " not in l], [])


if __name__ == "__main__":
    unittest.main()
