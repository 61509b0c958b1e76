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
    packets dig will not send (garbage, QR=1, QDCOUNT=2, ...); lookup(), one query with it
    for tests that poll a server many times a second; wait_until(), a bounded poll.
  * tether(): the `tether` admin command against a data directory.
  * nsupdate(), knsupdate(): the real update clients, with the RCODE they reported.
  * TsigKey, UpdateMessage, send_update(): a small RFC 2136 + TSIG (RFC 8945) client of our
    own, for many concurrent updates (the crash test) and for checking signed responses.
  * Named: BIND's named as a peer (updates with TSIG; the benchmark).

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
UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
NAMED = shutil.which("named") or "/usr/sbin/named"
NSUPDATE = shutil.which("nsupdate") or "/usr/bin/nsupdate"
KNSUPDATE = shutil.which("knsupdate") or "/usr/bin/knsupdate"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

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
    for candidate in ("build/tetherd",):
        full = os.path.join(SOURCE_DIR, candidate)
        if os.access(full, os.X_OK):
            return full
    raise RuntimeError("tetherd not found: set TETHERD")


def tether_binary():
    """Path of the `tether` admin command: $TETHER, else next to tetherd's build."""
    path = os.environ.get("TETHER")
    if path:
        return path
    for candidate in ("build/tether",):
        full = os.path.join(SOURCE_DIR, candidate)
        if os.access(full, os.X_OK):
            return full
    raise RuntimeError("tether not found: set TETHER")


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


# Ports for servers the tests start (knotd, nsd, named, nginx, ...) come from below the
# ephemeral range: netns.sh gives clients' automatic source ports 40000-60999. A server that
# sets SO_REUSEADDR on its UDP socket (knotd does) could otherwise share its port with a
# client that sets it too (dig does) and got that port as its source port: the client then
# receives its own query.
SERVER_PORTS = (20000, 39999)


def free_port(host="127.0.0.1"):
    """A port that is free for both UDP and TCP on `host` right now, outside the range the
    kernel gives clients (SERVER_PORTS)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(*SERVER_PORTS)
        tcp = socket.socket(family, socket.SOCK_STREAM)
        udp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            try:
                tcp.bind((host, port))
                udp.bind((host, port))
            except OSError:
                continue
            return port
        finally:
            tcp.close()
            udp.close()
    raise RuntimeError("no free port")


def _pin_port(endpoint):
    """"127.0.0.1:0" / "[::1]:0" -> the same with a free_port(); others unchanged."""
    host, _, port = endpoint.rpartition(":")
    if port != "0":
        return endpoint
    return "%s:%d" % (host, free_port(host.strip("[]")))


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
_LISTENING_HTTP = re.compile(r"listening (https?) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)")


class Tetherd(Server):
    """The tetherd under test.

    Tetherd(zones={"example.": "/path/example.zone"}, dns=["127.0.0.1:0", "[::1]:0"])

    Its data directory (the SQLite store, control.sock) is `data_dir`, by default "data" in
    its temporary directory; stop() or crash() and then start() again serve the same store
    (on newly picked ports when port 0 was asked for). admin(...) runs `tether` against it.

    http=["127.0.0.1:0", "[::1]:0"] and https=[...] (with tls_cert/tls_key files) add the
    HTTP update API's endpoints; start() then also waits for their `listening http ADDR:PORT`
    / `listening https ADDR:PORT` lines, kept in http_endpoints / https_endpoints as
    (host, port). config: a TOML file for --config.
    """

    name = "tetherd"

    def __init__(self, zones=None, dns=("127.0.0.1:0",), threads=None, extra_args=(),
                 tmp=None, binary=None, cpu=None, start=True, timeout=30.0, data_dir=None,
                 log_level="info", http=(), https=(), tls_cert=None, tls_key=None,
                 config=None):
        super().__init__(tmp)
        self.zones = dict(zones or {})
        # DNS port 0 becomes a free port below the clients' range (see SERVER_PORTS): dig
        # sets SO_REUSEPORT on its sockets, and the kernel may give a client of the same user
        # a port that a SO_REUSEPORT server took by port 0.
        self.dns = [_pin_port(endpoint) for endpoint in dns]
        self.http = list(http)
        self.https = list(https)
        self.http_endpoints = []
        self.https_endpoints = []
        self.binary = binary or tetherd_binary()
        self.data_dir = data_dir or self.tmp.join("data")
        argv = [self.binary, "--data-dir", self.data_dir, "--log-level", log_level]
        for endpoint in self.dns:
            argv += ["--dns", endpoint]
        for origin, path in self.zones.items():
            argv += ["--zone", "%s=%s" % (origin, path)]
        if threads is not None:
            argv += ["--threads", str(threads)]
        for endpoint in self.http:
            argv += ["--http", endpoint]
        for endpoint in self.https:
            argv += ["--https", endpoint]
        if tls_cert:
            argv += ["--tls-cert", tls_cert]
        if tls_key:
            argv += ["--tls-key", tls_key]
        if config:
            argv += ["--config", config]
        argv += list(extra_args)
        self._argv = argv
        self._cpu = cpu
        self.starts = 0
        if start:
            self.start(timeout)

    def _log_since(self, offset):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def start(self, timeout=30.0):
        """Starts (or starts again) and waits for one `listening dns` line per endpoint."""
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self._spawn(self._argv, self._cpu)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self._log_since(offset)
            found = _LISTENING.findall(text)
            web = _LISTENING_HTTP.findall(text)
            http = [(h.strip("[]"), int(p)) for kind, h, p in web if kind == "http"]
            https = [(h.strip("[]"), int(p)) for kind, h, p in web if kind == "https"]
            if (len(found) >= len(self.dns) and len(http) >= len(self.http) and
                    len(https) >= len(self.https)):
                self.endpoints = [(h.strip("[]"), int(p)) for h, p in found[:len(self.dns)]]
                self.http_endpoints = http[:len(self.http)]
                self.https_endpoints = https[:len(self.https)]
                return self
            if not self.alive():
                self.fail("exited with status %s before listening" % self.proc.returncode)
            time.sleep(0.02)
        self.fail("no 'listening' line for each of %s within %.0f s"
                  % (self.dns + self.http + self.https, timeout))

    def restart(self, timeout=30.0):
        """SIGTERM (must exit 0), then start again on the same data directory."""
        own, self._own_tmp = self._own_tmp, False  # stop() must not remove the data dir
        try:
            self.stop()
        finally:
            self._own_tmp = own
        return self.start(timeout)

    def crash(self):
        """SIGKILL, no warning: what a power cut looks like to the process. start() again
        serves the same data directory."""
        own, self._own_tmp = self._own_tmp, False
        try:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._close()
        finally:
            self._own_tmp = own

    def reload(self):
        self.signal(signal.SIGHUP)

    def admin(self, *args, check=True, timeout=120):
        """`tether --data-dir DIR ARGS...`; see tether()."""
        return tether(self.data_dir, *args, check=check, timeout=timeout)


class AdminResult:
    def __init__(self, argv, returncode, stdout, stderr):
        self.argv, self.returncode, self.stdout, self.stderr = argv, returncode, stdout, stderr

    def __repr__(self):
        return "<tether %s: status %d\nstdout:\n%s\nstderr:\n%s>" % (
            " ".join(self.argv[1:]), self.returncode, self.stdout, self.stderr)


class AdminError(Exception):
    pass


def tether(data_dir, *args, check=True, timeout=120, binary=None):
    """Runs `tether --data-dir DATA_DIR ARGS...`; with check, fails unless it exits 0."""
    argv = [binary or tether_binary(), "--data-dir", data_dir] + [str(a) for a in args]
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AdminError("%s: no exit within %d s" % (" ".join(argv), timeout))
    result = AdminResult(argv, proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        raise AdminError("failed: %r" % result)
    return result


class Knotd(Server):
    """knotd with a throw-away configuration, listening on 127.0.0.1 (and ::1 if ipv6)."""

    name = "knotd"

    def __init__(self, zones, tmp=None, ipv6=False, cpu=None, workers=1, extra_server="",
                 wait=True, timeout=60.0, update_keys=(), journal_content="none",
                 transfer_key=None, notify=()):
        """update_keys: TsigKey objects allowed to send RFC 2136 updates to every zone;
        journal_content "changes" makes those updates durable in the journal (temp dir), and
        lets knotd serve them as IXFR. As a primary: transfer_key, a TsigKey that may
        transfer every zone; notify, (host, port) secondaries NOTIFYed (signed with
        transfer_key) after each change."""
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
        ]
        keys = {k.name: k for k in list(update_keys) + ([transfer_key] if transfer_key else [])}
        if keys:
            conf.append("key:")
            for key in keys.values():
                conf += ["  - id: %s" % key.name, "    algorithm: %s" % key.algorithm,
                         "    secret: %s" % key.secret_b64]
        acls = []
        if update_keys or transfer_key:
            conf.append("acl:")
        if update_keys:
            conf += ["  - id: tsig_update", "    action: update",
                     "    key: [ %s ]" % ", ".join(k.name for k in update_keys)]
            acls.append("tsig_update")
        if transfer_key:
            conf += ["  - id: tsig_transfer", "    action: transfer",
                     "    key: %s" % transfer_key.name]
            acls.append("tsig_transfer")
        if notify:
            conf.append("remote:")
            for i, (host, port) in enumerate(notify):
                conf += ["  - id: notify%d" % i, "    address: %s@%d" % (host, port)]
                if transfer_key:
                    conf.append("    key: %s" % transfer_key.name)
        conf += [
            "template:",
            "  - id: default",
            "    storage: \"%s\"" % t.path,
            "    zonefile-sync: -1",
            "    zonefile-load: whole",
            "    journal-content: %s" % journal_content,
            "    semantic-checks: off",
        ] + (["    acl: [ %s ]" % ", ".join(acls)] if acls else []) + (
            ["    notify: [ %s ]" % ", ".join("notify%d" % i for i in range(len(notify)))]
            if notify else []) + [
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
                 timeout=60.0, primary=None, key=None, port=None):
        """primary=(host, port): the zones are secondary zones of that primary (request-xfr,
        and allow-notify from its address), signed with TsigKey `key` if given; their paths in
        `zones` are where NSD keeps them, and wait does not apply. port: NSD's port (default
        a free one)."""
        super().__init__(tmp)
        self.zones = dict(zones)
        port = port or free_port("127.0.0.1")
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
        if key is not None:
            conf += ["key:", "    name: \"%s\"" % key.name.rstrip("."),
                     "    algorithm: %s" % key.algorithm, "    secret: \"%s\"" % key.secret_b64]
        for origin, path in self.zones.items():
            conf += ["zone:", "    name: \"%s\"" % origin,
                     "    zonefile: \"%s\"" % os.path.abspath(path)]
            if primary is not None:
                key_name = key.name.rstrip(".") if key is not None else "NOKEY"
                conf += ["    allow-notify: %s %s" % (primary[0], key_name),
                         "    request-xfr: %s@%d %s" % (primary[0], primary[1], key_name)]
        self.conf_path = t.write("nsd.conf", "\n".join(conf) + "\n")
        self._spawn([NSD, "-d", "-c", self.conf_path], cpu)
        if wait and primary is None:
            for origin in self.zones:
                self.wait_answers(origin, "SOA", timeout)


class Unbound(Server):
    """unbound in the foreground as a recursive resolver on 127.0.0.1 that can reach only
    loopback: `stubs` {zone: (host, port)} are its stub zones (nothing else resolves), `rpz`
    (zone, (host, port)) a response policy zone it transfers from that primary (NOTIFY
    accepted from it), logging each policy hit (rpz-log)."""

    name = "unbound"

    def __init__(self, stubs, rpz=None, tmp=None, port=None):
        super().__init__(tmp)
        port = port or free_port("127.0.0.1")
        self.endpoints = [("127.0.0.1", port)]
        t = self.tmp
        conf = ["server:",
                "    interface: 127.0.0.1", "    port: %d" % port,
                "    do-ip6: no", "    do-not-query-localhost: no",
                "    access-control: 127.0.0.0/8 allow",
                "    username: \"\"", "    chroot: \"\"", "    directory: \"%s\"" % t.path,
                "    pidfile: \"%s\"" % t.join("unbound.pid"),
                "    use-syslog: no", "    logfile: \"\"", "    verbosity: 1",
                "    num-threads: 1", "    so-reuseport: no",
                "    module-config: \"respip iterator\"",
                "    qname-minimisation: no",
                "remote-control:", "    control-enable: no"]
        for zone, (host, zport) in stubs.items():
            conf += ["stub-zone:", "    name: \"%s\"" % zone, "    stub-addr: %s@%d" % (host, zport)]
        if rpz is not None:
            zone, (host, zport) = rpz
            conf += ["rpz:", "    name: \"%s\"" % zone, "    primary: %s@%d" % (host, zport),
                     "    zonefile: \"%s\"" % t.join("rpz.zone"), "    rpz-log: yes",
                     "    rpz-log-name: \"tether-feed\""]
        self.conf_path = t.write("unbound.conf", "\n".join(conf) + "\n")
        self._spawn([UNBOUND, "-d", "-c", self.conf_path])
        deadline = time.monotonic() + 30
        packet = build_query(next(iter(stubs)), "SOA", rd=True)  # answered through a stub
        while time.monotonic() < deadline:
            if not self.alive():
                self.fail("exited with status %s" % self.proc.returncode)
            if udp_exchange("127.0.0.1", port, packet, timeout=0.2) is not None:
                return
            time.sleep(0.05)
        self.fail("did not answer within 30 s")


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


def _rdata_text(rtype, rdata):
    if rtype == 1 and len(rdata) == 4:
        return socket.inet_ntop(socket.AF_INET, rdata)
    if rtype == 28 and len(rdata) == 16:
        return socket.inet_ntop(socket.AF_INET6, rdata)
    if rtype == 6 and len(rdata) >= 20:
        return int.from_bytes(rdata[-20:-16], "big")
    if rtype == 16:
        out, off = [], 0
        while off < len(rdata):
            out.append('"%s"' % rdata[off + 1:off + 1 + rdata[off]].decode("latin-1"))
            off += 1 + rdata[off]
        return " ".join(out)
    return rdata.hex()


class Lookup:
    """One answer of lookup(): rcode (name, None if no answer came), aa, and the answer
    section's records of the asked name and type as text: A/AAAA addresses, TXT quoted
    strings, an SOA's serial (an int), hex for the rest; sorted."""

    def __init__(self, rcode=None, aa=False, rdata=()):
        self.rcode, self.aa, self.rdata = rcode, aa, sorted(rdata)

    @property
    def serial(self):
        return self.rdata[0] if self.rdata and isinstance(self.rdata[0], int) else None

    def __repr__(self):
        return "<Lookup %s%s %s>" % (self.rcode, " aa" if self.aa else "", self.rdata)


def lookup(host, port, name, rtype="A", timeout=0.5):
    """One UDP query (RD=0) with our own wire client: cheaper than dig where a test polls a
    server many times a second (waiting for a change to reach another node)."""
    qname = name if name.endswith(".") else name + "."
    code = RRTYPES[rtype.upper()]
    packet = build_query(qname, rtype, rd=False)
    reply = udp_exchange(host, port, packet, timeout=timeout)
    msg = parse_message(reply) if reply else None
    if msg is None or msg["id"] != struct.unpack("!H", packet[:2])[0]:
        return Lookup()
    return Lookup(RCODES.get(msg["rcode"], str(msg["rcode"])), msg["aa"],
                  [_rdata_text(rt, rdata) for sec, owner, rt, _, _, rdata in msg["records"]
                   if sec == "answer" and rt == code and owner.lower() == qname.lower()])


def wait_until(check, timeout, interval=0.01):
    """Calls check() until it returns true or `timeout` seconds passed; returns the seconds
    it took (from the call of wait_until) or None. Bounded by the deadline."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


# ---------------------------------------------------------------------------------------
# RFC 2136 UPDATE with TSIG (RFC 8945): the real clients and a small one of our own.

TSIG_ALGORITHMS = {  # name in `tether key add --algorithm` -> (algorithm name on the wire, hash)
    "hmac-md5": ("hmac-md5.sig-alg.reg.int.", "md5"),
    "hmac-sha1": ("hmac-sha1.", "sha1"),
    "hmac-sha224": ("hmac-sha224.", "sha224"),
    "hmac-sha256": ("hmac-sha256.", "sha256"),
    "hmac-sha384": ("hmac-sha384.", "sha384"),
    "hmac-sha512": ("hmac-sha512.", "sha512"),
}
TSIG_ERRORS = {16: "BADSIG", 17: "BADKEY", 18: "BADTIME", 22: "BADTRUNC"}
UPDATE_RCODES = dict(RCODES)
UPDATE_RCODES.update({6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE"})
CLASS_IN, CLASS_NONE, CLASS_ANY = 1, 254, 255


class TsigKey:
    """A TSIG key: name (absolute, lower case), algorithm (hmac-sha256...), secret."""

    def __init__(self, name, secret_b64, algorithm="hmac-sha256"):
        import base64
        self.name = name.lower().rstrip(".") + "."
        self.algorithm = algorithm.lower()
        self.secret_b64 = secret_b64
        self.secret = base64.b64decode(secret_b64)
        if self.algorithm not in TSIG_ALGORITHMS:
            raise ValueError("unknown TSIG algorithm %s" % algorithm)

    @classmethod
    def parse(cls, line):
        """From `ALGORITHM:NAME:SECRET` (the line `tether key add` prints for nsupdate -y)."""
        alg, name, secret = line.strip().split(":", 2)
        return cls(name, secret, alg)

    @classmethod
    def generate(cls, name, algorithm="hmac-sha256"):
        """A random key (for the peers in the benchmark)."""
        import base64
        size = {"md5": 16, "sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48,
                "sha512": 64}[TSIG_ALGORITHMS[algorithm][1]]
        return cls(name, base64.b64encode(os.urandom(size)).decode(), algorithm)

    @property
    def y_arg(self):
        """The -y argument of nsupdate, knsupdate and dnsperf."""
        return "%s:%s:%s" % (self.algorithm, self.name.rstrip("."), self.secret_b64)

    def bind_block(self):
        return 'key "%s" {\n\talgorithm %s;\n\tsecret "%s";\n};\n' % (
            self.name.rstrip("."), self.algorithm, self.secret_b64)

    def __repr__(self):
        return "<TsigKey %s %s>" % (self.name, self.algorithm)


def encode_rdata(rtype, text):
    """RDATA for the few types the update tests build by hand."""
    rtype = rtype.upper()
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, text)
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, text)
    if rtype == "TXT":
        out = b""
        for part in re.findall(r'"((?:[^"\\]|\\.)*)"', text) if '"' in text else [text]:
            raw = part.encode()
            out += bytes([len(raw)]) + raw
        return out
    if rtype == "MX":
        pref, exchange = text.split()
        return struct.pack("!H", int(pref)) + encode_name(exchange)
    if rtype in ("NS", "CNAME", "PTR"):
        return encode_name(text)
    raise ValueError("encode_rdata: %s not supported" % rtype)


def _type_code(rtype):
    return RRTYPES[rtype.upper()] if isinstance(rtype, str) else rtype


class UpdateMessage:
    """An RFC 2136 UPDATE under construction.

    m = UpdateMessage("dyn.test.")
    m.require_nxdomain("new.dyn.test.").add("new.dyn.test.", 60, "A", "192.0.2.1")
    wire = m.wire()
    """

    def __init__(self, zone, qid=None):
        self.zone = zone
        self.qid = random.randrange(65536) if qid is None else qid
        self.prereqs = []  # (name, class, type, ttl, rdata)
        self.updates = []

    # RFC 2136 2.4 prerequisites
    def require_yxdomain(self, name):
        self.prereqs.append((name, CLASS_ANY, 255, 0, b""))
        return self

    def require_nxdomain(self, name):
        self.prereqs.append((name, CLASS_NONE, 255, 0, b""))
        return self

    def require_yxrrset(self, name, rtype, value=None):
        if value is None:
            self.prereqs.append((name, CLASS_ANY, _type_code(rtype), 0, b""))
        else:
            self.prereqs.append((name, CLASS_IN, _type_code(rtype), 0, encode_rdata(rtype, value)))
        return self

    def require_nxrrset(self, name, rtype):
        self.prereqs.append((name, CLASS_NONE, _type_code(rtype), 0, b""))
        return self

    # RFC 2136 2.5 updates
    def add(self, name, ttl, rtype, value):
        self.updates.append((name, CLASS_IN, _type_code(rtype), ttl, encode_rdata(rtype, value)))
        return self

    def delete_rrset(self, name, rtype):
        self.updates.append((name, CLASS_ANY, _type_code(rtype), 0, b""))
        return self

    def delete_rr(self, name, rtype, value):
        self.updates.append((name, CLASS_NONE, _type_code(rtype), 0, encode_rdata(rtype, value)))
        return self

    def delete_name(self, name):
        self.updates.append((name, CLASS_ANY, 255, 0, b""))
        return self

    def wire(self):
        body = encode_name(self.zone) + struct.pack("!HH", 6, CLASS_IN)
        for name, rclass, rtype, ttl, rdata in self.prereqs + self.updates:
            body += encode_name(name) + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata
        header = struct.pack("!HHHHHH", self.qid, 5 << 11, 1, len(self.prereqs),
                             len(self.updates), 0)
        return header + body


def _tsig_variables(key, time_signed, fudge, error=0, other=b""):
    alg = TSIG_ALGORITHMS[key.algorithm][0]
    return (encode_name(key.name.lower()) + struct.pack("!HI", CLASS_ANY, 0) +
            encode_name(alg) + struct.pack("!HIHHH", time_signed >> 32, time_signed & 0xFFFFFFFF,
                                           fudge, error, len(other)) + other)


def _hmac(key, data):
    import hmac
    return hmac.new(key.secret, data, TSIG_ALGORITHMS[key.algorithm][1]).digest()


def tsig_sign(message, key, time_signed=None, fudge=300):
    """(signed message, MAC): appends a TSIG RR to `message` (RFC 8945 4.3.3, 5.3)."""
    time_signed = int(time.time()) if time_signed is None else time_signed
    mac = _hmac(key, message + _tsig_variables(key, time_signed, fudge))
    qid = struct.unpack("!H", message[:2])[0]
    rdata = (encode_name(TSIG_ALGORITHMS[key.algorithm][0]) +
             struct.pack("!HIHH", time_signed >> 32, time_signed & 0xFFFFFFFF, fudge, len(mac)) +
             mac + struct.pack("!HHH", qid, 0, 0))
    rr = encode_name(key.name) + struct.pack("!HHIH", 250, CLASS_ANY, 0, len(rdata)) + rdata
    arcount = struct.unpack("!H", message[10:12])[0] + 1
    return message[:10] + struct.pack("!H", arcount) + message[12:] + rr, mac


def _skip_name(data, offset):
    while True:
        length = data[offset]
        if length & 0xC0 == 0xC0:
            return offset + 2
        offset += 1 + length
        if length == 0:
            return offset


def _find_last_rr(data):
    """Offset of the last resource record of a message (where a TSIG RR must be)."""
    qd, an, ns, ar = struct.unpack("!HHHH", data[4:12])
    off, last = 12, None
    for _ in range(qd):
        off = _skip_name(data, off) + 4
    for _ in range(an + ns + ar):
        last = off
        off = _skip_name(data, off)
        rdlen = struct.unpack("!H", data[off + 8:off + 10])[0]
        off += 10 + rdlen
    if off != len(data):
        raise ValueError("trailing bytes")
    return last


class UpdateResult:
    """What came back for one UPDATE: rcode (name), TSIG error (name or None), and whether the
    response carried a TSIG that verifies with the request's key and MAC."""

    def __init__(self, rcode=None, tsig_error=None, signed=False, verified=False, raw=None,
                 error=None):
        self.rcode, self.tsig_error, self.signed, self.verified = rcode, tsig_error, signed, verified
        self.raw, self.error = raw, error

    @property
    def ok(self):
        return self.rcode == "NOERROR"

    def __repr__(self):
        return "<UpdateResult %s tsig=%s signed=%s verified=%s %s>" % (
            self.rcode, self.tsig_error, self.signed, self.verified, self.error or "")


def check_update_response(response, qid, key=None, request_mac=None):
    """Parses an UPDATE response and verifies its TSIG (RFC 8945 5.3.2 / 4.3.3)."""
    msg = parse_message(response)
    if msg is None or not msg["qr"] or msg["id"] != qid or msg["opcode"] != 5:
        return UpdateResult(error="unparseable or mismatched response", raw=response)
    result = UpdateResult(rcode=UPDATE_RCODES.get(msg["rcode"], str(msg["rcode"])), raw=response)
    if not msg["records"] or msg["records"][-1][2] != 250:
        return result
    result.signed = True
    start = _find_last_rr(response)
    rdata = msg["records"][-1][5]
    alg, off = _read_name(rdata, 0)
    hi, lo, fudge, mac_len = struct.unpack("!HIHH", rdata[off:off + 10])
    off += 10
    mac = rdata[off:off + mac_len]
    off += mac_len
    orig_id, error, other_len = struct.unpack("!HHH", rdata[off:off + 6])
    other = rdata[off + 6:off + 6 + other_len]
    if error:
        result.tsig_error = TSIG_ERRORS.get(error, str(error))
    if key is None or request_mac is None or not mac_len:
        return result
    unsigned = (struct.pack("!H", orig_id) + response[2:10] +
                struct.pack("!H", msg["arcount"] - 1) + response[12:start])
    data = (struct.pack("!H", len(request_mac)) + request_mac + unsigned +
            _tsig_variables(key, (hi << 32) | lo, fudge, error, other))
    import hmac
    result.verified = hmac.compare_digest(_hmac(key, data), mac)
    return result


def update_message(zone, *commands):
    """An UpdateMessage from commands "add NAME TTL TYPE VALUE" / "del NAME TTL TYPE VALUE"
    (the TTL of a "del" is ignored: it deletes that one RR)."""
    message = UpdateMessage(zone)
    for command in commands:
        verb, name, ttl, rtype, value = command.split(" ", 4)
        if verb == "add":
            message.add(name, int(ttl), rtype, value)
        else:
            message.delete_rr(name, rtype, value)
    return message


def send_update(host, port, message, key=None, tcp=False, timeout=3.0, sock=None):
    """Sends an UpdateMessage (signed with `key` if given) and returns an UpdateResult.

    UDP unless tcp. `sock` may be an open TCP socket to reuse (RFC 7766 pipelining not used:
    one message at a time). A timeout or a closed connection gives UpdateResult(error=...)."""
    wire = message.wire()
    mac = None
    if key is not None:
        wire, mac = tsig_sign(wire, key)
    try:
        if tcp:
            own = sock is None
            s = sock or socket.create_connection((host, port), timeout=timeout)
            try:
                s.settimeout(timeout)
                s.sendall(struct.pack("!H", len(wire)) + wire)
                head = _recv_exact(s, 2)
                reply = _recv_exact(s, struct.unpack("!H", head)[0])
            finally:
                if own:
                    s.close()
        else:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.settimeout(timeout)
                s.connect((host, port))
                s.send(wire)
                deadline = time.monotonic() + timeout
                while True:  # skip stray datagrams with another ID
                    s.settimeout(max(0.01, deadline - time.monotonic()))
                    reply = s.recv(65535)
                    if reply[:2] == wire[:2] or time.monotonic() > deadline:
                        break
    except (socket.timeout, OSError, EOFError) as e:
        return UpdateResult(error="%s: %s" % (type(e).__name__, e))
    return check_update_response(reply, message.qid, key, mac)


# The client's own words for RCODEs and TSIG failures:
#   nsupdate:  "update failed: NXRRSET", "update failed: NOTAUTH(BADSIG)"
#   knsupdate: "update failed with error 'NXRRSET'", or only the printed header
#              ("status: BADSIG" when the response carried a TSIG error).
_NSUPDATE_FAILED = re.compile(r"update failed: ([A-Z]+)(?:\(([A-Z]+)\))?")
_KNSUPDATE_FAILED = re.compile(r"update failed with error '([A-Z]+)'")
_STATUS = re.compile(r"->>HEADER<<- opcode: UPDATE[;,] status: ([A-Z]+)")
_TSIG_RCODES = ("BADSIG", "BADKEY", "BADTIME", "BADTRUNC")


class NsupdateRun:
    """One nsupdate/knsupdate process: exit status, output and the RCODE it reported
    (NOERROR if it exited 0, the failure it printed otherwise; None if it printed none),
    and the TSIG error if it reported one (rcode is then NOTAUTH, RFC 8945 5.3.2)."""

    def __init__(self, argv, script, returncode, stdout, stderr):
        self.argv, self.script = argv, script
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.rcode = None
        self.tsig = None
        text = stdout + "\n" + stderr
        if returncode == 0:
            self.rcode = "NOERROR"
            return
        m = _NSUPDATE_FAILED.search(text)
        if m:
            self.rcode, self.tsig = m.group(1), m.group(2)
        else:
            m = _KNSUPDATE_FAILED.search(text) or _STATUS.search(text)
            if m:
                self.rcode = m.group(1)
            elif re.search(r"failed: REFUSED", text):  # nsupdate: "Communication ... failed: REFUSED"
                self.rcode = "REFUSED"
        if self.rcode in _TSIG_RCODES:
            self.rcode, self.tsig = "NOTAUTH", self.rcode
        if self.tsig is None:
            m = re.search(r"\b(BADSIG|BADKEY|BADTIME|BADTRUNC)\b", text)
            if m:
                self.tsig = m.group(1)
            elif re.search(r"TSIG error|tsig indicates error|failed to verify TSIG", text, re.I):
                self.tsig = "tsig"

    @property
    def ok(self):
        return self.returncode == 0

    def __repr__(self):
        return "<%s status %d rcode %s tsig %s\nscript:\n%s\nstdout:\n%s\nstderr:\n%s>" % (
            os.path.basename(self.argv[0]), self.returncode, self.rcode, self.tsig, self.script,
            self.stdout, self.stderr)


def nsupdate(port, commands, key=None, keyfile=None, tcp=False, host="127.0.0.1",
             client="nsupdate", timeout_s=3, zone=None):
    """Runs nsupdate (or knsupdate with client="knsupdate") with `commands` (lines without
    `server`/`send`: both are added). key: TsigKey or an `ALG:NAME:SECRET` string for -y;
    keyfile: a BIND key file for -k. tcp: -v. Bounded: a timeout per try, one retry."""
    if isinstance(key, TsigKey):
        key = key.y_arg
    binary = KNSUPDATE if client == "knsupdate" else NSUPDATE
    argv = [binary]
    if tcp:
        argv.append("-v")
    if key:
        argv += ["-y", key]
    if keyfile:
        argv += ["-k", keyfile]
    if client == "knsupdate":
        argv += ["-t", str(timeout_s), "-r", "0"]
    else:
        argv += ["-t", str(timeout_s), "-u", str(timeout_s), "-r", "0"]
    lines = ["server %s %d" % (host, port)]
    if zone:
        lines.append("zone %s" % zone)
    if isinstance(commands, str):
        commands = commands.strip().splitlines()
    lines += [c.strip() for c in commands if c.strip()]
    if lines[-1] != "send":
        lines.append("send")
    script = "\n".join(lines) + "\n"
    if client == "knsupdate":
        script += "quit\n"
    budget = 20 + 4 * timeout_s
    try:
        proc = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=budget)
    except subprocess.TimeoutExpired:
        raise DigError("%s: no exit within %d s\nscript:\n%s" % (" ".join(argv), budget, script))
    return NsupdateRun(argv, script, proc.returncode, proc.stdout, proc.stderr)


def kdig_transfer(port, zone, qtype="AXFR", key=None, source=None, host="127.0.0.1"):
    """kdig AXFR/IXFR=N of `zone`, signed with TsigKey `key` if given, from address `source`:
    (error line or None, [RR lines without TSIG, normalised], all text)."""
    argv = [KDIG, "@" + host, "-p", str(port), "+timeout=3", "+retry=0", zone, qtype]
    if key is not None:
        argv += ["-y", key.y_arg]
    if source is not None:
        argv += ["-b", source]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    text = proc.stdout + proc.stderr
    error = None
    for line in text.splitlines():
        if line.startswith(";; ERROR") and error is None:
            error = line
    rrs = [normalise_rr(line) for line in proc.stdout.splitlines()
           if line.strip() and not line.startswith(";")]
    rrs = [rr for rr in rrs if rr.split(" ")[3] != "TSIG"]
    return error, rrs, text


def parse_key_add(stdout):
    """(TsigKey, BIND key block) from what `tether key add` printed: `id: NAME.`, then
    `ALGORITHM:NAME:SECRET`, then a `key "NAME" { ... };` block."""
    lines = stdout.splitlines()
    if len(lines) < 3 or not lines[0].startswith("id: "):
        raise ValueError("unexpected `tether key add` output:\n%s" % stdout)
    key = TsigKey.parse(lines[1])
    block = "\n".join(lines[2:]) + "\n"
    return key, block


def soa_serial(port, zone, host="127.0.0.1", tcp=False):
    """The SOA serial dig sees for `zone` (an int), asserting an authoritative answer."""
    ans = dig(port, zone, "SOA", host=host, tcp=tcp)[0]
    soas = ans.rrs("answer", "SOA")
    if ans.rcode != "NOERROR" or len(soas) != 1:
        raise DigError("no SOA for %s:\n%s" % (zone, ans.text))
    return int(soas[0].split()[6])


def _strip_comment(line):
    out, quoted, i = "", False, 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            out += line[i:i + 2]
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c == ";" and not quoted:
            break
        out += c
        i += 1
    return out


def parse_master(text, origin):
    """[(owner, ttl, type, rdata text)] of a master file as `tether zone export` prints it.

    Enough of RFC 1035 5.1 for that: $ORIGIN, $TTL, relative and blank owners, comments,
    parentheses, an optional class. Owners are returned absolute and lower-case."""
    records, owner, default_ttl, pending = [], None, None, ""
    origin = origin.lower()
    for raw in text.splitlines():
        line = _strip_comment(raw)
        if pending:
            line = pending + " " + line
        if line.count("(") > line.count(")"):
            pending = line
            continue
        pending = ""
        line = line.replace("(", " ").replace(")", " ")
        if not line.strip():
            continue
        if line.startswith("$ORIGIN"):
            origin = line.split()[1].lower()
            continue
        if line.startswith("$TTL"):
            default_ttl = int(line.split()[1])
            continue
        toks = _tokens(line)
        if not line[0].isspace():
            name = toks.pop(0).lower()
            owner = origin if name == "@" else name if name.endswith(".") else name + "." + origin
        ttl = default_ttl
        if toks and toks[0].isdigit():
            ttl = int(toks.pop(0))
        if toks and toks[0].upper() in ("IN", "CH", "HS"):
            toks.pop(0)
        if toks and toks[0].isdigit():
            ttl = int(toks.pop(0))
        rtype = toks.pop(0).upper()
        records.append((owner, ttl, rtype, " ".join(toks)))
    return records


def knsupdate(port, commands, **kw):
    return nsupdate(port, commands, client="knsupdate", **kw)


# ---------------------------------------------------------------------------------------
# BIND as a peer


class Named(Server):
    """BIND's named in the foreground (-g) with a throw-away named.conf on 127.0.0.1.

    zones: {origin: file}; the file is copied into the temporary directory (named writes
    dynamic zones back and keeps its journal next to them). update_keys: TsigKey objects
    allowed to update every zone (`allow-update { key K; }`)."""

    name = "named"

    def __init__(self, zones, tmp=None, cpu=None, threads=1, update_keys=(), wait=True,
                 timeout=120.0, extra_options=""):
        super().__init__(tmp)
        self.zones = dict(zones)
        port = free_port("127.0.0.1")
        self.endpoints = [("127.0.0.1", port)]
        t = self.tmp
        conf = [
            "options {",
            '    directory "%s";' % t.path,
            '    pid-file "%s";' % t.join("named.pid"),
            '    managed-keys-directory "%s";' % t.path,
            "    listen-on port %d { 127.0.0.1; };" % port,
            "    listen-on-v6 { none; };",
            "    recursion no;",
            "    dnssec-validation no;",
            "    session-keyfile none;",
            "    notify no;",
            "    minimal-responses yes;",
            "    check-names primary ignore;",
            "    max-journal-size unlimited;",
        ] + ["    " + line for line in extra_options.splitlines() if line.strip()] + [
            "};",
            "controls { };",
        ]
        for key in update_keys:
            conf.append(key.bind_block())
        allow = ""
        if update_keys:
            allow = " allow-update { %s };" % " ".join("key %s;" % k.name.rstrip(".")
                                                        for k in update_keys)
        for i, (origin, path) in enumerate(self.zones.items()):
            copy = t.join("zone%d.db" % i)
            shutil.copyfile(path, copy)
            conf.append('zone "%s" { type primary; file "%s"; journal "%s";%s };'
                        % (origin, copy, copy + ".jnl", allow))
        self.conf_path = t.write("named.conf", "\n".join(conf) + "\n")
        self._spawn([NAMED, "-g", "-4", "-n", str(threads), "-c", self.conf_path], cpu)
        if wait:
            for origin in self.zones:
                self.wait_answers(origin, "SOA", timeout)


# ---------------------------------------------------------------------------------------
# nginx as an HTTP peer


class Nginx(Server):
    """nginx in the foreground (`daemon off`) with a throw-away nginx.conf on 127.0.0.1.

    locations: {path prefix: directive(s)}, e.g. {"/": 'return 200 "good 127.0.0.1";'}.
    worker_processes 1 and no access log unless told otherwise; every temporary path and
    the pid file live in the temporary directory (nginx -p TMP -e stderr), so nothing under
    /var or /etc is touched. Keep-alive connections are not closed after 1000 requests
    (keepalive_requests), so a benchmark measures requests, not reconnects."""

    name = "nginx"

    def __init__(self, locations, tmp=None, cpu=None, workers=1, extra_http="", wait=True,
                 timeout=30.0):
        super().__init__(tmp)
        port = free_port("127.0.0.1")
        self.endpoints = [("127.0.0.1", port)]
        t = self.tmp
        conf = [
            "worker_processes %d;" % workers,
            "daemon off;",
            "master_process on;",
            'pid "%s";' % t.join("nginx.pid"),
            "error_log stderr warn;",
            "events { worker_connections 4096; }",
            "http {",
            "    access_log off;",
            "    default_type text/plain;",
            "    keepalive_requests 100000000;",
        ] + ['    %s_temp_path "%s";' % (kind, t.join("%s-temp" % kind))
             for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")] + [
            "    " + line for line in extra_http.splitlines() if line.strip()] + [
            "    server {",
            "        listen 127.0.0.1:%d;" % port,
        ]
        for path, directives in locations.items():
            conf.append("        location %s { %s }" % (path, directives))
        conf += ["    }", "}"]
        self.conf_path = t.write("nginx.conf", "\n".join(conf) + "\n")
        self._spawn([NGINX, "-p", t.path, "-e", "stderr", "-c", self.conf_path], cpu)
        if wait:
            self.wait_listening(timeout)

    def wait_listening(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                self.fail("exited with status %s while starting" % self.proc.returncode)
            try:
                socket.create_connection(self.endpoints[0], timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.fail("does not accept connections within %.0f s" % timeout)


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
