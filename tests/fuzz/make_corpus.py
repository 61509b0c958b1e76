#!/usr/bin/env python3
"""Writes the seed corpora of the dns fuzz targets (message, name, rdata_text, transfer_reader).

Hermetic: packets are built by hand with struct (no network, no third-party modules).
Run from anywhere: python3 tests/fuzz/make_corpus.py. Regression seeds found by fuzzing
are kept as separate files named crash-*/regress-* and are not touched.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# (type code, presentation text, canonical wire hex) - the same RFC example values as
# tests/unit/dns/rdata_round_trip_test.cc.
RDATA = [
    (1, "192.0.2.1", "C0000201"),
    (28, "2001:db8::1", "20010DB8000000000000000000000001"),
    (2, "ns1.example.", "036E7331076578616D706C6500"),
    (5, "www.example.", "03777777076578616D706C6500"),
    (6, "ns1.example. hostmaster.example. 2024010101 3600 900 604800 300",
     "036E7331076578616D706C65000A686F73746D6173746572076578616D706C650078A3F17500000E100000038400093A800000012C"),
    (12, "host.example.", "04686F7374076578616D706C6500"),
    (13, '"PC-Intel-700mhz" "Redhat Linux 7.1"',
     "0F50432D496E74656C2D3730306D687A10526564686174204C696E757820372E31"),
    (14, "a.example. b.example.", "0161076578616D706C65000162076578616D706C6500"),
    (15, "10 mail.example.", "000A046D61696C076578616D706C6500"),
    (16, '"hello world" "a\\"b\\\\c" "\\009x\\255"', "0B68656C6C6F20776F726C64056122625C63030978FF"),
    (17, "mbox.example. txt.example.", "046D626F78076578616D706C650003747874076578616D706C6500"),
    (18, "1 afs.example.", "000103616673076578616D706C6500"),
    (33, "0 5 5060 sip.example.", "0000000513C403736970076578616D706C6500"),
    (35, '100 10 "" "" "/urn:cid:.+@([^\\\\.]+\\\\.)(.*)$/\\\\2/i" .',
     "0064000A0000202F75726E3A6369643A2E2B40285B5E5C2E5D2B5C2E29282E2A29242F5C322F6900"),
    (36, "10 kx.example.", "000A026B78076578616D706C6500"),
    (39, "target.example.", "06746172676574076578616D706C6500"),
    (43, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
     "EC4505012BB183AF5F22588179A53B0A98631FAD1A292118"),
    (44, "2 1 123456789ABCDEF67890123456789ABCDEF67890", "0201123456789ABCDEF67890123456789ABCDEF67890"),
    (46, "A 5 3 86400 20030322173103 20030220173103 2642 example. oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKi",
     None),
    (47, "host.example. A MX RRSIG NSEC TYPE1234",
     "04686F7374076578616D706C65000006400100000003041B000000000000000000000000000000000000000000000000000020"),
    (48, "256 3 5 AQPSKmynfzW4kyBv015MUG2DeIQ3Cbl+BBZH4b/0PY1kxkmvHjcZc8nokfzj31GajIQKY+5C", None),
    (50, "1 1 12 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG",
     "0101000C04AABBCCDD1417F3DF17B2B2ADAEF615257DE4D2020B80AC6C7C0006400000000002"),
    (51, "1 0 12 AABBCCDD", "0100000C04AABBCCDD"),
    (52, "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
     "0301010C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"),
    (59, "0 0 0 00", "0000000000"),
    (60, "0 3 0 AA==", "0000030000"),
    (61, "AQPSKmynfzW4kyBv015MUG2DeIQ3", "0103D22A6CA77F35B893206FD35E4C506D83788437"),
    (62, "66 3 A NS AAAA", "000000420003000460000008"),
    (63, "2018031900 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D2", "7848B91C0101FEBE3D4CE2EC2FFA4BA99D46CD69D6D2"),
    (63, "2018031900 1 240 0102030405060708090A0B0C", "7848B91C01F00102030405060708090A0B0C"),
    (64, '1 foo.example. mandatory=alpn,port alpn="h2,h3\\\\,x" no-default-alpn port=8443 '
         'ipv4hint=1.2.3.4,5.6.7.8 ech=AEX+DQBB ipv6hint=2001:db8::1 key65000="a b"', None),
    (65, '1 . alpn="h3,h2" port=443', "000100000100060268330268320003000201BB"),
    (65, "0 foo.example.", "000003666F6F076578616D706C6500"),
    (99, '"v=spf1 -all"', "0B763D73706631202D616C6C"),
    (108, "00-00-5e-00-53-2a", "00005E00532A"),
    (109, "00-00-5e-ef-10-00-00-2a", "00005EEF1000002A"),
    (256, '10 1 "ftp://ftp1.example.com/public"',
     "000A00016674703A2F2F667470312E6578616D706C652E636F6D2F7075626C6963"),
    (257, '0 issue "letsencrypt.org"', "000569737375656C657473656E63727970742E6F7267"),
    (257, '128 tbs "a b\\"c"', "80037462736120622263"),
    (1, "\\# 4 0A000001", "0A000001"),
    (65280, "\\# 4 0A000001", "0A000001"),
    (29, "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m", "000016138B3CF018810CBCE0009895B8"),
    (29, "42 21 54 N 71 06 18 W -24m 30m", "0033161389172DD070BE15F000988D20"),
    (42, "\\# 8 0001150AC0A82000", "0001150AC0A82000"),
    (15, "10 mail", None),
    (6, "@ hostmaster 1 1h 15m 1w 5m", None),
    (16, "unquoted words \\065", None),
]


def name(text):
    if text == ".":
        return b"\0"
    out = b""
    for label in text.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(id_, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", id_, flags, qd, an, ns, ar)


def question(qname, qtype, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)


def rr(owner, rtype, rdata, ttl=300, klass=1):
    owner_wire = owner if isinstance(owner, bytes) else name(owner)
    return owner_wire + struct.pack("!HHIH", rtype, klass, ttl, len(rdata)) + rdata


def opt(udp=1232, do=False, options=b""):
    return rr(b"\0", 41, options, ttl=0x8000 if do else 0, klass=udp)


def write(directory, files):
    os.makedirs(directory, exist_ok=True)
    for filename, data in files.items():
        with open(os.path.join(directory, filename), "wb") as f:
            f.write(data)


def messages():
    out = {}
    for i, qtype in enumerate([1, 28, 2, 6, 15, 16, 33, 64, 65, 257, 255, 252, 251, 43, 48]):
        out[f"query-{qtype}"] = header(i, 0x0100, 1, 0, 0, 0) + question("www.example.com.", qtype)
    out["query-edns"] = header(1, 0x0100, 1, 0, 0, 1) + question("example.com.", 1) + opt(4096, True)
    cookie = struct.pack("!HH", 10, 8) + bytes(range(8))
    out["query-cookie"] = header(2, 0, 1, 0, 0, 1) + question("example.com.", 1) + opt(1232, False, cookie)
    out["query-no-question"] = header(3, 0, 0, 0, 0, 0)
    out["notify"] = header(4, 0x2000 | 0x0400, 1, 0, 0, 0) + question("example.com.", 6)
    # UPDATE (RFC 2136): zone, a prerequisite (class ANY, empty RDATA), a delete and an add.
    update = header(5, 0x2800, 1, 1, 2, 0) + question("example.com.", 6)
    update += rr("host.example.com.", 1, b"", ttl=0, klass=255)
    update += rr("host.example.com.", 255, b"", ttl=0, klass=255)
    update += rr("host.example.com.", 1, bytes([192, 0, 2, 7]), ttl=60)
    out["update"] = update
    # Responses with compression: the question name sits at offset 12.
    q = question("example.com.", 1)
    ptr = b"\xc0\x0c"
    resp = header(6, 0x8400, 1, 2, 1, 1) + q
    resp += rr(ptr, 1, bytes([192, 0, 2, 1]))
    resp += rr(ptr, 15, struct.pack("!H", 10) + b"\x04mail" + ptr)
    resp += rr(ptr, 2, b"\x03ns1" + ptr)
    resp += rr(b"\x03ns1" + ptr, 1, bytes([192, 0, 2, 53]))
    out["response-compressed"] = resp
    soa = b"\x03ns1" + ptr + b"\x0ahostmaster" + ptr + struct.pack("!IIIII", 1, 2, 3, 4, 5)
    out["response-soa"] = header(7, 0x8403, 1, 0, 1, 0) + q + rr(ptr, 6, soa)
    out["response-srv-compressed"] = header(8, 0x8400, 1, 1, 0, 0) + q + rr(
        ptr, 33, struct.pack("!HHH", 0, 5, 5060) + ptr)
    # TSIG as the last record (RDATA kept raw).
    tsig_rdata = name("hmac-sha256.") + struct.pack("!HIH", 0, 1700000000, 300) + struct.pack(
        "!H", 32) + bytes(32) + struct.pack("!HHH", 9, 0, 0)
    out["tsig"] = header(9, 0, 1, 0, 0, 1) + q + rr("key.example.", 250, tsig_rdata, ttl=0, klass=255)
    # One answer of each type from the table (wire forms where known).
    for i, (rtype, _, hexdata) in enumerate(RDATA):
        if hexdata is None:
            continue
        out[f"answer-{i:02d}-type{rtype}"] = header(100 + i, 0x8400, 1, 1, 0, 0) + question(
            "example.", rtype) + rr(b"\xc0\x0c", rtype, bytes.fromhex(hexdata))
    # Malformed ones, so the corpus reaches the error paths.
    out["bad-loop"] = header(10, 0, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    out["bad-forward"] = header(11, 0, 1, 0, 0, 0) + b"\xc0\x20" + struct.pack("!HH", 1, 1)
    out["bad-two-opt"] = header(12, 0, 1, 0, 0, 2) + q + opt() + opt()
    out["bad-opt-in-answer"] = header(13, 0, 1, 1, 0, 0) + q + opt()
    out["bad-trailing"] = header(14, 0, 1, 0, 0, 0) + q + b"\0"
    out["bad-short-header"] = b"\x12\x34\x01\x00\x00"
    return out


def names():
    out = {}
    for i, text in enumerate(["example.com.", ".", "a.b.c.d.e.f.", "xn--bcher-kva.example.",
                              "*.wild.example.", "a\\.b.example.", "\\065\\066c.", "@", "rel",
                              "UPPER.Case.", "a..b", "x" * 63 + ".", "x" * 64 + ".",
                              ".".join(["abc"] * 63) + "."]):
        out[f"text-{i:02d}"] = text.encode()
    out["wire-plain"] = name("www.example.com.")
    out["wire-root"] = b"\0"
    out["wire-pointer"] = name("example.com.") + b"\x03www\xc0\x00"
    out["wire-loop"] = b"\xc0\x00"
    out["wire-self"] = b"\x03abc\xc0\x04"
    out["wire-forward"] = b"\xc0\x02\x01a\x00"
    out["wire-label-0x40"] = b"\x41abc\x00"
    out["wire-chain"] = b"\x01a\x00" + b"\x01b\xc0\x00" + b"\x01c\xc0\x03" + b"\x01d\xc0\x07"
    out["wire-long"] = b"\x3f" + b"x" * 63 + b"\x3f" + b"y" * 63 + b"\x3f" + b"z" * 63 + b"\x3f" + b"w" * 63 + b"\0"
    out["wire-truncated"] = b"\x05abc"
    return out


def rdata_text():
    out = {}
    for i, (rtype, text, _) in enumerate(RDATA):
        out[f"type{rtype}-{i:02d}"] = struct.pack("!H", rtype) + text.encode()
    out["bad-a"] = struct.pack("!H", 1) + b"1.2.3"
    out["bad-svcb-dup"] = struct.pack("!H", 64) + b"1 . alpn=h2 alpn=h3"
    out["bad-quotes"] = struct.pack("!H", 16) + b'"abc'
    return out


def soa(serial):
    return (name("ns1.example.com.") + name("hostmaster.example.com.") +
            struct.pack("!IIIII", serial, 3600, 900, 604800, 60))


def transfer_stream(qtype, records_per_message, id_=0x4242):
    """Response messages to a transfer request for example.com., framed as on TCP."""
    out = b""
    for records in records_per_message:
        body = header(id_, 0x8400, 1, len(records), 0, 0) + question("example.com.", qtype)
        body += b"".join(records)
        out += struct.pack("!H", len(body)) + body
    return out


def transfer_reader():
    """Input of transfer_reader_fuzz: a mode byte, then length-prefixed messages."""
    a = lambda owner, last: rr(owner, 1, bytes([192, 0, 2, last]), ttl=60)
    ns = rr("example.com.", 2, name("ns1.example.com."), ttl=3600)
    s = lambda serial: rr("example.com.", 6, soa(serial), ttl=3600)
    axfr, ixfr, ixfr_signed = 0, 1, 3  # bit 0: IXFR from serial 5; bit 1: expect TSIG
    out = {}
    out["axfr-one-message"] = bytes([axfr]) + transfer_stream(252, [[s(9), ns, a("www.example.com.", 1), s(9)]])
    out["axfr-three-messages"] = bytes([axfr]) + transfer_stream(
        252, [[s(9), ns], [a("a.example.com.", 1), a("b.example.com.", 2)], [s(9)]])
    out["ixfr-two-changes"] = bytes([ixfr]) + transfer_stream(251, [[
        s(7), s(5), a("www.example.com.", 1), s(6), a("www.example.com.", 2),
        s(6), s(7), a("mail.example.com.", 3), s(7)]])
    out["ixfr-up-to-date"] = bytes([ixfr]) + transfer_stream(251, [[s(5)]])
    out["ixfr-axfr-style"] = bytes([ixfr]) + transfer_stream(251, [[s(9), ns, s(9)]])
    out["ixfr-unsigned-when-signed-expected"] = bytes([ixfr_signed]) + transfer_stream(251, [[s(5)]])
    out["bad-not-soa-first"] = bytes([axfr]) + transfer_stream(252, [[ns, s(9)]])
    out["bad-two-soas"] = bytes([axfr]) + transfer_stream(252, [[s(9), ns, s(10)]])
    out["bad-after-end"] = bytes([axfr]) + transfer_stream(252, [[s(9), ns, s(9), ns]])
    out["bad-change-gap"] = bytes([ixfr]) + transfer_stream(251, [[s(8), s(5), s(6), s(7), s(8), s(8)]])
    out["bad-truncated"] = bytes([axfr]) + transfer_stream(252, [[s(9), ns, s(9)]])[:-5]
    out["bad-rcode"] = bytes([ixfr]) + struct.pack("!H", 29) + header(0x4242, 0x8004, 1, 0, 0, 0) + question("example.com.", 251)
    return out


def main():
    corpus = os.path.join(HERE, "corpus")
    write(os.path.join(corpus, "transfer_reader"), transfer_reader())
    write(os.path.join(corpus, "message"), messages())
    write(os.path.join(corpus, "name"), names())
    write(os.path.join(corpus, "rdata_text"), rdata_text())


if __name__ == "__main__":
    main()
