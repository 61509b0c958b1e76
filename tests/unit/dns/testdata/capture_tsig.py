#!/usr/bin/env python3
"""Captures TSIG-signed requests from real clients (dig, kdig, nsupdate, knsupdate).

Listens on 127.0.0.1 only, runs one client command per capture, saves the first datagram
it receives as hex (one line) next to this script, and prints the TSIG time signed so that
tsig_test.cc can verify the request with `now` at that time. Regenerate with:
  python3 tests/unit/dns/testdata/capture_tsig.py
The keys are test keys, used nowhere else.
"""
import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (file, client command template); {port} is filled in.
CAPTURES = [
    ("tsig_dig_hmac_sha256.hex",
     "dig @127.0.0.1 -p {port} -y hmac-sha256:dig-sha256.tsig.test:"
     "0jnu3SdsMvzzlmTDPYRceA== example. SOA +tries=1 +time=1"),
    ("tsig_dig_hmac_md5.hex",
     "dig @127.0.0.1 -p {port} -y hmac-md5:dig-md5.tsig.test:"
     "pRP5FapFoJ95JEL06sv4PQ== example. SOA +tries=1 +time=1"),
    ("tsig_dig_hmac_sha512.hex",
     "dig @127.0.0.1 -p {port} -y hmac-sha512:Dig-SHA512.Tsig.Test:"
     "Y2xpZW50LXNlY3JldC1mb3ItdGhlLXNoYTUxMi10ZXN0LWtleQ== example. A +tries=1 +time=1"),
    ("tsig_kdig_hmac_sha384.hex",
     "kdig @127.0.0.1 -p {port} -y hmac-sha384:kdig-sha384.tsig.test:"
     "a2RpZy1zZWNyZXQtZm9yLXNoYTM4NA== example. AAAA +retry=0 +timeout=1"),
    ("tsig_nsupdate_hmac_sha1.hex",
     "nsupdate -y hmac-sha1:nsupdate-sha1.tsig.test:bnN1cGRhdGUtc2hhMQ=="),
    ("tsig_knsupdate_hmac_sha224.hex",
     "knsupdate -y hmac-sha224:knsupdate-sha224.tsig.test:a25zdXBkYXRlLXNoYTIyNA=="),
]

UPDATE_SCRIPT = """server 127.0.0.1 {port}
zone example.
update add host.example. 60 A 192.0.2.1
send
"""


def capture(command, port, sock):
    stdin = None
    if "nsupdate" in command:
        stdin = UPDATE_SCRIPT.format(port=port)
        if command.startswith("nsupdate"):
            command += " -t 1 -u 1"  # give up quickly
        else:
            command += " -t 1 -r 0"
    proc = subprocess.Popen(command.format(port=port).split(), stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    if stdin is not None:
        proc.stdin.write(stdin)
    proc.stdin.close()
    sock.settimeout(5)
    data, _ = sock.recvfrom(65535)
    proc.kill()
    proc.wait()
    return data


def main():
    for name, command in CAPTURES:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        data = capture(command, port, sock)
        sock.close()
        with open(os.path.join(HERE, name), "w") as f:
            f.write(data.hex() + "\n")
        print(name, len(data), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
