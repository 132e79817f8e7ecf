"""Demo data for the local stack: one organizer, two venues in two cities, seven events."""
from __future__ import annotations

import datetime as dt

from ..api import schemas
from ..domain.clock import to_rfc3339
from ..domain.identity import Principal

ORGANIZER = Principal("demo-organizer", "organizer@example.com", ("organizer",), "demo-tenant")

ARENA = {  # 1,200 seats: 4 sections of 15 rows of 20
    "name": "Lisbon Arena", "address": "Rossio dos Olivais", "city": "Lisbon", "country": "PT",
    "location": {"lat": 38.7684, "lng": -9.0940}, "timezone": "Europe/Lisbon",
    "sections": [{"name": name, "rows": [{"name": str(r), "seats": 20} for r in range(1, 16)]}
                 for name in ("A", "B", "C", "D")]}
CLUB = {  # 120 seats
    "name": "Kreuzberg Club", "address": "Falckensteinstrasse 47", "city": "Berlin",
    "country": "DE", "location": {"lat": 52.4990, "lng": 13.4420}, "timezone": "Europe/Berlin",
    "sections": [{"name": "Floor", "rows": [{"name": str(r), "seats": 20} for r in range(1, 5)]},
                 {"name": "Balcony", "rows": [{"name": str(r), "seats": 20} for r in range(1, 3)]}]}

EVENTS = [  # (venue, name, category, performer, days ahead, euro prices by section)
    ("arena", "Aurora Nights", "concert", "Aurora", 14, {"A": 9500, "B": 7500, "C": 5500, "D": 3500}),
    ("arena", "Lisbon Derby Legends", "sports", None, 21, {"A": 6000, "B": 5000, "C": 4000, "D": 3000}),
    ("arena", "Symphony under the Stars", "classical", "Lisbon Philharmonic", 30,
     {"A": 8000, "B": 6000, "C": 4500, "D": 2500}),
    ("club", "Techno Tuesday", "concert", "DJ Kollektiv", 7, {"Floor": 2500, "Balcony": 3500}),
    ("club", "Stand-up Berlin", "comedy", "The Laughing Bear", 10, {"Floor": 1800, "Balcony": 2200}),
    ("club", "Jazz Brunch", "concert", "Spree Quartet", 12, {"Floor": 3000, "Balcony": 3000}),
    ("club", "Chess Open Finals", "sports", None, 40, {"Floor": 1000, "Balcony": 1000}),
]


def seed(container) -> dict:
    catalog = container.catalog
    venues = {key: catalog.create_venue(ORGANIZER, schemas.VenueIn.model_validate(data).command())
              for key, data in (("arena", ARENA), ("club", CLUB))}
    now = container.clock.now()
    events = []
    for venue_key, name, category, performer, days, prices in EVENTS:
        venue = venues[venue_key]
        starts = (now + dt.timedelta(days=days)).replace(hour=19, minute=30, second=0, microsecond=0)
        tiers = {}
        for section, amount in prices.items():
            tiers.setdefault(amount, []).append(section)
        payload = schemas.EventIn.model_validate({
            "venue_id": venue.venue_id, "name": name, "category": category,
            "description": f"{name} at {venue.name}, {venue.city}.",
            "performer": performer, "starts_at": to_rfc3339(starts),
            "price_tiers": [{"name": f"Tier {i + 1}", "price": {"amount": amount, "currency": "EUR"},
                             "sections": sections}
                            for i, (amount, sections) in enumerate(sorted(tiers.items(), reverse=True))]})
        event = catalog.create_event(ORGANIZER, payload.command())
        events.append(catalog.publish(ORGANIZER, event.event_id))
    return {"venues": venues, "events": events}
