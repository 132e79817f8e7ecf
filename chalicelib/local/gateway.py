"""Chalice's local API Gateway, with the Gateway Responses infra/ sets up on AWS: its own
answers (unknown route or method, missing or bad token, denial, a request that is not valid
HTTP) use the contract's envelope, carry X-Request-Id and CORS, and keep the connection in
step with the client."""
from __future__ import annotations

import json
import logging
import re
import uuid
from http import HTTPStatus

from chalice.local import (ChaliceRequestHandler, LocalChalice, LocalGateway,
                           LocalGatewayException)

from ..api.errors import envelope
from .edge_limits import guarded

CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag,X-Request-Id,Idempotent-Replayed,Retry-After"}
# API Gateway's payload quota; the app itself refuses bodies over 64 KB with a 413.
MAX_BODY_BYTES = 10 * 1024 * 1024
# A client that stops sending mid-body gets an answer instead of holding a thread forever.
BODY_SECONDS = 30
logger = logging.getLogger("boxoffice.local")


def request_id(headers) -> str:
    """The client's X-Request-Id if it is one the app would echo, else a new one."""
    given = next((value for name, value in (headers or {}).items()
                  if name.lower() == "x-request-id"), "")
    return given if 0 < len(given) <= 128 and given.isprintable() else uuid.uuid4().hex


def gateway_answer(status: int, code: str, message: str, details: dict, headers) -> dict:
    return {"statusCode": status, "multiValueHeaders": {},
            "headers": {"Content-Type": "application/json", "X-Request-Id": request_id(headers),
                        **CORS},
            "body": json.dumps(envelope(code, message, details))}


def missing_route(headers) -> dict:
    # API Gateway answers an unknown path or method with 403 "Missing Authentication
    # Token", which infra/ maps to this 404.
    return gateway_answer(404, "NOT_FOUND", "No such route.", {"resource": "route"}, headers)


def log_gateway_answer(method: str, path: str, answer: dict) -> None:
    """What the gateway answers itself is logged as the app logs its requests."""
    logger.info("request", extra={"method": method, "path": path.split("?")[0],
                                  "status": answer["statusCode"], "ms": 0,
                                  "request_id": answer["headers"]["X-Request-Id"]})


class EnvelopeGateway(LocalGateway):
    def handle_request(self, method, path, headers, body):
        try:
            response = super().handle_request(method, path, headers, body)
        except LocalGatewayException as e:
            answer = self._refusal(e, headers)
            log_gateway_answer(method, path, answer)
            return answer
        except Exception as e:  # noqa: BLE001 - an authorizer failing 'Unauthorized'
            if str(e) == "Unauthorized":
                answer = gateway_answer(401, "UNAUTHORIZED", "A valid bearer token is required.",
                                        {}, headers)
                log_gateway_answer(method, path, answer)
                return answer
            raise
        # Preflights are answered by the gateway itself; they carry a request id too.
        if not any(k.lower() == "x-request-id" for k in response["headers"]):
            response["headers"]["X-Request-Id"] = request_id(headers)
        return response

    @staticmethod
    def _refusal(e, headers) -> dict:
        if e.CODE == 401:
            return gateway_answer(401, "UNAUTHORIZED", "A valid bearer token is required.",
                                  {}, headers)
        if b"Missing Authentication Token" in (e.body or b"") or b"Credential" in (e.body or b""):
            return missing_route(headers)
        return gateway_answer(403, "FORBIDDEN", "You are not allowed to do this.", {}, headers)


class Malformed(Exception):
    """A request whose framing cannot be trusted: answered, then the connection is closed."""

    def __init__(self, field: str, why: str, status: int = 400):
        super().__init__(why)
        self.field, self.why, self.status = field, why, status


class EnvelopeRequestHandler(ChaliceRequestHandler):
    def __init__(self, request, client_address, server, app_object, config):
        self.local_gateway = guarded(EnvelopeGateway(app_object, config), server, client_address)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def log_message(self, format, *args):  # noqa: A002 - the app logs requests itself
        pass

    def log_request(self, code="-", size="-") -> None:
        pass

    # -- reading a request ---------------------------------------------------------------

    def handle_one_request(self) -> None:
        # Nothing of the previous request on this connection may shape the next answer.
        self.headers, self.command, self.requestline = None, None, ""
        super().handle_one_request()

    def parse_request(self) -> bool:
        if len(self.raw_requestline.split()) not in (0, 3):
            # HTTP/0.9 ("GET /path") has no status line or headers to answer with.
            self._answer_malformed("request", "expected 'METHOD /path HTTP/1.1'")
            return False
        return super().parse_request()

    def _parse_payload(self):
        headers = dict(self.headers)
        lengths = self.headers.get_all("Content-Length") or []
        encodings = self.headers.get_all("Transfer-Encoding") or []
        if lengths and encodings:
            raise Malformed("Content-Length", "not allowed together with Transfer-Encoding")
        if encodings:
            if [e.strip().lower() for e in ",".join(encodings).split(",")] != ["chunked"]:
                raise Malformed("Transfer-Encoding", "only 'chunked' is supported")
            return headers, self._read_chunked() or None
        if not lengths:
            return headers, None
        if len(set(v.strip() for v in lengths)) != 1 or not re.fullmatch(r"[0-9]{1,20}",
                                                                          lengths[0].strip()):
            raise Malformed("Content-Length", "must be one non-negative integer")
        length = int(lengths[0])
        if length > MAX_BODY_BYTES:
            raise Malformed("body", f"at most {MAX_BODY_BYTES} bytes", status=413)
        return headers, (self._read_exactly(length) if length else None)

    def _read_exactly(self, length: int) -> bytes:
        self.connection.settimeout(BODY_SECONDS)
        try:
            body = self.rfile.read(length)
        except TimeoutError as e:
            raise Malformed("body", "shorter than its Content-Length") from e
        finally:
            self.connection.settimeout(None)
        if len(body) != length:
            raise Malformed("body", "shorter than its Content-Length")
        return body

    def _read_line(self) -> bytes:
        self.connection.settimeout(BODY_SECONDS)
        try:
            line = self.rfile.readline(1025)
        except TimeoutError as e:
            raise Malformed("body", "the chunked body ended early") from e
        finally:
            self.connection.settimeout(None)
        if not line.endswith(b"\n") or len(line) > 1024:
            raise Malformed("body", "malformed chunked encoding")
        return line

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size = self._read_line().split(b";", 1)[0].strip()
            if not re.fullmatch(rb"[0-9a-fA-F]{1,8}", size):
                raise Malformed("body", "malformed chunked encoding")
            size = int(size, 16)
            if size == 0:
                while self._read_line().strip():  # trailer fields, ignored
                    pass
                return bytes(body)
            if len(body) + size > MAX_BODY_BYTES:
                raise Malformed("body", f"at most {MAX_BODY_BYTES} bytes", status=413)
            body += self._read_exactly(size)
            if self._read_exactly(2) != b"\r\n":
                raise Malformed("body", "malformed chunked encoding")

    # -- answering -----------------------------------------------------------------------

    def _generic_handle(self) -> None:
        try:
            headers, body = self._parse_payload()
        except Malformed as e:
            self._answer_malformed(e.field, e.why, e.status)
            return
        path = re.sub(r"^https?://[^/]*", "", self.path)  # absolute-form, as from a proxy
        if not path.startswith("/"):
            self._answer(missing_route(headers))
            return
        # A HEAD is answered as its GET would be, without the body.
        method = "GET" if self.command == "HEAD" else self.command
        try:
            response = self.local_gateway.handle_request(method=method, path=path,
                                                         headers=headers, body=body)
        except LocalGatewayException as e:
            self._send_error_response(e)
            return
        except Exception:  # noqa: BLE001 - a bug still answers in the envelope
            logger.exception("local gateway failed on %s %s", self.command, path)
            self._answer(gateway_answer(500, "INTERNAL", "An internal error occurred.", {},
                                        headers))
            return
        self._answer(response)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _answer(self, response: dict) -> None:
        headers = response["headers"].copy()
        headers.update(response["multiValueHeaders"])
        body = self._handle_binary(response)["body"]
        self._send_http_response(response["statusCode"], headers, body)

    def _answer_malformed(self, field: str, why: str, status: int = 400) -> None:
        if not str(getattr(self, "request_version", "")).startswith("HTTP/1."):
            self.request_version = "HTTP/1.1"  # so the answer has a status line and headers
        self.close_connection = True
        code, message = (("PAYLOAD_TOO_LARGE", "The request body is too large.") if status == 413
                         else ("VALIDATION_ERROR", "The request is not valid HTTP."))
        answer = gateway_answer(status, code, message, {"fields": {field: why}}, self.headers)
        answer["headers"]["Connection"] = "close"
        self._answer(answer)

    def send_error(self, code, message=None, explain=None) -> None:
        """http.server's own answers, in the envelope."""
        if code == HTTPStatus.NOT_IMPLEMENTED:  # a method no route has: read it, then 404
            try:
                self._parse_payload()
            except Malformed as e:
                self._answer_malformed(e.field, e.why, e.status)
                return
            self._answer(missing_route(self.headers))
            return
        field = {HTTPStatus.REQUEST_URI_TOO_LONG: "path",
                 HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "headers"}.get(code, "request")
        self._answer_malformed(field, explain or message or HTTPStatus(code).phrase)

    def _send_http_response_with_body(self, code, headers, body) -> None:
        if not isinstance(body, bytes):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        for name, value in headers.items():
            for one in (value if isinstance(value, list) else [value]):
                self.send_header(name, one)
        # Headers and body in one write; a HEAD gets the headers its GET would have.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()


def as_local(app) -> None:
    """Makes current_request thread-local, as `chalice local` does."""
    if not isinstance(app, LocalChalice):
        local_cls = type("BoxofficeLocalChalice", (LocalChalice, app.__class__), {})
        app.__class__ = local_cls
