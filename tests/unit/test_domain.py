"""Domain rules, no AWS: seats, holds, the ticket limit, money and layouts."""
import datetime as dt

import pytest

from chalicelib.domain import errors
from chalicelib.domain.catalog import (Layout, PriceTier, Row, Section, availability_label,
                                       parse_seat_id, tier_problems)
from chalicelib.domain.clock import UTC, epoch, parse_date_or_time
from chalicelib.domain.holds import (MAX_HOLD_SECONDS, HeldSeat, Hold, HoldStatus, SeatState,
                                     SeatStatus, TicketLedger, seat_status)
from chalicelib.domain.money import Money

NOW = dt.datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
LAYOUT = Layout((Section("A", (Row("1", 10), Row("2", 5))), Section("B", (Row("1", 3),))))


def a_hold(expires_in=600, status=HoldStatus.ACTIVE):
    seat = HeldSeat("A-1-1", "A", "1", 1, "t1", Money(5000, "EUR"))
    return Hold("h1", "u1", "e1", "t", status, epoch(NOW), epoch(NOW) + expires_in, (seat,),
                Money(5000, "EUR"))


def test_a_held_seat_reads_available_from_the_moment_its_hold_expires():
    state = SeatState("A-1-1", SeatStatus.HELD, "h1", expires_at=epoch(NOW) + 60)
    assert seat_status(state, NOW) == "held"
    assert seat_status(state, NOW + dt.timedelta(seconds=59)) == "held"
    assert seat_status(state, NOW + dt.timedelta(seconds=60)) == "available"


def test_sold_seats_stay_sold_and_seats_without_state_are_available():
    assert seat_status(SeatState("A-1-1", SeatStatus.SOLD, booking_id="b1"), NOW) == "sold"
    assert seat_status(None, NOW) == "available"


def test_a_hold_reports_expired_once_its_time_is_up_without_any_sweep():
    hold = a_hold(expires_in=30)
    assert hold.status_at(NOW) == "active"
    assert hold.status_at(NOW + dt.timedelta(seconds=30)) == "expired"
    assert hold.seat_status_at(NOW + dt.timedelta(seconds=31)) == "available"


def test_extending_is_clamped_to_thirty_minutes_after_creation():
    hold = a_hold(expires_in=1700)
    later = NOW + dt.timedelta(seconds=1500)
    assert hold.extended(later, 1800).expires_at == hold.created_at + MAX_HOLD_SECONDS


def test_an_expired_hold_cannot_be_extended():
    with pytest.raises(errors.HoldExpired):
        a_hold(expires_in=10).extended(NOW + dt.timedelta(seconds=11), 60)


def test_the_ticket_limit_counts_live_holds_and_booked_tickets_but_not_expired_holds():
    ledger = TicketLedger(holds={"h1": 3, "old": 4}, booked=2)
    live = {"h1"}
    assert ledger.in_use(live) == 5
    ledger.check_room(live, 3, 8)
    with pytest.raises(errors.TicketLimitExceeded) as e:
        ledger.check_room(live, 4, 8)
    assert e.value.details["already_held_or_booked"] == 5


def test_seat_ids_must_name_a_real_section_row_and_number():
    assert LAYOUT.contains("A-2-5") and not LAYOUT.contains("A-2-6")
    assert not LAYOUT.contains("C-1-1") and not LAYOUT.contains("A-3-1")
    for bad in ("A-1-0", "A-1-01", "A--1", "A-1", "A-1-1-1", "Ä-1-1", 7, None):
        assert parse_seat_id(bad) is None or not LAYOUT.contains(bad)


def test_layout_limits_are_enforced():
    big = Layout(tuple(Section(f"S{i}", tuple(Row(str(r), 200) for r in range(26)))
                       for i in range(20)))
    problems = big.problems()
    assert "sections[0]" in problems and problems["sections"].startswith("at most 100000")


def test_every_section_must_be_in_exactly_one_tier_of_one_currency():
    eur, usd = Money(100, "EUR"), Money(100, "USD")
    assert tier_problems([PriceTier("t1", "x", eur, ("A", "B"))], LAYOUT) == {}
    assert "in no tier: B" in tier_problems([PriceTier("t1", "x", eur, ("A",))], LAYOUT)["price_tiers"]
    both = [PriceTier("t1", "x", eur, ("A", "B")), PriceTier("t2", "y", eur, ("B",))]
    assert "in more than one: B" in tier_problems(both, LAYOUT)["price_tiers"]
    mixed = [PriceTier("t1", "x", eur, ("A",)), PriceTier("t2", "y", usd, ("B",))]
    assert tier_problems(mixed, LAYOUT)["price_tiers"] == "must all share one currency"


def test_money_never_mixes_currencies():
    assert Money(1, "EUR") + Money(2, "EUR") == Money(3, "EUR")
    with pytest.raises(ValueError):
        Money(1, "EUR") + Money(1, "USD")


def test_availability_turns_limited_at_ten_percent_and_sold_out_at_zero():
    assert availability_label(100, 11) == "available"
    assert availability_label(100, 10) == "limited"
    assert availability_label(100, 0) == "sold_out"


def test_a_bare_date_means_the_whole_utc_day():
    assert parse_date_or_time("2026-12-01") == dt.datetime(2026, 12, 1, tzinfo=UTC)
    end = parse_date_or_time("2026-12-01", end_of_day=True)
    assert end.date() == dt.date(2026, 12, 1) and end.hour == 23 and end.minute == 59
