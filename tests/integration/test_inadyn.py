#!/usr/bin/env python3
"""Debian's inadyn (2.10) with a `custom` provider against tetherd's /nic/update.

inadyn runs once per test (`inadyn --once --force --foreground --no-pidfile --cache-dir DIR
-f CONF`) with `ssl = false`, `ddns-server = 127.0.0.1:PORT`, `ddns-path =
"/nic/update?hostname=%h&myip=%i"`, and its address from `checkip-command = "/bin/echo ADDR"`,
so it never asks a check-IP web service. Covered: success with good credentials (exit 0,
"Successful alias table update", dig sees the address at once), two aliases, an API token as
the password, and a fatal error -- never a success -- for a wrong password (badauth, HTTP 401:
inadyn's exit code 50, "Authentication failure") and for a host not owned (nohost: exit code
48, "DDNS server response not OK"), with no DNS change.

inadyn's custom plugin calls an answer a success when it contains OK, good, true or updated
(case-insensitive); docs/http-api.md keeps those words out of every error body for that
reason. A forced update to the same address gets `nochg`, which inadyn accepts only with
`ddns-response = { good, nochg }` (test_same_address_with_ddns_response).

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_inadyn.py
"""

import os
import re
import shutil
import subprocess
import unittest

import ddnslib as dd
import tetherlib as tl

INADYN = shutil.which("inadyn") or "/usr/sbin/inadyn"

# inadyn's exit codes (its error.h): RC_DDNS_RSP_NOTOK, RC_DDNS_RSP_AUTH_FAIL.
RSP_NOTOK = 48
RSP_AUTH_FAIL = 50


class InadynRun:
    def __init__(self, argv, conf, returncode, output):
        self.argv, self.conf, self.returncode, self.output = argv, conf, returncode, output

    def __repr__(self):
        conf = re.sub(r"password\s*=.*", "password = ...", self.conf)
        return "<inadyn status %d\nconf:\n%s\noutput:\n%s>" % (self.returncode, conf,
                                                             self.output[-4000:])


class InadynTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not os.access(INADYN, os.X_OK):
            raise unittest.SkipTest("inadyn not installed")
        if not shutil.which("dig"):
            raise unittest.SkipTest("dig not installed")
        cls.tmp = tl.TempDir()
        cls.server = dd.start_ddns_server(cls.tmp)
        dd.add_user(cls.server, "alice", "alice-secret-1")
        dd.add_user(cls.server, "bob", "bob-secret-2")
        for label in ("home", "one", "two", "tok", "same", "guarded"):
            dd.add_host(cls.server, dd.fqdn(label), "alice")
        dd.add_host(cls.server, dd.fqdn("bobs"), "bob")
        cls.runs = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.close()

    def inadyn(self, hosts, ip, username="alice", password="alice-secret-1", extra="",
               loglevel="info"):
        type(self).runs += 1
        host, port = self.server.http_endpoints[0]
        names = [dd.fqdn(h) for h in hosts]
        hostname = names[0] if len(names) == 1 else "{ %s }" % ", ".join(names)
        conf = "\n".join([
            "# written by test_inadyn.py",
            "period = 60",
            "custom tether {",
            "    ssl = false",
            "    username = %s" % username,
            '    password = "%s"' % password,
            '    checkip-command = "/bin/echo %s"' % ip,
            "    ddns-server = %s:%d" % (host, port),
            '    ddns-path = "/nic/update?hostname=%h&myip=%i"',
            "    hostname = %s" % hostname,
        ] + ["    " + line for line in extra.splitlines() if line.strip()] + ["}", ""])
        path = self.tmp.write("inadyn-%d.conf" % self.runs, conf)
        os.chmod(path, 0o600)
        cache = self.tmp.join("inadyn-cache-%d" % self.runs)
        os.makedirs(cache, exist_ok=True)
        argv = [INADYN, "--once", "--force", "--foreground", "--no-pidfile", "--cache-dir",
                cache, "--loglevel", loglevel, "-f", path]
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            self.fail("inadyn did not exit within 60 s: %s" % " ".join(argv))
        return InadynRun(argv, conf, proc.returncode, proc.stdout)

    def dns(self, label, rrtype="A"):
        return dd.addresses(self.server.port, dd.fqdn(label), rrtype)

    def assertSuccess(self, run, hosts, ip):
        self.assertEqual(run.returncode, 0, run)
        self.assertNotIn("Fatal error", run.output, run)
        for h in hosts:
            self.assertIn("Successful alias table update for %s => new IP# %s"
                          % (dd.fqdn(h), ip), run.output, run)

    def test_good_credentials(self):
        run = self.inadyn(["home"], "192.0.2.30")
        self.assertSuccess(run, ["home"], "192.0.2.30")
        self.assertEqual(self.dns("home"), ["192.0.2.30"])
        run = self.inadyn(["home"], "198.51.100.30")
        self.assertSuccess(run, ["home"], "198.51.100.30")
        self.assertEqual(self.dns("home"), ["198.51.100.30"])

    def test_two_aliases(self):
        run = self.inadyn(["one", "two"], "192.0.2.31")
        self.assertSuccess(run, ["one", "two"], "192.0.2.31")
        self.assertEqual(self.dns("one"), ["192.0.2.31"])
        self.assertEqual(self.dns("two"), ["192.0.2.31"])

    def test_token_as_password(self):
        token = dd.add_token(self.server, "alice", hosts=[dd.fqdn("tok")])[1]
        run = self.inadyn(["tok"], "192.0.2.32", username="router", password=token)
        self.assertSuccess(run, ["tok"], "192.0.2.32")
        self.assertEqual(self.dns("tok"), ["192.0.2.32"])

    def test_same_address_with_ddns_response(self):
        extra = "ddns-response = { good, nochg }"
        self.assertSuccess(self.inadyn(["same"], "192.0.2.33", extra=extra), ["same"],
                           "192.0.2.33")
        # At debug level inadyn logs the server's answer.
        run = self.inadyn(["same"], "192.0.2.33", extra=extra, loglevel="debug")
        self.assertSuccess(run, ["same"], "192.0.2.33")
        self.assertIn("nochg 192.0.2.33", run.output, run)
        self.assertEqual(self.dns("same"), ["192.0.2.33"])

    def test_wrong_password_is_fatal(self):
        self.assertSuccess(self.inadyn(["guarded"], "192.0.2.34"), ["guarded"], "192.0.2.34")
        run = self.inadyn(["guarded"], "192.0.2.35", password="not-the-password")
        self.assertEqual(run.returncode, RSP_AUTH_FAIL, run)
        self.assertIn("Fatal error in DDNS server response", run.output, run)
        self.assertIn("Authentication failure", run.output, run)
        self.assertNotIn("Successful alias table update", run.output, run)
        self.assertEqual(self.dns("guarded"), ["192.0.2.34"])

    def test_host_not_owned_is_fatal(self):
        run = self.inadyn(["bobs"], "192.0.2.36")
        self.assertEqual(run.returncode, RSP_NOTOK, run)
        self.assertIn("Fatal error in DDNS server response", run.output, run)
        self.assertIn("nohost", run.output, run)
        self.assertNotIn("Successful alias table update", run.output, run)
        self.assertEqual(self.dns("bobs"), [])


if __name__ == "__main__":
    tl.run_tests()
