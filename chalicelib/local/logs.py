"""Logs a person can read on the local stage: one line per request, one per domain event.

On AWS the app logs JSON (Powertools), which CloudWatch Logs Insights queries; in a terminal
the same records are rendered as short lines. Only the rendering changes: the records, their
fields and the request id stay those the Lambda functions write."""
from __future__ import annotations

import json
import logging
import warnings

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

QUIET_LIBRARIES = ("botocore", "boto3", "urllib3", "werkzeug", "moto", "websockets",
                   "localstripe", "aiohttp")


class ReadableFormatter(LambdaPowertoolsFormatter):
    """Powertools' formatter (so `append_keys` keeps working), printing a line per record."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: A003 - logging's name
        fields = json.loads(super().format(record))
        when = self.formatTime(record, "%H:%M:%S")
        if fields.get("message") == "request" and "status" in fields:
            line = (f"{when} {fields['method']:<6} {fields['path']} -> {fields['status']} "
                    f"({fields['ms']:g} ms, request {str(fields.get('request_id', ''))[:8]})")
        elif isinstance(fields.get("domain_event"), str):
            line = f"{when} event  {fields['domain_event']} {describe(fields.get('detail') or {})}"
        else:
            level = "" if record.levelno == logging.INFO else f"{record.levelname} "
            line = f"{when} {level}{fields.get('message', '')}"
        if record.exc_info and record.levelno >= logging.ERROR:
            line += "\n" + self.formatException(record.exc_info)
        return line


def describe(detail: dict) -> str:
    """`event=... hold_id=... seats=2 total=150.00 EUR` from an event's detail."""
    parts = [f"{name}={value}" for name, value in (detail.get("ids") or {}).items()
             if value and name != "user_id"]
    seats = (detail.get("counts") or {}).get("seats")
    if seats:
        parts.append(f"seats={seats}")
    total = (detail.get("amounts") or {}).get("total") or {}
    if total.get("amount"):
        parts.append(f"total={total['amount']} {total.get('currency', '')}".rstrip())
    return " ".join(parts)


def use_readable_logs(logger_name: str = "boxoffice") -> None:
    """Renders the app's records as lines and hushes libraries' chatter and warnings."""
    for handler in logging.getLogger(logger_name).handlers:
        handler.setFormatter(ReadableFormatter())
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
