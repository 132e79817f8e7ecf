"""Time as an injectable dependency, so expiry is testable without sleeping."""
from __future__ import annotations

import datetime as dt
import threading
import time

UTC = dt.timezone.utc


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class SystemPace:
    """Wall time and waiting (the live seat map's coalescing windows)."""

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: dt.datetime | None = None):
        self._now = start or dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)

    def set(self, when: dt.datetime) -> None:
        with self._lock:
            self._now = when


def to_rfc3339(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_rfc3339_millis(value: dt.datetime) -> str:
    """With milliseconds, where the order of two moments a second apart or less matters."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def epoch(value: dt.datetime) -> int:
    return int(value.timestamp())


def from_epoch(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)


def parse_rfc3339(text: str) -> dt.datetime:
    """Parses an RFC 3339 timestamp with an offset; raises ValueError otherwise."""
    if not isinstance(text, str) or "T" not in text:
        raise ValueError("must be an RFC 3339 timestamp such as 2026-12-01T20:00:00Z")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as e:
        raise ValueError("must be an RFC 3339 timestamp such as 2026-12-01T20:00:00Z") from e
    if parsed.tzinfo is None:
        raise ValueError("must carry a UTC offset such as Z")
    try:
        return parsed.astimezone(UTC)
    except OverflowError as e:
        raise ValueError("must be a real date and time") from e


def parse_date_or_time(text: str, end_of_day: bool = False) -> dt.datetime:
    """RFC 3339, or YYYY-MM-DD meaning that UTC day (its last second when end_of_day)."""
    if isinstance(text, str) and len(text) == 10:
        day = dt.date.fromisoformat(text)
        start = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + dt.timedelta(days=1, microseconds=-1) if end_of_day else start
    return parse_rfc3339(text)
