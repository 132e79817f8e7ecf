"""Checks a ticket's QR code at the door, offline, with the keys from GET /organizer/ticket-keys.

    python -m chalicelib.tools.verify_ticket CODE --keys-file keys.json [--event EVENT_ID]
    python -m chalicelib.tools.verify_ticket CODE --keys-url URL --token TOKEN [--event EVENT_ID]

Exit 0: genuine (its claims are printed as JSON); 1: not a valid ticket (the reason is
printed); 2: the keys could not be read. A genuine code may still be void or already used:
only POST /organizer/events/{event_id}/check-ins knows that.
"""
from __future__ import annotations

import argparse
import base64
import json
import sys
import urllib.request

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CLAIMS = ("tid", "bid", "eid", "seat")


class InvalidTicket(Exception):
    """The code is not a genuine ticket (for this event)."""


def public_keys(document: dict) -> dict[str, Ed25519PublicKey]:
    """kid -> key, from the JSON that GET /organizer/ticket-keys returns."""
    keys = {}
    for entry in document["keys"]:
        if entry.get("alg") == "EdDSA":
            raw = entry["public_key"]
            keys[entry["kid"]] = Ed25519PublicKey.from_public_bytes(
                base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return keys


def verify(code: str, keys: dict[str, Ed25519PublicKey], event_id: str | None = None) -> dict:
    try:
        kid = jwt.get_unverified_header(code).get("kid")
    except jwt.PyJWTError as e:
        raise InvalidTicket(f"not a ticket code ({e})") from e
    if not isinstance(kid, str) or kid not in keys:
        raise InvalidTicket(f"signed with an unknown key {kid!r} (fetch the keys again?)")
    try:
        claims = jwt.decode(code, keys[kid], algorithms=["EdDSA"])
    except jwt.PyJWTError as e:
        raise InvalidTicket(f"the signature does not verify ({e})") from e
    missing = [c for c in CLAIMS if not isinstance(claims.get(c), str)]
    if missing:
        raise InvalidTicket(f"the code lacks {', '.join(missing)}")
    if event_id and claims["eid"] != event_id:
        raise InvalidTicket(f"the ticket is for another event ({claims['eid']})")
    return claims


def fetch_keys(url: str, token: str) -> dict:
    if not url.rstrip("/").endswith("/organizer/ticket-keys"):
        url = url.rstrip("/") + "/organizer/ticket-keys"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verify_ticket", description=__doc__.splitlines()[0])
    parser.add_argument("code", help="the ticket's qr_code")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--keys-file", help="saved JSON of GET /organizer/ticket-keys")
    source.add_argument("--keys-url", help="the API's base URL (or the ticket-keys URL)")
    parser.add_argument("--token", help="an organizer's bearer token, for --keys-url")
    parser.add_argument("--event", help="refuse tickets for any other event")
    args = parser.parse_args(argv)
    if args.keys_url and not args.token:
        parser.error("--keys-url needs --token")
    try:
        if args.keys_file:
            with open(args.keys_file, encoding="utf-8") as f:
                document = json.load(f)
        else:
            document = fetch_keys(args.keys_url, args.token)
        keys = public_keys(document)
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"cannot read the ticket keys: {e}", file=sys.stderr)
        return 2
    try:
        claims = verify(args.code, keys, args.event)
    except InvalidTicket as e:
        print(f"INVALID TICKET: {e}")
        return 1
    print(json.dumps({"valid": True, **claims}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
