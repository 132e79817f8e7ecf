"""The rebuild tool on the local stack: real outbox, real tables, drift injected into the
counters, found, repaired while another customer keeps buying, and the sales answer right."""
import threading

from chalicelib.services.ports import SectionCounts, TierSales
from chalicelib.tools import rebuild_projections


def test_injected_drift_is_found_and_repaired_while_traffic_flows(world, stack, http, capsys):
    org, _, event = world.on_sale()
    alice = world.customer()
    hold = world.hold(alice, event["event_id"], ["A-1-1", "A-1-2"]).json()["hold_id"]
    assert world.book(alice, hold).status_code == 201
    stack.deliver()
    tier = stack.container.catalog_store.event(event["event_id"]).price_tiers[0].tier_id
    stack.container.projection_store.apply_once(  # a BookingConfirmed counted twice
        "injected", {"A": SectionCounts(0, 2)}, {tier: TierSales(2, 10000)}, event["event_id"],
        stack.container.clock.now())
    assert rebuild_projections.main(["--event", event["event_id"]], stack.container) == 1
    assert "drift (what the counters lack): sections A: held=0 sold=-2" in capsys.readouterr().out

    stop, bob = threading.Event(), world.customer()

    def traffic():  # holds placed and released throughout the repair
        seat = 1
        while not stop.is_set() and seat <= 10:
            placed = world.hold(bob, event["event_id"], [f"A-2-{seat}"]).json()["hold_id"]
            http.request("DELETE", f"/bookings/hold/{placed}", token=bob)
            stack.deliver()
            seat += 1
    buyer = threading.Thread(target=traffic)
    buyer.start()
    try:
        code = rebuild_projections.main(["--event", event["event_id"], "--repair",
                                         "--settle", "0.5"], stack.container)
    finally:
        stop.set()
        buyer.join()
    stack.deliver()
    assert code == 0 and "repaired" in capsys.readouterr().out
    assert rebuild_projections.main(["--event", event["event_id"]], stack.container) == 0, capsys.readouterr().out
    sales = http.request("GET", f"/organizer/events/{event['event_id']}/sales", token=org).json()
    assert (sales["tickets_sold"], sales["revenue"]["amount"]) == (2, 10000)
