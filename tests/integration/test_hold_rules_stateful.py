"""Hypothesis drives holds, releases, extensions, the clock and the sweeper against the real
adapters (moto), and checks every step against the rules as a plain model."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chalicelib.domain.identity import Principal
from chalicelib.services.commands import HoldSeats
from chalicelib.domain import errors
from chalicelib.domain.clock import epoch
from support import uid

SEATS = [f"A-1-{i}" for i in range(1, 7)]
USERS = ["u1", "u2", "u3"]
LIMIT = 3


def hold_machine(stack, world):
    class HoldRules(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            org = world.organizer()
            venue = world.venue(org)
            self.event_id = world.event(org, venue, days=365, max_tickets=LIMIT)["event_id"]
            self.c = stack.container
            self.users = {u: Principal(uid(u), None, ("customer",), None) for u in USERS}
            self.model = {}  # hold_id -> {"user", "seats", "expires", "status"}

        def now(self):
            return epoch(self.c.clock.now())

        def live(self, hold):
            return hold["status"] == "active" and hold["expires"] > self.now()

        def seat_owner(self, seat):
            return next((h for h in self.model.values() if seat in h["seats"] and self.live(h)), None)

        @rule(user=st.sampled_from(USERS), seats=st.lists(st.sampled_from(SEATS), min_size=1,
                                                          max_size=4, unique=True),
              seconds=st.sampled_from([5, 60, 600]))
        def hold(self, user, seats, seconds):
            in_use = sum(len(h["seats"]) for h in self.model.values()
                         if h["user"] == user and self.live(h))
            taken = sorted(s for s in seats if self.seat_owner(s))
            try:
                hold, _ = self.c.holds.place(self.users[user],
                                             HoldSeats(self.event_id, tuple(seats), seconds))
            except errors.TicketLimitExceeded:
                assert in_use + len(seats) > LIMIT
                return
            except errors.SeatsUnavailable as e:
                assert in_use + len(seats) <= LIMIT
                assert e.details["unavailable_seat_ids"] == taken
                return
            assert in_use + len(seats) <= LIMIT and not taken
            self.model[hold.hold_id] = {"user": user, "seats": set(seats),
                                        "expires": hold.expires_at, "status": "active"}

        @precondition(lambda self: self.model)
        @rule(data=st.data())
        def release(self, data):
            hold_id = data.draw(st.sampled_from(sorted(self.model)))
            hold = self.model[hold_id]
            self.c.holds.release(self.users[hold["user"]], hold_id)
            if hold["status"] == "active":
                hold["status"] = "released" if self.live(hold) else "expired"

        @precondition(lambda self: self.model)
        @rule(data=st.data(), seconds=st.sampled_from([5, 300, 1800]))
        def extend(self, data, seconds):
            hold_id = data.draw(st.sampled_from(sorted(self.model)))
            hold = self.model[hold_id]
            try:
                extended = self.c.holds.extend(self.users[hold["user"]], hold_id, seconds)
            except (errors.HoldExpired, errors.Conflict):
                assert not self.live(hold)
                return
            assert self.live(hold)
            assert extended.expires_at == min(self.now() + seconds, extended.created_at + 1800)
            hold["expires"] = extended.expires_at

        @rule(seconds=st.sampled_from([1, 5, 60, 601]))
        def time_passes(self, seconds):
            self.c.clock.advance(seconds)

        @rule()
        def sweep(self):
            from chalicelib.jobs.sweeper import sweep_holds
            sweep_holds(self.c.inventory, self.c.holds, self.c.clock)
            for hold in self.model.values():
                if hold["status"] == "active" and not self.live(hold):
                    hold["status"] = "expired"

        @invariant()
        def seat_map_matches_the_rules(self):
            seats = self.c.catalog.seats(self.event_id, "A", None).seats
            shown = {v.seat.seat_id: v.status for v in seats if v.seat.seat_id in SEATS}
            assert shown == {s: "held" if self.seat_owner(s) else "available" for s in SEATS}

        @invariant()
        def hold_statuses_match_the_clock(self):
            for hold_id, hold in self.model.items():
                stored = self.c.inventory.hold(hold_id)
                expected = hold["status"] if hold["status"] != "active" or self.live(hold) else "expired"
                assert stored.status_at(self.c.clock.now()) == expected

    return HoldRules


def test_holds_follow_the_rules_under_any_sequence_of_actions(stack, world):
    machine = hold_machine(stack, world)
    machine.TestCase.settings = settings(max_examples=15, stateful_step_count=12, deadline=None,
                                         suppress_health_check=list(HealthCheck))
    machine.TestCase().runTest()
