#!/usr/bin/env python3
"""The audit log (docs/abuse.md) through the real `tether`: `host remove` and `user remove`
record entries, `tether audit list` (rows and --json) shows them, `tether audit verify`
accepts the chain; `tether host state --set` (docs/abuse.md "Host states") records one too, a
frozen host answers `abuse` to curl's dyndns2 update while dig still gets its old address,
and `--set none` lets updates through again; after the SQLite file is edited behind tetherd's back with the sqlite3
shell (a changed reason, a deleted entry), verify exits 1 and names the entry.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_audit.py
"""

import hashlib
import json
import os
import shutil
import subprocess
import unittest

import ddnslib as dd
import tetherlib as tl


def netstring(text):
    data = text.encode()
    return b"%d:%s," % (len(data), data)


def entry_hash(entry):
    """docs/abuse.md, "The hash", computed independently of the server."""
    fields = [entry["prev_hash"], str(entry["seq"]), str(entry["unix_time"]), entry["actor"],
              entry["action"], entry["reason"], entry["reference"], str(len(entry["names"]))]
    fields += entry["names"] + [str(entry["serial_before"]), str(entry["serial_after"])]
    return hashlib.sha256(b"".join(netstring(f) for f in fields)).hexdigest()


class AuditTest(unittest.TestCase):
    def setUp(self):
        if not shutil.which("sqlite3"):
            raise unittest.SkipTest("sqlite3 not installed")
        self.tmp = tl.TempDir()
        self.server = dd.start_ddns_server(self.tmp)
        self.addCleanup(self.tmp.close)
        self.addCleanup(self.server.kill)
        self.db = os.path.join(self.server.data_dir, "tether.db")

    def sql(self, statement):
        return subprocess.run(["sqlite3", self.db, statement], check=True, capture_output=True,
                              text=True).stdout

    def test_removals_are_listed_and_verified(self):
        self.assertEqual(self.server.admin("audit", "verify").stdout, "ok: 0 entries\n")
        dd.add_user(self.server, "alice", "alice-pw-1")
        dd.add_user(self.server, "bob", "bob-pw-22")
        for label in ("one", "two"):
            dd.add_host(self.server, dd.fqdn(label), "alice")
        dd.add_host(self.server, dd.fqdn("Bobs"), "bob")
        self.server.admin("host", "remove", dd.fqdn("ONE"))
        self.server.admin("user", "remove", "bob")

        rows = [line.split("\t") for line in self.server.admin("audit", "list").stdout.splitlines()]
        self.assertEqual(len(rows), 2, rows)
        for row in rows:
            self.assertEqual(len(row), 9, row)
            self.assertRegex(row[1], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual([r[0] for r in rows], ["1", "2"])
        self.assertEqual(rows[0][2:7], ["admin", "host.remove", "one.dyn.example.net.", "-", "-"])
        self.assertEqual(rows[1][2:7], ["admin", "user.remove", "bobs.dyn.example.net.",
                                        "account bob", "-"])

        entries = json.loads(self.server.admin("audit", "list", "--json").stdout)
        self.assertEqual([e["seq"] for e in entries], [1, 2])
        self.assertEqual(entries[0]["prev_hash"], "0" * 64)
        self.assertEqual(entries[1]["prev_hash"], entries[0]["hash"])
        times = self.sql("SELECT time FROM audit ORDER BY seq").split()
        for entry, unix_time in zip(entries, times):
            entry["unix_time"] = int(unix_time)
            self.assertEqual(entry_hash(entry), entry["hash"], entry)

        result = self.server.admin("audit", "verify")
        self.assertEqual(result.stdout, "ok: 2 entries\n")

        # Tampering with the file while tetherd is stopped: verify reports it after a restart.
        self.server.stop()
        self.sql("UPDATE audit SET reason = 'x' WHERE seq = 2")
        self.server.start()
        result = self.server.admin("audit", "verify", check=False)
        self.assertEqual(result.returncode, 1, result)
        self.assertTrue(result.stdout.startswith("broken at seq 2: "), result)

        self.server.stop()
        self.sql("UPDATE audit SET reason = 'account bob' WHERE seq = 2; "
                 "DELETE FROM audit WHERE seq = 1")
        self.server.start()
        result = self.server.admin("audit", "verify", check=False)
        self.assertEqual(result.returncode, 1, result)
        self.assertTrue(result.stdout.startswith("broken at seq 1: seq is 2"), result)

    def test_frozen_host_refuses_updates_and_is_audited(self):
        dd.add_user(self.server, "alice", "alice-pw-1")
        h = dd.fqdn("home")
        dd.add_host(self.server, h, "alice")
        state = dd.parse_fields(self.server.admin("host", "state", h).stdout)
        self.assertEqual((state["lifecycle"], state["abuse"], state["reason"], state["since"]),
                         ("active", "none", "-", "-"))
        reply = dd.nic_update(self.server, "hostname=%s&myip=192.0.2.7" % h, "alice:alice-pw-1")
        self.assertEqual(reply.body.strip(), "good 192.0.2.7", reply)

        # --set needs --reason (checked by the client, exit status 2).
        result = self.server.admin("host", "state", h, "--set", "frozen", check=False)
        self.assertEqual(result.returncode, 2, result)
        self.server.admin("host", "state", h, "--set", "frozen", "--reason", "case 17: phishing")
        for address in ("192.0.2.8", "192.0.2.7"):  # a change, and what is published (no nochg)
            reply = dd.nic_update(self.server, "hostname=%s&myip=%s" % (h, address),
                                  "alice:alice-pw-1")
            self.assertEqual(reply.body.strip(), "abuse", reply)
        self.assertEqual(dd.addresses(self.server.port, h), ["192.0.2.7"])

        state = dd.parse_fields(self.server.admin("host", "state", h).stdout)
        self.assertEqual((state["lifecycle"], state["abuse"], state["reason"]),
                         ("active", "frozen", "case 17: phishing"))
        self.assertRegex(state["since"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        state = json.loads(self.server.admin("host", "state", h, "--json").stdout)
        self.assertEqual((state["name"], state["abuse"]), ("home.dyn.example.net.", "frozen"))

        entries = json.loads(self.server.admin("audit", "list", "--json").stdout)
        self.assertEqual([(e["action"], e["names"], e["reason"]) for e in entries],
                         [("host.state", ["home.dyn.example.net."], "frozen: case 17: phishing")])
        self.assertEqual(self.server.admin("audit", "verify").stdout, "ok: 1 entries\n")

        # Watched: answered as usual, and each update is in tetherd's log.
        self.server.admin("host", "state", h, "--set", "watch", "--reason", "flux score")
        reply = dd.nic_update(self.server, "hostname=%s&myip=192.0.2.9" % h, "alice:alice-pw-1",
                              extra=["-A", "watched-agent/1"])
        self.assertEqual(reply.body.strip(), "good 192.0.2.9", reply)
        self.assertIn('watched host home.dyn.example.net.: update from 127.0.0.1 user-agent '
                      '"watched-agent/1" credential password:alice: good 192.0.2.9',
                      self.server.log())

        self.server.admin("host", "state", h, "--set", "none", "--reason", "case 17 closed")
        reply = dd.nic_update(self.server, "hostname=%s&myip=192.0.2.10" % h, "alice:alice-pw-1")
        self.assertEqual(reply.body.strip(), "good 192.0.2.10", reply)
        self.assertEqual(dd.addresses(self.server.port, h), ["192.0.2.10"])
        self.assertEqual(self.server.admin("audit", "verify").stdout, "ok: 3 entries\n")


if __name__ == "__main__":
    unittest.main()
