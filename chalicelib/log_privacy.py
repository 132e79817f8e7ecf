"""Logs never carry email addresses: a filter on every handler masks them, whichever
logger (ours, Powertools', botocore's, Chalice's) wrote the record and wherever in it the
address sits (message, arguments, extra keys, exception text)."""
from __future__ import annotations

import logging
import re

# The local part without "/": a path like /users/a@b.io keeps its route visible.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
MASK = "[email]"
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(value):
    if isinstance(value, str):
        return EMAIL.sub(MASK, value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v) for v in value)
    return value


class RedactEmails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log what there is, masked
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        for name, value in list(vars(record).items()):
            if name not in _STANDARD:
                setattr(record, name, redact(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = RedactEmails()


def install(*loggers) -> None:
    """Adds the filter to every handler of these loggers and of the root logger."""
    for logger in (*loggers, logging.getLogger()):
        handlers = getattr(logger, "handlers", None) or []
        if hasattr(logger, "registered_handler"):
            handlers = [logger.registered_handler, *handlers]
        for handler in handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
