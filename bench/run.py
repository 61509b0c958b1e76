#!/usr/bin/env python3
"""Query throughput and memory of tetherd against knotd and nsd (see bench/README.md).

  python3 bench/run.py                                  # 1M names, 3 runs x 15 s per server
  python3 bench/run.py --hosts 100000 --seconds 5 --runs 1   # a quick look
  python3 bench/run.py --updates                        # RFC 2136 updates (bench/updates.py)
  python3 bench/run.py --http                           # HTTP updates vs nginx (bench/http_bench.py)
  python3 bench/run.py --xfr                            # NSD secondary of tetherd (bench/xfr_bench.py)

Runs itself inside a private network namespace (only loopback). Each server is pinned to
CPU 0 and dnsperf to CPU 1; results go to stdout and bench/out/results.md.
Standard library only.
"""

import argparse
import datetime
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(BENCH_DIR)
OUT_DIR = os.path.join(BENCH_DIR, "out")
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
import tetherlib as tl  # noqa: E402  (server start/stop helpers shared with the tests)

ORIGIN = "bench.example."
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------
# Inputs


def zone_path(hosts):
    return os.path.join(OUT_DIR, "zone-%d.zone" % hosts)


def make_zone(hosts):
    """hostN 60 IN A for N in [0, hosts) plus SOA/NS; cached in bench/out/."""
    path = zone_path(hosts)
    if os.path.exists(path):
        return path
    log("generating %s" % path)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("$ORIGIN %s\n$TTL 3600\n" % ORIGIN)
        f.write("@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\n"
                "ns1 IN A 192.0.2.53\n")
        chunk = []
        for n in range(hosts):
            chunk.append("host%d 60 IN A 10.%d.%d.%d\n" % (n, (n >> 16) & 255, (n >> 8) & 255,
                                                         n & 255))
            if len(chunk) == 65536:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
    os.replace(tmp, path)
    return path


def make_queries(hosts, lines, missing=0.05, seed=1):
    """dnsperf input: `lines` A queries, (1-missing) existing names, shuffled, fixed seed."""
    path = os.path.join(OUT_DIR, "queries-%d-%d.txt" % (hosts, lines))
    if os.path.exists(path):
        return path
    log("generating %s" % path)
    rng = random.Random(seed)
    n_missing = int(lines * missing)
    names = ["host%d.%s A\n" % (rng.randrange(hosts), ORIGIN) for _ in range(lines - n_missing)]
    names += ["nohost%d.%s A\n" % (rng.randrange(hosts), ORIGIN) for _ in range(n_missing)]
    rng.shuffle(names)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join(names))
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------------------------------
# /proc accounting


def process_tree(root):
    """PIDs of root and all its descendants (NSD forks; Knot and tetherd use threads)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def cpu_seconds(root):
    """utime+stime of the whole process tree (all threads), in seconds."""
    total = 0
    for pid in process_tree(root):
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        # Process names may contain spaces and parentheses: parse after the last ')'.
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLK_TCK


def percentile(values, p):
    """Nearest rank."""
    if not values:
        return None
    v = sorted(values)
    return v[max(0, math.ceil(p * len(v)) - 1)]


def rss_bytes(root):
    """VmRSS summed over the process tree."""
    total = 0
    for pid in process_tree(root):
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def pss_bytes(root):
    """Proportional set size summed over the tree: pages shared after fork (NSD) count once."""
    total = 0
    for pid in process_tree(root):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def cpu_ticks(cpu):
    """(busy, softirq, total) jiffies of one CPU from /proc/stat."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%d " % cpu):
                v = [int(x) for x in line.split()[1:]]
                idle = v[3] + v[4]
                return sum(v[:8]) - idle, v[6], sum(v[:8])
    return 0, 0, 0


def server_pid(server):
    """The server's own PID (taskset execs the server, so Popen's PID is the server)."""
    return server.proc.pid


# ---------------------------------------------------------------------------------------
# Servers


def start_server(kind, zone, args, tmp):
    cpu = args.server_cpu
    if kind == "tetherd":
        return tl.Tetherd({ORIGIN: zone}, dns=["127.0.0.1:0"], threads=1, tmp=tmp,
                          binary=args.tetherd, cpu=cpu, timeout=args.load_timeout)
    if kind == "knotd":
        return tl.Knotd({ORIGIN: zone}, tmp=tmp, cpu=cpu, workers=1, wait=False)
    if kind == "nsd":
        return tl.Nsd({ORIGIN: zone}, tmp=tmp, cpu=cpu, wait=False)
    raise ValueError(kind)


def loaded_server(kind, hosts, args):
    """Starts `kind` with the zone of `hosts` names; returns (server, tmp, load seconds)."""
    zone = make_zone(hosts)
    tmp = tl.TempDir(prefix="tether-bench-%s-" % kind)
    start = time.monotonic()
    server = start_server(kind, zone, args, tmp)
    # Loaded = answers the last name of the zone.
    server.wait_answers("host%d.%s" % (hosts - 1, ORIGIN), "A", timeout=args.load_timeout)
    return server, tmp, time.monotonic() - start


def stop_server(server, tmp):
    try:
        server.stop(timeout=60, expect_status=None)
    finally:
        server.kill()
        tmp.close()


# ---------------------------------------------------------------------------------------
# dnsperf

_DNSPERF_FIELDS = {
    "sent": re.compile(r"Queries sent:\s+(\d+)"),
    "completed": re.compile(r"Queries completed:\s+(\d+)"),
    "lost": re.compile(r"Queries lost:\s+(\d+)"),
    "run_time": re.compile(r"Run time \(s\):\s+([\d.]+)"),
    "qps": re.compile(r"Queries per second:\s+([\d.]+)"),
    "noerror": re.compile(r"NOERROR (\d+)"),
    "nxdomain": re.compile(r"NXDOMAIN (\d+)"),
}


def run_client(argv, name, budget_s):
    """Runs a load generator to its end (killed after `budget_s`), its output in
    OUT_DIR/NAME.last.txt. Returns (output, its rusage, wall seconds); raises if it failed."""
    out_path = os.path.join(OUT_DIR, "%s.last.txt" % name)
    with open(out_path, "w") as out:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        deadline = started + budget_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError("%s did not finish" % name)
            time.sleep(0.05)
        wall = time.monotonic() - started
    with open(out_path) as f:
        text = f.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (name, code, text))
    return text, usage, wall


def run_dnsperf(port, queries, args):
    """One dnsperf run; returns its statistics and its own CPU use."""
    argv = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries,
            "-l", str(args.seconds), "-c", str(args.clients), "-q", str(args.outstanding),
            "-t", "2"]
    if args.client_cpu is not None:
        argv = ["taskset", "-c", str(args.client_cpu)] + argv
    text, usage, wall = run_client(argv, "dnsperf", args.seconds + 60)
    stats = {}
    for key, rx in _DNSPERF_FIELDS.items():
        m = rx.search(text)
        stats[key] = float(m.group(1)) if m else 0.0
    stats["client_cpu"] = usage.ru_utime + usage.ru_stime
    stats["client_wall"] = wall
    return stats


# ---------------------------------------------------------------------------------------
# One server


def bench_server(kind, queries, args):
    result = {"server": kind}
    # Baseline memory: the same server with a tiny zone.
    server, tmp, _ = loaded_server(kind, args.tiny_hosts, args)
    try:
        result["rss_tiny"] = rss_bytes(server_pid(server))
        result["pss_tiny"] = pss_bytes(server_pid(server))
    finally:
        stop_server(server, tmp)

    server, tmp, load_s = loaded_server(kind, args.hosts, args)
    try:
        pid = server_pid(server)
        result["load_s"] = load_s
        result["rss"] = rss_bytes(pid)
        result["pss"] = pss_bytes(pid)
        result["procs"] = len(process_tree(pid))
        runs = []
        for i in range(args.runs):
            cpu0 = cpu_seconds(pid)
            core0 = cpu_ticks(args.server_cpu)
            stats = run_dnsperf(server.port, queries, args)
            stats["server_cpu"] = cpu_seconds(pid) - cpu0
            core1 = cpu_ticks(args.server_cpu)
            busy, softirq, total = (b - a for a, b in zip(core0, core1))
            # Time on the server's core used by neither the server nor packet processing:
            # other programs on the machine (a busy CI host makes the numbers noisy).
            stats["foreign"] = max(0.0, (busy - softirq) / CLK_TCK - stats["server_cpu"]) / (
                max(total, 1) / CLK_TCK)
            stats["answers_per_s"] = stats["qps"]
            stats["answered"] = stats["completed"] / stats["sent"] if stats["sent"] else 0
            stats["per_cpu_s"] = (stats["completed"] / stats["server_cpu"]
                                  if stats["server_cpu"] else 0)
            stats["server_util"] = stats["server_cpu"] / max(stats["run_time"], 1e-9)
            stats["client_util"] = stats["client_cpu"] / max(stats["client_wall"], 1e-9)
            stats["nx_share"] = stats["nxdomain"] / stats["completed"] if stats["completed"] else 0
            runs.append(stats)
            log("  %s run %d: %.0f answers/s, %.1f%% answered, %.0f%% NXDOMAIN, server CPU "
                "%.2f s (%.0f%% of a core), %.0f answers per CPU-s, dnsperf CPU %.0f%%, "
                "others on the server's core %.0f%%" % (
                    kind, i + 1, stats["answers_per_s"], 100 * stats["answered"],
                    100 * stats["nx_share"], stats["server_cpu"], 100 * stats["server_util"],
                    stats["per_cpu_s"], 100 * stats["client_util"], 100 * stats["foreign"]))
        result["rss_after"] = rss_bytes(pid)
    finally:
        stop_server(server, tmp)
    for key in ("answers_per_s", "answered", "server_cpu", "per_cpu_s", "server_util",
                "client_util", "nx_share", "foreign"):
        result[key] = statistics.median(r[key] for r in runs)
    result["runs"] = runs
    result["bytes_per_name"] = result["rss"] / args.hosts
    result["bytes_per_name_net"] = (result["rss"] - result["rss_tiny"]) / args.hosts
    result["pss_per_name_net"] = (result["pss"] - result["pss_tiny"]) / args.hosts
    return result


# ---------------------------------------------------------------------------------------
# Report


def versions():
    out = {}
    for name, argv in (("knotd", ["knotd", "--version"]), ("nsd", ["nsd", "-v"]),
                       ("dnsperf", ["dnsperf", "-h"])):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            text = (p.stdout + p.stderr).strip().splitlines()
            line = [l for l in text if "ersion" in l]
            out[name] = (line[0] if line else text[0]).strip()
        except (OSError, subprocess.TimeoutExpired, IndexError):
            out[name] = "?"
    return out


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def report(results, args):
    mb = 1024 * 1024
    lines = [
        "# Tether benchmark: %s" % datetime.datetime.now().isoformat(timespec="seconds"),
        "",
        "Zone: %d × `hostN 60 IN A` (+SOA/NS); queries: %d lines, 95%% existing / 5%% missing, "
        "shuffled. %d run(s) × %d s per server, median shown. Server on CPU %s, dnsperf "
        "(`-c %d -q %d`) on CPU %s. %d CPUs: %s." % (
            args.hosts, args.query_lines, args.runs, args.seconds, args.server_cpu,
            args.clients, args.outstanding, args.client_cpu, os.cpu_count(), cpu_model()),
        "",
        "| server | load s | answers/s | answered | server CPU % | dnsperf CPU % "
        "| others on server core % | answers per server CPU-s | RSS MB | RSS tiny MB "
        "| B/name | B/name net | PSS MB | PSS B/name net |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append("| %s | %.1f | %.0f | %.2f%% | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %.0f "
                     "| %.0f | %.1f | %.0f |"
                     % (r["server"], r["load_s"], r["answers_per_s"], 100 * r["answered"],
                        100 * r["server_util"], 100 * r["client_util"], 100 * r["foreign"],
                        r["per_cpu_s"], r["rss"] / mb, r["rss_tiny"] / mb, r["bytes_per_name"],
                        r["bytes_per_name_net"], r["pss"] / mb, r["pss_per_name_net"]))
    by = {r["server"]: r for r in results}
    if "tetherd" in by:
        t = by["tetherd"]
        lines += ["", "| ratio | answers per CPU-s | answers/s | B/name | B/name net "
                  "| PSS B/name net |", "|---|---|---|---|---|---|"]

        def ratio(a, b):
            return "%.2f" % (a / b) if b else "-"

        for peer in ("knotd", "nsd"):
            if peer in by:
                p = by[peer]
                lines.append("| tetherd / %s | %s | %s | %s | %s | %s |" % (
                    peer, ratio(t["per_cpu_s"], p["per_cpu_s"]),
                    ratio(t["answers_per_s"], p["answers_per_s"]),
                    ratio(t["bytes_per_name"], p["bytes_per_name"]),
                    ratio(t["bytes_per_name_net"], p["bytes_per_name_net"]),
                    ratio(t["pss_per_name_net"], p["pss_per_name_net"])))
    warnings = []
    for r in results:
        if r["answered"] < 0.99:
            warnings.append("%s answered only %.2f%% of queries" % (r["server"], 100 * r["answered"]))
        if abs(r["nx_share"] - 0.05) > 0.01:
            warnings.append("%s: NXDOMAIN share %.1f%%, expected 5%%" % (r["server"],
                                                                       100 * r["nx_share"]))
        if r["client_util"] > 0.9:
            warnings.append("%s: dnsperf used %.0f%% of its core: the load generator may be the "
                            "bottleneck (answers/s understated; answers per CPU-s still valid)"
                            % (r["server"], 100 * r["client_util"]))
        if r["foreign"] > 0.05:
            warnings.append("%s: other programs used %.0f%% of the server's core during the "
                            "runs: expect noise" % (r["server"], 100 * r["foreign"]))
        if r["server_util"] < 0.8:
            warnings.append("%s: server used only %.0f%% of its core: not saturated"
                            % (r["server"], 100 * r["server_util"]))
    if warnings:
        lines += ["", "Warnings:", ""] + ["- " + w for w in warnings]
    lines += ["", "Versions: " + "; ".join("%s: %s" % kv for kv in versions().items()) +
              "; tetherd: %s" % (args.tetherd or "-"), ""]
    text = "\n".join(lines)
    with open(os.path.join(OUT_DIR, "results.md"), "w") as f:
        f.write(text)
    print("\n" + text)


# ---------------------------------------------------------------------------------------


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", type=int, default=1000000, help="names in the zone")
    p.add_argument("--query-lines", type=int, default=None,
                   help="lines in the dnsperf file (default: min(hosts, 1M), at least 100k)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=int, default=15, help="length of one dnsperf run")
    p.add_argument("--servers", default=None,
                   help="default tetherd,knotd,nsd (with --updates: tetherd,knotd,named; with "
                        "--http: nginx,tetherd)")
    p.add_argument("--tetherd", default=os.environ.get("TETHERD"),
                   help="tetherd binary (default: $TETHERD or build/tetherd)")
    p.add_argument("--tether", default=os.environ.get("TETHER"),
                   help="the tether command, for --updates (default: $TETHER or build/tether)")
    p.add_argument("--updates", action="store_true",
                   help="the update benchmark instead (bench/updates.py, see bench/README.md)")
    p.add_argument("--update-seconds", type=int, default=15, help="length of one update run")
    p.add_argument("--update-outstanding", type=int, default=64,
                   help="updates in flight (dnsperf -u -q)")
    p.add_argument("--update-rate", type=int, default=10000,
                   help="updates/s streamed while measuring queries (dnsperf -u -Q)")
    p.add_argument("--update-lines", type=int, default=None,
                   help="messages in an update file (default: min(hosts, 400000))")
    p.add_argument("--no-mixed", action="store_true",
                   help="--updates: skip the queries-with-updates part")
    p.add_argument("--http", action="store_true",
                   help="the HTTP update benchmark instead (bench/http.py, see bench/README.md)")
    p.add_argument("--http-hosts", type=int, default=10000, help="--http: hosts of the user")
    p.add_argument("--http-seconds", type=int, default=15, help="--http: length of one wrk run")
    p.add_argument("--http-connections", type=int, default=64, help="--http: wrk -c")
    p.add_argument("--http-wrk-threads", type=int, default=1, help="--http: wrk -t")
    p.add_argument("--http-auth", choices=("password", "token"), default="password",
                   help="--http: HTTP Basic with the user's password, or a Bearer API token")
    p.add_argument("--http-config", default=None,
                   help="--http: tetherd --config file (default: one raising the [ddns] limits)")
    p.add_argument("--xfr", action="store_true",
                   help="the zone transfer benchmark instead (bench/xfr_bench.py, see "
                        "bench/README.md)")
    p.add_argument("--xfr-hosts", type=int, default=1000000, help="--xfr: names in the zone")
    p.add_argument("--xfr-rate", type=int, default=1000, help="--xfr: updates per second")
    p.add_argument("--xfr-seconds", type=int, default=30, help="--xfr: length of the stream")
    p.add_argument("--xfr-sample-fraction", type=float, default=0.01,
                   help="--xfr: share of the updates whose propagation is timed")
    p.add_argument("--xfr-poll-ms", type=int, default=5,
                   help="--xfr: interval between two polls of a pending sample")
    p.add_argument("--xfr-land-timeout", type=float, default=10.0,
                   help="--xfr: a sample not landed this many seconds after its ack fails")
    p.add_argument("--xfr-ack-timeout", type=float, default=5.0,
                   help="--xfr: wait for acks this long after the last update is sent")
    p.add_argument("--xfr-nsd-reload-timeout", type=int, default=0,
                   help="--xfr: NSD's xfrd-reload-timeout (0: reload after every transfer)")
    p.add_argument("--xfr-axfr-timeout", type=float, default=600.0,
                   help="--xfr: bound of the AXFR to NSD")
    p.add_argument("--clients", type=int, default=8, help="dnsperf -c")
    p.add_argument("--outstanding", type=int, default=500, help="dnsperf -q")
    p.add_argument("--load-timeout", type=float, default=600)
    p.add_argument("--tiny-hosts", type=int, default=10)
    args = p.parse_args()
    if args.query_lines is None:
        args.query_lines = max(min(args.hosts, 1000000), 100000)
    if args.servers is None:
        args.servers = ("nginx,tetherd" if args.http else
                        "tetherd,knotd,named" if args.updates else "tetherd,knotd,nsd")
    if args.update_lines is None:
        args.update_lines = min(args.hosts, 400000)
    ncpu = os.cpu_count() or 1
    args.server_cpu = 0
    args.client_cpu = 1 if ncpu > 1 else None
    if args.tetherd is None:
        for candidate in ("build/tetherd",):
            path = os.path.join(SOURCE_DIR, candidate)
            if os.access(path, os.X_OK):
                args.tetherd = path
                break
    if args.tether is None:
        for candidate in ("build/tether",):
            path = os.path.join(SOURCE_DIR, candidate)
            if os.access(path, os.X_OK):
                args.tether = path
                break
    return args


def main():
    args = parse_args()
    tl.ensure_netns()  # re-executes this script under unshare -n with lo up
    os.makedirs(OUT_DIR, exist_ok=True)
    if args.updates:
        import updates  # bench/updates.py
        updates.main(args)
        return
    if args.http:
        import http_bench  # bench/http.py would shadow the standard library's http
        http_bench.main(args)
        return
    if args.xfr:
        import xfr_bench  # bench/xfr_bench.py
        xfr_bench.main(args)
        return
    for tool in ("dnsperf", "taskset", "knotd", "nsd"):
        if not shutil.which(tool):
            sys.exit("bench: %s not found (make deps)" % tool)
    os.makedirs(OUT_DIR, exist_ok=True)
    make_zone(args.hosts)
    make_zone(args.tiny_hosts)
    queries = make_queries(args.hosts, args.query_lines)
    results = []
    for kind in args.servers.split(","):
        if kind == "tetherd" and not (args.tetherd and os.access(args.tetherd, os.X_OK)):
            log("skipping tetherd: no binary (build it or pass --tetherd)")
            continue
        log("== %s" % kind)
        try:
            results.append(bench_server(kind, queries, args))
        except (tl.ServerError, RuntimeError) as e:
            log("%s failed: %s" % (kind, e))
    if not results:
        sys.exit("bench: no server could be measured")
    report(results, args)


if __name__ == "__main__":
    main()
