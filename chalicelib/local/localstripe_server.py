"""Runs localstripe (a fake Stripe API) on loopback for the tests and the local stack, with
the few Stripe behaviours Boxoffice relies on that localstripe lacks (docs/payments.md):
Idempotency-Key replay, PaymentIntent search by metadata, remaining-amount refunds, the
test payment methods pm_card_chargeDeclined, pm_card_threeDSecure2Required and the
contract's pm_card_providerError. Started by chalicelib/local/localstripe.py; never shipped."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket

from aiohttp import web
from localstripe import resources, server

from .localstripe_idempotency import idempotency_keys

# Stripe test cards localstripe treats the way Stripe treats these test payment methods.
EXTRA_TEST_METHODS = {"pm_card_chargeDeclined": "4000000000000341",
                      "pm_card_threeDSecure2Required": "4000000000003220"}
CAPTURE_PATH = re.compile(r"^/v1/payment_intents/(\w+)/capture$")
SEARCH_QUERY = re.compile(r"^metadata\['(\w+)'\]:'((?:[^'\\]|\\.)*)'$")


def stripe_error(status: int, kind: str, message: str, code: str | None = None):
    return web.json_response({"error": {"type": kind, "message": message, "code": code}},
                             status=status)


@web.middleware
async def provider_outage(request, handler):
    """The contract's pm_card_providerError: Stripe answering 500, as in an outage."""
    if request.method == "POST" and request.path == "/v1/payment_intents":
        if (await request.post()).get("payment_method") == "pm_card_providerError":
            return stripe_error(500, "api_error", "An unexpected error occurred (simulated).")
    return await handler(request)


@web.middleware
async def payment_intent_search(request, handler):
    """GET /v1/payment_intents/search for `metadata['key']:'value'`, the one query we use."""
    if request.method != "GET" or request.path != "/v1/payment_intents/search":
        return await handler(request)
    match = SEARCH_QUERY.match(request.query.get("query", ""))
    if not match:
        return stripe_error(400, "invalid_request_error", "Unsupported search query.")
    key, value = match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))
    found = [intent._export() for name, intent in list(resources.store.items())
             if name.startswith("payment_intent:") and (intent.metadata or {}).get(key) == value]
    return web.json_response({"object": "search_result", "data": found, "has_more": False,
                              "next_page": None, "url": request.path})


@web.middleware
async def capture_only_what_awaits_capture(request, handler):
    """Stripe refuses to capture an intent that is not requires_capture; localstripe captures
    a canceled intent's charge, and fails with a 500 before confirmation."""
    match = CAPTURE_PATH.match(request.path)
    if request.method == "POST" and match:
        intent = resources.store.get(f"payment_intent:{match.group(1)}")
        if intent is not None and intent.status != "requires_capture":
            return stripe_error(400, "invalid_request_error",
                                f"This PaymentIntent could not be captured because it has a "
                                f"status of {intent.status}.", "payment_intent_unexpected_state")
    return await handler(request)


def teach_test_methods() -> None:
    original = resources.PaymentMethod._try_get_canonical_test_article.__func__

    def canonical(cls, id):
        if id in EXTRA_TEST_METHODS:
            return resources.PaymentMethod(type="card", card={
                "number": EXTRA_TEST_METHODS[id], "exp_month": "12", "exp_year": "2034",
                "cvc": "123"})
        return original(cls, id)
    resources.PaymentMethod._try_get_canonical_test_article = classmethod(canonical)


def refund_only_what_remains() -> None:
    """Stripe refunds the rest by default and refuses more than the rest; localstripe
    refunds the whole charge every time."""
    original = resources.Refund.__init__

    def init(self, charge=None, payment_intent=None, amount=None, **kwargs):
        target = charge or resources.PaymentIntent._api_retrieve(payment_intent).latest_charge.id
        charge_obj = resources.Charge._api_retrieve(target)
        remaining = charge_obj.amount - charge_obj.amount_refunded
        wanted = remaining if amount is None else resources.try_convert_to_int(amount)
        if remaining <= 0:
            raise resources.UserError(400, "The charge has already been refunded.",
                                      {"code": "charge_already_refunded"})
        if isinstance(wanted, int) and wanted > remaining:
            raise resources.UserError(400, "The refund is larger than the unrefunded amount.",
                                      {"code": "amount_too_large"})
        original(self, charge=charge, payment_intent=payment_intent, amount=wanted, **kwargs)
    resources.Refund.__init__ = init


def build_app() -> web.Application:
    # localstripe pickles its whole store to /tmp/localstripe.pickle on every write: shared by
    # every instance on the machine and slower with each object. Keep state in memory only.
    resources.Store.dump_to_disk = lambda self: None
    teach_test_methods()
    refund_only_what_remains()
    app = server.app
    for middleware in (capture_only_what_awaits_capture, provider_outage,
                       payment_intent_search, idempotency_keys):
        app.middlewares.insert(0, middleware)
    return app


async def exit_when_orphaned(app: web.Application) -> None:
    """A test session that dies must not leave localstripe listening."""
    parent = os.getppid()

    async def watch():
        while os.getppid() == parent:
            await asyncio.sleep(1)
        os._exit(0)
    app["orphan_watch"] = asyncio.ensure_future(watch())


def serve(host: str, port: int) -> None:
    app = build_app()
    app.on_startup.append(exit_when_orphaned)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    print(json.dumps({"url": f"http://{host}:{sock.getsockname()[1]}"}), flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error("localstripe serves loopback only")
    serve(args.host, args.port)
