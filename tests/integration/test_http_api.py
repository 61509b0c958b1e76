#!/usr/bin/env python3
"""The HTTP update API (docs/http-api.md) driven by the real curl, the way routers call it.

URL shapes: the FritzBox's custom DynDNS (`/nic/update?hostname=<domain>&myip=<ipaddr>,
<ip6addr>` with Basic, and `myipv6=<ip6lanprefix>`), OpenWrt ddns-scripts' services
(dyndns.org: `http://[USERNAME]:[PASSWORD]@host/v3/update?hostname=[DOMAIN]&myip=[IP]`;
no-ip.com: the same on /nic/update, a dummy 127.0.0.1 / ::1 first and then the real address;
duckdns.org: `/update?domains=[DOMAIN]&token=[PASSWORD]&ip=[IP]` or `&ipv6=[IP]`) and the
DuckDNS URL itself (OK/KO, verbose=true, txt= and clear=true for _acme-challenge).

Answers: good, nochg, nohost, notfqdn, badauth (HTTP 401 + WWW-Authenticate), numhost, abuse
(with `[ddns] nochg_per_hour = 3` in a --config file), and
what failed logins get (never 429). Credentials: the password (Basic, URL userinfo, query
parameters, a POST form), API tokens (Basic with any user name, `Bearer`, `Token`, scoped to
hosts, record types and networks, revoked), per-host credentials, and a password change that
stops the old password at once. Transport: HTTP/1.0 (Content-Length, connection closed),
keep-alive (curl reuses one connection for several URLs), TLS with a certificate made by
openssl here (curl --cacert), and an IPv6 endpoint.

Every answer is checked against the contract (ddnslib.check_reply: Content-Length equal to the
body, never chunked, never 429, no ok/good/nochg/true/updated/success in an error line), and
after every accepted change dig sees the new records at once (no sleep).

Clients connect from several loopback addresses (curl --interface 127.0.0.N) so that the
throttling of failed logins per client address in one test cannot touch another.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_http_api.py
"""

import re
import shutil
import subprocess
import unittest

import ddnslib as dd
import tetherlib as tl

PW = {"alice": "alice pw-1 é", "bob": "bob-pw-2", "carol": "carol-pw-3", "dave": "dave-pw-4"}
ALICE_HOSTS = ["home", "second", "fritz", "prefix", "owrt", "noip", "duck", "duck6", "acme",
               "tok", "bearer", "tokscheme", "revoked", "scoped", "scoped2", "net", "types",
               "cred", "cred2", "clientaddr", "post", "http10", "keepalive", "ipsix", "multi1",
               "multi2", "wild", "mxhost", "offline", "errors"]


def need_tools(*tools):
    for tool in tools:
        if not shutil.which(tool):
            raise unittest.SkipTest("%s not installed" % tool)


class ApiCase(unittest.TestCase):
    """Shared helpers: a tetherd per class (see setUpClass of each), URLs, dig checks."""

    server = None

    @classmethod
    def http_base(cls, index=0):
        host, port = cls.server.http_endpoints[index]
        host = "[%s]" % host if ":" in host else host
        return "http://%s:%d" % (host, port)

    def get(self, path, source=None, **kw):
        """curl GET base+path (checked against the contract); source: 127.0.0.N to bind."""
        extra = list(kw.pop("extra", ()))
        if source:
            extra += ["--interface", source]
        return dd.curl(self.http_base(kw.pop("endpoint", 0)) + path, extra=extra, **kw)

    def dyndns(self, query, user="alice", password=None, path="/nic/update", **kw):
        if user is not None and "headers" not in kw:
            kw["user"] = "%s:%s" % (user, PW.get(user) if password is None else password)
        return self.get("%s?%s" % (path, query), **kw)

    def dns(self, host, rrtype="A"):
        return dd.addresses(self.server.port, dd.fqdn(host), rrtype)

    def assertAnswer(self, reply, words, status=200):
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.lines, words, reply)

    def assertRecords(self, host, a=None, aaaa=None):
        if a is not None:
            self.assertEqual(self.dns(host, "A"), sorted(a), "A of %s" % host)
        if aaaa is not None:
            self.assertEqual(self.dns(host, "AAAA"), sorted(aaaa), "AAAA of %s" % host)


# ---------------------------------------------------------------------------------------


class HttpApiTest(ApiCase):
    """One tetherd: DNS on 127.0.0.1, HTTP on 127.0.0.1 and ::1; users alice, bob, carol."""

    @classmethod
    def setUpClass(cls):
        need_tools("curl", "dig")
        cls.tmp = tl.TempDir()
        cls.server = dd.start_ddns_server(cls.tmp, http=["127.0.0.1:0", "[::1]:0"])
        for name in ("alice", "bob", "carol"):
            dd.add_user(cls.server, name, PW[name])
        for label in ALICE_HOSTS:
            dd.add_host(cls.server, dd.fqdn(label), "alice")
        dd.add_host(cls.server, dd.fqdn("bobhost"), "bob")
        dd.add_host(cls.server, dd.fqdn("carolhost"), "carol")
        cls.alice_token = dd.add_token(cls.server, "alice")[1]

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()
        cls.tmp.close()

    # --- dyndns2 basics -----------------------------------------------------------------

    def test_good_then_nochg_then_good(self):
        h = dd.fqdn("home")
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.1" % h), ["good 192.0.2.1"])
        self.assertRecords("home", a=["192.0.2.1"], aaaa=[])
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.1" % h), ["nochg 192.0.2.1"])
        self.assertRecords("home", a=["192.0.2.1"])
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.2" % h), ["good 192.0.2.2"])
        self.assertRecords("home", a=["192.0.2.2"], aaaa=[])

    def test_two_hosts_in_one_request(self):
        q = "hostname=%s,%s&myip=192.0.2.31" % (dd.fqdn("multi1"), dd.fqdn("multi2"))
        self.assertAnswer(self.dyndns(q), ["good 192.0.2.31", "good 192.0.2.31"])
        self.assertRecords("multi1", a=["192.0.2.31"])
        self.assertRecords("multi2", a=["192.0.2.31"])

    def test_own_and_foreign_host_in_one_request(self):
        """One line per host in request order: the foreign host is nohost, and unchanged."""
        self.assertAnswer(self.dyndns("hostname=%s&myip=198.51.100.50" % dd.fqdn("bobhost"),
                                      user="bob"), ["good 198.51.100.50"])
        q = "hostname=%s,%s&myip=192.0.2.32" % (dd.fqdn("second"), dd.fqdn("bobhost"))
        self.assertAnswer(self.dyndns(q), ["good 192.0.2.32", "nohost"])
        self.assertRecords("second", a=["192.0.2.32"])
        self.assertRecords("bobhost", a=["198.51.100.50"])

    def test_nohost_for_unknown_and_foreign_hosts(self):
        for name in (dd.fqdn("nosuchhost"), dd.fqdn("bobhost"), "www.example.org"):
            self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.9" % name), ["nohost"])
        self.assertEqual(self.dns("nosuchhost"), [])
        self.assertNotIn("192.0.2.9", self.dns("bobhost"))

    def test_notfqdn(self):
        self.assertAnswer(self.dyndns("hostname=home&myip=192.0.2.8"), ["notfqdn"])
        self.assertNotIn("192.0.2.8", self.dns("home"))

    def test_numhost_beyond_twenty_hosts(self):
        names = ",".join(dd.fqdn(label) for label in (ALICE_HOSTS * 2)[:21])
        reply = self.dyndns("hostname=%s&myip=192.0.2.77" % names)
        self.assertAnswer(reply, ["numhost"])
        self.assertNotIn("192.0.2.77", self.dns("home"))

    def test_badauth_is_401_with_www_authenticate(self):
        h = dd.fqdn("errors")
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.40" % h), ["good 192.0.2.40"])
        wrong = self.dyndns("hostname=%s&myip=192.0.2.41" % h, password="wrong",
                            source="127.0.0.21")
        nouser = self.dyndns("hostname=%s&myip=192.0.2.41" % h, user="nobody-here",
                             password="wrong", source="127.0.0.21")
        anonymous = self.dyndns("hostname=%s&myip=192.0.2.41" % h, user=None,
                                source="127.0.0.21")
        for reply in (wrong, nouser, anonymous):
            self.assertAnswer(reply, ["badauth"], status=401)
            self.assertEqual(reply.header("www-authenticate"), 'Basic realm="tether"', reply)
        # "answers never reveal whether an account exists"
        self.assertEqual((wrong.status, wrong.body), (nouser.status, nouser.body))
        self.assertRecords("errors", a=["192.0.2.40"])

    def test_myip_missing_or_empty_is_the_client_address(self):
        h = dd.fqdn("clientaddr")
        self.assertAnswer(self.dyndns("hostname=%s" % h, source="127.0.0.3"),
                          ["good 127.0.0.3"])
        self.assertRecords("clientaddr", a=["127.0.0.3"])
        self.assertAnswer(self.dyndns("hostname=%s&myip=" % h, source="127.0.0.4"),
                          ["good 127.0.0.4"])
        self.assertRecords("clientaddr", a=["127.0.0.4"])

    def test_post_form_body(self):
        reply = self.get("/nic/update", user="alice:" + PW["alice"],
                         data="hostname=%s&myip=192.0.2.33" % dd.fqdn("post"))
        self.assertAnswer(reply, ["good 192.0.2.33"])
        self.assertRecords("post", a=["192.0.2.33"])

    def test_credentials_as_query_parameters(self):
        from urllib.parse import quote
        q = "hostname=%s&myip=192.0.2.34&username=alice&password=%s" % (
            dd.fqdn("post"), quote(PW["alice"]))
        self.assertAnswer(self.dyndns(q, user=None), ["good 192.0.2.34"])
        self.assertRecords("post", a=["192.0.2.34"])

    def test_wildcard_on_and_off(self):
        h = dd.fqdn("wild")
        self.assertEqual(self.dyndns("hostname=%s&myip=192.0.2.50&wildcard=ON" % h).words,
                         ["good"])
        star = dd.addresses(self.server.port, "www." + h, "CNAME")
        a = dd.addresses(self.server.port, "www." + h, "A")
        self.assertTrue(star == [h + "."] or a == ["192.0.2.50"], (star, a))
        self.assertIn(self.dyndns("hostname=%s&myip=192.0.2.50&wildcard=OFF" % h).words[0],
                      ("good", "nochg"))
        self.assertEqual(dd.addresses(self.server.port, "www." + h, "A"), [])

    def test_mx_set_and_removed(self):
        h = dd.fqdn("mxhost")
        self.assertEqual(self.dyndns("hostname=%s&myip=192.0.2.51&mx=mail.example.org&"
                                     "backmx=NO" % h).words, ["good"])
        self.assertEqual(self.dns("mxhost", "MX"), ["10 mail.example.org."])
        self.assertIn(self.dyndns("hostname=%s&myip=192.0.2.51&mx=" % h).words[0],
                      ("good", "nochg"))
        self.assertEqual(self.dns("mxhost", "MX"), [])

    def test_offline_parks_the_host(self):
        h = dd.fqdn("offline")
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.52" % h), ["good 192.0.2.52"])
        self.assertEqual(self.dyndns("hostname=%s&myip=192.0.2.52&offline=YES" % h).words,
                         ["good"])
        self.assertEqual(self.dns("offline"), [])
        self.assertEqual(self.dyndns("hostname=%s&myip=192.0.2.52&offline=NO" % h).words,
                         ["good"])
        self.assertRecords("offline", a=["192.0.2.52"])

    # --- FritzBox ------------------------------------------------------------------------

    def test_fritzbox_dual_stack(self):
        """FritzBox custom DynDNS: /nic/update?hostname=<domain>&myip=<ipaddr>,<ip6addr>."""
        h = dd.fqdn("fritz")
        reply = self.dyndns("hostname=%s&myip=192.0.2.20,2001:db8::20" % h)
        self.assertAnswer(reply, ["good 192.0.2.20,2001:db8::20"])
        self.assertRecords("fritz", a=["192.0.2.20"], aaaa=["2001:db8::20"])
        reply = self.dyndns("hostname=%s&myip=192.0.2.20,2001:db8::20" % h)
        self.assertAnswer(reply, ["nochg 192.0.2.20,2001:db8::20"])
        # An empty half removes that family.
        reply = self.dyndns("hostname=%s&myip=192.0.2.21," % h)
        self.assertEqual(reply.words, ["good"], reply)
        self.assertRecords("fritz", a=["192.0.2.21"], aaaa=[])

    def test_fritzbox_ipv6_lan_prefix(self):
        """<ip6lanprefix>: myipv6=2001:db8:1:2::/64 keeps each interface identifier."""
        h = dd.fqdn("prefix")
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.22,2001:db8:1:1::abcd" % h),
                          ["good 192.0.2.22,2001:db8:1:1::abcd"])
        reply = self.dyndns("hostname=%s&myip=192.0.2.22&myipv6=2001:db8:1:2::/64" % h)
        self.assertEqual(reply.words, ["good"], reply)
        self.assertRecords("prefix", a=["192.0.2.22"], aaaa=["2001:db8:1:2::abcd"])

    # --- OpenWrt ddns-scripts ---------------------------------------------------------------

    def openwrt_url(self, path, query, user="alice"):
        """http://[USERNAME]:[PASSWORD]@host/...: ddns-scripts URL-encodes both."""
        from urllib.parse import quote
        host, port = self.server.http_endpoints[0]
        return "http://%s:%s@%s:%d%s?%s" % (quote(user, safe=""), quote(PW[user], safe=""),
                                            host, port, path, query)

    def test_openwrt_dyndns_org_service(self):
        h = dd.fqdn("owrt")
        url = self.openwrt_url("/v3/update", "hostname=%s&myip=198.51.100.11" % h)
        self.assertAnswer(dd.curl(url), ["good 198.51.100.11"])
        self.assertRecords("owrt", a=["198.51.100.11"])
        url = self.openwrt_url("/v3/update", "hostname=%s&myip=2001:db8::11" % h)
        self.assertAnswer(dd.curl(url), ["good 2001:db8::11"])
        self.assertRecords("owrt", aaaa=["2001:db8::11"])

    def test_openwrt_noip_dummy_then_real(self):
        """update_no-ip_com.sh sends 127.0.0.1 (::1) first, then the real address."""
        h = dd.fqdn("noip")
        for dummy, real, rrtype in (("127.0.0.1", "198.51.100.12", "A"),
                                    ("::1", "2001:db8::12", "AAAA")):
            r1 = dd.curl(self.openwrt_url("/nic/update", "hostname=%s&myip=%s" % (h, dummy)))
            self.assertIn(r1.words[0], ("good", "nochg"), r1)
            r2 = dd.curl(self.openwrt_url("/nic/update", "hostname=%s&myip=%s" % (h, real)))
            self.assertAnswer(r2, ["good %s" % real])
            self.assertEqual(self.dns("noip", rrtype), [real])

    def test_openwrt_duckdns_service(self):
        host, port = self.server.http_endpoints[0]
        base = "http://%s:%d/update?domains=duck&token=%s" % (host, port, self.alice_token)
        self.assertAnswer(dd.curl(base + "&ip=198.51.100.13"), ["OK"])
        self.assertRecords("duck", a=["198.51.100.13"])
        self.assertAnswer(dd.curl(base + "&ipv6=2001:db8::13"), ["OK"])
        self.assertRecords("duck", aaaa=["2001:db8::13"])

    # --- DuckDNS URL ------------------------------------------------------------------------

    def duck(self, query, **kw):
        return self.get("/update?" + query, **kw)

    def test_duckdns_ok_and_ko(self):
        t = self.alice_token
        self.assertAnswer(self.duck("domains=duck6&token=%s&ip=192.0.2.60" % t), ["OK"])
        self.assertRecords("duck6", a=["192.0.2.60"])
        # The full name works as well.
        self.assertAnswer(self.duck("domains=%s&token=%s&ip=192.0.2.61" % (dd.fqdn("duck6"), t)),
                          ["OK"])
        self.assertRecords("duck6", a=["192.0.2.61"])
        for query in ("domains=duck6&token=not-a-token&ip=192.0.2.62",
                      "domains=bobhost&token=%s&ip=192.0.2.62" % t,
                      "domains=nosuchhost&token=%s&ip=192.0.2.62" % t):
            reply = self.duck(query, source="127.0.0.22")
            self.assertEqual(reply.lines, ["KO"], reply)
        self.assertRecords("duck6", a=["192.0.2.61"])
        self.assertNotIn("192.0.2.62", self.dns("bobhost"))

    def test_duckdns_verbose(self):
        t = self.alice_token
        reply = self.duck("domains=duck6&token=%s&ip=192.0.2.63&ipv6=2001:db8::63&verbose=true"
                          % t)
        self.assertEqual(reply.lines[0], "OK", reply)
        self.assertIn("192.0.2.63", reply.lines, reply)
        self.assertIn("2001:db8::63", reply.lines, reply)
        self.assertEqual(reply.lines[-1], "UPDATED", reply)
        self.assertRecords("duck6", a=["192.0.2.63"], aaaa=["2001:db8::63"])
        reply = self.duck("domains=duck6&token=%s&ip=192.0.2.63&ipv6=2001:db8::63&verbose=true"
                          % t)
        self.assertEqual((reply.lines[0], reply.lines[-1]), ("OK", "NOCHANGE"), reply)

    def test_duckdns_txt_and_clear(self):
        t = self.alice_token
        challenge = "_acme-challenge." + dd.fqdn("acme")
        self.assertAnswer(self.duck("domains=acme&token=%s&txt=token-abc_123" % t), ["OK"])
        self.assertEqual(dd.addresses(self.server.port, challenge, "TXT"), ['"token-abc_123"'])
        self.assertAnswer(self.duck("domains=acme&token=%s&txt=x&clear=true" % t), ["OK"])
        self.assertEqual(dd.addresses(self.server.port, challenge, "TXT"), [])

    # --- tokens ---------------------------------------------------------------------------

    def test_token_as_basic_password_with_any_username(self):
        h = dd.fqdn("tok")
        for i, user in enumerate(("alice", "anything", "x")):
            reply = self.dyndns("hostname=%s&myip=192.0.2.%d" % (h, 70 + i), user=user,
                                password=self.alice_token)
            self.assertAnswer(reply, ["good 192.0.2.%d" % (70 + i)])
            self.assertRecords("tok", a=["192.0.2.%d" % (70 + i)])

    def test_token_as_bearer_and_token_scheme(self):
        for label, scheme, ip in (("bearer", "Bearer", "192.0.2.73"),
                                  ("tokscheme", "Token", "192.0.2.74")):
            reply = self.get("/nic/update?hostname=%s&myip=%s" % (dd.fqdn(label), ip),
                             headers=["Authorization: %s %s" % (scheme, self.alice_token)])
            self.assertAnswer(reply, ["good %s" % ip])
            self.assertRecords(label, a=[ip])

    def test_revoked_token_is_badauth_at_once(self):
        h = dd.fqdn("revoked")
        token_id, token = dd.add_token(self.server, "alice", hosts=[h])
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.75" % h, password=token),
                          ["good 192.0.2.75"])
        self.server.admin("token", "revoke", token_id)
        reply = self.dyndns("hostname=%s&myip=192.0.2.76" % h, password=token,
                            source="127.0.0.23")
        self.assertAnswer(reply, ["badauth"], status=401)
        reply = self.get("/nic/update?hostname=%s&myip=192.0.2.76" % h, source="127.0.0.23",
                         headers=["Authorization: Bearer " + token])
        self.assertAnswer(reply, ["badauth"], status=401)
        self.assertEqual(self.duck("domains=revoked&token=%s&ip=192.0.2.76" % token,
                                   source="127.0.0.23").lines, ["KO"])
        self.assertRecords("revoked", a=["192.0.2.75"])

    def test_token_scoped_to_another_host(self):
        token = dd.add_token(self.server, "alice", hosts=[dd.fqdn("scoped")])[1]
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.77" % dd.fqdn("scoped"),
                                      password=token), ["good 192.0.2.77"])
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.78" % dd.fqdn("scoped2"),
                                      password=token), ["nohost"])
        self.assertRecords("scoped", a=["192.0.2.77"])
        self.assertNotIn("192.0.2.78", self.dns("scoped2"))

    def test_token_networks(self):
        h = dd.fqdn("net")
        far = dd.add_token(self.server, "alice", hosts=[h], networks=["10.0.0.0/8"])[1]
        near = dd.add_token(self.server, "alice", hosts=[h], networks=["127.0.0.5/32"])[1]
        reply = self.dyndns("hostname=%s&myip=192.0.2.79" % h, password=far, source="127.0.0.24")
        self.assertIn(reply.words, (["badauth"], ["nohost"]), reply)
        self.assertNotIn("192.0.2.79", self.dns("net"))
        reply = self.dyndns("hostname=%s&myip=192.0.2.80" % h, password=near, source="127.0.0.5")
        self.assertAnswer(reply, ["good 192.0.2.80"])
        reply = self.dyndns("hostname=%s&myip=192.0.2.81" % h, password=near, source="127.0.0.24")
        self.assertIn(reply.words, (["badauth"], ["nohost"]), reply)
        self.assertRecords("net", a=["192.0.2.80"])

    def test_token_types(self):
        """A token limited to AAAA may not change the A record."""
        h = dd.fqdn("types")
        token = dd.add_token(self.server, "alice", hosts=[h], types=["AAAA"])[1]
        self.assertAnswer(self.dyndns("hostname=%s&myipv6=2001:db8::82" % h, password=token),
                          ["good 2001:db8::82"])
        reply = self.dyndns("hostname=%s&myip=192.0.2.82" % h, password=token)
        self.assertNotIn(reply.words[0], dd.SUCCESS_ANSWERS, reply)
        self.assertRecords("types", a=[], aaaa=["2001:db8::82"])

    # --- per-host credentials, password change ---------------------------------------------

    def test_host_credential(self):
        user, password = dd.add_host_credential(self.server, dd.fqdn("cred"))
        reply = self.dyndns("hostname=%s&myip=192.0.2.90" % dd.fqdn("cred"), user=user,
                            password=password)
        self.assertAnswer(reply, ["good 192.0.2.90"])
        self.assertRecords("cred", a=["192.0.2.90"])
        reply = self.dyndns("hostname=%s&myip=192.0.2.91" % dd.fqdn("cred2"), user=user,
                            password=password)
        self.assertAnswer(reply, ["nohost"])
        self.assertNotIn("192.0.2.91", self.dns("cred2"))
        from urllib.parse import quote
        reply = self.dyndns("hostname=%s&myip=192.0.2.92&username=%s&password=%s" % (
            dd.fqdn("cred"), quote(user), quote(password)), user=None)
        self.assertAnswer(reply, ["good 192.0.2.92"])
        self.assertRecords("cred", a=["192.0.2.92"])

    def test_password_change_stops_the_old_password_at_once(self):
        h = dd.fqdn("carolhost")
        for ip in ("192.0.2.100", "192.0.2.101"):  # the second one uses the cached proof
            self.assertAnswer(self.dyndns("hostname=%s&myip=%s" % (h, ip), user="carol"),
                              ["good %s" % ip])
        self.server.admin("user", "passwd", "carol", "--password", "carol-new-pw")
        reply = self.dyndns("hostname=%s&myip=192.0.2.102" % h, user="carol",
                            source="127.0.0.25")
        self.assertAnswer(reply, ["badauth"], status=401)
        self.assertRecords("carolhost", a=["192.0.2.101"])
        reply = self.dyndns("hostname=%s&myip=192.0.2.103" % h, user="carol",
                            password="carol-new-pw")
        self.assertAnswer(reply, ["good 192.0.2.103"])
        self.assertRecords("carolhost", a=["192.0.2.103"])

    # --- transport --------------------------------------------------------------------------

    def test_http10(self):
        h = dd.fqdn("http10")
        reply = self.dyndns("hostname=%s&myip=192.0.2.110" % h, http10=True)
        self.assertAnswer(reply, ["good 192.0.2.110"])
        self.assertTrue(reply.version.startswith("HTTP/1."), reply)
        self.assertRecords("http10", a=["192.0.2.110"])
        # Raw HTTP/1.0 without Connection: keep-alive: the server closes after the answer.
        host, port = self.server.http_endpoints[0]
        request = ("GET /nic/update?hostname=%s&myip=192.0.2.111 HTTP/1.0\r\nHost: %s\r\n%s\r\n"
                   "\r\n" % (h, host, dd.basic("alice", PW["alice"]))).encode()
        raw = dd.raw_http(host, port, request)
        self.assertTrue(raw.closed, raw)
        self.assertTrue(raw.status_line.startswith("HTTP/1."), raw)
        self.assertIn(" 200", raw.status_line, raw)
        self.assertEqual(raw.header("content-length"), str(len(raw.body)), raw)
        self.assertEqual(raw.body.strip(), b"good 192.0.2.111", raw)
        self.assertRecords("http10", a=["192.0.2.111"])

    def test_keep_alive_reuses_the_connection(self):
        h = dd.fqdn("keepalive")
        urls = ["%s/nic/update?hostname=%s&myip=192.0.2.%d" % (self.http_base(), h, 120 + i)
                for i in range(3)]
        argv = [dd.CURL, "-sS", "-v", "--noproxy", "*", "--max-time", "20",
                "-u", "alice:" + PW["alice"], "-w", "##%{http_code}|%{num_connects}##"] + urls
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=40)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("Re-using existing connection", proc.stderr, proc.stderr)
        parts = re.split(r"##(\d+)\|(\d+)##", proc.stdout)
        results = [tuple(parts[i:i + 3]) for i in range(0, len(parts) - 1, 3)]
        self.assertEqual([(b.strip(), code) for b, code, _ in results],
                         [("good 192.0.2.%d" % (120 + i), "200") for i in range(3)], proc.stdout)
        # One TCP connection for the three requests.
        self.assertEqual([n for _, _, n in results], ["1", "0", "0"], proc.stdout)
        self.assertRecords("keepalive", a=["192.0.2.122"])

    def test_ipv6_endpoint(self):
        h = dd.fqdn("ipsix")
        reply = self.dyndns("hostname=%s&myip=2001:db8::130" % h, endpoint=1)
        self.assertAnswer(reply, ["good 2001:db8::130"])
        self.assertRecords("ipsix", aaaa=["2001:db8::130"])
        # Without myip: the client's address, here ::1.
        reply = self.dyndns("hostname=%s" % h, endpoint=1)
        self.assertAnswer(reply, ["good ::1"])
        self.assertRecords("ipsix", aaaa=["::1"])

    # --- the error bodies, all together ----------------------------------------------------

    def test_error_answers_carry_no_success_word(self):
        h = dd.fqdn("errors")
        provoked = [
            self.dyndns("hostname=%s&myip=192.0.2.140" % h, password="bad", source="127.0.0.26"),
            self.dyndns("hostname=%s&myip=192.0.2.140" % h, user=None, source="127.0.0.26"),
            self.dyndns("hostname=%s&myip=192.0.2.140" % dd.fqdn("bobhost")),
            self.dyndns("hostname=errors&myip=192.0.2.140"),
            self.dyndns("hostname=%s&myip=192.0.2.140" % ",".join([h] * 21)),
            self.dyndns("hostname=%s&myip=not-an-address" % h),
            self.duck("domains=errors&token=bad&ip=192.0.2.140", source="127.0.0.26"),
            self.get("/nic/update", user=None, source="127.0.0.26"),
            self.get("/no/such/path"),
        ]
        for reply in provoked:
            self.assertNotEqual(reply.words[:1], ["good"], reply)
            self.assertEqual(dd.error_word_problems(reply.body), [], reply)
            for word in dd.SUCCESS_WORDS:  # the whole body, whatever its shape
                self.assertNotIn(word, reply.body.lower(), reply)
        self.assertNotIn("192.0.2.140", self.dns("errors"))


class NochgLimitTest(ApiCase):
    """`[ddns] nochg_per_hour = 3` in a --config file: more updates without a change are abuse."""

    @classmethod
    def setUpClass(cls):
        need_tools("curl", "dig")
        cls.tmp = tl.TempDir()
        config = cls.tmp.write("tetherd-nochg.toml", "[ddns]\nnochg_per_hour = 3\n")
        cls.server = dd.start_ddns_server(cls.tmp, config=config)
        dd.add_user(cls.server, "dave", PW["dave"])
        dd.add_host(cls.server, dd.fqdn("poller"), "dave")

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()
        cls.tmp.close()

    def test_repeated_nochg_becomes_abuse(self):
        h = dd.fqdn("poller")
        self.assertAnswer(self.dyndns("hostname=%s&myip=192.0.2.150" % h, user="dave"),
                          ["good 192.0.2.150"])
        words = []
        for _ in range(8):  # bounded: the limit is 3
            reply = self.dyndns("hostname=%s&myip=192.0.2.150" % h, user="dave")
            self.assertEqual(reply.status, 200, reply)
            words.append(reply.words[0])
            if words[-1] == "abuse":
                break
        self.assertEqual(words[:3], ["nochg"] * 3, words)
        self.assertEqual(words[-1], "abuse", words)
        self.assertLessEqual(len(words), 4, words)
        self.assertRecords("poller", a=["192.0.2.150"])


class FailedLoginThrottleTest(ApiCase):
    """Many wrong passwords: badauth, then perhaps throttling (911 or 503 + Retry-After), never
    429; the answers never reveal whether the account exists."""

    @classmethod
    def setUpClass(cls):
        need_tools("curl", "dig")
        cls.tmp = tl.TempDir()
        cls.server = dd.start_ddns_server(cls.tmp)
        dd.add_user(cls.server, "alice", PW["alice"])
        dd.add_host(cls.server, dd.fqdn("home"), "alice")

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()
        cls.tmp.close()

    def test_many_failed_logins(self):
        seen = {}
        # From two client addresses, so that only the per-account-name throttle differs.
        for user, source in (("alice", "127.0.0.31"), ("nobody", "127.0.0.32")):
            for i in range(30):  # bounded
                reply = self.dyndns("hostname=%s&myip=192.0.2.160" % dd.fqdn("home"), user=user,
                                    password="wrong-%d" % i, source=source)
                key = (reply.status, reply.words[0] if reply.words else "")
                self.assertIn(key, ((401, "badauth"), (200, "911"), (503, "911"), (503, "")),
                              reply)
                if key[1] == "911" or reply.status == 503:
                    self.assertIsNotNone(reply.header("retry-after"), reply)
                seen.setdefault(user, []).append(key)
        self.assertEqual(seen["alice"], seen["nobody"])
        self.assertEqual(self.dns("home"), [])


class TlsTest(ApiCase):
    """--https with a self-signed certificate made here; curl --cacert trusts it."""

    @classmethod
    def setUpClass(cls):
        need_tools("curl", "dig", "openssl")
        cls.tmp = tl.TempDir()
        cls.cert, key = dd.make_self_signed(cls.tmp)
        cls.server = dd.start_ddns_server(cls.tmp, http=[], https=["127.0.0.1:0", "[::1]:0"],
                                          tls_cert=cls.cert, tls_key=key)
        dd.add_user(cls.server, "alice", PW["alice"])
        dd.add_host(cls.server, dd.fqdn("secure"), "alice")

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()
        cls.tmp.close()

    def https_url(self, query, index=0):
        host, port = self.server.https_endpoints[index]
        host = "[%s]" % host if ":" in host else host
        return "https://%s:%d/nic/update?%s" % (host, port, query)

    def test_update_over_tls(self):
        h = dd.fqdn("secure")
        reply = dd.curl(self.https_url("hostname=%s&myip=192.0.2.170" % h),
                        user="alice:" + PW["alice"], cacert=self.cert)
        self.assertAnswer(reply, ["good 192.0.2.170"])
        self.assertRecords("secure", a=["192.0.2.170"])
        reply = dd.curl(self.https_url("hostname=%s&myip=2001:db8::170" % h, index=1),
                        user="alice:" + PW["alice"], cacert=self.cert)
        self.assertAnswer(reply, ["good 2001:db8::170"])
        self.assertRecords("secure", aaaa=["2001:db8::170"])
        reply = dd.curl(self.https_url("hostname=%s&myip=192.0.2.171" % h),
                        user="alice:" + PW["alice"], cacert=self.cert, http10=True)
        self.assertAnswer(reply, ["good 192.0.2.171"])

    def test_untrusted_certificate_is_refused_by_curl(self):
        """The endpoint really speaks TLS with our certificate: without --cacert curl
        refuses it (exit 60) and nothing is sent."""
        argv = [dd.CURL, "-sS", "--noproxy", "*", "--max-time", "10", "-u",
                "alice:" + PW["alice"],
                self.https_url("hostname=%s&myip=192.0.2.172" % dd.fqdn("secure"))]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 60, proc.stderr)
        self.assertNotIn("192.0.2.172", self.dns("secure"))

    def test_plain_http_on_the_tls_port_is_not_answered_as_success(self):
        host, port = self.server.https_endpoints[0]
        raw = dd.raw_http(host, port, b"GET /nic/update HTTP/1.0\r\n\r\n", timeout=3)
        self.assertNotIn(b"good", raw.data)


if __name__ == "__main__":
    tl.run_tests()
