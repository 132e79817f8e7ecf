"""The web client when things go wrong: no socket, no network, a card that needs 3-D Secure."""
import re

import requests
from playwright.sync_api import expect
from test_customer_journey import find_event, hold_one_seat, seat


def test_without_the_socket_the_seat_map_says_so_and_polls_changes_in(new_page, site, shot):
    page = new_page()
    page.route_web_socket(re.compile("^ws://"), lambda ws: ws.close())
    event_id = find_event(site, "Chess Open Finals")
    page.goto(f"/#/events/{event_id}")
    expect(page.get_by_test_id("live-mode")).to_have_attribute("data-mode", "polling")
    expect(page.get_by_test_id("live-mode")).to_contain_text("checking for changes every 2 seconds")
    shot(page, "07-seat-map-polling")
    token = requests.post(f"{site['api']}/dev/token", json={"sub": "web-poller"},
                          timeout=5).json()["token"]
    held = requests.post(f"{site['api']}/bookings/hold",
                         json={"event_id": event_id, "seat_ids": ["Floor-4-9"]},
                         headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert held.status_code == 201, held.text
    expect(seat(page, 4, 9, "10 EUR")).to_have_attribute("data-status", "held", timeout=4000)


def test_a_visited_event_page_still_opens_offline(new_page, site):
    page = new_page()
    event_id = find_event(site, "Symphony under the Stars")
    page.goto(f"/#/events/{event_id}")
    expect(page.get_by_role("heading", name="Symphony under the Stars")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()  # now through the service worker, which keeps a copy
    expect(page.get_by_role("group", name="Section A")).to_be_visible()
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Symphony under the Stars")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("You are offline")
    expect(page.get_by_role("group", name="Section A")).to_be_visible()
    page.context.set_offline(False)


def test_a_card_that_needs_3d_secure_shows_the_pending_state(new_page, site, shot):
    page = new_page()
    hold_one_seat(page, site, "web-3ds", "Chess Open Finals", 1, 3, "10 EUR")
    page.get_by_label("Payment method").select_option("pm_card_threeDSecure2Required")
    page.get_by_role("button", name="Pay 10 EUR").click()
    pending = page.get_by_text("Waiting for your bank: confirm the payment (3-D Secure)")
    expect(pending).to_be_visible()
    shot(page, "08-three-d-secure-pending")


def test_a_declined_card_keeps_the_seats_and_a_second_card_books_them(new_page, site):
    page = new_page()
    hold_one_seat(page, site, "web-declined", "Chess Open Finals", 1, 8, "10 EUR")
    page.get_by_label("Payment method").select_option("pm_card_chargeDeclined")
    page.get_by_role("button", name="Pay 10 EUR").click()
    state = page.get_by_test_id("checkout-state")
    expect(state).to_contain_text("declined; the seats are still held")
    page.get_by_label("Payment method").select_option("pm_card_visa")
    page.get_by_role("button", name="Pay 10 EUR").click()
    expect(page.get_by_role("heading", name="You are going!")).to_be_visible()
