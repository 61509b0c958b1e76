"""The issue-5 benchmark: tetherd feeding an NSD secondary (`python3 bench/run.py --xfr`).

1. tetherd (`--threads 1`, CPU 0) gets the zone of --xfr-hosts names by `tether zone add
   --import`, an hmac-sha256 key allowed to update it and a second key for transfers; NSD
   (CPU 1) is added with `tether zone secondary add ORIGIN 127.0.0.1:PORT --key xfr-key` and
   started as a TSIG secondary (`tetherlib.Nsd(..., primary=, key=)`, the configuration of
   tests/integration/test_xfr.py) with `xfrd-reload-timeout: 0`. **AXFR to NSD**: from NSD's
   start to NSD answering tetherd's SOA serial and the zone's last name. Then the same AXFR
   read by a client that only counts bytes (tetherd's side of it).
2. UPDATEs (TSIG, UDP; each replaces one distinct host's A record) are sent open-loop at
   --xfr-rate per second for --xfr-seconds by this process (pinned to CPU 1). For every
   1/--xfr-sample-fraction-th update, the SOA serial of tetherd is read just before it is sent;
   once it is acknowledged (NOERROR), two poller threads ask, every --xfr-poll-ms, NSD for the
   host's A record (until it is the new address) and tetherd for an IXFR from that serial
   (until the answer adds the new record): ack-to-NSD and ack-to-IXFR latencies. A sample that
   has not landed --xfr-land-timeout seconds after its ack is a failure.
3. After the stream: the time until NSD serves tetherd's final serial, and one IXFR from the
   serial before the stream to the end: bytes per changed record.

Standard library only; runs inside the private network namespace run.py sets up.
"""

import os
import queue
import re
import select
import socket
import struct
import sys
import threading
import time

import run as base  # bench/run.py: zones, /proc accounting, report bits
import tetherlib as tl
import updates  # bench/updates.py: update targets and addresses

UPDATE_KEY = "bench-key"
XFR_KEY = "xfr-key"
VARIANT = 20  # new addresses 172.20.x.y (updates.new_address), never the zone's 10.x.y.z
SOA, A, TSIG, IXFR, AXFR = 6, 1, 250, 251, 252
# NSD's log lines (verbosity 2) for a transfer it stored and for a reload that serves it.
NSD_TRANSFER = r"xfrd: zone \S+ committed"
NSD_RELOAD = r"serial \d+ is updated to \d+"
NSD_FAILED = r"update failed, restarting transfer"
log = base.log


# ---------------------------------------------------------------------------------------
# Wire helpers


def soa_serial(port):
    """The SOA serial a server answers over UDP for the bench zone, or None."""
    reply = tl.udp_exchange("127.0.0.1", port, tl.build_query(base.ORIGIN, "SOA", rd=False),
                            timeout=0.5)
    msg = tl.parse_message(reply) if reply else None
    if not msg or msg["rcode"] != 0:
        return None
    for sec, _, rtype, _, _, rdata in msg["records"]:
        if sec == "answer" and rtype == SOA:
            return struct.unpack("!I", rdata[-20:-16])[0]
    return None


def a_record(port, name, timeout=0.5):
    """The A addresses (as 4-byte strings) a server answers for `name`, or None."""
    reply = tl.udp_exchange("127.0.0.1", port, tl.build_query(name, "A", rd=False),
                            timeout=timeout)
    msg = tl.parse_message(reply) if reply else None
    if not msg:
        return None
    return [r[5] for r in msg["records"] if r[0] == "answer" and r[2] == A]


def xfr_query(qtype, serial, key):
    """An AXFR, or an IXFR with the client's SOA (serial) in the authority section, signed."""
    ns = 1 if qtype == IXFR else 0
    body = tl.encode_name(base.ORIGIN) + struct.pack("!HH", qtype, 1)
    if ns:
        rdata = (tl.encode_name("ns1." + base.ORIGIN) + tl.encode_name("hostmaster." + base.ORIGIN)
                 + struct.pack("!5I", serial, 0, 0, 0, 0))
        body += tl.encode_name(base.ORIGIN) + struct.pack("!HHIH", SOA, 1, 0, len(rdata)) + rdata
    message = struct.pack("!6H", os.getpid() & 0xFFFF, 0, 1, 0, ns, 0) + body
    return tl.tsig_sign(message, key)[0]


class XfrError(Exception):
    pass


def read_xfr(port, qtype, serial, key, timeout=30.0, max_bytes=1 << 30):
    """One zone transfer over TCP, parsed. Returns a dict: kind ('single', 'incremental',
    'axfr'), bytes (DNS messages, TSIG included, without the 2-byte length prefixes),
    messages, diffs (difference sequences of an incremental answer), removed/added
    ({(name lower, type, rdata)}), records (non-SOA, non-TSIG), seconds."""
    start = time.monotonic()
    deadline = start + timeout
    out = {"kind": None, "bytes": 0, "messages": 0, "diffs": 0, "removed": set(),
           "added": set(), "records": 0}
    first = final = None
    state = None  # incremental: 'del' / 'add'
    done = False
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        q = xfr_query(qtype, serial, key)
        s.sendall(struct.pack("!H", len(q)) + q)
        f = s.makefile("rb")
        while not done:
            if time.monotonic() > deadline:
                raise XfrError("transfer not complete within %.0f s" % timeout)
            head = f.read(2)
            if len(head) < 2:
                raise XfrError("connection closed after %d messages" % out["messages"])
            data = f.read(struct.unpack("!H", head)[0])
            out["bytes"] += len(data)
            out["messages"] += 1
            if out["bytes"] > max_bytes:
                raise XfrError("more than %d bytes" % max_bytes)
            msg = tl.parse_message(data)
            if msg is None:
                raise XfrError("unparseable message")
            if msg["rcode"] != 0:
                raise XfrError("rcode %d" % msg["rcode"])
            for sec, name, rtype, _, _, rdata in msg["records"]:
                if sec != "answer" or rtype == TSIG:
                    continue
                if first is None:
                    if rtype != SOA:
                        raise XfrError("first record is not the SOA")
                    first, final = rdata, struct.unpack("!I", rdata[-20:-16])[0]
                    continue
                is_soa = rtype == SOA
                if out["kind"] is None:
                    out["kind"] = "incremental" if is_soa else "axfr"
                    state = "del" if is_soa else None
                    if is_soa:
                        continue
                if out["kind"] == "axfr":
                    if is_soa:
                        done = True
                        break
                    out["records"] += 1
                    continue
                if is_soa:
                    if state == "del":
                        state = "add"
                        out["diffs"] += 1
                    elif struct.unpack("!I", rdata[-20:-16])[0] == final:
                        done = True
                        break
                    else:
                        state = "del"
                    continue
                out["records"] += 1
                (out["removed"] if state == "del" else out["added"]).add(
                    (name.lower(), rtype, rdata))
            if first is not None and out["kind"] is None:
                out["kind"] = "single"  # the client is current: the SOA alone
                done = True
    out["seconds"] = time.monotonic() - start
    return out


def axfr_bytes(port, key, timeout=600.0):
    """The whole AXFR as a client that only reads it: (seconds, bytes, messages). The end is
    the message holding the second copy of the SOA (its serial and timers, 20 bytes that no
    A record holds)."""
    start = time.monotonic()
    total = messages = seen = 0
    tail = None
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        q = xfr_query(AXFR, 0, key)
        s.sendall(struct.pack("!H", len(q)) + q)
        f = s.makefile("rb", buffering=1 << 20)
        while seen < 2:
            if time.monotonic() - start > timeout:
                raise XfrError("AXFR not complete within %.0f s" % timeout)
            head = f.read(2)
            if len(head) < 2:
                raise XfrError("AXFR: connection closed after %d messages" % messages)
            data = f.read(struct.unpack("!H", head)[0])
            total += len(data)
            messages += 1
            if tail is None:
                msg = tl.parse_message(data)
                if not msg or msg["rcode"] != 0 or not msg["records"]:
                    raise XfrError("AXFR refused or empty: %s" % (msg and msg["rcode"]))
                tail = msg["records"][0][5][-20:]
            seen += data.count(tail)
    return time.monotonic() - start, total, messages


# ---------------------------------------------------------------------------------------
# Pollers


class Poller(threading.Thread):
    """Polls every pending sample with `check(sample)` each `interval` seconds (new samples
    at once) until it lands (latency = time of the answer that showed it - ack time) or
    `bound` seconds after its ack (a failure).

    With `version` (a function asked once per round, e.g. the secondary's SOA serial), a
    sample already checked is checked again only when the version changed since, or
    `recheck` seconds after its last check: the poll load stays bounded however many samples
    are pending (a secondary that lags would otherwise be flooded by its own measurement)."""

    def __init__(self, name, check, interval, bound, version=None, recheck=0.1):
        super().__init__(name=name, daemon=True)
        self.check, self.interval, self.bound = check, interval, bound
        self.version, self.recheck = version, recheck
        self.inbox = queue.Queue()
        self.landed, self.failed, self.errors, self.polls = {}, [], 0, 0
        self.closing = False

    def run(self):
        pending = []
        while True:
            try:
                pending.append(self.inbox.get(timeout=self.interval if pending else 0.05))
                while True:
                    pending.append(self.inbox.get_nowait())
            except queue.Empty:
                pass
            if not pending and self.closing and self.inbox.empty():
                return
            current = None
            if self.version is not None and pending:
                try:
                    current = self.version()
                except OSError:
                    current = None
            for sample in list(pending):
                if self.version is not None:
                    now = time.monotonic()
                    if ("checked" in sample and sample["version"] == current and
                            now - sample["checked"] < self.recheck and
                            now - sample["ack"] <= self.bound):
                        continue
                    sample["checked"], sample["version"] = now, current
                try:
                    ok = self.check(sample)
                except Exception:  # noqa: BLE001 (counted, reported; the poll goes on)
                    ok = False
                    self.errors += 1
                self.polls += 1
                now = time.monotonic()
                if ok:
                    self.landed[sample["i"]] = now - sample["ack"]
                    pending.remove(sample)
                elif now - sample["ack"] > self.bound:
                    self.failed.append(sample["i"])
                    pending.remove(sample)


# ---------------------------------------------------------------------------------------
# The stream


def host_name(n):
    return "host%d.%s" % (n, base.ORIGIN)


def stream(args, port, key, targets, samples, on_sample):
    """Sends one UPDATE per target at args.xfr_rate/s (open loop: update i is due at
    start + i/rate), reads the acks. Returns per-update send/ack times and rcodes."""
    n, rate = len(targets), float(args.xfr_rate)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    sent_at, acked_at, rcodes = [None] * n, [None] * n, [None] * n
    serial_before = {}
    inflight = {}
    start = time.monotonic()
    hard_end = start + n / rate + args.xfr_ack_timeout
    i = 0
    while True:
        now = time.monotonic()
        while i < n and start + i / rate <= now:
            target = targets[i]
            if i in samples:
                serial_before[i] = soa_serial(port)
            msg = tl.UpdateMessage(base.ORIGIN, qid=i & 0xFFFF)
            msg.delete_rrset(host_name(target), "A")
            msg.add(host_name(target), 60, "A", updates.new_address(target, VARIANT))
            wire = tl.tsig_sign(msg.wire(), key)[0]
            sent_at[i] = time.monotonic()
            try:
                sock.send(wire)
            except BlockingIOError:
                pass  # counted as lost
            inflight[i & 0xFFFF] = i
            i += 1
            now = time.monotonic()
        while True:
            try:
                data = sock.recv(65535)
            except (BlockingIOError, ConnectionRefusedError):
                break
            t = time.monotonic()
            if len(data) < 12:
                continue
            j = inflight.pop(struct.unpack("!H", data[:2])[0], None)
            if j is None:
                continue
            acked_at[j], rcodes[j] = t, data[3] & 0xF
            if rcodes[j] == 0 and j in samples and serial_before.get(j) is not None:
                on_sample({"i": j, "ack": t, "serial": serial_before[j], "host": targets[j]})
        if i >= n and not inflight:
            break
        if now > hard_end:
            break
        wait = (start + i / rate - time.monotonic()) if i < n else 0.05
        select.select([sock], [], [], max(0.0, min(wait, 0.05)))
    last_send = max((t for t in sent_at if t is not None), default=start)
    sock.close()
    return {"start": start, "sent_at": sent_at, "acked_at": acked_at, "rcodes": rcodes,
            "send_seconds": last_send - start, "lost": len(inflight),
            "serial_before": serial_before}


# ---------------------------------------------------------------------------------------


def tree_cpu_with_children(root):
    """utime+stime+cutime+cstime over a process tree: the CPU of NSD's reload and server
    processes that have exited and been reaped counts too (in their parent's c-fields)."""
    total = 0
    for pid in base.process_tree(root):
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += sum(int(x) for x in fields[11:15])
    return total / base.CLK_TCK


def cpu_busy(before, after):
    busy, _, total = (b - a for a, b in zip(before, after))
    return busy / max(total, 1)


def bench(args):
    result = {"hosts": args.xfr_hosts, "load_before": os.getloadavg()}
    zone = base.make_zone(args.xfr_hosts)
    tmp = tl.TempDir(prefix="tether-bench-xfr-")
    n_updates = args.xfr_rate * args.xfr_seconds
    # The whole stream must stay in the journal for the final IXFR (one entry per batch).
    config = tmp.write("tetherd.toml", "[journal]\nmax_entries = %d\n" % (n_updates + 10000))
    tether = args.tether
    server = nsd = None
    try:
        start = time.monotonic()
        server = tl.Tetherd(dns=["127.0.0.1:0"], threads=1, tmp=tmp, binary=args.tetherd,
                            cpu=args.server_cpu, timeout=args.load_timeout, config=config)
        tl.tether(server.data_dir, "zone", "add", base.ORIGIN, "--import", zone,
                  timeout=args.load_timeout, binary=tether)
        update_key = tl.parse_key_add(tl.tether(server.data_dir, "key", "add", UPDATE_KEY,
                                                binary=tether).stdout)[0]
        tl.tether(server.data_dir, "key", "grant", UPDATE_KEY, base.ORIGIN, binary=tether)
        xfr_key = tl.parse_key_add(tl.tether(server.data_dir, "key", "add", XFR_KEY,
                                             binary=tether).stdout)[0]
        last = host_name(args.xfr_hosts - 1)
        server.wait_answers(last, "A", timeout=args.load_timeout)
        result["load_s"] = time.monotonic() - start
        pid = base.server_pid(server)
        serial0 = soa_serial(server.port)
        log("  tetherd: zone of %d names imported and served in %.1f s, serial %s" % (
            args.xfr_hosts, result["load_s"], serial0))

        # ---- AXFR to NSD
        nsd_port = tl.free_port("127.0.0.1")
        tl.tether(server.data_dir, "zone", "secondary", "add", base.ORIGIN,
                  "127.0.0.1:%d" % nsd_port, "--key", XFR_KEY, binary=tether)
        nsd_tmp = tl.TempDir(prefix="tether-bench-xfr-nsd-")
        cpu_t0, core0 = base.cpu_seconds(pid), base.cpu_ticks(args.server_cpu)
        start = time.monotonic()
        nsd = tl.Nsd({base.ORIGIN: nsd_tmp.join("bench.zone")}, tmp=nsd_tmp,
                     cpu=args.client_cpu, primary=("127.0.0.1", server.port), key=xfr_key,
                     port=nsd_port, extra_server="xfrd-reload-timeout: %d\nverbosity: 2" % args.xfr_nsd_reload_timeout)
        last_a = socket.inet_aton("10.%d.%d.%d" % (((args.xfr_hosts - 1) >> 16) & 255,
                                                  ((args.xfr_hosts - 1) >> 8) & 255,
                                                  (args.xfr_hosts - 1) & 255))
        deadline = start + args.xfr_axfr_timeout
        while True:
            if not nsd.alive():
                nsd.fail("exited during the AXFR")
            if soa_serial(nsd_port) == serial0 and a_record(nsd_port, last) == [last_a]:
                break
            if time.monotonic() > deadline:
                nsd.fail("did not serve serial %s within %.0f s" % (serial0,
                                                                     args.xfr_axfr_timeout))
            time.sleep(0.02)
        result["axfr_nsd_s"] = time.monotonic() - start
        result["axfr_tetherd_cpu"] = base.cpu_seconds(pid) - cpu_t0
        result["nsd_rss"] = base.rss_bytes(nsd.proc.pid)
        log("  AXFR to NSD: %.1f s (tetherd CPU %.1f s); NSD RSS %.0f MB" % (
            result["axfr_nsd_s"], result["axfr_tetherd_cpu"], result["nsd_rss"] / 2**20))
        # The same AXFR read by a client that only counts bytes; meanwhile one update at a
        # time (each waits for its ack): how long updates wait while tetherd copies the zone.
        box = {}

        def read_axfr():
            try:
                box["read"] = axfr_bytes(server.port, xfr_key, timeout=args.xfr_axfr_timeout)
            except (OSError, XfrError) as e:
                box["error"] = e

        reader = threading.Thread(target=read_axfr, daemon=True)
        reader.start()
        during = []
        for n in range(args.xfr_hosts - 1, -1, -1):  # hosts from the end, another address
            if not reader.is_alive():
                break
            msg = tl.UpdateMessage(base.ORIGIN)
            msg.delete_rrset(host_name(n), "A").add(host_name(n), 60, "A",
                                                     updates.new_address(n, VARIANT + 1))
            t = time.monotonic()
            if tl.send_update("127.0.0.1", server.port, msg, key=update_key, timeout=10.0).ok:
                during.append(time.monotonic() - t)
            time.sleep(0.005)
        reader.join(args.xfr_axfr_timeout)
        if "read" not in box:
            raise RuntimeError("AXFR read failed: %s" % box.get("error"))
        secs, size, messages = box["read"]
        result["axfr_read"] = (secs, size, messages)
        result["rtt_during_axfr"] = during
        log("  AXFR read by a byte-counting client: %.1f s, %.1f MB in %d messages; %d updates "
            "meanwhile, round trip p50 %s ms, max %s ms" % (
                secs, size / 1e6, messages, len(during), fmt_ms(base.percentile(during, 0.5)),
                fmt_ms(max(during) if during else None)))

        # ---- the update stream
        os.sched_setaffinity(0, {args.client_cpu})  # this process: the client, on CPU 1
        sys.setswitchinterval(0.0005)
        targets = updates.update_targets(args.xfr_hosts, n_updates, seed=11)
        every = max(1, round(1 / args.xfr_sample_fraction))
        samples = set(range(every // 2, n_updates, every))

        def new_rdata(host):
            return socket.inet_aton(updates.new_address(host, VARIANT))

        def nsd_check(s):
            return new_rdata(s["host"]) in (a_record(nsd_port, host_name(s["host"]), 0.2) or [])

        def ixfr_check(s):
            got = read_xfr(server.port, IXFR, s["serial"], xfr_key, timeout=5.0,
                           max_bytes=64 << 20)
            return (host_name(s["host"]).lower(), A, new_rdata(s["host"])) in got["added"]

        interval = args.xfr_poll_ms / 1000.0
        pollers = [Poller("nsd", nsd_check, interval, args.xfr_land_timeout,
                          version=lambda: soa_serial(nsd_port)),
                   Poller("ixfr", ixfr_check, interval, args.xfr_land_timeout)]
        for p in pollers:
            p.start()

        def on_sample(s):
            for p in pollers:
                p.inbox.put(dict(s))

        serial_before = soa_serial(server.port)
        log("  streaming %d updates at %d/s (%d sampled), serial %s" % (
            n_updates, args.xfr_rate, len(samples), serial_before))
        cpu_t0, self0 = base.cpu_seconds(pid), os.times()
        nsd_cpu0 = tree_cpu_with_children(nsd.proc.pid)
        core0, client0 = base.cpu_ticks(args.server_cpu), base.cpu_ticks(args.client_cpu)
        s = stream(args, server.port, update_key, targets, samples, on_sample)
        stream_end = time.monotonic()
        result["stream_tetherd_cpu"] = base.cpu_seconds(pid) - cpu_t0
        result["stream_nsd_cpu"] = tree_cpu_with_children(nsd.proc.pid) - nsd_cpu0
        self1 = os.times()
        core1, client1 = base.cpu_ticks(args.server_cpu), base.cpu_ticks(args.client_cpu)
        wall = stream_end - s["start"]
        busy, softirq, total = (b - a for a, b in zip(core0, core1))
        result["foreign"] = max(0.0, (busy - softirq) / base.CLK_TCK -
                                result["stream_tetherd_cpu"]) / (max(total, 1) / base.CLK_TCK)
        result["client_core_busy"] = cpu_busy(client0, client1)
        result["self_cpu"] = (self1.user + self1.system - self0.user - self0.system) / wall
        result["stream_wall"] = wall
        result["sent"] = sum(1 for t in s["sent_at"] if t is not None)
        result["noerror"] = sum(1 for r in s["rcodes"] if r == 0)
        result["other_rcode"] = sum(1 for r in s["rcodes"] if r not in (None, 0))
        result["lost"] = sum(1 for t, a in zip(s["sent_at"], s["acked_at"])
                             if t is not None and a is None)
        result["send_rate"] = result["sent"] / max(s["send_seconds"], 1e-9)
        rtts = [a - t for t, a in zip(s["sent_at"], s["acked_at"]) if a is not None]
        result["rtt"] = (base.percentile(rtts, 0.5), base.percentile(rtts, 0.99), max(rtts or [0]))
        result["samples"] = len(samples)
        # Samples handed to the pollers: acknowledged NOERROR, with the serial read before.
        result["samples_acked"] = sum(1 for i in samples if s["rcodes"][i] == 0 and
                                      s["serial_before"].get(i) is not None)
        result["samples_lost"] = len(samples) - result["samples_acked"]
        last_ack = max((a for a in s["acked_at"] if a is not None), default=stream_end)
        log("  stream: %d sent at %.0f/s, %d NOERROR, %d other RCODE, %d unanswered; ack RTT "
            "p50 %.1f ms p99 %.1f ms; tetherd CPU %.1f s; others on CPU %d %.0f%%, CPU %d busy "
            "%.0f%% (this client %.0f%%)" % (
                result["sent"], result["send_rate"], result["noerror"], result["other_rcode"],
                result["lost"], 1000 * (result["rtt"][0] or 0), 1000 * (result["rtt"][1] or 0),
                result["stream_tetherd_cpu"], args.server_cpu, 100 * result["foreign"],
                args.client_cpu, 100 * result["client_core_busy"], 100 * result["self_cpu"]))

        # NSD catching up with the final serial.
        serial_end = soa_serial(server.port)
        deadline = time.monotonic() + args.xfr_land_timeout
        result["nsd_final"] = None
        while time.monotonic() < deadline:
            if soa_serial(nsd_port) == serial_end:
                result["nsd_final"] = time.monotonic() - last_ack
                break
            time.sleep(0.01)
        for p in pollers:
            p.closing = True
        for p in pollers:
            p.join(args.xfr_land_timeout + 30)
        result["pollers"] = {p.name: p for p in pollers}
        for p in pollers:
            log("  ack -> %s: %d/%d landed, p50 %s ms, p99 %s ms, %d failed, %d polls, %d errors"
                % (p.name, len(p.landed), result["samples_acked"],
                   fmt_ms(base.percentile(list(p.landed.values()), 0.5)),
                   fmt_ms(base.percentile(list(p.landed.values()), 0.99)), len(p.failed), p.polls,
                   p.errors))

        # ---- one IXFR over the whole stream
        got = read_xfr(server.port, IXFR, serial_before, xfr_key, timeout=120)
        result["ixfr"] = got
        result["serials"] = (serial_before, serial_end)
        log("  IXFR %s -> %s: %s, %d bytes in %d messages, %d diffs, %d removed, %d added, "
            "%.2f s" % (serial_before, serial_end, got["kind"], got["bytes"], got["messages"],
                        got["diffs"], len(got["removed"]), len(got["added"]), got["seconds"]))
        result["nsd_alive"] = nsd.alive()
    finally:
        if nsd is not None:
            nsd.stop(timeout=60, expect_status=None)
            nsd.kill()
            text = nsd.log()
            with open(os.path.join(base.OUT_DIR, "nsd-xfr.last.log"), "w") as f:
                f.write(text)
            result["nsd_transfers"] = len(re.findall(NSD_TRANSFER, text))
            result["nsd_reloads"] = len(re.findall(NSD_RELOAD, text))
            result["nsd_failed"] = len(re.findall(NSD_FAILED, text))
            result["nsd_reload_gap"] = longest_gap(text)
        if server is not None:
            text = server.log()
            with open(os.path.join(base.OUT_DIR, "tetherd-xfr.last.log"), "w") as f:
                f.write(text)
            result["tetherd_axfrs"] = len(re.findall(r"\bAXFR of \S+ serial", text))
            result["tetherd_full_ixfrs"] = len(re.findall(r"IXFR \(full\) of", text))
            base.stop_server(server, tmp)
        else:
            tmp.close()
    result["load_after"] = os.getloadavg()
    return result


def longest_gap(nsd_log):
    """Longest time between two NSD reloads after the first one (the AXFR), in seconds."""
    stamps = []
    for line in nsd_log.splitlines():
        m = re.match(r"\[(\d+-\d+-\d+ \d+:\d+:[\d.]+)\]", line)
        if m and re.search(NSD_RELOAD, line):
            stamps.append(time.mktime(time.strptime(m.group(1)[:19], "%Y-%m-%d %H:%M:%S")) +
                          float("0" + m.group(1)[19:]))
    return max((b - a for a, b in zip(stamps[1:], stamps[2:])), default=None)


def fmt_ms(seconds):
    return "-" if seconds is None else "%.0f" % (1000 * seconds)


def report(r, args):
    ix = r["ixfr"]
    changed = r["noerror"]
    axfr_s, axfr_b, axfr_m = r["axfr_read"]
    lines = [
        "# Tether transfer benchmark: %s" % time.strftime("%Y-%m-%dT%H:%M:%S"),
        "",
        "Zone: %d × `hostN 60 IN A`; tetherd `--threads 1` on CPU %s; NSD (`server-count: 1`, "
        "`xfrd-reload-timeout: %d`, TSIG secondary) and this client on CPU %s. Updates: TSIG "
        "over UDP, each replacing one distinct host's A record, open loop at %d/s for %d s; "
        "1 in %d sampled, polled every %d ms, bound %.0f s. Load average (1/5/15 min) at the "
        "start %s, at the end %s. %d CPUs: %s." % (
            r["hosts"], args.server_cpu, args.xfr_nsd_reload_timeout, args.client_cpu, args.xfr_rate, args.xfr_seconds,
            max(1, round(1 / args.xfr_sample_fraction)), args.xfr_poll_ms,
            args.xfr_land_timeout, "/".join("%.2f" % x for x in r["load_before"]),
            "/".join("%.2f" % x for x in r["load_after"]), os.cpu_count(), base.cpu_model()),
        "",
        "| from the update's acknowledgement to | samples | landed | failed | p50 ms | p99 ms "
        "| max ms | p99 ≤ 1 s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    labels = {"nsd": "NSD answering the new address", "ixfr": "tetherd's IXFR holding the change"}
    for name in ("nsd", "ixfr"):
        p = r["pollers"][name]
        v = list(p.landed.values())
        p99 = base.percentile(v, 0.99)
        ok = p99 is not None and p99 <= 1.0 and not p.failed and len(v) == r["samples_acked"]
        lines.append("| %s | %d | %d | %d | %s | %s | %s | %s |" % (
            labels[name], r["samples_acked"], len(v), len(p.failed),
            fmt_ms(base.percentile(v, 0.5)), fmt_ms(p99), fmt_ms(max(v) if v else None),
            "yes" if ok else "**no**"))
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        "| tetherd: start + `zone add --import` until the last name answers | %.1f s |"
        % r["load_s"],
        "| **AXFR to NSD**: NSD start until it answers the serial and the last name | **%.1f s** "
        "(tetherd CPU %.1f s; NSD RSS after %.0f MB) |" % (
            r["axfr_nsd_s"], r["axfr_tetherd_cpu"], r["nsd_rss"] / 2**20),
        "| the same AXFR read by a byte-counting client | %.1f s, %.1f MB in %d messages "
        "(%.0f B/record) |" % (axfr_s, axfr_b / 1e6, axfr_m, axfr_b / max(r["hosts"] + 3, 1)),
        "| updates sent one at a time while that AXFR is served: round trip p50 / max "
        "| %s / %s ms (%d updates) |" % (
            fmt_ms(base.percentile(r["rtt_during_axfr"], 0.5)),
            fmt_ms(max(r["rtt_during_axfr"]) if r["rtt_during_axfr"] else None),
            len(r["rtt_during_axfr"])),
        "| updates sent / NOERROR / other RCODE / unanswered | %d / %d / %d / %d |" % (
            r["sent"], r["noerror"], r["other_rcode"], r["lost"]),
        "| send rate achieved | %.0f/s |" % r["send_rate"],
        "| update round trip (send to ack) p50 / p99 / max | %s / %s / %s ms |" % tuple(
            "%.1f" % (1000 * x) if x is not None else "-" for x in r["rtt"]),
        "| NSD serves the final serial, after the last ack | %s |" % (
            "%.0f ms" % (1000 * r["nsd_final"]) if r["nsd_final"] is not None else
            "**not within %.0f s**" % args.xfr_land_timeout),
        "| **IXFR of the whole stream** (serial %s → %s) | %s: %d bytes in %d messages, %d "
        "difference sequences, %d RRs removed + %d added, read in %.2f s |" % (
            r["serials"][0], r["serials"][1], ix["kind"], ix["bytes"], ix["messages"],
            ix["diffs"], len(ix["removed"]), len(ix["added"]), ix["seconds"]),
        "| **IXFR bytes per changed record** | **%.1f** (%d records changed; %.1f bytes per "
        "difference sequence, %.2f changes per sequence) |" % (
            ix["bytes"] / max(changed, 1), changed, ix["bytes"] / max(ix["diffs"], 1),
            changed / max(ix["diffs"], 1)),
        "| IXFR condensed? | %s |" % (
            "yes (one difference sequence)" if ix["diffs"] == 1 else
            "no: one difference sequence (old SOA, removed, new SOA, added) per serial"),
        "| tetherd CPU during the stream | %.1f s (%.0f%% of a core) |" % (
            r["stream_tetherd_cpu"], 100 * r["stream_tetherd_cpu"] / r["stream_wall"]),
        "| others on the server core (CPU %s) | %.0f%% |" % (args.server_cpu,
                                                            100 * r["foreign"]),
        "| NSD CPU during the stream (process tree, reaped reload processes included) "
        "| %.1f s (%.0f%% of a core) |" % (r["stream_nsd_cpu"],
                                          100 * r["stream_nsd_cpu"] / r["stream_wall"]),
        "| CPU %s busy (NSD + this client + others) / this client | %.0f%% / %.0f%% |" % (
            args.client_cpu, 100 * r["client_core_busy"], 100 * r["self_cpu"]),
        "| NSD log: transfers stored / reloads / `update failed, restarting transfer` / "
        "longest time between two reloads after the AXFR | %s / %s / %s / %s |" % (
            r.get("nsd_transfers", "?"), r.get("nsd_reloads", "?"), r.get("nsd_failed", "?"),
            "%.1f s" % r["nsd_reload_gap"] if r.get("nsd_reload_gap") is not None else "-"),
    ]
    lines.append("| tetherd log: AXFRs served (the byte-counting client's included) / IXFRs "
                 "answered with the whole zone | %s / %s |" % (
                     r.get("tetherd_axfrs", "?"), r.get("tetherd_full_ixfrs", "?")))
    warnings = []
    if r["samples_lost"]:
        warnings.append("%d sampled updates were not acknowledged NOERROR (or tetherd's serial "
                        "could not be read before them): not timed" % r["samples_lost"])
    for name, p in r["pollers"].items():
        if p.errors:
            warnings.append("%s poller: %d polls failed (timeouts, broken transfers)"
                            % (name, p.errors))
    if r["foreign"] > 0.05:
        warnings.append("other programs used %.0f%% of the server's core: expect noise"
                        % (100 * r["foreign"]))
    if r["send_rate"] < 0.95 * args.xfr_rate:
        warnings.append("the client sent only %.0f updates/s" % r["send_rate"])
    if r["client_core_busy"] > 0.9:
        warnings.append("CPU %s (NSD and the client) was %.0f%% busy: NSD latencies include "
                        "waiting for it" % (args.client_cpu, 100 * r["client_core_busy"]))
    if ix["kind"] != "incremental":
        warnings.append("the whole-stream IXFR was answered %s" % ix["kind"])
    if len(ix["added"]) != changed:
        warnings.append("the whole-stream IXFR adds %d records, %d updates were acknowledged"
                        % (len(ix["added"]), changed))
    if not r["nsd_alive"]:
        warnings.append("NSD died during the run")
    if warnings:
        lines += ["", "Warnings:", ""] + ["- " + w for w in warnings]
    v = base.versions()
    lines += ["", "Versions: nsd: %s; tetherd: %s" % (v.get("nsd"), args.tetherd), ""]
    text = "\n".join(lines)
    with open(os.path.join(base.OUT_DIR, "results-xfr.md"), "w") as f:
        f.write(text)
    print("\n" + text)


def main(args):
    for tool in ("taskset", "nsd"):
        if not tl.shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            sys.exit("bench: %s not found (make deps)" % tool)
    if not (args.tetherd and os.access(args.tetherd, os.X_OK)):
        sys.exit("bench: no tetherd binary (build it or pass --tetherd)")
    if not args.tether:
        sys.exit("bench: the `tether` command not found (pass --tether or set $TETHER)")
    if args.client_cpu is None:
        args.client_cpu = 0
    if args.xfr_rate * args.xfr_seconds > args.xfr_hosts:
        sys.exit("bench: --xfr-rate × --xfr-seconds must not exceed --xfr-hosts (distinct hosts)")
    log("== tetherd -> NSD: AXFR, then updates at %d/s for %d s" % (args.xfr_rate,
                                                                    args.xfr_seconds))
    report(bench(args), args)
