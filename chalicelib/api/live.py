"""The live seat map's WebSocket edge: frames in, answers out. API Gateway gives a $default
route no reply channel, so every answer goes out through the service's pusher. A bad frame
gets an error frame and the connection stays open; nothing here may raise to the gateway."""
from __future__ import annotations

import json
import logging

from pydantic import ValidationError

from ..bootstrap import container
from ..domain import errors
from . import views
from .public import etag_of
from .schemas import FRAMES, PingIn, UnsubscribeIn, field_messages

MAX_FRAME_BYTES = 4096
logger = logging.getLogger("boxoffice.live")


def error_frame(code: str, message: str) -> dict:
    return {"type": "error", "error": {"code": code, "message": message}}


def connect(connection_id: str) -> None:
    container().live.connect(connection_id)


def disconnect(connection_id: str) -> None:
    container().live.disconnect(connection_id)


def message(connection_id: str, body: str | None) -> None:
    try:
        answer = _answer(connection_id, body)
    except errors.DomainError as e:
        answer = error_frame(e.code, e.message)
    except Exception:  # noqa: BLE001 - a bug answers INTERNAL; the socket stays up
        logger.exception("live frame failed")
        answer = error_frame("INTERNAL", "An internal error occurred; send the frame again.")
    if answer is not None:
        container().live.reply(connection_id, answer)


def _answer(connection_id: str, body: str | None) -> dict | None:
    frame = parse_frame(body)
    live = container().live
    if isinstance(frame, PingIn):
        return {"type": "pong"}
    if isinstance(frame, UnsubscribeIn):
        live.unsubscribe(connection_id, frame.event_id)
        return None
    seat_map = live.subscribe(connection_id, frame.event_id, frame.section)
    listed = views.seat_map(seat_map, container().settings.websocket_url)
    return {"type": "subscribed", "event_id": frame.event_id, "section": frame.section,
            "seats_etag": etag_of(listed)}


def parse_frame(body: str | None):
    if body is None or len(body.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise errors.ValidationFailed({"body": f"a JSON object of at most {MAX_FRAME_BYTES} bytes"},
                                      f"Frames are JSON objects of at most {MAX_FRAME_BYTES} bytes.")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise errors.ValidationFailed({"body": "malformed JSON"},
                                      'Frames are JSON objects, e.g. {"action": "ping"}.') from e
    if not isinstance(data, dict):
        raise errors.ValidationFailed({"body": "expected a JSON object"},
                                      'Frames are JSON objects, e.g. {"action": "ping"}.')
    schema = FRAMES.get(data.get("action")) if isinstance(data.get("action"), str) else None
    if schema is None:
        raise errors.ValidationFailed({"action": "one of subscribe, unsubscribe, ping"},
                                      f"Unknown action {str(data.get('action'))[:40]!r}: "
                                      "use subscribe, unsubscribe or ping.")
    try:
        return schema.model_validate(data)
    except ValidationError as e:
        fields = field_messages(e)
        raise errors.ValidationFailed(fields, "Invalid frame: " + "; ".join(
            f"{name}: {problem}" for name, problem in fields.items())) from e
