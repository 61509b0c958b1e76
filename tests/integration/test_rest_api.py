#!/usr/bin/env python3
"""The REST API under /api/v1/ (docs/http-api.md, src/api/openapi.json) driven by the real curl
against a real tetherd: the OpenAPI document, the account, hosts (create, list, show, delete),
records (PUT/GET/DELETE of A, AAAA, TXT, MX, CNAME, SRV, CAA with the TTL floor), scoped
tokens made over the API (hosts, types, revocation), a host's history, and JSON errors with
their stable codes. After every accepted change dig sees the records at once (no sleep): the
answer comes only once the change is durable and published.

Run: TETHERD=build/tetherd TETHER=build/tether python3 tests/integration/test_rest_api.py
"""

import json
import shutil
import unittest

import ddnslib as dd
import tetherlib as tl


class RestApiTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        for tool in ("curl", "dig"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s not installed" % tool)
        cls.tmp = tl.TempDir()
        cls.server = dd.start_ddns_server(cls.tmp)
        dd.add_user(cls.server, "alice", "alice-secret-1")
        dd.add_user(cls.server, "bob", "bob-secret-2")
        dd.add_host(cls.server, dd.fqdn("bobs"), "bob")
        cls.token = dd.add_token(cls.server, "alice")[1]
        cls.bob_token = dd.add_token(cls.server, "bob")[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.close()

    def call(self, method, path, body=None, token=None, raw=None):
        """(status, parsed JSON or None, reply) of one curl request."""
        host, port = self.server.http_endpoints[0]
        headers = []
        token = self.token if token is None else token
        if token:
            headers.append("Authorization: Bearer " + token)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None:
            headers.append("Content-Type: application/json")
        reply = dd.curl("http://%s:%d%s" % (host, port, path), headers=headers, data=data,
                        method=method, check=False)
        if reply.status == 204:  # RFC 9110: no Content-Length in a 204
            self.assertIsNone(reply.header("content-length"), reply)
        else:
            self.assertEqual(reply.header("content-length"), str(len(reply.raw_body)), reply)
        parsed = json.loads(reply.body) if reply.body else None
        return reply.status, parsed, reply

    def assertError(self, result, status, code):
        got_status, body, reply = result
        self.assertEqual(got_status, status, reply)
        self.assertEqual(body["error"]["code"], code, reply)
        self.assertTrue(body["error"]["message"], reply)

    def dns(self, label, rrtype):
        return dd.addresses(self.server.port, dd.fqdn(label), rrtype)

    def make_host(self, label, token=None):
        status, body, reply = self.call("POST", "/api/v1/hosts", {"name": dd.fqdn(label)},
                                        token=token)
        self.assertEqual(status, 201, reply)
        self.assertEqual(body["name"], dd.fqdn(label) + ".", reply)
        return body

    def test_openapi_document_is_served_without_a_token(self):
        status, body, reply = self.call("GET", "/api/v1/openapi.json", token="")
        self.assertEqual(status, 200, reply)
        self.assertTrue(body["openapi"].startswith("3."), body.get("openapi"))
        self.assertIn("/api/v1/hosts/{name}/records/{type}", body["paths"])

    def test_account(self):
        status, body, reply = self.call("GET", "/api/v1/account")
        self.assertEqual(status, 200, reply)
        self.assertEqual(body["name"], "alice", reply)

    def test_no_or_bad_token_is_401_json(self):
        self.assertError(self.call("GET", "/api/v1/account", token=""), 401, "unauthorized")
        self.assertError(self.call("GET", "/api/v1/hosts", token="not-a-token"), 401,
                         "unauthorized")

    def test_host_lifecycle_and_records(self):
        self.make_host("resthome")
        status, body, reply = self.call("GET", "/api/v1/hosts")
        self.assertEqual(status, 200, reply)
        self.assertIn(dd.fqdn("resthome") + ".", [h["name"] for h in body["hosts"]], reply)

        base = "/api/v1/hosts/%s/records" % dd.fqdn("resthome")
        status, body, reply = self.call("PUT", base + "/A",
                                        {"values": ["198.51.100.60", "198.51.100.61"], "ttl": 5})
        self.assertEqual(status, 200, reply)
        self.assertEqual(body["ttl"], 60, "TTL below the floor is raised: %r" % reply)
        self.assertEqual(self.dns("resthome", "A"), ["198.51.100.60", "198.51.100.61"])

        self.assertEqual(self.call("PUT", base + "/AAAA", {"values": ["2001:db8::60"]})[0], 200)
        self.assertEqual(self.dns("resthome", "AAAA"), ["2001:db8::60"])
        # Presentation form: one quoted string, or unquoted words as several strings.
        self.assertEqual(self.call("PUT", base + "/TXT", {"values": ['"hello world"']})[0], 200)
        self.assertEqual(self.dns("resthome", "TXT"), ['"hello world"'])
        self.assertEqual(self.call("PUT", base + "/TXT", {"values": ["hello world"]})[0], 200)
        self.assertEqual(self.dns("resthome", "TXT"), ['"hello" "world"'])
        self.assertEqual(self.call("PUT", base + "/MX", {"values": ["10 mail.example.org."]})[0],
                         200)
        self.assertEqual(self.dns("resthome", "MX"), ["10 mail.example.org."])
        self.assertEqual(self.call("PUT", base + "/CAA",
                                   {"values": ['0 issue "letsencrypt.org"']})[0], 200)
        self.assertEqual(self.dns("resthome", "CAA"), ['0 issue "letsencrypt.org"'])

        status, body, reply = self.call("GET", "/api/v1/hosts/%s" % dd.fqdn("resthome"))
        self.assertEqual(status, 200, reply)
        types = sorted(r["type"] for r in body["records"])
        self.assertEqual(types, ["A", "AAAA", "CAA", "MX", "TXT"], reply)

        status, _, reply = self.call("DELETE", base + "/A")
        self.assertEqual(status, 204, reply)
        self.assertEqual(self.dns("resthome", "A"), [])
        self.assertEqual(self.dns("resthome", "AAAA"), ["2001:db8::60"])

        status, body, reply = self.call("GET", "/api/v1/hosts/%s/history" % dd.fqdn("resthome"))
        self.assertEqual(status, 200, reply)
        self.assertTrue(any(e["result"] == "good" for e in body["entries"]), reply)

        status, _, reply = self.call("DELETE", "/api/v1/hosts/%s" % dd.fqdn("resthome"))
        self.assertEqual(status, 204, reply)
        self.assertEqual(self.dns("resthome", "AAAA"), [])
        self.assertError(self.call("GET", "/api/v1/hosts/%s" % dd.fqdn("resthome")), 404,
                         "not_found")

    def test_cname_and_srv(self):
        self.make_host("restalias")
        self.make_host("restsrv")
        base = "/api/v1/hosts/%s/records" % dd.fqdn("restalias")
        self.assertEqual(self.call("PUT", base + "/CNAME", {"values": ["www.example.org."]})[0],
                         200)
        self.assertEqual(self.dns("restalias", "CNAME"), ["www.example.org."])
        base = "/api/v1/hosts/%s/records" % dd.fqdn("restsrv")
        self.assertEqual(self.call("PUT", base + "/SRV",
                                   {"values": ["0 5 5060 sip.example.org."]})[0], 200)
        self.assertEqual(self.dns("restsrv", "SRV"), ["0 5 5060 sip.example.org."])

    def test_bad_input_gets_json_errors(self):
        self.make_host("restbad")
        base = "/api/v1/hosts/%s/records" % dd.fqdn("restbad")
        self.assertError(self.call("PUT", base + "/A", raw="{not json"), 400, "invalid")
        self.assertError(self.call("PUT", base + "/A", {"values": ["not-an-address"]}), 422,
                         "invalid")
        self.assertError(self.call("POST", "/api/v1/hosts", {"name": "www." + dd.ZONE}), 422,
                         "invalid")
        self.assertError(self.call("POST", "/api/v1/hosts", {"name": dd.fqdn("bobs")}), 409,
                         "conflict")
        self.assertEqual(self.dns("restbad", "A"), [])

    def test_someone_elses_host_is_not_reachable(self):
        base = "/api/v1/hosts/%s/records/A" % dd.fqdn("bobs")
        status, body, reply = self.call("PUT", base, {"values": ["192.0.2.99"]})
        self.assertIn(status, (403, 404), reply)
        self.assertIn(body["error"]["code"], ("forbidden", "not_found"), reply)
        self.assertEqual(self.dns("bobs", "A"), [])

    def test_scoped_token_made_over_the_api_then_revoked(self):
        self.make_host("restscoped")
        self.make_host("restother")
        status, body, reply = self.call("POST", "/api/v1/tokens",
                                        {"hosts": [dd.fqdn("restscoped")], "types": ["TXT"],
                                         "expires": "+1d"})
        self.assertEqual(status, 201, reply)
        scoped, token_id = body["token"], body["id"]
        # Within its scope: TXT of restscoped.
        path = "/api/v1/hosts/%s/records/TXT" % dd.fqdn("restscoped")
        self.assertEqual(self.call("PUT", path, {"values": ["scoped"]}, token=scoped)[0], 200)
        self.assertEqual(self.dns("restscoped", "TXT"), ['"scoped"'])
        # Outside it: another type, another host.
        self.assertError(self.call("PUT", "/api/v1/hosts/%s/records/A" % dd.fqdn("restscoped"),
                                   {"values": ["192.0.2.98"]}, token=scoped), 403, "forbidden")
        status, _, reply = self.call("PUT", "/api/v1/hosts/%s/records/TXT" % dd.fqdn("restother"),
                                     {"values": ["x"]}, token=scoped)
        self.assertIn(status, (403, 404), reply)
        self.assertEqual(self.dns("restother", "TXT"), [])
        # Revoked: refused at once.
        self.assertEqual(self.call("DELETE", "/api/v1/tokens/%s" % token_id)[0], 204)
        self.assertError(self.call("PUT", path, {"values": ["again"]}, token=scoped), 401,
                         "unauthorized")
        self.assertEqual(self.dns("restscoped", "TXT"), ['"scoped"'])


if __name__ == "__main__":
    tl.run_tests()
