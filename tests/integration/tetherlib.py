"""Helpers for Tether's integration tests (Python standard library only).

What is here:
  * ensure_netns(): re-executes the calling script inside a private network namespace
    (tests/integration/netns.sh) unless it already runs in one.
  * TempDir, free_port(): hermetic scratch space and loopback ports.
  * Tetherd, Knotd, Nsd: start a server on loopback with given zone files, wait until it
    answers, stop it (SIGTERM; tetherd must exit 0), kill it on failure, show its log.
  * dig(), kdig(), parse_dig(): run the real clients pinned to loopback and turn their
    text output into Answer objects (rcode, flags, sections as sorted normalised RR lines).
  * build_query(), parse_message(), udp_exchange(), tcp_exchange(): a tiny wire client for
    packets dig will not send (garbage, QR=1, QDCOUNT=2, ...).

Every wait is bounded by a deadline; every process started here is killed at exit at the
latest (an atexit hook), so a failing test does not leave servers behind.
"""

import atexit
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("TETHER_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))

DIG = shutil.which("dig") or "/usr/bin/dig"
KDIG = shutil.which("kdig") or "/usr/bin/kdig"
KNOTD = shutil.which("knotd") or "/usr/sbin/knotd"
NSD = shutil.which("nsd") or "/usr/sbin/nsd"

# ---------------------------------------------------------------------------------------
# Environment


def ensure_netns():
    """Re-executes this script in a private network namespace (only loopback) if needed."""
    if os.environ.get("TETHER_IN_NETNS") == "1":
        return
    netns = os.path.join(HERE, "netns.sh")
    script = os.path.abspath(sys.argv[0])
    os.execv(netns, [netns, sys.executable, script] + sys.argv[1:])


def tetherd_binary():
    """Path of the tetherd under test: $TETHERD, else the usual build directories."""
    path = os.environ.get("TETHERD")
    if path:
        return path
    for candidate in ("build/tetherd", "build/src/app/tetherd", "build-h3/src/app/tetherd"):
        full = os.path.join(SOURCE_DIR, candidate)
        if os.access(full, os.X_OK):
            return full
    raise RuntimeError("tetherd not found: set TETHERD")


class TempDir:
    """A temporary directory removed on close (kept if TETHER_KEEP_TMP=1)."""

    def __init__(self, prefix="tether-it-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def join(self, *parts):
        return os.path.join(self.path, *parts)

    def write(self, name, text):
        path = self.join(name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def close(self):
        if os.environ.get("TETHER_KEEP_TMP") == "1":
            sys.stderr.write("kept %s\n" % self.path)
            return
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def free_port(host="127.0.0.1"):
    """A port that is free for both UDP and TCP on `host` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(100):
        tcp = socket.socket(family, socket.SOCK_STREAM)
        udp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            tcp.bind((host, 0))
            port = tcp.getsockname()[1]
            try:
                udp.bind((host, port))
            except OSError:
                continue
            return port
        finally:
            tcp.close()
            udp.close()
    raise RuntimeError("no free port")


def write_atomically(path, text):
    """Replaces a file's content in one rename, so a reader never sees half of it."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------
# Processes

_live_processes = []


def _kill_leftovers():
    for proc in _live_processes:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.wait()


atexit.register(_kill_leftovers)


def _tail(path, lines=60):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


class ServerError(Exception):
    pass


class Server:
    """A server process whose stderr/stdout go to a log file in its temporary directory."""

    name = "server"

    def __init__(self, tmp=None):
        self._own_tmp = tmp is None
        self.tmp = tmp or TempDir(prefix="tether-%s-" % self.name)
        self.log_path = self.tmp.join("%s.log" % self.name)
        self.proc = None
        self.endpoints = []  # [(host, port)]

    # The first endpoint, for the common single-endpoint case.
    @property
    def host(self):
        return self.endpoints[0][0]

    @property
    def port(self):
        return self.endpoints[0][1]

    def _spawn(self, argv, cpu=None):
        if cpu is not None:
            argv = ["taskset", "-c", str(cpu)] + argv
        self.argv = argv
        self._log = open(self.log_path, "ab")
        # A new session so that stop() and the atexit hook reach forked children too.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _live_processes.append(self.proc)

    def log(self):
        return _tail(self.log_path, 10**6)

    def fail(self, message):
        text = "%s: %s\ncommand: %s\n--- %s log (tail) ---\n%s" % (
            self.name, message, " ".join(self.argv), self.name, _tail(self.log_path))
        self.kill()
        raise ServerError(text)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_answers(self, qname, qtype="SOA", timeout=30.0):
        """Polls with UDP queries until the server answers `qname` authoritatively."""
        deadline = time.monotonic() + timeout
        host, port = self.endpoints[0]
        packet = build_query(qname, qtype, rd=False)
        while time.monotonic() < deadline:
            if not self.alive():
                self.fail("exited with status %s while loading" % self.proc.returncode)
            reply = udp_exchange(host, port, packet, timeout=0.2)
            if reply is not None:
                msg = parse_message(reply)
                if msg and msg["rcode"] == 0 and msg["aa"] and msg["ancount"] > 0:
                    return
            time.sleep(0.05)
        self.fail("did not answer %s %s within %.0f s" % (qname, qtype, timeout))

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=15.0, expect_status=0):
        """SIGTERM, wait, and check the exit status (None: don't check). Returns it."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail("did not exit within %.0f s of SIGTERM" % timeout)
        self._close()
        if expect_status is not None and status != expect_status:
            raise ServerError("%s exited with status %s, expected %s\n--- log ---\n%s" % (
                self.name, status, expect_status, _tail(self.log_path)))
        return status

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None
        # Forked children (NSD) may outlive the parent on a bad exit.
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        if self._own_tmp:
            self.tmp.close()
            self._own_tmp = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        if exc_type is None:
            self.stop()
        else:
            self.kill()


_LISTENING = re.compile(r"listening dns (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)")


class Tetherd(Server):
    """The tetherd under test.

    Tetherd(zones={"example.": "/path/example.zone"}, dns=["127.0.0.1:0", "[::1]:0"])
    """

    name = "tetherd"

    def __init__(self, zones, dns=("127.0.0.1:0",), threads=None, extra_args=(),
                 tmp=None, binary=None, cpu=None, start=True, timeout=30.0):
        super().__init__(tmp)
        self.zones = dict(zones)
        self.dns = list(dns)
        self.binary = binary or tetherd_binary()
        self.data_dir = self.tmp.join("data")
        argv = [self.binary, "--data-dir", self.data_dir, "--log-level", "info"]
        for endpoint in self.dns:
            argv += ["--dns", endpoint]
        for origin, path in self.zones.items():
            argv += ["--zone", "%s=%s" % (origin, path)]
        if threads is not None:
            argv += ["--threads", str(threads)]
        argv += list(extra_args)
        self._argv = argv
        self._cpu = cpu
        if start:
            self.start(timeout)

    def start(self, timeout=30.0):
        self._spawn(self._argv, self._cpu)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = _LISTENING.findall(_tail(self.log_path, 10**6))
            if len(found) >= len(self.dns):
                self.endpoints = [(h.strip("[]"), int(p)) for h, p in found[:len(self.dns)]]
                return self
            if not self.alive():
                self.fail("exited with status %s before listening" % self.proc.returncode)
            time.sleep(0.02)
        self.fail("no 'listening dns' line for each of %s within %.0f s" % (self.dns, timeout))

    def reload(self):
        self.signal(signal.SIGHUP)


class Knotd(Server):
    """knotd with a throw-away configuration, listening on 127.0.0.1 (and ::1 if ipv6)."""

    name = "knotd"

    def __init__(self, zones, tmp=None, ipv6=False, cpu=None, workers=1, extra_server="",
                 wait=True, timeout=60.0):
        super().__init__(tmp)
        self.zones = dict(zones)
        port = free_port("127.0.0.1")
        self.endpoints = [("127.0.0.1", port)]
        listen = ["127.0.0.1@%d" % port]
        if ipv6:
            port6 = free_port("::1")
            self.endpoints.append(("::1", port6))
            listen.append("::1@%d" % port6)
        t = self.tmp
        conf = [
            "server:",
            "    rundir: \"%s\"" % t.path,
            "    listen: [ %s ]" % ", ".join(listen),
            "    udp-workers: %d" % workers,
            "    tcp-workers: %d" % workers,
            "    background-workers: 1",
            "    automatic-acl: off",
        ] + ["    " + line for line in extra_server.splitlines() if line.strip()] + [
            "control:",
            "    listen: \"%s\"" % t.join("knot.sock"),
            "database:",
            "    storage: \"%s\"" % t.path,
            "    journal-db: \"%s\"" % t.join("journal"),
            "    kasp-db: \"%s\"" % t.join("kasp"),
            "    timer-db: \"%s\"" % t.join("timer"),
            "    catalog-db: \"%s\"" % t.join("catalog"),
            "log:",
            "  - target: stderr",
            "    any: info",
            "template:",
            "  - id: default",
            "    storage: \"%s\"" % t.path,
            "    zonefile-sync: -1",
            "    zonefile-load: whole",
            "    journal-content: none",
            "    semantic-checks: off",
            "zone:",
        ]
        for origin, path in self.zones.items():
            conf += ["  - domain: \"%s\"" % origin, "    file: \"%s\"" % os.path.abspath(path)]
        self.conf_path = t.write("knot.conf", "\n".join(conf) + "\n")
        self._spawn([KNOTD, "-c", self.conf_path], cpu)
        if wait:
            for origin in self.zones:
                self.wait_answers(origin, "SOA", timeout)


class Nsd(Server):
    """nsd in the foreground with a throw-away nsd.conf on 127.0.0.1 (and ::1 if ipv6)."""

    name = "nsd"

    def __init__(self, zones, tmp=None, ipv6=False, cpu=None, extra_server="", wait=True,
                 timeout=60.0):
        super().__init__(tmp)
        self.zones = dict(zones)
        port = free_port("127.0.0.1")
        self.endpoints = [("127.0.0.1", port)]
        addresses = ["    ip-address: 127.0.0.1@%d" % port]
        if ipv6:
            port6 = free_port("::1")
            self.endpoints.append(("::1", port6))
            addresses.append("    ip-address: ::1@%d" % port6)
        t = self.tmp
        conf = ["server:"] + addresses + [
            "    do-ip4: yes",
            "    do-ip6: %s" % ("yes" if ipv6 else "no"),
            "    zonesdir: \"%s\"" % t.path,
            "    pidfile: \"%s\"" % t.join("nsd.pid"),
            "    xfrdfile: \"%s\"" % t.join("xfrd.state"),
            "    zonelistfile: \"%s\"" % t.join("zone.list"),
            "    database: \"\"",
            "    username: \"\"",
            "    chroot: \"\"",
            "    rrl-ratelimit: 0",
            "    minimal-responses: yes",
            "    refuse-any: no",
            "    verbosity: 1",
            "    server-count: 1",
            "    hide-version: yes",
        ] + ["    " + line for line in extra_server.splitlines() if line.strip()] + [
            "remote-control:",
            "    control-enable: no",
        ]
        for origin, path in self.zones.items():
            conf += ["zone:", "    name: \"%s\"" % origin,
                     "    zonefile: \"%s\"" % os.path.abspath(path)]
        self.conf_path = t.write("nsd.conf", "\n".join(conf) + "\n")
        self._spawn([NSD, "-d", "-c", self.conf_path], cpu)
        if wait:
            for origin in self.zones:
                self.wait_answers(origin, "SOA", timeout)


# ---------------------------------------------------------------------------------------
# dig / kdig


class Answer:
    """One response as dig or kdig printed it."""

    def __init__(self):
        self.opcode = None
        self.rcode = None
        self.id = None
        self.flags = set()
        self.counts = {}
        self.edns = None  # dict(version=, flags=set(), udp=, options=[lines]) or None
        self.question = []
        self.answer = []
        self.authority = []
        self.additional = []
        self.text = ""
        self.server = None

    def section(self, name):
        return getattr(self, name)

    def rrs(self, section="answer", rrtype=None):
        """Sorted lines of one section, optionally only one type."""
        lines = getattr(self, section)
        if rrtype is None:
            return lines
        return [line for line in lines if line.split(" ")[3] == rrtype.upper()]

    def summary(self):
        return "%s %s %s" % (self.opcode, self.rcode, " ".join(sorted(self.flags)))

    def __repr__(self):
        return "<Answer %s an=%s ns=%s ar=%s>" % (self.summary(), self.answer, self.authority,
                                                  self.additional)


def _tokens(text):
    """Splits an RR line on whitespace, keeping quoted strings (with escapes) whole."""
    out, cur, i, quoted = [], "", 0, False
    while i < len(text):
        c = text[i]
        if quoted:
            cur += c
            if c == "\\" and i + 1 < len(text):
                cur += text[i + 1]
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
            cur += c
        elif c.isspace():
            if cur:
                out.append(cur)
                cur = ""
        else:
            cur += c
        i += 1
    if cur:
        out.append(cur)
    return out


def normalise_rr(line, fold_case=False):
    """'Name. 60 IN A 1.2.3.4' with single spaces; fold_case lower-cases all but quotes."""
    toks = _tokens(line)
    if fold_case:
        toks = [t if t.startswith('"') else t.lower() for t in toks]
    return " ".join(toks)


def fold_answer_case(ans):
    """A copy of the answer's sections with names case-folded (quoted text kept)."""
    return {s: sorted(normalise_rr(l, True) for l in getattr(ans, s))
            for s in ("question", "answer", "authority", "additional")}


_HEADER = re.compile(r"->>HEADER<<- opcode: (\w+)[,;] status: (\w+)[,;] id: (\d+)")
_FLAGS = re.compile(r";; [Ff]lags:([^;]*);(.*)")
_SECTION = re.compile(r";; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:")


def parse_dig(text):
    """All responses in dig or kdig text output, in order (failed lookups are skipped)."""
    answers = []
    cur = None
    section = None
    for raw in text.splitlines():
        line = raw.rstrip()
        m = _HEADER.search(line)
        if m:
            cur = Answer()
            answers.append(cur)
            cur.opcode, cur.rcode, cur.id = m.group(1), m.group(2), int(m.group(3))
            cur.text = line + "\n"
            section = None
            continue
        if cur is None:
            continue
        cur.text += raw + "\n"
        m = _FLAGS.match(line)
        if m:
            cur.flags = set(m.group(1).split())
            for part in re.split(r"[,;]", m.group(2)):
                if ":" in part:
                    k, v = part.split(":", 1)
                    cur.counts[k.strip().upper()] = int(v)
            continue
        if not line:
            section = None
            continue
        if line.startswith(";; OPT PSEUDOSECTION") or line.startswith(";; EDNS PSEUDOSECTION"):
            cur.edns = {"version": None, "flags": set(), "udp": None, "options": []}
            section = "edns"
            continue
        m = _SECTION.match(line)
        if m:
            section = m.group(1).lower()
            continue
        if line.startswith(";; SERVER:") or line.startswith(";; From "):
            cur.server = line
            section = None
            continue
        if section == "edns":
            _parse_edns_line(cur.edns, line)
        elif section == "question":
            cur.question.append(normalise_rr(line.lstrip(";")))
        elif section in ("answer", "authority", "additional") and not line.startswith(";"):
            getattr(cur, section).append(normalise_rr(line))
        elif line.startswith(";;"):
            section = None
    for a in answers:
        a.question.sort()
        a.answer.sort()
        a.authority.sort()
        a.additional.sort()
    return answers


def _parse_edns_line(edns, line):
    body = line.lstrip(";").strip()
    # dig: "EDNS: version: 0, flags: do; udp: 1232"   kdig: "Version: 0; flags: do; UDP size: 1232 B; ext-rcode: NOERROR"
    m = re.match(r"(?:EDNS: )?[Vv]ersion: (\d+)[,;] flags:([^;]*); (?:udp|UDP size): (\d+)", body)
    if m:
        edns["version"] = int(m.group(1))
        edns["flags"] = set(m.group(2).replace(",", " ").split())
        edns["udp"] = int(m.group(3))
        return
    if body:
        edns["options"].append(body)


class DigError(Exception):
    pass


def dig(port, *args, host="127.0.0.1", tcp=False, timeout_s=2, tries=1, norecurse=True,
        expect=1, check=True):
    """Runs dig against host#port and returns the parsed responses.

    `args` are dig arguments (names, types, +options); several queries may be given at once
    (dig applies options written after a name to that query only). With check, fails unless
    exactly `expect` responses were printed (expect=None: any number).
    """
    argv = [DIG, "@" + host, "-p", str(port), "+time=%d" % timeout_s, "+tries=%d" % tries,
            "+nocookie"]
    if norecurse:
        argv.append("+norecurse")
    if tcp:
        argv.append("+tcp")
    argv += list(args)
    return _run_client(argv, expect, check, budget=30 + timeout_s * tries * max(expect or 1, 1))


def kdig(port, *args, host="127.0.0.1", tcp=False, timeout_s=2, retries=0, norecurse=True,
         expect=1, check=True):
    """Runs kdig against host#port (UDP unless tcp) and returns the parsed responses."""
    argv = [KDIG, "@" + host, "-p", str(port), "+timeout=%d" % timeout_s,
            "+retry=%d" % retries, "+tcp" if tcp else "+notcp"]
    if norecurse:
        argv.append("+norecurse")
    argv += list(args)
    return _run_client(argv, expect, check, budget=30 + timeout_s * (retries + 1) * max(expect or 1, 1))


def _run_client(argv, expect, check, budget):
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=budget)
    except subprocess.TimeoutExpired:
        raise DigError("%s: no exit within %d s" % (" ".join(argv), budget))
    answers = parse_dig(proc.stdout)
    if check and expect is not None and len(answers) != expect:
        raise DigError("%s: expected %d response(s), got %d (status %d)\nstdout:\n%s\nstderr:\n%s"
                       % (" ".join(argv), expect, len(answers), proc.returncode, proc.stdout,
                          proc.stderr))
    for a in answers:
        a.command = " ".join(argv)
    return answers


# ---------------------------------------------------------------------------------------
# Wire format: just enough to send odd packets and read the replies.

RRTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13, "MX": 15,
           "TXT": 16, "AAAA": 28, "SRV": 33, "NAPTR": 35, "DNAME": 39, "OPT": 41, "DS": 43,
           "SSHFP": 44, "TLSA": 52, "SVCB": 64, "HTTPS": 65, "CAA": 257, "ANY": 255,
           "AXFR": 252}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
          5: "REFUSED", 16: "BADVERS"}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split(".") if name.strip(".") else []:
        raw = label.encode()
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def build_query(qname, qtype="A", qid=None, rd=True, qr=False, opcode=0, qdcount=None,
                edns=None, extra_questions=()):
    """A query message. edns: None or dict(payload=1232, version=0, do=False, options=b"")."""
    qid = random.randrange(65536) if qid is None else qid
    flags = (0x8000 if qr else 0) | (opcode << 11) | (0x0100 if rd else 0)
    questions = [(qname, qtype)] + list(extra_questions)
    body = b""
    for name, t in questions:
        code = RRTYPES[t] if isinstance(t, str) else t
        body += encode_name(name) + struct.pack("!HH", code, 1)
    arcount = 0
    if edns is not None:
        opts = edns.get("options", b"")
        ttl = (edns.get("version", 0) << 16) | (0x8000 if edns.get("do") else 0)
        body += b"\x00" + struct.pack("!HHIH", 41, edns.get("payload", 1232), ttl, len(opts))
        body += opts
        arcount = 1
    qd = len(questions) if qdcount is None else qdcount
    return struct.pack("!HHHHHH", qid, flags, qd, 0, 0, arcount) + body


def _read_name(data, offset):
    """(name, offset after it); follows compression pointers, bounded."""
    labels, jumps, end = [], 0, None
    while True:
        if offset >= len(data):
            raise ValueError("name runs past end")
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(data) or jumps > 64:
                raise ValueError("bad pointer")
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | data[offset + 1]
            jumps += 1
            continue
        offset += 1
        if length == 0:
            break
        labels.append(data[offset:offset + length].decode("latin-1"))
        offset += length
    return ".".join(labels) + ".", (end if end is not None else offset)


def parse_message(data):
    """Header, question and record summaries of a DNS message; None if unparseable."""
    try:
        qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", data[:12])
        msg = {"id": qid, "qr": bool(flags & 0x8000), "opcode": (flags >> 11) & 0xF,
               "aa": bool(flags & 0x0400), "tc": bool(flags & 0x0200),
               "rd": bool(flags & 0x0100), "ra": bool(flags & 0x0080),
               "rcode": flags & 0xF, "qdcount": qd, "ancount": an, "nscount": ns,
               "arcount": ar, "question": [], "records": [], "edns": None}
        off = 12
        for _ in range(qd):
            name, off = _read_name(data, off)
            qtype, qclass = struct.unpack("!HH", data[off:off + 4])
            off += 4
            msg["question"].append((name, qtype, qclass))
        for index in range(an + ns + ar):
            name, off = _read_name(data, off)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", data[off:off + 10])
            off += 10
            rdata = data[off:off + rdlen]
            if len(rdata) != rdlen:
                raise ValueError("short rdata")
            off += rdlen
            sec = "answer" if index < an else "authority" if index < an + ns else "additional"
            if rtype == 41:
                msg["edns"] = {"payload": rclass, "ext_rcode": ttl >> 24,
                               "version": (ttl >> 16) & 0xFF, "do": bool(ttl & 0x8000),
                               "options": rdata}
            else:
                msg["records"].append((sec, name, rtype, rclass, ttl, rdata))
        if msg["edns"]:
            msg["rcode"] |= msg["edns"]["ext_rcode"] << 4
        msg["size"] = len(data)
        return msg
    except (ValueError, struct.error, IndexError):
        return None


def udp_exchange(host, port, packet, timeout=1.0):
    """Sends one datagram and returns the first reply datagram, or None on timeout."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.send(packet)
        try:
            return s.recv(65535)
        except (socket.timeout, ConnectionRefusedError):
            return None


def tcp_exchange(host, port, packet, timeout=2.0):
    """Sends one length-prefixed message over a new TCP connection; the reply or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.sendall(struct.pack("!H", len(packet)) + packet)
        try:
            head = _recv_exact(s, 2)
            return _recv_exact(s, struct.unpack("!H", head)[0])
        except (socket.timeout, ConnectionError, EOFError):
            return None


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


# ---------------------------------------------------------------------------------------
# unittest glue


def run_tests():
    """unittest.main() that exits non-zero on failure, inside a private netns."""
    import unittest
    ensure_netns()
    unittest.main(verbosity=2)


def server_kind():
    """Which server the tetherd tests drive: $TETHER_IT_SERVER (tetherd, knotd or nsd).

    knotd/nsd exist to validate the harness itself while tetherd is young."""
    return os.environ.get("TETHER_IT_SERVER", "tetherd")


def start_server_under_test(zones, ipv6=True, tmp=None, threads=None):
    """Starts the server under test on 127.0.0.1 (and ::1) and waits until it answers."""
    kind = server_kind()
    if kind == "tetherd":
        dns = ["127.0.0.1:0"] + (["[::1]:0"] if ipv6 else [])
        server = Tetherd(zones, dns=dns, tmp=tmp, threads=threads)
        for origin in zones:
            server.wait_answers(origin, "SOA", timeout=30)
        return server
    if kind == "knotd":
        return Knotd(zones, tmp=tmp, ipv6=ipv6)
    if kind == "nsd":
        return Nsd(zones, tmp=tmp, ipv6=ipv6)
    raise ValueError("TETHER_IT_SERVER=%s" % kind)
