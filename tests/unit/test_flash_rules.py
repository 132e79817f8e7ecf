"""The flash-sale rules in isolation: request schemas, admission tokens, the line's admission
arithmetic, rate windows, stage settings and the edge's limiter."""
import base64
import datetime as dt
import json

import pytest

from chalicelib.adapters.keys import KeyRing
from chalicelib.adapters.tokens import HmacAdmissionSigner
from chalicelib.api.schemas import HoldIn, QueueIn
from chalicelib.config import Settings
from chalicelib.domain import errors
from chalicelib.domain.clock import UTC
from chalicelib.domain.queue import (AdmissionClaims, Line, QueueEntry, QueueSettings,
                                     check_admission)
from chalicelib.local.edge_limits import EdgeLimiter
from chalicelib.services.ids import shard_for, time_ticket
from chalicelib.services.rate_limits import BOOKINGS, HOLDS, ORGANIZER_WRITES, RateLimits

NOW = dt.datetime(2026, 11, 1, 12, 0, 30, tzinfo=UTC)
T = int(NOW.timestamp())


# --- request schemas -----------------------------------------------------------------------
def parse_hold(body):
    return HoldIn.model_validate({"event_id": "evt_1", **body}).command(None, None)


@pytest.mark.parametrize("body", [
    {"seat_ids": ["A-1-1"], "quantity": 2},
    {},
    {"seat_ids": None, "quantity": None},
    {"seat_ids": ["A-1-1"], "section": "A"},
    {"seat_ids": ["A-1-1"], "tier_id": "tier_1"},
])
def test_a_hold_names_either_seats_or_a_quantity(body):
    with pytest.raises(errors.ValidationFailed):
        parse_hold(body)


@pytest.mark.parametrize("body", [
    {"quantity": 0}, {"quantity": 51}, {"quantity": "2"}, {"quantity": 2.0},
    {"quantity": True}, {"quantity": 2, "section": "A-1"}, {"quantity": 2, "section": ""},
    {"quantity": 2, "tier_id": ""}, {"seat_ids": []},
])
def test_bad_best_available_fields_are_400(body):
    with pytest.raises(Exception) as bad:
        parse_hold(body)
    assert type(bad.value).__name__ in ("ValidationError", "ValidationFailed")


@pytest.mark.parametrize("body, quantity, section, tier", [
    ({"quantity": 1}, 1, None, None),
    ({"quantity": 50, "section": "B"}, 50, "B", None),
    ({"quantity": 4, "tier_id": "tier_9"}, 4, None, "tier_9"),
    ({"quantity": 2, "section": "A", "tier_id": "tier_1"}, 2, "A", "tier_1"),
])
def test_a_best_available_request_becomes_its_command(body, quantity, section, tier):
    command = parse_hold(body)
    assert command.best_available and command.seat_ids == ()
    assert (command.quantity, command.section, command.tier_id) == (quantity, section, tier)


def test_a_seat_id_hold_is_not_best_available():
    assert not parse_hold({"seat_ids": ["A-1-1"]}).best_available


@pytest.mark.parametrize("body", [
    {"enabled": True, "admit_per_minute": 0},
    {"enabled": True, "admit_per_minute": 100_001},
    {"enabled": True, "admit_per_minute": 10, "admission_seconds": 59},
    {"enabled": True, "admit_per_minute": 10, "admission_seconds": 3601},
    {"enabled": "yes", "admit_per_minute": 10},
    {"admit_per_minute": 10},
    {"enabled": True},
    {"enabled": True, "admit_per_minute": 10, "extra": 1},
])
def test_queue_settings_out_of_range_or_shape_are_refused(body):
    with pytest.raises(Exception) as bad:
        QueueIn.model_validate(body)
    assert type(bad.value).__name__ == "ValidationError"


def test_queue_settings_default_to_fifteen_minutes_of_admission():
    command = QueueIn.model_validate({"enabled": True, "admit_per_minute": 100}).command()
    assert (command.enabled, command.admit_per_minute, command.admission_seconds) == (True, 100, 900)


# --- admission tokens ----------------------------------------------------------------------
CLAIMS = AdmissionClaims("que_1", "evt_1", "alice", T + 600)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_token_verifies_to_its_claims():
    signer = HmacAdmissionSigner(KeyRing.generate())
    assert signer.verify(signer.sign(CLAIMS)) == CLAIMS


@pytest.mark.parametrize("change", [
    {"u": "mallory"}, {"e": "evt_2"}, {"x": T + 999_999}, {"q": "que_2"},
])
def test_a_token_whose_claims_were_changed_is_refused(change):
    signer = HmacAdmissionSigner(KeyRing.generate())
    _, mac = signer.sign(CLAIMS).split(".")
    payload = {"q": "que_1", "e": "evt_1", "u": "alice", "x": T + 600, **change}
    forged = _b64(json.dumps(payload, separators=(",", ":")).encode()) + "." + mac
    assert signer.verify(forged) is None


@pytest.mark.parametrize("token", [None, "", "abc", "a.b.c", 42, "x" * 2000, "!!!.???"])
def test_malformed_tokens_are_refused_without_an_error(token):
    assert HmacAdmissionSigner(KeyRing.generate()).verify(token) is None


def test_tokens_signed_before_a_seed_rotation_still_verify():
    old = KeyRing([b"o" * 32])
    rotated = KeyRing([b"n" * 32, b"o" * 32])
    token = HmacAdmissionSigner(old).sign(CLAIMS)
    assert HmacAdmissionSigner(rotated).verify(token) == CLAIMS
    assert HmacAdmissionSigner(KeyRing([b"n" * 32])).verify(token) is None


@pytest.mark.parametrize("claims, user, event", [
    (None, "alice", "evt_1"),
    (CLAIMS, "bob", "evt_1"),
    (CLAIMS, "alice", "evt_2"),
    (AdmissionClaims("que_1", "evt_1", "alice", T), "alice", "evt_1"),  # expires now
])
def test_an_admission_must_be_this_users_for_this_event_and_unexpired(claims, user, event):
    with pytest.raises(errors.QueueAdmissionRequired):
        check_admission(claims, user, event, NOW)


def test_a_valid_admission_passes():
    check_admission(CLAIMS, "alice", "evt_1", NOW)


# --- the line's arithmetic -----------------------------------------------------------------
def line(per_minute=60, admitted=0, credit=0.0, last_pass=T):
    return Line("evt_1", QueueSettings(True, per_minute, 900, 4), admitted=admitted,
                credit=credit, last_pass=last_pass)


@pytest.mark.parametrize("per_minute, elapsed, credit, quota", [
    (60, 5, 0.0, 5.0),        # a pass every 5 s earns 5 at 60 a minute
    (60, 5, 0.5, 5.5),        # the fraction left over is kept
    (60, 3600, 0.0, 15.0),    # an idle hour earns at most 15 s' worth
    (1, 5, 0.0, 1 / 12),      # a slow line earns fractions
    (6000, 5, 0.0, 500.0),
])
def test_a_pass_earns_the_rate_times_the_time_since_the_last_one(per_minute, elapsed, credit,
                                                                  quota):
    assert line(per_minute, credit=credit).quota(T + elapsed) == pytest.approx(quota)


@pytest.mark.parametrize("quota, admitted, wanted, credit", [
    (5.5, 5, 5, 0.5),   # a full pass keeps the leftover
    (5.5, 2, 5, 0.5),   # a line that ran dry keeps only the fraction
    (0.3, 0, 0, 0.3),
])
def test_credit_carried_to_the_next_pass(quota, admitted, wanted, credit):
    assert line().credit_after(quota, admitted, wanted) == pytest.approx(credit)


def entry(rank):
    return QueueEntry(f"q{rank}", "evt_1", f"u{rank}", "t", 0, T, rank=rank)


@pytest.mark.parametrize("ranks, admitted, taken", [
    ([1, 2, 3], 0, [1, 2, 3]),
    ([1, 3, 4], 0, [1]),      # rank 2 not visible yet: nobody after it overtakes
    ([2, 3], 0, []),
    ([6, 7], 5, [6, 7]),
])
def test_admission_takes_the_next_ranks_without_a_gap(ranks, admitted, taken):
    chosen = line(admitted=admitted).next_in_order([entry(r) for r in ranks])
    assert [e.rank for e in chosen] == taken


@pytest.mark.parametrize("position, seconds", [(1, 5), (5, 5), (6, 10), (50, 50)])
def test_the_estimated_wait_is_the_passes_needed_at_the_rate(position, seconds):
    assert line(60).wait_seconds(position, T, 5) == seconds


# --- rate windows --------------------------------------------------------------------------
@pytest.mark.parametrize("scope, limit", [(HOLDS, 30), (BOOKINGS, 20), (ORGANIZER_WRITES, 300)])
def test_each_kind_of_request_has_its_limit_in_a_minute_window(scope, limit):
    check = RateLimits().check(scope, "alice", NOW)
    assert (check.limit, check.window, check.seconds) == (limit, T - 30, 60)


def test_limits_off_check_nothing():
    assert RateLimits(enabled=False).check(HOLDS, "alice", NOW) is None


def test_a_refusal_says_when_the_window_ends():
    refused = RateLimits.refused(RateLimits().check(HOLDS, "alice", NOW), NOW)
    assert (refused.code, refused.retry_after, refused.limit) == ("RATE_LIMITED", 30, 30)


# --- stage settings ------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["off", "on", "edge"])
def test_the_local_stage_takes_every_rate_limit_mode(mode):
    settings = Settings.from_env({"BOXOFFICE_STAGE": "local", "RATE_LIMITS": mode})
    assert settings.rate_limits == mode and settings.startup_problems() == []


def test_an_unknown_rate_limit_mode_is_a_start_up_problem():
    problems = Settings.from_env({"RATE_LIMITS": "maybe"}).startup_problems()
    assert any("RATE_LIMITS" in p for p in problems)


def test_prod_refuses_to_run_without_rate_limits():
    problems = Settings.from_env({"BOXOFFICE_STAGE": "prod", "RATE_LIMITS": "off"}).startup_problems()
    assert any("RATE_LIMITS=off" in p for p in problems)


def test_limits_and_queue_figures_come_from_the_environment():
    settings = Settings.from_env({"HOLDS_PER_MINUTE": "5", "BOOKINGS_PER_MINUTE": "4",
                                  "ORGANIZER_WRITES_PER_MINUTE": "3", "QUEUE_SHARDS": "16",
                                  "QUEUE_PASS_SECONDS": "2"})
    assert (settings.holds_per_minute, settings.bookings_per_minute,
            settings.organizer_writes_per_minute, settings.queue_shards,
            settings.queue_pass_seconds) == (5, 4, 3, 16, 2)


# --- join tickets and shards ---------------------------------------------------------------
def test_join_tickets_sort_by_time_then_by_arrival_in_this_process():
    later = NOW + dt.timedelta(milliseconds=1)
    tickets = [time_ticket(NOW), time_ticket(NOW), time_ticket(later)]
    assert tickets == sorted(tickets) and len(set(tickets)) == 3


@pytest.mark.parametrize("shards", [1, 4, 8, 64])
def test_users_spread_over_every_shard_and_stay_in_theirs(shards):
    spread = {shard_for(f"user-{i}", shards) for i in range(500)}
    assert spread == set(range(shards))
    assert shard_for("alice", shards) == shard_for("alice", shards)


# --- the edge's limiter (local emulation) ---------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_edge_limits_anonymous_reads_per_address_in_a_sliding_window():
    clock = Clock()
    edge = EdgeLimiter(limit=2, window_seconds=300, clock=clock)
    assert [edge.allows("1.1.1.1", "GET", {}) for _ in range(3)] == [True, True, False]
    assert edge.allows("2.2.2.2", "GET", {})
    clock.now = 300.1
    assert edge.allows("1.1.1.1", "GET", {})


@pytest.mark.parametrize("method, headers", [
    ("POST", {}), ("PUT", {}), ("DELETE", {}), ("GET", {"Authorization": "Bearer x"}),
    ("HEAD", {"authorization": "Bearer x"}),
])
def test_the_edge_does_not_count_writes_or_signed_in_reads(method, headers):
    edge = EdgeLimiter(limit=1, clock=Clock())
    assert all(edge.allows("1.1.1.1", method, headers) for _ in range(5))


# --- the outbox ----------------------------------------------------------------------------
@pytest.mark.parametrize("pk, old_status, new_status", [
    ("QENTRY#evt_1#alice", None, "waiting"),
    ("QENTRY#evt_1#alice", "waiting", "admitted"),
    ("QLINE#evt_1", None, None),
    ("RATE#holds#alice", None, None),
])
def test_waiting_room_and_rate_items_mean_no_domain_event(pk, old_status, new_status):
    from chalicelib.adapters.stream_events import from_change

    def image(status):
        return {"pk": {"S": pk}, "sk": {"S": "X"},
                **({"status": {"S": status}} if status else {})}
    assert from_change(image(old_status) if old_status else None, image(new_status),
                       "2026-11-01T12:00:00Z") == []
