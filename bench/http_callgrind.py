#!/usr/bin/env python3
"""Instructions per HTTP update, by part, under callgrind: a measure this noisy VM cannot blur.

    python3 bench/http_callgrind.py build/tetherd                 # change, 10 s counted
    python3 bench/http_callgrind.py build/tetherd --mode nochg --seconds 5

Sets tetherd up exactly as `run.py --http` does (10,000 hosts, the bench configuration, set
to their nochg addresses), stops it, starts it again on the same data under
`valgrind --tool=callgrind --instr-atstart=no`, runs wrk for 3 s uncounted, then counts
`--seconds` of wrk's load (callgrind_control -i on/off) and prints the instructions of the
whole process and of its main parts per answered request. Everything runs in a private
network namespace on 127.0.0.1. It takes a few minutes; the callgrind file is kept (its path
is printed) for callgrind_annotate.

Instructions are not time (cache misses and the kernel are not in them), and under callgrind
tetherd answers ~40 times fewer requests a second: the parts driven by the clock (the history
flush every second, the journal fold) then cover fewer requests each, so their per-request
numbers differ from a real run's. The parts driven by requests (parse, handler, updater,
commit) are comparable between builds to about 1%; the history flush is also given per entry
written in the counted window (the newest history id read from the store before and after
it), which compares builds where its per-request figure does not. Build with frame pointers
and symbols (e.g. -DCMAKE_CXX_FLAGS="-fno-omit-frame-pointer -g") to read the tree.
"""
import argparse
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

import tetherlib as tl  # noqa: E402

FLUSH = "SqliteAccountStore::FlushHistory()::{lambda"
# (label, a substring of the function's name in callgrind_annotate's inclusive list)
PARTS = [
    ("HTTP: read, parse, handle (per request)", "Connection<false>::ParseRequests()"),
    ("  dyndns2 handler", "DdnsHandler::HandleDyndns2(tether::api::HttpRequest"),
    ("  credential check", "Authenticator::AuthenticateFast("),
    ("updater: batch (apply, answer, publish)", "UpdateService::RunBatch("),
    ("  HostUpdateRequest::Apply", "HostUpdateRequest::Apply("),
    ("  answer + history entry", "DdnsHandler::AnswerDyndns2("),
    ("store: commit (plan + journal row)", "Writer::Commit("),
    ("store: history flush (clock-driven)", FLUSH),
    ("store: journal fold (clock-driven)", "Committer::FoldSteps("),
]


def newest_history_id(db_path):
    """The id of the newest history entry written (0: none), read beside the running server."""
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=60)
    try:
        return db.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0]
    finally:
        db.close()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tetherd")
    parser.add_argument("--mode", choices=["change", "nochg"], default="change")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(HERE, "out", "callgrind"),
                        help="directory for the callgrind files")
    return parser.parse_args()


def main():
    options = parse_args()
    tl.ensure_netns()
    sys.argv = ["run.py", "--http", "--runs", "1"]
    import run as base
    import http_bench as hb
    args = base.parse_args()
    args.tetherd = os.path.abspath(options.tetherd)
    os.makedirs(options.out, exist_ok=True)
    prefix = os.path.join(options.out, "%s-%d" % (options.mode, int(time.time())))

    tmp = tl.TempDir(prefix="tether-callgrind-")
    server, _note, _setup = hb.start_tetherd(args, tmp)
    port = server.http_endpoints[0][1]
    auth = hb.auth_header(args, server)
    for _ in range(2):  # set, then confirm: every host is at its nochg address
        hb.prime_nochg(port, args.http_hosts, auth)
    argv = list(server._argv)
    server.stop()

    db_path = os.path.join(argv[argv.index("--data-dir") + 1], "tether.db")
    http_port, dns_port = tl.free_port(), tl.free_port()
    for i, arg in enumerate(argv):
        if arg == "--http":
            argv[i + 1] = "127.0.0.1:%d" % http_port
        elif arg == "--dns":
            argv[i + 1] = "127.0.0.1:%d" % dns_port
    # The warm-up and the counted run on passes of their own: a counted run repeating the
    # warm-up's addresses would answer nochg for the hosts the warm-up reached.
    warm_lua, lua = prefix + "-warm.lua", prefix + ".lua"
    hb.write_lua(warm_lua, options.mode, args.http_hosts, 1, auth, 5000)
    hb.write_lua(lua, options.mode, args.http_hosts, 1, auth, 5500)
    out_file = prefix + ".callgrind"
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                             "--callgrind-out-file=" + out_file] + argv,
                            stdout=open(prefix + ".valgrind.log", "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                socket.create_connection(("127.0.0.1", http_port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    sys.exit("tetherd under valgrind did not start (see %s.valgrind.log)" % prefix)
                time.sleep(1)
        url = "http://127.0.0.1:%d/" % http_port
        def wrk(script):
            return ["wrk", "-t1", "-c%d" % args.http_connections, "-s", script]
        subprocess.run(wrk(warm_lua) + ["-d3s", url], capture_output=True, timeout=120)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], capture_output=True,
                       timeout=120)
        first_entry = newest_history_id(db_path)
        load = subprocess.run(wrk(lua) + ["-d%ds" % options.seconds, url], capture_output=True,
                              text=True, timeout=options.seconds + 120)
        subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], capture_output=True,
                       timeout=120)
        flushed = newest_history_id(db_path) - first_entry
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], capture_output=True,
                       timeout=300)
    finally:
        proc.terminate()
        proc.wait(timeout=300)
    match = re.search(r"(\d+) requests in", load.stdout)
    if not match:
        sys.exit("no wrk result:\n" + load.stdout + load.stderr)
    requests = int(match.group(1))
    dump = out_file + ".1"
    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", dump],
                              capture_output=True, text=True, timeout=600).stdout
    total = 0
    flush_total = 0
    for line in annotate.splitlines():
        if "PROGRAM TOTALS" in line:
            total = int(line.split()[0].replace(",", ""))
    print("%s, %d requests answered in %d s under callgrind (%s)"
          % (options.mode, requests, options.seconds, dump))
    answers = [line for line in load.stdout.splitlines() if line.startswith("TETHER-THREAD")]
    print("answers: " + (answers[0].split(" ", 2)[2] if answers else "(not reported)"))
    print("%-45s %12s" % ("part", "instr/request"))
    print("%-45s %12d" % ("whole process", total // max(requests, 1)))
    for label, pattern in PARTS:
        count = 0
        for line in annotate.splitlines():
            # A function that never ran in the window may be listed with "." for its count.
            counted = re.match(r"\s*([\d,]+) ", line)
            if pattern in line and counted:
                count = int(counted.group(1).replace(",", ""))
                break
        print("%-45s %12d" % (label, count // max(requests, 1)))
        if pattern == FLUSH:
            flush_total = count
    # The flush runs once a second, so how many of its entries fall in the counted window
    # varies: per entry written in it (history ids rise by one an entry) compares builds.
    print("%-45s %12s" % ("store: history flush, per entry written",
                          flush_total // flushed if flushed > 0 else "-"))


if __name__ == "__main__":
    main()
