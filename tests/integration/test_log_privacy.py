"""The app's own log lines (Powertools' JSON logger) never carry an email address."""
import io
import json


def test_the_apps_request_log_masks_email_addresses_in_paths_and_extras():
    import app as application
    handler = application.logger.registered_handler
    saved, handler.stream = handler.stream, io.StringIO()
    try:
        application.logger.info("request", extra={"path": "/users/jane.doe@example.com/x",
                                                  "detail": {"to": "bob@example.org"}})
        line = handler.stream.getvalue()
    finally:
        handler.stream = saved
    record = json.loads(line)
    assert record["path"] == "/users/[email]/x" and record["detail"] == {"to": "[email]"}
    assert "example.com" not in line and "example.org" not in line
