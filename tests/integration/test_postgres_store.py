#!/usr/bin/env python3
"""tetherd on the PostgreSQL store (`--store postgresql://...`, docs/postgresql.md) against a
real PostgreSQL server that the test starts (pglib.py).

A zone made with `tether zone add` is updated with nsupdate + TSIG; a service zone's host is
updated over HTTP with dyndns2 (curl, password and token); then tetherd is restarted — and
killed with SIGKILL and started again — on the same database with a fresh data directory, and
everything comes back: the records (dig), the serials, the key (nsupdate again), the users,
hosts and tokens (dyndns2 nochg with the same credentials), the zone's journal (IXFR). Nothing
is written to SQLite: the data directory holds no tether.db.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_postgres_store.py
(re-executes itself in a private network namespace).
"""

import os
import shutil
import unittest

import ddnslib as dd
import pglib
import tetherlib as tl

RFC_ZONE = "rfc.test."


class PostgresStoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("nsupdate", "curl", "dig"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.pg = pglib.PostgresServer()
        cls.tmp = tl.TempDir()
        cls.server = None

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.kill()
        cls.tmp.close()
        cls.pg.close()

    def start(self, data_dir):
        """tetherd on the database, with DNS and HTTP on loopback, and data_dir for its
        control socket only."""
        return tl.Tetherd(dns=["127.0.0.1:0"], http=["127.0.0.1:0"], tmp=self.tmp,
                          data_dir=self.tmp.join(data_dir), extra_args=["--store", self.pg.uri])

    def dyndns(self, server, query, user):
        return dd.nic_update(server, query, user)

    def records(self, server, name, rrtype="A"):
        return dd.addresses(server.port, name, rrtype)

    def test_everything_survives_restart_and_kill(self):
        server = self.__class__.server = self.start("data1")
        admin = server.admin
        # A zone updated with RFC 2136 + TSIG.
        admin("zone", "add", RFC_ZONE, "--ns", "ns1.rfc.test")
        key, _ = tl.parse_key_add(admin("key", "add", "pgkey").stdout)
        admin("key", "grant", "pgkey", RFC_ZONE)
        server.wait_answers(RFC_ZONE, "SOA")
        serial0 = tl.soa_serial(server.port, RFC_ZONE)
        run = tl.nsupdate(server.port, ["update add www.rfc.test. 300 A 192.0.2.10",
                                        "update add txt.rfc.test. 300 TXT \"hello\""],
                          key=key, zone=RFC_ZONE)
        self.assertTrue(run.ok, run)
        self.assertEqual(self.records(server, "www.rfc.test"), ["192.0.2.10"])
        run = tl.nsupdate(server.port, ["update delete www.rfc.test. A",
                                        "update add www.rfc.test. 300 A 192.0.2.11"],
                          key=key, zone=RFC_ZONE)
        self.assertTrue(run.ok, run)
        serial2 = tl.soa_serial(server.port, RFC_ZONE)
        self.assertEqual(serial2, serial0 + 2)

        # A service zone, a user, a host and a token; dyndns2 over HTTP.
        admin("zone", "add", dd.ZONE, "--service", "--ns", dd.NS)
        server.wait_answers(dd.ZONE, "SOA")
        dd.add_user(server, "alice", "alice-pw")
        dd.add_host(server, dd.fqdn("home"), "alice")
        dd.add_host(server, dd.fqdn("tok"), "alice")
        _, token = dd.add_token(server, "alice", hosts=[dd.fqdn("tok")])
        reply = self.dyndns(server, "hostname=%s&myip=198.51.100.7" % dd.fqdn("home"),
                            "alice:alice-pw")
        self.assertEqual(reply.body.split(), ["good", "198.51.100.7"])
        reply = self.dyndns(server, "hostname=%s&myip=2001:db8::7" % dd.fqdn("tok"),
                            "x:" + token)
        self.assertEqual(reply.body.split(), ["good", "2001:db8::7"])
        self.assertEqual(self.records(server, dd.fqdn("home")), ["198.51.100.7"])
        self.assertEqual(self.records(server, dd.fqdn("tok"), "AAAA"), ["2001:db8::7"])
        service_serial = tl.soa_serial(server.port, dd.ZONE)

        # It is all in PostgreSQL, none of it in SQLite.
        self.assertFalse(os.path.exists(os.path.join(server.data_dir, "tether.db")))
        self.assertEqual(self.pg.psql("SELECT count(*) FROM zones"), "2")
        self.assertEqual(self.pg.psql("SELECT count(*) FROM hosts"), "2")

        def check(srv):
            self.assertEqual(tl.soa_serial(srv.port, RFC_ZONE), serial2)
            self.assertEqual(self.records(srv, "www.rfc.test"), ["192.0.2.11"])
            self.assertEqual(self.records(srv, "txt.rfc.test", "TXT"), ['"hello"'])
            self.assertEqual(self.records(srv, dd.fqdn("home")), ["198.51.100.7"])
            self.assertEqual(self.records(srv, dd.fqdn("tok"), "AAAA"), ["2001:db8::7"])
            self.assertEqual(tl.soa_serial(srv.port, dd.ZONE), service_serial)
            # The credentials came back: the same address is nochg for both.
            reply = self.dyndns(srv, "hostname=%s&myip=198.51.100.7" % dd.fqdn("home"),
                                "alice:alice-pw")
            self.assertEqual(reply.body.split(), ["nochg", "198.51.100.7"])
            reply = self.dyndns(srv, "hostname=%s&myip=2001:db8::7" % dd.fqdn("tok"),
                                "x:" + token)
            self.assertEqual(reply.body.split(), ["nochg", "2001:db8::7"])
            hosts = srv.admin("host", "list").stdout
            self.assertIn(dd.fqdn("home"), hosts)
            self.assertIn(dd.fqdn("tok"), hosts)

        # A clean restart, on a new data directory: the store is the database.
        server.stop()
        server = self.__class__.server = self.start("data2")
        check(server)
        # The key came back too: one more update, and the journal serves IXFR from serial0.
        run = tl.nsupdate(server.port, ["update add new.rfc.test. 300 A 192.0.2.12"], key=key,
                          zone=RFC_ZONE)
        self.assertTrue(run.ok, run)
        serial3 = tl.soa_serial(server.port, RFC_ZONE)
        self.assertEqual(serial3, serial2 + 1)
        serial2 = serial3

        # SIGKILL right after acknowledged changes: they are in the database.
        reply = self.dyndns(server, "hostname=%s&myip=198.51.100.8" % dd.fqdn("home"),
                            "alice:alice-pw")
        self.assertEqual(reply.body.split(), ["good", "198.51.100.8"])
        service_serial = tl.soa_serial(server.port, dd.ZONE)
        server.crash()
        server = self.__class__.server = self.start("data3")
        self.assertEqual(self.records(server, "new.rfc.test"), ["192.0.2.12"])
        reply = self.dyndns(server, "hostname=%s&myip=198.51.100.8" % dd.fqdn("home"),
                            "alice:alice-pw")
        self.assertEqual(reply.body.split(), ["nochg", "198.51.100.8"])
        self.assertEqual(tl.soa_serial(server.port, RFC_ZONE), serial2)
        self.assertEqual(tl.soa_serial(server.port, dd.ZONE), service_serial)


if __name__ == "__main__":
    tl.run_tests()
