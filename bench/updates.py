"""The issue-3 benchmark: durable RFC 2136 updates (`python3 bench/run.py --updates`).

Part 1, every server (tetherd, knotd, named), the same zone of --hosts names, each server
pinned to CPU 0 and dnsperf to CPU 1: `dnsperf -u -q 64` (64 updates in flight) signed with
an hmac-sha256 TSIG key, each update replacing one host's A record (delete the RRset, add a
new address) for --update-seconds; updates/s and updates per server CPU-second. Afterwards a
sample of the updated names is asked with dig: each must show the address the update set.

Part 2, tetherd only: the query load of the query benchmark (dnsperf, 95% existing names) with
and without updates streaming in at a bounded --update-rate (dnsperf -u -Q). tetherd's
answers per CPU-second of its query threads (threads named `tether-udp`: per-thread
utime+stime from /proc/PID/task/TID/stat) with against without updates, and the CPU of the
update threads (`tether-udp-upd`, `tether-upd-rx`, `tether-update`, `tether-store`, `tether-control`).

Standard library only; runs inside the private network namespace run.py sets up.
"""

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

import run as base  # bench/run.py: zones, query files, /proc accounting, dnsperf, report bits
import tetherlib as tl

KEY_NAME = "bench-key"
QUERY_THREADS = ("tether-udp",)
UPDATE_THREADS = ("tether-udp-upd", "tether-upd-rx", "tether-update", "tether-store", "tether-control")
log = base.log


# ---------------------------------------------------------------------------------------
# Inputs


def update_targets(hosts, lines, seed=3):
    """Host numbers the update file walks through: distinct (while lines <= hosts), shuffled."""
    rng = random.Random(seed)
    if lines <= hosts:
        return rng.sample(range(hosts), lines)
    return [rng.randrange(hosts) for _ in range(lines)]


def new_address(n, variant):
    """The address update `variant` gives hostN: differs from the zone's 10.x and per run."""
    return "172.%d.%d.%d" % (16 + variant % 16, (n >> 8) & 255, n & 255)


def make_update_file(hosts, lines, variant):
    """dnsperf -u input: `lines` messages, each `delete hostN A` + `add hostN 60 A new`."""
    path = os.path.join(base.OUT_DIR, "updates-%d-%d-v%d.txt" % (hosts, lines, variant))
    if os.path.exists(path):
        return path
    log("generating %s" % path)
    zone = base.ORIGIN.rstrip(".")
    parts = []
    for n in update_targets(hosts, lines):
        parts.append("%s\ndelete host%d A\nadd host%d 60 A %s\nsend\n"
                     % (zone, n, n, new_address(n, variant)))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join(parts))
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------------------------------
# dnsperf -u

_UPDATE_FIELDS = {
    "sent": re.compile(r"Updates sent:\s+(\d+)"),
    "completed": re.compile(r"Updates completed:\s+(\d+)"),
    "lost": re.compile(r"Updates lost:\s+(\d+)"),
    "run_time": re.compile(r"Run time \(s\):\s+([\d.]+)"),
    "ups": re.compile(r"Updates per second:\s+([\d.]+)"),
    "noerror": re.compile(r"NOERROR (\d+)"),
    "latency": re.compile(r"Average Latency \(s\):\s+([\d.]+)"),
}


def start_update_dnsperf(port, path, key, seconds, outstanding, rate=None, cpu=None,
                         out_name="dnsperf-updates.last.txt"):
    argv = ["dnsperf", "-u", "-s", "127.0.0.1", "-p", str(port), "-d", path, "-l",
            str(seconds), "-q", str(outstanding), "-c", "1", "-t", "5", "-y", key.y_arg]
    if rate:
        argv += ["-Q", str(rate)]
    if cpu is not None:
        argv = ["taskset", "-c", str(cpu)] + argv
    out_path = os.path.join(base.OUT_DIR, out_name)
    out = open(out_path, "w")
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    proc.out_file, proc.out_path, proc.started = out, out_path, time.monotonic()
    proc.deadline = time.monotonic() + seconds + 60
    return proc


def finish_update_dnsperf(proc):
    while proc.poll() is None:
        if time.monotonic() > proc.deadline:
            proc.kill()
            proc.wait()
            raise RuntimeError("dnsperf -u did not finish")
        time.sleep(0.05)
    proc.out_file.close()
    with open(proc.out_path) as f:
        text = f.read()
    if proc.returncode != 0:
        raise RuntimeError("dnsperf -u failed (%d):\n%s" % (proc.returncode, text))
    stats = {}
    for key, rx in _UPDATE_FIELDS.items():
        m = rx.search(text)
        stats[key] = float(m.group(1)) if m else 0.0
    stats["text"] = text
    return stats


def verify_sample(port, hosts, lines, variant, completed, count=20, seed=7):
    """Digs `count` names among the first half of the updates dnsperf completed: each must
    show the address its update set. Returns (checked, wrong: [(name, answer)])."""
    targets = update_targets(hosts, lines)
    window = max(1, min(int(completed) // 2, len(targets)))
    rng = random.Random(seed + variant)
    picks = [targets[rng.randrange(window)] for _ in range(count)]
    wrong = []
    for n in picks:
        name = "host%d.%s" % (n, base.ORIGIN)
        ans = tl.dig(port, name, "A")[0]
        want = ["%s 60 IN A %s" % (name, new_address(n, variant))]
        if ans.answer != want:
            wrong.append((name, ans.answer or ans.rcode))
    return len(picks), wrong


# ---------------------------------------------------------------------------------------
# Servers


def start_update_server(kind, zone, args, tmp, key_holder):
    """Starts `kind` serving `zone` with TSIG-signed updates allowed; returns the server.
    For tetherd the key is made by `tether key add` and stored into key_holder[0]."""
    cpu = args.server_cpu
    if kind == "tetherd":
        server = tl.Tetherd(dns=["127.0.0.1:0"], threads=1, tmp=tmp, binary=args.tetherd,
                            cpu=cpu, timeout=args.load_timeout)
        tether = args.tether
        tl.tether(server.data_dir, "zone", "add", base.ORIGIN, "--import", zone,
                  timeout=args.load_timeout, binary=tether)
        out = tl.tether(server.data_dir, "key", "add", KEY_NAME, binary=tether).stdout
        key_holder[0], _ = tl.parse_key_add(out)
        tl.tether(server.data_dir, "key", "grant", KEY_NAME, base.ORIGIN, binary=tether)
        return server
    key = key_holder[0]
    if kind == "knotd":
        return tl.Knotd({base.ORIGIN: zone}, tmp=tmp, cpu=cpu, workers=1, wait=False,
                        update_keys=[key], journal_content="changes")
    if kind == "named":
        return tl.Named({base.ORIGIN: zone}, tmp=tmp, cpu=cpu, threads=1, update_keys=[key],
                        wait=False)
    raise ValueError(kind)


def loaded_update_server(kind, args):
    zone = base.make_zone(args.hosts)
    tmp = tl.TempDir(prefix="tether-bench-upd-%s-" % kind)
    key_holder = [tl.TsigKey.generate(KEY_NAME)]
    start = time.monotonic()
    try:
        server = start_update_server(kind, zone, args, tmp, key_holder)
        server.wait_answers("host%d.%s" % (args.hosts - 1, base.ORIGIN), "A",
                            timeout=args.load_timeout)
    except Exception:
        tmp.close()
        raise
    return server, tmp, key_holder[0], time.monotonic() - start


# ---------------------------------------------------------------------------------------
# Part 1: updates per second


def bench_updates(kind, args):
    server, tmp, key, load_s = loaded_update_server(kind, args)
    result = {"server": kind, "load_s": load_s}
    try:
        pid = base.server_pid(server)
        runs = []
        for i in range(args.runs):
            variant = i + 1
            path = make_update_file(args.hosts, args.update_lines, variant)
            # The disk's fsync latency varies from minute to minute on shared machines: record
            # it next to every run (it bounds a server that syncs each update).
            stats_fsync = fsync_latency(tmp.path, count=50)
            cpu0 = base.cpu_seconds(pid)
            proc = start_update_dnsperf(server.port, path, key, args.update_seconds,
                                        args.update_outstanding, cpu=args.client_cpu)
            stats = finish_update_dnsperf(proc)
            stats["server_cpu"] = base.cpu_seconds(pid) - cpu0
            stats["fsync"] = (stats_fsync + fsync_latency(tmp.path, count=50)) / 2
            if not server.alive():
                raise RuntimeError("%s died during the update run" % kind)
            stats["noerror_share"] = stats["noerror"] / stats["completed"] if stats["completed"] else 0
            stats["per_cpu_s"] = (stats["completed"] / stats["server_cpu"]
                                  if stats["server_cpu"] else 0)
            checked, wrong = verify_sample(server.port, args.hosts, args.update_lines, variant,
                                           stats["noerror"])
            stats["checked"], stats["wrong"] = checked, wrong
            runs.append(stats)
            log("  %s update run %d: %.0f updates/s, %d completed of %d sent, %.2f%% NOERROR, "
                "latency %.1f ms, server CPU %.2f s, %.0f updates per CPU-s; dig: %d/%d landed; "
                "fsync %.0f µs" % (kind, i + 1, stats["ups"], stats["completed"], stats["sent"],
                                   100 * stats["noerror_share"], 1000 * stats["latency"],
                                   stats["server_cpu"], stats["per_cpu_s"], checked - len(wrong),
                                   checked, 1e6 * stats["fsync"]))
            if wrong:
                log("  %s: updates that did not land: %s" % (kind, wrong[:5]))
    finally:
        base.stop_server(server, tmp)
    for k in ("ups", "per_cpu_s", "noerror_share", "latency", "server_cpu", "fsync"):
        result[k] = statistics.median(r[k] for r in runs)
    result["server_util"] = statistics.median(
        r["server_cpu"] / max(r["run_time"], 1e-9) for r in runs)
    result["checked"] = sum(r["checked"] for r in runs)
    result["wrong"] = sum(len(r["wrong"]) for r in runs)
    result["runs"] = runs
    return result


# ---------------------------------------------------------------------------------------
# Part 2: tetherd's query threads with and without updates


def thread_cpu(pid):
    """{comm: utime+stime seconds} summed over the threads of `pid` with that name."""
    out = {}
    task_dir = "/proc/%d/task" % pid
    for tid in os.listdir(task_dir):
        try:
            with open("%s/%s/stat" % (task_dir, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[comm] = out.get(comm, 0.0) + (int(fields[11]) + int(fields[12])) / base.CLK_TCK
    return out


def cpu_of(before, after, names):
    return sum(after.get(n, 0.0) - before.get(n, 0.0) for n in names)


def query_window(server, queries, args):
    """One query dnsperf run; CPU of the query threads, the update threads, all threads."""
    pid = base.server_pid(server)
    t0, all0 = thread_cpu(pid), base.cpu_seconds(pid)
    stats = base.run_dnsperf(server.port, queries, args)
    t1, all1 = thread_cpu(pid), base.cpu_seconds(pid)
    stats["query_cpu"] = cpu_of(t0, t1, QUERY_THREADS)
    stats["update_cpu"] = cpu_of(t0, t1, UPDATE_THREADS)
    stats["server_cpu"] = all1 - all0
    # Threads named neither way (main thread, tether-tcp, tether-maint, unnamed helpers).
    stats["other_cpu"] = max(0.0, stats["server_cpu"] - stats["query_cpu"] - stats["update_cpu"])
    stats["other_threads"] = sorted(set(t1) - set(QUERY_THREADS) - set(UPDATE_THREADS))
    stats["per_query_cpu_s"] = stats["completed"] / stats["query_cpu"] if stats["query_cpu"] else 0
    stats["threads"] = sorted(t1)
    return stats


def bench_mixed(queries, args):
    """tetherd only: answers per query-thread CPU-s without and with a bounded update stream."""
    server, tmp, key, _ = loaded_update_server("tetherd", args)
    result = {"without": [], "with": []}
    try:
        names = thread_cpu(base.server_pid(server))
        missing = [n for n in QUERY_THREADS if n not in names]
        if missing:
            raise RuntimeError("tetherd has no thread named %s (threads: %s)"
                               % (missing, sorted(names)))
        for i in range(args.runs):
            s = query_window(server, queries, args)
            result["without"].append(s)
            log("  tetherd queries alone, run %d: %.0f answers/s, query threads %.2f CPU-s, "
                "%.0f answers per query-thread CPU-s" % (i + 1, s["qps"], s["query_cpu"],
                                                          s["per_query_cpu_s"]))
            variant = 8 + i
            path = make_update_file(args.hosts, args.update_lines, variant)
            upd = start_update_dnsperf(server.port, path, key, args.seconds + 4,
                                       args.update_outstanding, rate=args.update_rate,
                                       cpu=args.client_cpu, out_name="dnsperf-mixed.last.txt")
            time.sleep(1.0)  # let the update stream settle before measuring
            s = query_window(server, queries, args)
            u = finish_update_dnsperf(upd)
            s["update_stats"] = u
            s["ups"] = u["ups"]
            checked, wrong = verify_sample(server.port, args.hosts, args.update_lines, variant,
                                           u["noerror"])
            s["checked"], s["wrong"] = checked, wrong
            result["with"].append(s)
            log("  tetherd queries + updates at <= %d/s, run %d: %.0f answers/s, query threads "
                "%.2f CPU-s, %.0f answers per query-thread CPU-s; update threads %.2f CPU-s, "
                "other threads %.2f CPU-s; %.0f updates/s, %.2f%% NOERROR; dig: %d/%d landed" % (
                    args.update_rate, i + 1, s["qps"], s["query_cpu"], s["per_query_cpu_s"],
                    s["update_cpu"], s["other_cpu"], u["ups"],
                    100 * u["noerror"] / u["completed"] if u["completed"] else 0,
                    checked - len(wrong), checked))
    finally:
        base.stop_server(server, tmp)
    return result


# ---------------------------------------------------------------------------------------
# Report


def fsync_latency(directory, count=100):
    """Median seconds of a 4 KiB append + fsync in `directory` (the servers' temp dirs)."""
    import tempfile
    fd, path = tempfile.mkstemp(dir=directory, prefix="fsync-probe-")
    times = []
    try:
        for _ in range(count):
            t = time.perf_counter()
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
            times.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        os.unlink(path)
    return statistics.median(times)


def report(update_results, mixed, args):
    fsync_s = fsync_latency(tl.tempfile.gettempdir())
    lines = [
        "# Tether update benchmark: %s" % time.strftime("%Y-%m-%dT%H:%M:%S"),
        "",
        "Zone: %d × `hostN 60 IN A`; each update replaces one host's A record (delete RRset + "
        "add), TSIG hmac-sha256; `dnsperf -u -q %d` (%d in flight), %d run(s) × %d s, median. "
        "Server on CPU %s, dnsperf on CPU %s. %d CPUs: %s." % (
            args.hosts, args.update_outstanding, args.update_outstanding, args.runs,
            args.update_seconds, args.server_cpu, args.client_cpu, os.cpu_count(),
            base.cpu_model()),
        "",
        "fsync of a 4 KiB append in %s at the end: %.0f µs (at most ~%.0f durable commits/s "
        "without group commit); the column fsync µs is the same probe around each server's "
        "runs (median): it varies on shared disks." % (
            tl.tempfile.gettempdir(), fsync_s * 1e6, 1 / max(fsync_s, 1e-9)),
        "",
    ]
    by = {r["server"]: r for r in update_results}
    if update_results:
        lines += ["| server | load s | updates/s | NOERROR | latency ms | server CPU % "
                  "| updates per server CPU-s | sampled updates landed | fsync µs |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in update_results:
            lines.append("| %s | %.1f | %.0f | %.2f%% | %.1f | %.0f | %.0f | %d/%d | %.0f |" % (
                r["server"], r["load_s"], r["ups"], 100 * r["noerror_share"],
                1000 * r["latency"], 100 * r["server_util"], r["per_cpu_s"],
                r["checked"] - r["wrong"], r["checked"], 1e6 * r["fsync"]))
        if "tetherd" in by:
            t = by["tetherd"]
            lines += ["", "| ratio | updates/s | updates per server CPU-s |", "|---|---|---|"]
            for peer in ("knotd", "named"):
                if peer in by and by[peer]["ups"] and by[peer]["per_cpu_s"]:
                    p = by[peer]
                    lines.append("| tetherd / %s | %.2f | %.2f |" % (
                        peer, t["ups"] / p["ups"], t["per_cpu_s"] / p["per_cpu_s"]))
    if mixed and mixed["without"] and mixed["with"]:
        def med(side, key):
            return statistics.median(s[key] for s in mixed[side])

        alone, loaded = med("without", "per_query_cpu_s"), med("with", "per_query_cpu_s")
        run_s = med("with", "run_time") or args.seconds
        lines += [
            "",
            "tetherd, query load (`dnsperf -c %d -q %d`, %d s) alone and with updates streaming "
            "at up to %d/s (`dnsperf -u -Q %d`, over UDP: the same threads receive them). "
            "Query threads: `%s`; update threads: `%s`." % (
                args.clients, args.outstanding, args.seconds, args.update_rate,
                args.update_rate, ", ".join(QUERY_THREADS), ", ".join(UPDATE_THREADS)),
            "",
            "| load | answers/s | query-thread CPU-s | answers per query-thread CPU-s "
            "| update-thread CPU-s (% of a core) | other threads CPU-s | whole tetherd CPU-s "
            "| updates/s |",
            "|---|---|---|---|---|---|---|---|",
            "| queries only | %.0f | %.2f | %.0f | %.2f (%.0f%%) | %.2f | %.2f | - |" % (
                med("without", "qps"), med("without", "query_cpu"), alone,
                med("without", "update_cpu"), 100 * med("without", "update_cpu") / run_s,
                med("without", "other_cpu"), med("without", "server_cpu")),
            "| queries + updates | %.0f | %.2f | %.0f | %.2f (%.0f%%) | %.2f | %.2f | %.0f |" % (
                med("with", "qps"), med("with", "query_cpu"), loaded,
                med("with", "update_cpu"), 100 * med("with", "update_cpu") / run_s,
                med("with", "other_cpu"), med("with", "server_cpu"), med("with", "ups")),
            "",
            "Answers per query-thread CPU-s with / without updates: %.2f (a drop of %.1f%%)." % (
                loaded / alone if alone else 0, 100 * (1 - loaded / alone) if alone else 0),
        ]
        lines.append("Other threads (named by the kernel after their comm): %s." % ", ".join(
            mixed["with"][-1]["other_threads"]))
        wrong = sum(len(s["wrong"]) for s in mixed["with"])
        checked = sum(s["checked"] for s in mixed["with"])
        lines.append("Sampled updates that landed during the mixed runs: %d/%d." % (
            checked - wrong, checked))
        if med("with", "ups") < 0.9 * args.update_rate:
            lines.append("Warning: updates reached only %.0f/s of the %d/s asked for." % (
                med("with", "ups"), args.update_rate))
    warnings = []
    for r in update_results:
        if r["wrong"]:
            warnings.append("%s: %d sampled updates did not land" % (r["server"], r["wrong"]))
        if r["noerror_share"] < 0.99:
            warnings.append("%s: only %.2f%% of updates answered NOERROR" % (
                r["server"], 100 * r["noerror_share"]))
    if warnings:
        lines += ["", "Warnings:", ""] + ["- " + w for w in warnings]
    v = base.versions()
    try:
        named = subprocess.run(["named", "-v"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except OSError:
        named = "?"
    lines += ["", "Versions: knotd: %s; named: %s; dnsperf: %s; tetherd: %s" % (
        v.get("knotd"), named, v.get("dnsperf"), args.tetherd), ""]
    text = "\n".join(lines)
    with open(os.path.join(base.OUT_DIR, "results-updates.md"), "w") as f:
        f.write(text)
    print("\n" + text)


def main(args):
    servers = args.servers.split(",")
    for tool in ("dnsperf", "taskset", "dig") + tuple(
            {"knotd": "knotd", "named": "named"}[s] for s in servers if s != "tetherd"):
        if not shutil.which(tool):
            sys.exit("bench: %s not found (make deps)" % tool)
    have_tetherd = bool(args.tetherd and os.access(args.tetherd, os.X_OK))
    if have_tetherd and not args.tether:
        sys.exit("bench: the `tether` command not found (pass --tether or set $TETHER)")
    base.make_zone(args.hosts)
    results = []
    for kind in servers:
        if kind == "tetherd" and not have_tetherd:
            log("skipping tetherd: no binary (build it or pass --tetherd)")
            continue
        log("== %s: updates" % kind)
        try:
            results.append(bench_updates(kind, args))
        except (tl.ServerError, tl.AdminError, RuntimeError) as e:
            log("%s failed: %s" % (kind, e))
    mixed = None
    if have_tetherd and "tetherd" in servers and not args.no_mixed:
        log("== tetherd: queries with and without updates")
        queries = base.make_queries(args.hosts, args.query_lines)
        try:
            mixed = bench_mixed(queries, args)
        except (tl.ServerError, tl.AdminError, RuntimeError) as e:
            log("mixed run failed: %s" % e)
    if not results and not mixed:
        sys.exit("bench: nothing could be measured")
    report(results, mixed, args)
