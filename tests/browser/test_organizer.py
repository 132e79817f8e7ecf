"""The organizer's side of the web client, in Chromium: build a venue, create and publish an
event, see a customer's purchase on the dashboard, check the ticket in at the door."""
import re

from conftest import sign_in
from playwright.sync_api import expect


def test_an_organizer_creates_publishes_sells_and_checks_in(new_page, shot):
    org = new_page()
    sign_in(org, "web-organizer", organizer=True, tenant="web-tenant")
    org.goto("/#/organizer/venues/new")
    org.get_by_label("Name", exact=True).fill("Porto Hall")
    org.get_by_label("Address").fill("Rua das Flores 1")
    org.get_by_label("City").fill("Porto")
    org.get_by_label("Country").fill("PT")
    org.get_by_role("button", name="Add section").click()
    expect(org.get_by_text("2 section(s), 100 seats")).to_be_visible()
    shot(org, "10-organizer-venue-builder")
    org.get_by_role("button", name="Save venue").click()
    expect(org.get_by_text("Venue Porto Hall saved: 100 seats.")).to_be_visible()
    org.get_by_role("link", name="Create an event here").click()
    expect(org.get_by_role("heading", name="New event")).to_be_visible()
    org.get_by_label("Name", exact=True).fill("Fado at the Hall")
    org.get_by_label("Category").fill("concert")
    org.get_by_label("Description").fill("An evening of fado.")
    org.get_by_label("Price for section A").fill("40")
    org.get_by_label("Price for section B").fill("25")
    shot(org, "11-organizer-event-form")
    org.get_by_role("button", name="Create draft").click()
    expect(org.get_by_test_id("event-status")).to_have_text("draft")
    org.get_by_role("button", name="Publish").click()
    expect(org.get_by_test_id("event-status")).to_have_text("published")
    org.get_by_role("link", name="Edit").click()
    expect(org.get_by_role("heading", name="Edit Fado at the Hall")).to_be_visible()
    org.get_by_label("Name", exact=True).fill("Fado at the Hall: late show")
    org.get_by_role("button", name="Save changes").click()
    expect(org.get_by_role("heading", name="Fado at the Hall: late show")).to_be_visible()
    event_url = org.url
    event_id = event_url.rsplit("/", 1)[1]

    fan = new_page(width=390, height=844)  # a phone
    sign_in(fan, "web-fan")
    fan.goto(f"/#/events/{event_id}")
    section_a = fan.get_by_role("group", name="Section A")
    section_a.get_by_role("button", name="Row 1, seat 5, 40 EUR, available").click()
    fan.get_by_role("button", name="Hold selected seats").click()
    fan.get_by_role("button", name="Pay 40 EUR").click()
    expect(fan.get_by_role("heading", name="You are going!")).to_be_visible()
    shot(fan, "12-phone-confirmation")
    code = fan.locator(".ticket-code").first.text_content()

    expect(org.get_by_test_id("tickets-sold")).to_have_text("1", timeout=15_000)
    expect(org.get_by_role("table", name="Attendees")).to_contain_text("web-fan@example.com")
    expect(org.get_by_role("img", name="Tickets sold over time by tier")).to_be_visible()
    shot(org, "13-organizer-dashboard")
    with org.expect_download() as download:
        org.get_by_role("button", name="Download CSV").click()
    assert "A-1-5" in open(download.value.path()).read()

    org.get_by_role("link", name="Door check-in").click()
    org.get_by_label("Ticket code").fill(code)
    org.get_by_role("button", name="Check in").click()
    expect(org.get_by_test_id("verdict")).to_contain_text("OK")
    shot(org, "14-check-in-ok")
    org.get_by_label("Ticket code").fill(code)
    org.get_by_role("button", name="Check in").click()
    expect(org.get_by_test_id("verdict")).to_contain_text(re.compile("REFUSED.*Already checked in"))
    shot(org, "15-check-in-refused")

    org.goto(event_url)
    org.once("dialog", lambda d: d.accept())
    org.get_by_role("button", name="Cancel event").click()
    expect(org.get_by_test_id("event-status")).to_have_text("cancelled")
    # the one booking had a ticket used at the door: not cancelled, so nothing refunded
    progress = ("0 of 0 cancelled bookings refunded · 1 not cancelled "
                "(a ticket was already used at the door) · done")
    expect(org.get_by_test_id("refund-progress")).to_contain_text(progress, timeout=15_000)
    shot(org, "16-organizer-cancelled-refunds")
    org.goto("/#/organizer")
    expect(org.get_by_role("link", name="Fado at the Hall: late show")).to_be_visible()
    shot(org, "19-organizer-home")
    org.goto("/#/organizer/audit")
    expect(org.get_by_role("table", name="Audit entries")).to_contain_text("event.publish")
    shot(org, "17-organizer-audit")
    org.goto("/#/organizer/webhooks")
    org.get_by_label("URL").fill("http://127.0.0.1:9/hooks")
    org.get_by_role("button", name="Add webhook").click()
    expect(org.get_by_text(re.compile("Signing secret"))).to_be_visible()
    shot(org, "18-organizer-webhooks")
