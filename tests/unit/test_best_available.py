"""Best available: the selection rules against a brute-force chooser on random maps, and the
service on the fakes (sections in venue order, filters, no adjacent block, concurrent
requests that never share a seat)."""
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import errors
from chalicelib.domain.catalog import Row, Section, seat_id
from chalicelib.domain.seating import best_block, successive_blocks


def brute_force(sections, taken: set[str], quantity: int):
    """Every run of `quantity` free seats in one row, judged seat by seat after the hold."""
    for section in sections:
        for row in section.rows:
            candidates = []
            for start in range(1, row.seats - quantity + 2):
                block = [seat_id(section.name, row.name, n) for n in range(start, start + quantity)]
                if any(s in taken for s in block):
                    continue
                after = taken | set(block)

                def free(n):
                    return 1 <= n <= row.seats and seat_id(section.name, row.name, n) not in after
                stranded = sum(1 for n in (start - 1, start + quantity)
                               if free(n) and not (free(n - 1) or free(n + 1)))
                middle_distance = abs((start + start + quantity - 1) - (row.seats + 1))
                candidates.append(((stranded, middle_distance, start), block))
            if candidates:
                return min(candidates)[1]
    return None


@st.composite
def maps(draw):
    sections = []
    for s in range(draw(st.integers(1, 3))):
        rows = tuple(Row(str(r + 1), draw(st.integers(1, 12))) for r in range(draw(st.integers(1, 4))))
        sections.append(Section("S" + str(s), rows))
    every = [seat_id(sec.name, row.name, n) for sec in sections for row in sec.rows
             for n in range(1, row.seats + 1)]
    taken = draw(st.sets(st.sampled_from(every))) if every else set()
    return sections, taken, draw(st.integers(1, 6))


@settings(max_examples=400, deadline=None)
@given(maps())
def test_the_chosen_block_is_the_one_a_brute_force_chooser_picks(case):
    sections, taken, quantity = case
    chosen = best_block(sections, lambda s: s not in taken, quantity)
    expected = brute_force(sections, taken, quantity)
    assert (list(chosen.seat_ids) if chosen else None) == expected


@settings(max_examples=200, deadline=None)
@given(maps(), st.integers(1, 8))
def test_blocks_for_requests_at_once_are_what_requests_one_after_another_would_get(case, n):
    sections, taken, quantity = case
    expected, after = [], set(taken)
    for _ in range(n):
        block = brute_force(sections, after, quantity)
        if block is None:
            break
        expected.append(block)
        after |= set(block)
    found = successive_blocks(sections, lambda s: s not in taken, quantity, n)
    assert [list(b.seat_ids) for b in found] == expected


def test_a_single_seat_is_not_stranded_when_a_block_of_the_row_avoids_it():
    row = Section("A", (Row("1", 6),))
    # Seat 1 is taken: the centre pair 3-4 would strand seat 2, so 2-3 is chosen instead.
    chosen = best_block([row], lambda s: s != "A-1-1", 2)
    assert chosen.seat_ids == ("A-1-2", "A-1-3")


def test_the_front_row_wins_even_off_centre():
    section = Section("A", (Row("1", 6), Row("2", 6)))
    taken = {"A-1-2", "A-1-3", "A-1-4", "A-1-5"}
    chosen = best_block([section], lambda s: s not in taken, 1)
    assert chosen.seat_ids == ("A-1-1",)


# --- the service ---------------------------------------------------------------------------
def test_best_available_takes_the_middle_of_the_front_row_of_the_first_section(world):
    _, _, event = world.on_sale()
    hold = world.best(world.customer(), event.event_id, 2)
    assert [s.seat_id for s in hold.seats] == ["A-1-5", "A-1-6"]
    nxt = world.best(world.customer(), event.event_id, 2)
    assert [s.seat_id for s in nxt.seats] in (["A-1-3", "A-1-4"], ["A-1-7", "A-1-8"])


def test_best_available_keeps_to_the_section_or_tier_asked_for(world):
    _, _, event = world.on_sale()
    cheap = next(t for t in event.price_tiers if t.name == "Cheap")
    assert {s.section for s in world.best(world.customer(), event.event_id, 3,
                                          tier_id=cheap.tier_id).seats} == {"B"}
    assert {s.section for s in world.best(world.customer(), event.event_id, 3,
                                          section="B").seats} == {"B"}
    with pytest.raises(errors.ValidationFailed):
        world.best(world.customer(), event.event_id, 2, section="Z")
    with pytest.raises(errors.ValidationFailed):
        world.best(world.customer(), event.event_id, 2, tier_id="tier-none")


def test_no_block_of_that_many_adjacent_seats_is_a_409(world):
    _, _, event = world.on_sale(max_tickets=20)
    with pytest.raises(errors.NoAdjacentSeats):
        world.best(world.customer(), event.event_id, 11)  # rows hold 10 seats


def test_best_available_respects_the_ticket_limit(world):
    _, _, event = world.on_sale(max_tickets=4)
    with pytest.raises(errors.TicketLimitExceeded):
        world.best(world.customer(), event.event_id, 5)


def test_a_same_key_retry_of_best_available_replays_the_first_hold(world):
    _, _, event = world.on_sale()
    customer = world.customer()
    first = world.best(customer, event.event_id, 2, key="K")
    again = world.best(customer, event.event_id, 2, key="K")
    assert again.hold_id == first.hold_id and again.seats == first.seats


def test_concurrent_best_available_requests_never_share_a_seat_and_fill_the_venue(world):
    _, _, event = world.on_sale()  # 30 seats: A 2x10, B 1x10
    held, failures = [], []

    def buy():
        try:
            held.append(world.best(world.customer(), event.event_id, 2))
        except errors.NoAdjacentSeats:
            failures.append("none")

    threads = [threading.Thread(target=buy) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seats = [s.seat_id for h in held for s in h.seats]
    assert len(seats) == len(set(seats))
    assert len(held) == 15 and len(failures) == 5
