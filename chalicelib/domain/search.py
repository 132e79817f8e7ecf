"""Event search: the query, its validation, the words an event is found by, and its order.

Results come in `position` order (start time, then event id); a search index, whatever
its storage, answers a query from an inclusive position onwards."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from dataclasses import dataclass

from . import errors, geo
from .catalog import CATEGORY_PATTERN
from .clock import parse_date_or_time

DEFAULT_RADIUS_KM, MAX_RADIUS_KM = 50.0, 500.0
MAX_Q_CHARS, MAX_Q_WORDS, MAX_WORD_CHARS = 200, 8, 64
CATEGORY = re.compile(CATEGORY_PATTERN)
END_OF_TIME = "9999-12-31T23:59:59Z#~"


def words(text: str | None) -> list[str]:
    """Lower-case words with accents removed: 'Café-Concert' -> ['cafe', 'concert']."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.findall(r"[^\W_]+", plain)


def index_words(*texts: str | None) -> list[str]:
    found = {w for text in texts for w in words(text) if len(w) <= MAX_WORD_CHARS}
    return sorted(found)


def position(starts_at: str, event_id: str) -> str:
    """Where an event sorts in every result list."""
    return f"{starts_at}#{event_id}"


def stamp(moment: dt.datetime) -> str:
    """Zero-padded RFC 3339 UTC to the second, so strings sort as times."""
    m = moment.astimezone(dt.timezone.utc)
    return (f"{m.year:04d}-{m.month:02d}-{m.day:02d}T"
            f"{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z")


def start_stamp(moment: dt.datetime) -> str:
    """An inclusive lower bound: events start on whole seconds, so round up."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + dt.timedelta(seconds=1)
    return stamp(moment)


@dataclass(frozen=True)
class Hit:
    event_id: str
    distance_km: float | None


@dataclass(frozen=True)
class SearchQuery:
    limit: int
    lat: float | None = None
    lng: float | None = None
    radius_km: float | None = None
    date_from: str | None = None  # stamp, rounded up to the second; None means now
    date_to: str | None = None    # stamp, rounded down to the second
    category: str | None = None
    terms: tuple[str, ...] = ()

    def canonical(self) -> str:
        """The query's identity for cursor scopes (limit may change between pages)."""
        fields = dict(self.__dict__)
        fields.pop("limit")
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))

    def end(self) -> str:
        return f"{self.date_to}#~" if self.date_to else END_OF_TIME

    def match(self, event_id: str, category: str, lat: float, lng: float) -> Hit | None:
        """Every filter but words and dates (which the index's order and keys decide), checked
        exactly on a copy of the event's facts."""
        if self.category and category != self.category:
            return None
        if self.radius_km is None:
            return Hit(event_id, None)
        distance = geo.haversine_km(self.lat, self.lng, float(lat), float(lng))
        return Hit(event_id, round(distance, 3)) if distance <= self.radius_km else None


def parse_search(params: dict) -> SearchQuery:
    """Query-string parameters to a SearchQuery; every bad field named at once."""
    problems: dict[str, str] = {}
    fields = {"limit": _limit(params.get("limit"), problems)}
    fields.update(_place(params.get("location"), params.get("radius_km"), problems))
    fields.update(_dates(params.get("date_from"), params.get("date_to"), problems))
    category = params.get("category")
    if category is not None:
        category = category.casefold()  # categories are lowercase slugs: Concert finds concert
        if not CATEGORY.match(category):
            problems["category"] = "must be a slug of 1-40 letters, digits or dashes"
    fields["category"] = category
    fields["terms"] = _terms(params.get("q"), problems)
    if problems:
        raise errors.ValidationFailed(problems)
    return SearchQuery(**fields)


def _limit(raw, problems) -> int:
    raw = "20" if raw is None else raw
    if not re.fullmatch(r"[0-9]{1,3}", raw, re.ASCII) or not 1 <= int(raw) <= 100:
        problems["limit"] = "must be an integer from 1 to 100"
        return 20
    return int(raw)


def _number(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _place(location, radius, problems) -> dict:
    place = {}
    if location is not None:
        try:
            lat, lng = (_number(part) for part in location.split(","))
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError(location)
            place = {"lat": lat, "lng": lng, "radius_km": DEFAULT_RADIUS_KM}
        except ValueError:
            problems["location"] = "must be lat,lng in degrees, e.g. 41.15,-8.61"
    if radius is not None:
        try:
            value = _number(radius)
            if not 0 < value <= MAX_RADIUS_KM:
                raise ValueError(radius)
            place["radius_km"] = value
        except ValueError:
            problems["radius_km"] = f"must be a number of kilometres above 0 and at most {MAX_RADIUS_KM:g}"
        if location is None:
            problems["radius_km"] = "must come with location"
    return place if "lat" in place else {}


def _dates(date_from, date_to, problems) -> dict:
    bounds = {}
    for name, raw, end_of_day in (("date_from", date_from, False), ("date_to", date_to, True)):
        if raw is None:
            continue
        try:
            moment = parse_date_or_time(raw, end_of_day=end_of_day)
            bounds[name] = start_stamp(moment) if name == "date_from" else stamp(moment)
        except (ValueError, TypeError, OverflowError):
            problems[name] = "must be RFC 3339 (2026-12-01T20:00:00Z) or a date (2026-12-01)"
    if "date_from" in bounds and "date_to" in bounds and bounds["date_to"] < bounds["date_from"]:
        problems["date_to"] = "must not be before date_from"
    return bounds


def _terms(q, problems) -> tuple[str, ...]:
    if q is None or not q.strip():
        return ()
    found = sorted(set(words(q)))
    if len(q) > MAX_Q_CHARS:
        problems["q"] = f"must be at most {MAX_Q_CHARS} characters"
    elif not found:
        problems["q"] = "must contain a letter or a digit"
    elif len(found) > MAX_Q_WORDS or any(len(w) > MAX_WORD_CHARS for w in found):
        problems["q"] = f"must be at most {MAX_Q_WORDS} words of at most {MAX_WORD_CHARS} characters"
    return tuple(found)
