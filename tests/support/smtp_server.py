#!/usr/bin/env python3
"""An SMTP server for tests/probe.rs, built on aiosmtpd (the SMTP server of the aio-libs
project), so that mailspect's probe is tested against an SMTP implementation that is not its own.

    python3 smtp_server.py [--cert PEM --key PEM] [--implicit-tls] [--no-starttls]
                           [--auth-before-tls] [--relay | --greylist] [--hostname NAME]

Listens on 127.0.0.1 on a free port and prints one JSON line on stdout, {"port": N}. Ends when
its standard input closes (the test holds it open) or when killed. It accepts no message: DATA
is refused, so nothing a test sends is ever stored.

  --cert/--key      the certificate chain and key for TLS (STARTTLS, or implicit with
                    --implicit-tls); without them the server offers no TLS at all
  --no-starttls     do not offer STARTTLS even with a certificate
  --auth-before-tls offer AUTH PLAIN LOGIN before STARTTLS (a misconfiguration)
  --relay           accept any recipient (an open relay); by default recipients outside
                    --local-domain are refused with 554 5.7.1
  --greylist        answer every RCPT TO with 451 4.7.1 (greylisting)
"""

import argparse
import asyncio
import json
import ssl
import sys
import threading

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError:
    sys.stderr.write("smtp_server.py needs aiosmtpd: scripts/setup.sh installs it\n")
    sys.exit(3)


class Handler:
    def __init__(self, relay, greylist, local_domain):
        self.relay = relay
        self.greylist = greylist
        self.local_domain = local_domain.lower()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.greylist:
            return "451 4.7.1 Greylisted, try again later"
        domain = address.rpartition("@")[2].lower()
        if not self.relay and domain != self.local_domain:
            return "554 5.7.1 Relay access denied"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        return "554 5.7.0 This test server accepts no message"


def refuse_every_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=False, handled=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--no-starttls", action="store_true")
    parser.add_argument("--auth-before-tls", action="store_true")
    parser.add_argument("--relay", action="store_true")
    parser.add_argument("--greylist", action="store_true")
    parser.add_argument("--hostname", default="mail.example.test")
    parser.add_argument("--local-domain", default="example.test")
    args = parser.parse_args()

    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    handler = Handler(args.relay, args.greylist, args.local_domain)

    def factory():
        return SMTP(
            handler,
            hostname=args.hostname,
            ident="mailspect test server",
            tls_context=None if (args.implicit_tls or args.no_starttls) else context,
            require_starttls=False,
            authenticator=refuse_every_login,
            auth_require_tls=not args.auth_before_tls,
            auth_exclude_mechanism=["CRAM-MD5"],
        )

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(
            factory,
            host="127.0.0.1",
            port=0,
            ssl=context if args.implicit_tls else None,
        )
    )
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port}), flush=True)

    def wait_for_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=wait_for_stdin, daemon=True).start()
    loop.run_forever()


if __name__ == "__main__":
    main()
