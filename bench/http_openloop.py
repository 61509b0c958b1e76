#!/usr/bin/env python3
"""Open-loop HTTP updates: one-off clients at a fixed rate, as routers send them.

    python3 bench/http_openloop.py 5 "500 2000" build/tetherd other/tetherd
    python3 bench/http_openloop.py 5 2000 wrapper-with-batch-wait-0 build/tetherd

wrk's clients send their next request as soon as they are answered (a closed loop). Here
each changing request (`/nic/update`, HTTP Basic, a new address for one of the benchmark's
hosts) comes on a new connection (`Connection: close`) at its scheduled time, whether the
earlier ones were answered or not, for SECONDS at each RATE. Every build is started once as
`run.py --http` starts tetherd (10,000 hosts, the bench configuration); the builds take turns
at each rate. It prints the latency percentiles and the server's CPU per request. The client
is Python (asyncio) on the load CPU: a few thousand requests a second at most.

A build may be a wrapper script that execs tetherd (e.g. to add `[update] batch_wait_us = 0`
to its --config file). Runs in a private network namespace on 127.0.0.1.
"""
import argparse
import asyncio
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

import tetherlib as tl  # noqa: E402


async def load(port, auth, zone, hosts, rate, seconds, first):
    """Requests `first`, `first`+1, ... at `rate` a second; returns (latencies, not good)."""
    latencies = []
    failed = 0

    async def one(i):
        nonlocal failed
        host = i % hosts
        address = "10.%d.%d.%d" % ((i // hosts) % 250 + 1, host // 256 % 256, host % 256)
        request = ("GET /nic/update?hostname=host%d.%s&myip=%s HTTP/1.1\r\nHost: bench\r\n"
                   "Authorization: %s\r\nConnection: close\r\n\r\n" % (host, zone, address, auth))
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request.encode())
            answer = await reader.read()
            writer.close()
        except OSError:
            failed += 1
            return
        latencies.append(time.perf_counter() - start)
        if b"\r\n\r\ngood" not in answer:
            failed += 1

    tasks = []
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(first + n)))
    await asyncio.gather(*tasks)
    return latencies, failed


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("seconds", type=float, help="length of the load at each rate")
    p.add_argument("rates", help="requests a second, space-separated")
    p.add_argument("builds", nargs="+", help="tetherd binaries (or wrappers)")
    opts = p.parse_args()

    tl.ensure_netns()  # re-executes this script inside a private network namespace
    saved = sys.argv
    sys.argv = ["run.py", "--http", "--runs", "1"]
    import run as base  # bench/run.py
    args = base.parse_args()
    sys.argv = saved
    os.makedirs(base.OUT_DIR, exist_ok=True)
    import http_bench as hb

    servers = []
    try:
        for build in opts.builds:
            args.tetherd = os.path.abspath(build)
            server, _note, _setup = hb.start_tetherd(args, tl.TempDir(prefix="tether-openloop-"))
            hb.settle(base.server_pid(server))
            servers.append((build, server))
        if args.client_cpu is not None:
            os.sched_setaffinity(0, {args.client_cpu})
        first = 0
        for rate in (int(r) for r in opts.rates.split()):
            for build, server in servers:
                pid = base.server_pid(server)
                before = base.cpu_seconds(pid)
                latencies, failed = asyncio.run(load(
                    server.http_endpoints[0][1], hb.auth_header(args, server), hb.ZONE.rstrip("."),
                    args.http_hosts, rate, opts.seconds, first))
                cpu = base.cpu_seconds(pid) - before
                first += int(rate * opts.seconds)  # new addresses: every request a change
                ms = [1000 * (base.percentile(latencies, q) or 0) for q in (0.5, 0.9, 0.99)]
                print("rate %d %s: %d answered, %d not good, latency ms p50 %.2f p90 %.2f p99 %.2f, "
                      "server %.1f CPU µs per request" % (
                          rate, build, len(latencies), failed, *ms,
                          1e6 * cpu / max(1, len(latencies))), flush=True)
    finally:
        for _build, server in servers:
            server.kill()


if __name__ == "__main__":
    main()
