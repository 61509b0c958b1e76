#!/usr/bin/env python3
"""The legal-hold export of a takedown order (docs/abuse.md, "Legal-hold export") through the
real `tether` and `tetherd`: hosts of three accounts are updated with curl from their own
source addresses and user agents; an order takes down two hosts of two accounts; `tether
takedown export ORDER DIR` (DIR relative to the caller) writes a bundle that coreutils'
`sha256sum -c MANIFEST.sha256` accepts, holds the listed hosts' records, update log, owners
and the order's audit entries, and not one byte naming another host, its addresses, its user
agent or its account.

Run: TETHERD=build/tetherd TETHER=build/tether tests/integration/netns.sh \
       python3 tests/integration/test_takedown_export.py
"""

import hashlib
import json
import os
import subprocess
import unittest

import ddnslib as dd
import tetherlib as tl

CONFIG = """
[abuse]
sinkhole = ["192.0.2.53"]

[ddns]
host_changes_per_minute = 1000
"""

# label: (owner, source address, user agent, two addresses it is updated to)
LISTED = {
    "bad1": ("alice", "127.0.0.11", "BadBot/1.0", ("198.51.100.1", "198.51.100.101")),
    "bad2": ("bob", "127.0.0.12", "BadBot/2.0", ("198.51.100.2", "198.51.100.102")),
}
UNLISTED = {
    "innocent1": ("alice", "127.0.0.21", "HonestRouter/21", ("203.0.113.21", "203.0.113.121")),
    "innocent2": ("bob", "127.0.0.22", "HonestRouter/22", ("203.0.113.22", "203.0.113.122")),
    "bystander": ("carol", "127.0.0.23", "HonestRouter/23", ("203.0.113.23", "203.0.113.123")),
}
PASSWORDS = {"alice": "alice-pw-1", "bob": "bob-pw-22", "carol": "carol-pw-333"}


class TakedownExportTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.server = dd.start_configured_server(self, CONFIG)
        for user, password in PASSWORDS.items():
            dd.add_user(self.server, user, password)
        hosts = dict(LISTED, **UNLISTED)
        for label, (owner, _, _, _) in hosts.items():
            dd.add_host(self.server, dd.fqdn(label), owner)
        for step in range(2):  # interleaved, so the journal mixes listed and unlisted changes
            for label, (owner, source, agent, addresses) in hosts.items():
                reply = dd.nic_update(self.server, "hostname=%s&myip=%s" % (dd.fqdn(label), addresses[step]),
                                      "%s:%s" % (owner, PASSWORDS[owner]), source=source,
                                      extra=["-A", agent])
                self.assertTrue(reply.body.startswith("good"), reply)
        self.order = self.take_down([dd.fqdn(label) for label in LISTED])
        self.take_down([dd.fqdn("innocent2")])  # another order, not to be exported

    def admin(self, *args, check=True):
        return self.server.admin(*args, check=check)

    def take_down(self, names):
        path = self.tmp.write("list-%s.txt" % names[0], "\n".join(names) + "\n")
        preview = self.admin("takedown", "preview", path, "--action", "sinkhole", "--reason",
                             "njRAT C2", "--reference", "case 2014-1").stdout.splitlines()[-1]
        order = self.admin("takedown", "apply", preview.split()[1]).stdout.splitlines()[-1]
        self.assertRegex(order, r"^order: \d+$")
        return order.split()[1]

    def export(self, order, directory):
        """`tether takedown export ORDER DIR` from the temporary directory (DIR relative)."""
        argv = [os.path.abspath(tl.tether_binary()), "--data-dir", self.server.data_dir, "takedown", "export",
                order, directory]
        return subprocess.run(argv, cwd=self.tmp.path, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)

    def bundle_files(self, root):
        files = {}
        for base, _, names in os.walk(root):
            for name in names:
                path = os.path.join(base, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, root)] = f.read()
        return files

    def test_bundle_checks_with_sha256sum_and_holds_only_the_listed_hosts(self):
        result = self.export(self.order, "bundle")
        self.assertEqual(result.returncode, 0, result)
        root = self.tmp.join("bundle")
        fields = dict(line.split(": ", 1) for line in result.stdout.splitlines())
        self.assertEqual(fields["manifest"], os.path.join(root, "MANIFEST.sha256"))
        files = self.bundle_files(root)
        self.assertEqual(int(fields["files"]), len(files))
        self.assertEqual(fields["sha256"], hashlib.sha256(files["MANIFEST.sha256"]).hexdigest())

        check = subprocess.run(["sha256sum", "-c", "--strict", "MANIFEST.sha256"], cwd=root,
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        checked = sorted(line.rsplit(": ", 1)[0] for line in check.stdout.splitlines())
        self.assertEqual(checked, sorted(p for p in files if p != "MANIFEST.sha256"))
        self.assertTrue(all(line.endswith(": OK") for line in check.stdout.splitlines()))

        for label, (owner, source, agent, addresses) in LISTED.items():
            records = files["names/%s/records.txt" % dd.fqdn(label)].decode()
            for address in addresses:
                self.assertIn("\tIN\tA\t%s\n" % address, records)
            self.assertIn("\tIN\tA\t192.0.2.53\n", records)
            updates = files["names/%s/updates.tsv" % dd.fqdn(label)].decode()
            self.assertIn("\t%s\t%s\t" % (source, agent), updates)
            self.assertEqual(len(updates.splitlines()), 3, updates)  # header + two updates
            self.assertIn("\t%s\t" % owner, files["accounts.tsv"].decode())
        order = json.loads(files["order.json"])
        self.assertEqual(order["order"], int(self.order))
        self.assertEqual(order["names"], [dd.fqdn(label) + "." for label in sorted(LISTED)])
        self.assertNotIn("password", files["accounts.tsv"].decode())

        forbidden = ["innocent", "bystander", "carol", "HonestRouter"]
        for owner, source, agent, addresses in UNLISTED.values():
            forbidden += [source, agent] + list(addresses)
        for path, data in files.items():
            for word in forbidden:
                self.assertNotIn(word.encode(), data, "%s in %s" % (word, path))

    def test_audit_rows_carry_the_logs_hashes_and_the_export_is_audited(self):
        result = self.export(self.order, "bundle")
        self.assertEqual(result.returncode, 0, result)
        log = json.loads(self.admin("audit", "list", "--json").stdout)
        with open(self.tmp.join("bundle", "audit.tsv")) as f:
            rows = [line.rstrip("\n").split("\t") for line in f][1:]
        by_seq = {entry["seq"]: entry for entry in log}
        self.assertEqual([r[4] for r in rows], ["takedown.apply"])
        for row in rows:
            self.assertEqual(row[-1], by_seq[int(row[0])]["hash"])
            self.assertEqual(row[-2], by_seq[int(row[0])]["prev_hash"])
        self.assertEqual(log[-1]["action"], "takedown.export")
        self.assertIn("manifest sha256 " + result.stdout.split("sha256: ")[1].strip(), log[-1]["reason"])
        self.assertRegex(self.admin("audit", "verify").stdout, r"^ok: ")

    def test_tampering_shows_and_a_used_directory_or_a_preview_is_refused(self):
        self.assertEqual(self.export(self.order, "bundle").returncode, 0)
        path = self.tmp.join("bundle", "names", dd.fqdn("bad1"), "updates.tsv")
        os.chmod(path, 0o600)
        with open(path, "a") as f:
            f.write("forged\n")
        check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=self.tmp.join("bundle"),
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 1)
        again = self.export(self.order, "bundle")
        self.assertEqual(again.returncode, 1)
        self.assertIn("not an empty directory", again.stderr)
        preview = self.export(str(int(self.order) - 1), "other")
        self.assertEqual(preview.returncode, 1)
        self.assertIn("no order", preview.stderr)
        self.assertFalse(os.path.exists(self.tmp.join("other")))
        usage = self.export("x", "other")
        self.assertEqual(usage.returncode, 2)


if __name__ == "__main__":
    unittest.main()
