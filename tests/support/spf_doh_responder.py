#!/usr/bin/env python3
"""A DNS-over-HTTPS responder (RFC 8484) serving the zone data of the openspf SPF test suite.

Used by tests/spf_doh_conformance.rs to run the RFC 7208 suite through mailspect's DoH resolver
against a server that is not mailspect's: the DNS messages are parsed and built by dnspython, the
suite's YAML is read by PyYAML, and the zone semantics (NXDOMAIN, NODATA, empty non-terminals,
CNAME chains, TIMEOUT) are written out here independently of mailspect's MemoryResolver.

    python3 spf_doh_responder.py SUITE.yml

Listens on 127.0.0.1 on a free port and prints one JSON line on stdout,
{"port": N, "scenarios": ["description", ...]}; scenario number I (0-based, in file order) is
answered at http://127.0.0.1:N/scenario/I/dns-query, by GET ?dns= (base64url) and by POST of
application/dns-message. Ends when its standard input closes (the test holds it open) or when
killed. Needs dnspython and PyYAML: scripts/setup.sh installs them.
"""

import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

try:
    import dns.flags
    import dns.message
    import dns.name
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
    import dns.rdtypes.ANY.CNAME
    import dns.rdtypes.ANY.MX
    import dns.rdtypes.ANY.PTR
    import dns.rdtypes.ANY.SPF
    import dns.rdtypes.ANY.TXT
    import dns.rdtypes.IN.A
    import dns.rdtypes.IN.AAAA
    import dns.rrset
    import yaml
except ImportError as missing:
    sys.exit(
        f"spf_doh_responder.py needs dnspython and PyYAML ({missing}): run scripts/setup.sh, "
        "or pip install dnspython==2.9.2 PyYAML==6.0.3"
    )

IN = dns.rdataclass.IN
TTL = 300
# Resolvers give up on CNAME chains about this long; mailspect's MemoryResolver stops at 16 too.
MAX_CNAME_CHAIN = 16


def octets(text):
    """The suite's "\\x96" escapes mean raw octets (its header says so); YAML reads them as the
    code points U+0080-U+00FF. Those become single bytes again, anything above as UTF-8."""
    out = bytearray()
    for character in text:
        point = ord(character)
        out.extend(bytes([point]) if point < 256 else character.encode("utf-8"))
    return bytes(out)


def labels(text):
    """A name of the suite (presentation text without escapes) as wire labels; a trailing dot
    changes nothing."""
    return [octets(label) for label in str(text).split(".") if label]


def key(labels_):
    """Names compare without case for ASCII letters only (RFC 4343 §3); bytes.lower() folds
    exactly those."""
    return tuple(label.lower() for label in labels_)


def to_name(text):
    return dns.name.Name(labels(text) + [b""])


def character_strings(value):
    """TXT/SPF data: one string or a list of them. A TXT record holds one or more strings
    (RFC 1035 §3.3.14) of at most 255 octets each, so longer text is split as a zone file
    loader would; the suite's `SPF: [ ]` (no strings at all, which it calls illegal) is served
    as one empty string, because dnspython, like DNS servers, refuses to build the illegal
    form."""
    items = value if isinstance(value, list) else [value]
    strings = []
    for item in items:
        data = octets(str(item))
        chunks = [data[start:start + 255] for start in range(0, len(data), 255)]
        strings.extend(chunks or [b""])
    return strings or [b""]


class Zone:
    """One scenario's zonedata."""

    def __init__(self, zonedata):
        self.records = {}  # name key -> {rdatatype: [rdata]}
        self.exists = set()  # names with records, and their parents (empty non-terminals)
        self.timeouts = set()
        for owner, entries in (zonedata or {}).items():
            owner_key = key(labels(owner))
            txt = None  # None: the name has no TXT entries of its own
            spf = []
            for entry in entries:
                if entry == "TIMEOUT":
                    self.timeouts.add(owner_key)
                    continue
                for kind, value in entry.items():
                    if kind in ("TXT", "SPF"):
                        target = spf
                        if kind == "TXT":
                            txt = [] if txt is None else txt
                            target = txt
                        # "NONE" marks the type as present with no records.
                        if value != "NONE":
                            target.append(character_strings(value))
                    elif kind == "A":
                        self.add(owner_key, dns.rdtypes.IN.A.A(IN, dns.rdatatype.A, str(value)))
                    elif kind == "AAAA":
                        self.add(
                            owner_key,
                            dns.rdtypes.IN.AAAA.AAAA(IN, dns.rdatatype.AAAA, str(value)),
                        )
                    elif kind == "MX":
                        preference, exchange = value
                        self.add(
                            owner_key,
                            dns.rdtypes.ANY.MX.MX(
                                IN, dns.rdatatype.MX, int(preference), to_name(exchange)
                            ),
                        )
                    elif kind == "PTR":
                        self.add(
                            owner_key,
                            dns.rdtypes.ANY.PTR.PTR(IN, dns.rdatatype.PTR, to_name(value)),
                        )
                    elif kind == "CNAME":
                        self.add(
                            owner_key,
                            dns.rdtypes.ANY.CNAME.CNAME(IN, dns.rdatatype.CNAME, to_name(value)),
                        )
                    else:
                        raise ValueError(f"{owner}: record type {kind} is not in the suite's format")
            # The suite's convention (its header, and pyspf's driver): SPF-type records are
            # served as TXT too, unless the name has TXT entries of its own.
            for strings in spf:
                self.add(owner_key, dns.rdtypes.ANY.SPF.SPF(IN, dns.rdatatype.SPF, strings))
            for strings in spf if txt is None else txt:
                self.add(owner_key, dns.rdtypes.ANY.TXT.TXT(IN, dns.rdatatype.TXT, strings))
            self.mark_existing(owner_key)

    def add(self, owner_key, rdata):
        self.records.setdefault(owner_key, {}).setdefault(rdata.rdtype, []).append(rdata)

    def mark_existing(self, owner_key):
        for start in range(len(owner_key)):
            self.exists.add(owner_key[start:])

    def answer(self, query):
        """The response to a parsed query, as a recursive resolver in front of these zones would
        give it."""
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        owner = question.name  # answers keep the case of the question (RFC 4343 §4.1)
        seen = set()
        for _ in range(MAX_CNAME_CHAIN + 1):
            owner_key = key(list(owner.labels[:-1]))
            sets = self.records.get(owner_key, {})
            if question.rdtype in sets:
                response.answer.append(
                    dns.rrset.from_rdata_list(owner, TTL, sets[question.rdtype])
                )
                return response
            # The suite's driver (pyspf testspf.py): a TIMEOUT name times out for each type it
            # has no records of. A resolver that gets no answer from upstream says SERVFAIL,
            # which mailspect treats as the same temporary error as a timeout (RFC 7208 §2.6.6
            # temperror), without making the test wait for its 5-second timeout.
            if owner_key in self.timeouts:
                response.set_rcode(dns.rcode.SERVFAIL)
                return response
            cname = sets.get(dns.rdatatype.CNAME)
            if not cname or question.rdtype == dns.rdatatype.CNAME:
                if owner_key not in self.exists:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                return response
            if owner_key in seen:
                break
            seen.add(owner_key)
            response.answer.append(dns.rrset.from_rdata_list(owner, TTL, cname))
            owner = cname[0].target
        # A CNAME loop, or a chain too long: what resolvers answer for it (RFC 1034 §3.6.2).
        response.answer = []
        response.set_rcode(dns.rcode.SERVFAIL)
        return response


def make_handler(zones):
    class Handler(BaseHTTPRequestHandler):
        def zone(self):
            parts = urlsplit(self.path).path.split("/")
            # /scenario/<index>/dns-query
            if len(parts) != 4 or parts[1] != "scenario" or parts[3] != "dns-query":
                return None
            try:
                return zones[int(parts[2])]
            except (ValueError, IndexError):
                return None

        def do_GET(self):
            zone = self.zone()
            if zone is None:
                return self.fail(404, "the endpoint is /scenario/<index>/dns-query")
            encoded = parse_qs(urlsplit(self.path).query).get("dns")
            if not encoded:
                return self.fail(400, "the dns= parameter is missing")
            try:
                # RFC 8484 §6: base64url without padding.
                wire = base64.urlsafe_b64decode(encoded[0] + "=" * (-len(encoded[0]) % 4))
            except ValueError:
                return self.fail(400, "dns= is not base64url")
            self.respond(zone, wire)

        def do_POST(self):
            zone = self.zone()
            if zone is None:
                return self.fail(404, "the endpoint is /scenario/<index>/dns-query")
            if self.headers.get("Content-Type", "").lower() != "application/dns-message":
                return self.fail(415, "POST a body of type application/dns-message")
            length = int(self.headers.get("Content-Length", "0"))
            if length > 65535:
                return self.fail(413, "a DNS message is at most 65535 bytes")
            self.respond(zone, self.rfile.read(length))

        def respond(self, zone, wire):
            try:
                query = dns.message.from_wire(wire)
            except Exception as error:  # dnspython raises several kinds for malformed input
                return self.fail(400, f"not a DNS query: {error}")
            body = zone.answer(query).to_wire()
            self.send_response(200)
            self.send_header("Content-Type", "application/dns-message")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def fail(self, status, why):
            body = f"{why}\n".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass  # a request per DNS question: the test's output is the tally, not this

    return Handler


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: spf_doh_responder.py SUITE.yml")
    with open(sys.argv[1], encoding="utf-8") as suite:
        scenarios = [scenario for scenario in yaml.safe_load_all(suite) if scenario]
    zones = [Zone(scenario.get("zonedata")) for scenario in scenarios]
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(zones))
    server.daemon_threads = True
    descriptions = [scenario.get("description", "") for scenario in scenarios]
    print(json.dumps({"port": server.server_address[1], "scenarios": descriptions}), flush=True)

    def end_with_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=end_with_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
