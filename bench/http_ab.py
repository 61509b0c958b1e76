#!/usr/bin/env python3
"""Interleaved A/B of tetherd builds on the HTTP update benchmark (bench/http_bench.py).

    python3 bench/http_ab.py change 4 6 old/tetherd build/tetherd
    python3 bench/http_ab.py nochg 6 5 old/tetherd build/tetherd --nginx
    python3 bench/http_ab.py change 4 6 build/tetherd --switches

Every build is started once (tetherd --threads 1 with the benchmark's configuration and
hosts, exactly as `run.py --http` does), then each round runs the load once against each of
them, in alternating order (A B, then B A, ...), so that drift of the shared machine falls on
all of them alike. --nginx adds nginx's static answer to every round. It prints each round and
the medians, and, for each build after the first, its ratio to the first per round: on this
2-CPU VM a single round of one build varies by ~5%, so a difference below that needs four or
more rounds, and a round whose ratio has the other sign says the difference is noise.

MODE is `change` (every request a durable change) or `nochg` (the hosts are set once first,
then every request repeats their address). --switches prints the context switches of each of
tetherd's thread groups per answered request (from /proc/PID/task/*/status).

A build may be a wrapper script that execs tetherd (e.g. to set an environment variable):
its process is the server. Uses bench/run.py's options for the load (--http-hosts,
--http-connections, ...: pass them after `--`).
"""

import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

import tetherlib as tl  # noqa: E402


def context_switches(pid):
    """Voluntary + involuntary switches so far, summed per thread name."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                count = sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except OSError:
            continue  # the thread ended meanwhile
        out[name] = out.get(name, 0) + count
    return out


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("change", "nochg"))
    p.add_argument("rounds", type=int)
    p.add_argument("seconds", type=int, help="length of each run (wrk -d)")
    p.add_argument("builds", nargs="+", help="tetherd binaries (or wrappers); the first is A")
    p.add_argument("--nginx", action="store_true", help="also run nginx in every round")
    p.add_argument("--switches", action="store_true",
                   help="print context switches per answered request, per thread name")
    opts = p.parse_args(argv)

    tl.ensure_netns()  # re-executes this script inside a private network namespace
    saved = sys.argv
    sys.argv = ["run.py", "--http", "--http-seconds", str(opts.seconds), "--runs", "1"] + extra
    import run as base  # bench/run.py
    args = base.parse_args()
    sys.argv = saved
    os.makedirs(base.OUT_DIR, exist_ok=True)
    import http_bench as hb

    servers = []
    for build in opts.builds:
        args.tetherd = os.path.abspath(build)
        server, _note, setup = hb.start_tetherd(args, tl.TempDir(prefix="tether-ab-"))
        port = server.http_endpoints[0][1]
        auth = hb.auth_header(args, server)
        if opts.mode == "nochg":
            primed = [hb.prime_nochg(port, args.http_hosts, auth) for _ in range(2)]
            print("%s: primed %s" % (build, primed), flush=True)
        hb.settle(base.server_pid(server))
        servers.append((build, server, port, auth, base.server_pid(server)))
    nginx = None
    if opts.nginx:
        nginx = tl.Nginx({"/": 'return 200 "good 127.0.0.1";'},
                         tmp=tl.TempDir(prefix="tether-ab-nginx-"), cpu=args.server_cpu)

    results = {build: [] for build in opts.builds}
    results["nginx"] = []
    try:
        for r in range(opts.rounds):
            order = servers if r % 2 == 0 else servers[::-1]
            for build, _server, port, auth, pid in order:
                before = context_switches(pid) if opts.switches else None
                # Each round starts another pass, so changing runs never repeat addresses.
                s = hb.measure("tetherd", opts.mode, pid, port, args, auth, 1 + (r + 1) * 1000)
                results[build].append(s["per_cpu_s"])
                print("round %d %s: %.0f per CPU-s, server %.0f%% of its core, others %.0f%%, "
                      "expected answer %.1f%%, latency %.2f ms" % (
                          r, build, s["per_cpu_s"], 100 * s["server_util"], 100 * s["foreign"],
                          100 * s["want_share"], s["latency_ms"]), flush=True)
                if before is not None:
                    after = context_switches(pid)
                    answered = max(1, s["responded"])
                    print("  switches per request: %s" % {
                        name: round((count - before.get(name, 0)) / answered, 3)
                        for name, count in sorted(after.items()) if count > before.get(name, 0)})
            if nginx:
                s = hb.measure("nginx", "change", base.server_pid(nginx), nginx.port, args,
                               hb.auth_header(args), 0)
                results["nginx"].append(s["per_cpu_s"])
                print("round %d nginx: %.0f per CPU-s" % (r, s["per_cpu_s"]), flush=True)
    finally:
        for _build, server, *_rest in servers:
            server.kill()
        if nginx:
            nginx.kill()

    for name, values in results.items():
        if values:
            print("%s: median %.0f, rounds %s" % (name, statistics.median(values),
                                                 [round(v) for v in values]))
    first = results[opts.builds[0]]
    for build in opts.builds[1:]:
        ratios = [b / a for a, b in zip(first, results[build]) if a]
        print("%s / %s per round: %s, median %.3f" % (
            build, opts.builds[0], [round(x, 3) for x in ratios], statistics.median(ratios)))
    if results["nginx"]:
        for build in opts.builds:
            ratios = [t / n for t, n in zip(results[build], results["nginx"]) if n]
            print("%s / nginx per round: %s, median %.3f" % (
                build, [round(x, 3) for x in ratios], statistics.median(ratios)))


if __name__ == "__main__":
    main()
