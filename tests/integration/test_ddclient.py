#!/usr/bin/env python3
"""Debian's ddclient (3.10, protocol=dyndns2) against tetherd's /nic/update.

ddclient runs once per test (`ddclient -daemon=0 -force -verbose -noquiet -file CONF -cache
FILE`) with `ssl=no`, `server=127.0.0.1:PORT` and the address given explicitly (`use=ip,
ip=ADDR`), so it never asks a web service for the address. Covered: two hosts in one
request (ddclient groups hosts with the same credentials into one `hostname=a,b`), IPv4 and
IPv6, a repeated address (nochg, which ddclient accepts), an API token and a per-host
credential as ddclient's password, and the failures ddclient must report as failures (exit
status 1, a `FAILED:` line) without any DNS change: a wrong password (badauth, HTTP 401)
and a host the account does not own (nohost).

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_ddclient.py
"""

import os
import re
import shutil
import subprocess
import unittest

import ddnslib as dd
import tetherlib as tl

DDCLIENT = shutil.which("ddclient") or "/usr/sbin/ddclient"


class DdclientRun:
    def __init__(self, argv, conf, returncode, stdout, stderr):
        self.argv, self.conf = argv, conf
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.text = stdout + stderr

    @property
    def sent(self):
        """The request lines ddclient printed (`SENDING:  GET ...`)."""
        return re.findall(r"SENDING:\s+(GET \S+)", self.text)

    def __repr__(self):
        conf = re.sub(r"password=.*", "password=...", self.conf)
        return "<ddclient status %d\nconf:\n%s\noutput:\n%s>" % (self.returncode, conf,
                                                               self.text[-4000:])


class DdclientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        for tool in ("ddclient", "dig"):
            if not shutil.which(tool) and not os.access(DDCLIENT, os.X_OK):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.tmp = tl.TempDir()
        cls.server = dd.start_ddns_server(cls.tmp)
        dd.add_user(cls.server, "alice", "alice-secret-1")
        dd.add_user(cls.server, "bob", "bob-secret-2")
        for label in ("alpha", "bravo", "six", "tok", "cred", "mixed", "same"):
            dd.add_host(cls.server, dd.fqdn(label), "alice")
        dd.add_host(cls.server, dd.fqdn("bobs"), "bob")
        cls.runs = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.close()

    def ddclient(self, hosts, ip, login="alice", password="alice-secret-1"):
        """One ddclient run for `hosts` (one host definition line) with address `ip`."""
        type(self).runs += 1
        host, port = self.server.http_endpoints[0]
        conf = "\n".join([
            "# written by test_ddclient.py",
            "syslog=no",
            "ssl=no",
            "use=ip, ip=%s" % ip,
            "protocol=dyndns2",
            "server=%s:%d" % (host, port),
            "login=%s" % login,
            "password='%s'" % password,
            ",".join(dd.fqdn(h) for h in hosts),
            "",
        ])
        path = self.tmp.write("ddclient-%d.conf" % self.runs, conf)
        os.chmod(path, 0o600)
        cache = self.tmp.join("ddclient-%d.cache" % self.runs)
        argv = [DDCLIENT, "-daemon=0", "-force", "-verbose", "-noquiet", "-file", path,
                "-cache", cache, "-timeout", "10"]
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=60)
        except subprocess.TimeoutExpired:
            self.fail("ddclient did not exit within 60 s: %s" % " ".join(argv))
        return DdclientRun(argv, conf, proc.returncode, proc.stdout, proc.stderr)

    def dns(self, label, rrtype="A"):
        return dd.addresses(self.server.port, dd.fqdn(label), rrtype)

    def assertSuccess(self, run, hosts, ip, word="good"):
        self.assertEqual(run.returncode, 0, run)
        self.assertNotIn("FAILED", run.text, run)
        for h in hosts:
            if word == "good":
                self.assertRegex(run.text, r"SUCCESS:\s+updating %s: good: IP address set to %s"
                                 % (re.escape(dd.fqdn(h)), re.escape(ip)), run)
            else:
                self.assertRegex(run.text, r"WARNING:\s+updating %s: nochg"
                                 % re.escape(dd.fqdn(h)), run)

    def test_two_hosts_in_one_request(self):
        run = self.ddclient(["alpha", "bravo"], "192.0.2.10")
        self.assertSuccess(run, ["alpha", "bravo"], "192.0.2.10")
        # ddclient grouped both hosts into one request.
        self.assertEqual(len(run.sent), 1, run)
        self.assertIn("hostname=%s,%s" % (dd.fqdn("alpha"), dd.fqdn("bravo")), run.sent[0], run)
        self.assertEqual(self.dns("alpha"), ["192.0.2.10"])
        self.assertEqual(self.dns("bravo"), ["192.0.2.10"])
        run = self.ddclient(["alpha", "bravo"], "198.51.100.10")
        self.assertSuccess(run, ["alpha", "bravo"], "198.51.100.10")
        self.assertEqual(self.dns("alpha"), ["198.51.100.10"])
        self.assertEqual(self.dns("bravo"), ["198.51.100.10"])

    def test_ipv6_address(self):
        run = self.ddclient(["six"], "2001:db8::10")
        self.assertSuccess(run, ["six"], "2001:db8::10")
        self.assertEqual(self.dns("six", "AAAA"), ["2001:db8::10"])

    def test_same_address_again_is_nochg(self):
        self.assertSuccess(self.ddclient(["same"], "192.0.2.11"), ["same"], "192.0.2.11")
        run = self.ddclient(["same"], "192.0.2.11")
        self.assertSuccess(run, ["same"], "192.0.2.11", word="nochg")
        self.assertEqual(self.dns("same"), ["192.0.2.11"])

    def test_token_as_password(self):
        token = dd.add_token(self.server, "alice", hosts=[dd.fqdn("tok")])[1]
        run = self.ddclient(["tok"], "192.0.2.12", login="router", password=token)
        self.assertSuccess(run, ["tok"], "192.0.2.12")
        self.assertEqual(self.dns("tok"), ["192.0.2.12"])

    def test_host_credential(self):
        user, password = dd.add_host_credential(self.server, dd.fqdn("cred"))
        run = self.ddclient(["cred"], "192.0.2.13", login=user, password=password)
        self.assertSuccess(run, ["cred"], "192.0.2.13")
        self.assertEqual(self.dns("cred"), ["192.0.2.13"])

    def test_wrong_password_is_a_failure(self):
        self.assertSuccess(self.ddclient(["alpha"], "192.0.2.14"), ["alpha"], "192.0.2.14")
        run = self.ddclient(["alpha"], "192.0.2.15", password="not-the-password")
        self.assertEqual(run.returncode, 1, run)
        self.assertRegex(run.text, r"FAILED:\s+updating %s: authorization failed"
                         % re.escape(dd.fqdn("alpha")), run)
        self.assertNotIn("SUCCESS", run.text, run)
        self.assertEqual(self.dns("alpha"), ["192.0.2.14"])

    def test_host_not_owned_is_nohost(self):
        run = self.ddclient(["bobs"], "192.0.2.16")
        self.assertEqual(run.returncode, 1, run)
        self.assertRegex(run.text, r"FAILED:\s+updating %s: nohost" % re.escape(dd.fqdn("bobs")),
                         run)
        self.assertEqual(self.dns("bobs"), [])

    def test_own_and_foreign_host_in_one_request(self):
        run = self.ddclient(["mixed", "bobs"], "192.0.2.17")
        self.assertEqual(run.returncode, 1, run)  # one host failed
        self.assertRegex(run.text, r"SUCCESS:\s+updating %s: good" % re.escape(dd.fqdn("mixed")),
                         run)
        self.assertRegex(run.text, r"FAILED:\s+updating %s: nohost" % re.escape(dd.fqdn("bobs")),
                         run)
        self.assertEqual(self.dns("mixed"), ["192.0.2.17"])
        self.assertEqual(self.dns("bobs"), [])


if __name__ == "__main__":
    tl.run_tests()
