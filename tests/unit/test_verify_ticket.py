"""The door scanner CLI verifies tickets offline against the published keys."""
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chalicelib.adapters.keys import KeyRing
from chalicelib.adapters.tokens import EdDsaTicketSigner as TicketSigner
from chalicelib.services.ports import TicketClaims
from chalicelib.tools import verify_ticket


@pytest.fixture
def signer():
    return TicketSigner(KeyRing.generate())


@pytest.fixture
def keys_file(signer, tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": signer.public_keys()}))
    return str(path)


def run(capsys, *argv):
    status = verify_ticket.main([*argv])
    out = capsys.readouterr()
    return status, out.out + out.err


def test_a_genuine_ticket_prints_its_claims_and_passes(signer, keys_file, capsys):
    code = signer.sign(TicketClaims("t1", "b1", "e1", "A-1-1"))
    status, output = run(capsys, code, "--keys-file", keys_file, "--event", "e1")
    assert status == 0
    assert json.loads(output) == {"valid": True, "tid": "t1", "bid": "b1", "eid": "e1",
                                  "seat": "A-1-1"}


def test_a_ticket_with_an_edited_seat_is_rejected(signer, keys_file, capsys):
    header, _, signature = signer.sign(TicketClaims("t1", "b1", "e1", "B-1-1")).split(".")
    upgraded = jwt.utils.base64url_encode(json.dumps(
        {"tid": "t1", "bid": "b1", "eid": "e1", "seat": "A-1-1"}).encode()).decode()
    status, output = run(capsys, f"{header}.{upgraded}.{signature}", "--keys-file", keys_file)
    assert status == 1 and "signature does not verify" in output


def test_a_ticket_signed_with_another_key_is_rejected(signer, keys_file, capsys):
    kid = jwt.get_unverified_header(signer.sign(TicketClaims("t", "b", "e", "A-1-1")))["kid"]
    forged = jwt.encode({"tid": "t", "bid": "b", "eid": "e", "seat": "A-1-1"},
                        Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid})
    status, output = run(capsys, forged, "--keys-file", keys_file)
    assert status == 1 and "signature does not verify" in output


def test_an_unsigned_ticket_is_rejected(keys_file, capsys):
    unsigned = jwt.encode({"tid": "t", "bid": "b", "eid": "e", "seat": "A-1-1"}, None,
                          algorithm="none")
    status, output = run(capsys, unsigned, "--keys-file", keys_file)
    assert status == 1 and "unknown key" in output


def test_a_ticket_from_a_rotated_out_key_needs_fresh_keys(keys_file, capsys):
    stranger = TicketSigner(KeyRing.generate()).sign(TicketClaims("t", "b", "e", "A-1-1"))
    status, output = run(capsys, stranger, "--keys-file", keys_file)
    assert status == 1 and "unknown key" in output


def test_a_ticket_for_another_event_is_rejected_when_the_door_names_its_event(
        signer, keys_file, capsys):
    code = signer.sign(TicketClaims("t1", "b1", "other-event", "A-1-1"))
    status, output = run(capsys, code, "--keys-file", keys_file, "--event", "e1")
    assert status == 1 and "another event" in output


def test_garbage_is_rejected_with_a_reason(keys_file, capsys):
    status, output = run(capsys, "not-a-ticket", "--keys-file", keys_file)
    assert status == 1 and "not a ticket code" in output


def test_unreadable_keys_are_an_error_distinct_from_a_bad_ticket(signer, tmp_path, capsys):
    missing = str(tmp_path / "nowhere.json")
    status, output = run(capsys, signer.sign(TicketClaims("t", "b", "e", "A-1-1")), "--keys-file", missing)
    assert status == 2 and "cannot read the ticket keys" in output
