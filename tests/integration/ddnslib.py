"""Helpers for the HTTP update API tests (docs/http-api.md), standard library only.

  * start_ddns_server(): a tetherd with DNS and HTTP(S) on loopback and one service zone.
  * Account helpers around `tether user/host/token/host credential` that return the secrets
    the command printed once (`id: N`, `token: X`, `username: U`, `password: P`).
  * curl(): the real curl against an endpoint; returns an HttpReply (status, headers, body,
    curl's verbose log) and checks what every answer of the API must satisfy
    (check_reply(): Content-Length equal to the body, never chunked, never 429, no success
    word in an error line); CurlError if no answer came. nic_update(): curl on a tetherd's
    /nic/update.
  * raw_http(): one request on a raw socket, reading until the server closes (HTTP/1.0).
  * addresses(): what dig sees at a name (A, AAAA, TXT, ...), rdata only, sorted.
  * make_self_signed(): an openssl certificate for 127.0.0.1 / ::1 / localhost.
"""

import base64
import os
import re
import shutil
import socket
import subprocess
import time

import tetherlib as tl

CURL = shutil.which("curl") or "/usr/bin/curl"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"

ZONE = "dyn.example.net."
NS = "ns1.example.net"

# docs/http-api.md: "No error body contains ok, good, nochg, true, updated or success in any
# case (inadyn treats those as success)."
SUCCESS_WORDS = ("ok", "good", "nochg", "true", "updated", "success")
SUCCESS_ANSWERS = ("good", "nochg")
# Every answer a dyndns2 client may see, per host or per request.
DYNDNS2_ANSWERS = ("good", "nochg", "nohost", "notfqdn", "abuse", "dnserr", "911", "badauth",
                   "badagent", "numhost", "!donator")


def fqdn(label):
    """`label.dyn.example.net` (no final dot: what routers send)."""
    return "%s.%s" % (label, ZONE.rstrip("."))


def start_ddns_server(tmp, http=("127.0.0.1:0",), https=(), tls_cert=None, tls_key=None,
                      config=None, dns=("127.0.0.1:0",), zone=ZONE, **kw):
    """tetherd with DNS + HTTP on loopback and `zone` as a service zone (tether zone add
    --service). Waits until the zone answers."""
    server = tl.Tetherd(dns=list(dns), http=list(http), https=list(https), tls_cert=tls_cert,
                        tls_key=tls_key, config=config, tmp=tmp, **kw)
    try:
        server.admin("zone", "add", zone, "--service", "--ns", NS)
        server.wait_answers(zone, "SOA", timeout=30)
    except Exception:
        server.kill()
        raise
    return server


def start_configured_server(test, config_text):
    """For a unittest.TestCase: a temporary directory and start_ddns_server with `config_text`
    as its --config file, both cleaned up with the test. Returns (tmp, server)."""
    tmp = tl.TempDir()
    test.addCleanup(tmp.close)
    server = start_ddns_server(tmp, config=tmp.write("tetherd.toml", config_text))
    test.addCleanup(server.kill)
    return tmp, server


def add_abuse_desk(server, names=("desk", "desk2")):
    """Users of role abuse, each with the password NAME-pw-333."""
    for name in names:
        server.admin("user", "add", name, "--password", name + "-pw-333", "--role", "abuse")


def parse_fields(stdout):
    """{'id': ..., 'token': ..., 'username': ..., 'password': ...} from `KEY: VALUE` lines."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"^\s*([A-Za-z-]+):\s*(\S.*?)\s*$", line)
        if m:
            out.setdefault(m.group(1).lower(), m.group(2))
    return out


def add_user(server, name, password, host_limit=100):
    """`tether user add` (the default host limit is 5; the tests need more)."""
    args = ["user", "add", name, "--password", password]
    if host_limit is not None:
        args += ["--host-limit", str(host_limit)]
    return parse_fields(server.admin(*args).stdout)


def add_host(server, name, user):
    return server.admin("host", "add", name, "--user", user)


def add_token(server, user, hosts=None, types=None, networks=None, expires=None):
    """(id, secret) of a new token."""
    args = ["token", "add", "--user", user]
    if hosts:
        args += ["--host", ",".join(hosts)]
    if types:
        args += ["--types", ",".join(types)]
    if networks:
        args += ["--networks", ",".join(networks)]
    if expires:
        args += ["--expires", expires]
    result = server.admin(*args)
    fields = parse_fields(result.stdout)
    if "id" not in fields or "token" not in fields:
        raise AssertionError("`tether token add` printed no id/token:\n%r" % result)
    return fields["id"], fields["token"]


def add_host_credential(server, host):
    """(username, password) of a new per-host credential."""
    result = server.admin("host", "credential", "add", host)
    fields = parse_fields(result.stdout)
    if "username" not in fields or "password" not in fields:
        raise AssertionError("`tether host credential add` printed no username/password:\n%r"
                             % result)
    return fields["username"], fields["password"]


# ---------------------------------------------------------------------------------------
# HTTP


class HttpReply:
    """One HTTP response as curl saw it."""

    def __init__(self, status, version, headers, body, log="", argv=None, exit_code=0):
        self.status = status          # int
        self.version = version        # "HTTP/1.1"
        self.headers = headers        # [(name lower-case, value)]
        self.body = body              # str
        self.log = log                # curl -v output (stderr)
        self.argv = argv or []
        self.exit_code = exit_code

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    @property
    def lines(self):
        return [line.strip() for line in self.body.strip().splitlines()]

    @property
    def words(self):
        """The first word of each body line (good, nochg, nohost, OK, KO...)."""
        return [line.split()[0] if line.split() else "" for line in self.lines]

    def __repr__(self):
        return "<HTTP %s %s %r\nheaders: %s\ncurl: %s\n%s>" % (
            self.version, self.status, self.body, self.headers, " ".join(self.argv),
            self.log[-3000:] if self.log else "")


def _parse_header_block(text):
    """[(version, status, [(name, value)])] of every response in a curl -D dump."""
    out = []
    for block in re.split(r"\r?\n\r?\n", text):
        lines = [l for l in block.splitlines() if l.strip()]
        if not lines:
            continue
        m = re.match(r"^(HTTP/[\d.]+)\s+(\d{3})", lines[0])
        if not m:
            continue
        headers = []
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers.append((k.strip().lower(), v.strip()))
        out.append((m.group(1), int(m.group(2)), headers))
    return out


def curl(url, user=None, headers=(), data=None, http10=False, cacert=None, method=None,
         extra=(), timeout=20, check=True):
    """Runs `curl -sS -v` once and returns the HttpReply; check: check_reply() it.

    user: "name:password" for Basic (-u). headers: ["Authorization: Bearer X", ...].
    data: a form body (POST). http10: -0. cacert: --cacert FILE (https)."""
    tmpdir = os.environ.get("TMPDIR", "/tmp")
    stamp = "%d-%d" % (os.getpid(), time.monotonic_ns())
    head_path = os.path.join(tmpdir, "tether-curl-h-%s" % stamp)
    body_path = os.path.join(tmpdir, "tether-curl-b-%s" % stamp)
    argv = [CURL, "-sS", "-v", "--noproxy", "*", "--max-time", str(timeout), "-g",
            "-D", head_path, "-o", body_path]
    if user is not None:
        argv += ["-u", user]
    for h in headers:
        argv += ["-H", h]
    if data is not None:
        argv += ["--data", data]
    if http10:
        argv.append("-0")
    if cacert:
        argv += ["--cacert", cacert]
    if method:
        argv += ["-X", method]
    argv += list(extra)
    argv.append(url)
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout + 10)
        try:
            with open(head_path, errors="replace") as f:
                head = f.read()
            with open(body_path, "rb") as f:
                raw_body = f.read()
        except OSError:
            head, raw_body = "", b""
    finally:
        for path in (head_path, body_path):
            try:
                os.unlink(path)
            except OSError:
                pass
    log = proc.stderr.decode("utf-8", "replace")
    blocks = _parse_header_block(head)
    if proc.returncode != 0 or not blocks:
        raise CurlError("curl failed (exit %d): %s\n%s" % (proc.returncode, " ".join(argv),
                                                                log[-3000:]))
    version, status, hdrs = blocks[-1]
    reply = HttpReply(status, version, hdrs, raw_body.decode("utf-8", "replace"), log, argv,
                      proc.returncode)
    reply.raw_body = raw_body
    if check:
        check_reply(reply)
    return reply


class CurlError(AssertionError):
    """curl got no HTTP answer (connection refused, timeout, ...)."""


def nic_update(server, query, user, source=None, **kw):
    """curl http://HTTP-ENDPOINT/nic/update?QUERY with Basic `user` ("name:password", or
    "x:TOKEN"), from the loopback address `source` (127.0.0.N) if given, on tetherd `server`'s
    first HTTP endpoint."""
    host, port = server.http_endpoints[0]
    host = "[%s]" % host if ":" in host else host
    extra = list(kw.pop("extra", ()))
    if source:
        extra += ["--interface", source]
    return curl("http://%s:%d/nic/update?%s" % (host, port, query), user=user, extra=extra, **kw)


def check_reply(reply):
    """What docs/http-api.md promises of every answer; raises AssertionError otherwise."""
    problems = []
    if reply.status == 429:
        problems.append("HTTP 429 (the API throttles with 911 / 503, never 429)")
    length = reply.header("content-length")
    if length is None:
        problems.append("no Content-Length")
    elif int(length) != len(getattr(reply, "raw_body", reply.body.encode())):
        problems.append("Content-Length %s but %d body bytes" % (length, len(reply.raw_body)))
    if (reply.header("transfer-encoding") or "").lower().find("chunked") >= 0:
        problems.append("chunked")
    if reply.status == 503 and reply.header("retry-after") is None:
        problems.append("503 without Retry-After")
    date = reply.header("date")
    if reply.status < 500 and not (date and re.fullmatch(
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
            r"\d{4} \d\d:\d\d:\d\d GMT", date)):
        problems.append("no IMF-fixdate Date header (RFC 9110 6.6.1): %r" % date)
    problems += error_word_problems(reply.body)
    if problems:
        raise AssertionError("contract broken: %s\n%r" % ("; ".join(problems), reply))


def error_word_problems(body):
    """Lines of an answer that are errors yet contain a word a client takes for success.

    A DuckDNS success (`OK`, then with verbose=true the addresses and UPDATED/NOCHANGE) and
    dyndns2 `good`/`nochg` lines are successes; every other line is an error line."""
    lines = [l.strip() for l in body.strip().splitlines() if l.strip()]
    if lines and lines[0] == "OK":
        return []
    problems = []
    for line in lines:
        if line.split()[0] in SUCCESS_ANSWERS:
            continue
        low = line.lower()
        for word in SUCCESS_WORDS:
            if word in low:
                problems.append("error line %r contains %r" % (line, word))
    return problems


def basic(user, password):
    return "Authorization: Basic " + base64.b64encode(
        ("%s:%s" % (user, password)).encode()).decode()


class RawReply:
    def __init__(self, data, closed):
        self.data = data
        self.closed = closed  # the server closed the connection after the answer
        head, _, self.body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.headers = [(k.strip().lower(), v.strip()) for k, _, v in
                        (l.partition(":") for l in lines[1:]) if k]

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def __repr__(self):
        return "<raw closed=%s %r>" % (self.closed, self.data[:2000])


def raw_http(host, port, request, timeout=5.0):
    """Sends `request` (bytes) and reads until the server closes or `timeout` passes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    data, closed = b"", False
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.sendall(request)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
    return RawReply(data, closed)


# ---------------------------------------------------------------------------------------
# DNS


def addresses(port, name, rrtype="A", host="127.0.0.1"):
    """Sorted rdata of `name rrtype` as dig shows it (empty if none); asserts an
    authoritative NOERROR or NXDOMAIN."""
    name = name if name.endswith(".") else name + "."
    ans = tl.dig(port, name, rrtype, host=host)[0]
    if ans.rcode not in ("NOERROR", "NXDOMAIN") or "aa" not in ans.flags:
        raise AssertionError("dig %s %s: %s\n%s" % (name, rrtype, ans.summary(), ans.text))
    out = []
    for line in ans.rrs("answer", rrtype):
        parts = tl._tokens(line)
        if parts[0].lower() == name.lower():
            out.append(" ".join(parts[4:]))
    return sorted(out)


# ---------------------------------------------------------------------------------------
# TLS


def make_self_signed(tmp, name="tether-test"):
    """(cert path, key path): a self-signed certificate for localhost, 127.0.0.1 and ::1."""
    cert, key = tmp.join("%s.crt" % name), tmp.join("%s.key" % name)
    argv = [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError("openssl req failed:\n%s" % proc.stderr)
    return cert, key
