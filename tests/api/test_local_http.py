"""The local gateway answers every request as API Gateway would: well-formed HTTP, the
contract's envelope, X-Request-Id and CORS, even when the request is not valid HTTP; and a
keep-alive connection stays in step with the client."""
import json
import socket
from urllib.parse import urlsplit

import pytest

from chalicelib.local import gateway


def connect(stack) -> socket.socket:
    address = urlsplit(stack.url)
    return socket.create_connection((address.hostname, address.port), timeout=10)


class Answer:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def error(self) -> dict:
        assert self.headers["content-type"] == "application/json"
        document = json.loads(self.body)
        assert set(document) == {"error"} and set(document["error"]) == {"code", "message",
                                                                          "details"}
        assert isinstance(document["error"]["details"], dict)
        return document["error"]


def read_answer(sock: socket.socket, buffer: bytearray, head: bool = False) -> Answer:
    """One HTTP/1.1 response from the socket (framed by Content-Length)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection without an answer: {bytes(buffer)!r}"
        buffer += chunk
    raw_head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    status_line, *lines = raw_head.decode("latin-1").split("\r\n")
    version, status, _ = status_line.split(" ", 2)
    assert version == "HTTP/1.1"
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers["content-length"])
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    buffer[:] = body[length:]
    answer = Answer(int(status), headers, bytes(body[:length]))
    assert answer.headers["x-request-id"]
    assert answer.headers["access-control-allow-origin"] == "*"
    return answer


def exchange(stack, request: bytes, head: bool = False) -> Answer:
    with connect(stack) as sock:
        sock.sendall(request)
        return read_answer(sock, bytearray(), head)


def closes_after(stack, request: bytes) -> Answer:
    """The answer to a request whose framing cannot be trusted, and that the server then
    closes the connection, as it must."""
    with connect(stack) as sock:
        sock.sendall(request)
        buffer = bytearray()
        answer = read_answer(sock, buffer)
        assert answer.headers["connection"] == "close"
        assert not buffer and sock.recv(1) == b""
        return answer


def test_an_unknown_method_is_a_404_route_envelope_as_on_api_gateway(stack):
    for method in (b"TRACE", b"CONNECT", b"PROPFIND"):
        answer = exchange(stack, method + b" /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer.status == 404
        assert answer.error()["code"] == "NOT_FOUND"
        assert answer.error()["details"] == {"resource": "route"}


def test_an_unknown_method_with_a_body_leaves_the_connection_ready_for_the_next_request(stack):
    with connect(stack) as sock:
        sock.sendall(b"TRACE /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                     b"GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n")
        buffer = bytearray()
        assert read_answer(sock, buffer).status == 404
        after = read_answer(sock, buffer)
        assert (after.status, json.loads(after.body)) == (200, {"status": "ok"})
        assert after.headers["x-request-id"] == "second"


def test_a_head_answers_like_get_without_a_body_and_the_connection_stays_usable(stack):
    with connect(stack) as sock:
        sock.sendall(b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        buffer = bytearray()
        head = read_answer(sock, buffer, head=True)
        get = read_answer(sock, buffer)
        assert head.status == get.status == 200
        assert json.loads(get.body) == {"status": "ok"}
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["content-type"] == get.headers["content-type"]
        assert not buffer


def test_a_head_on_an_unknown_route_is_the_404_without_a_body(stack):
    with connect(stack) as sock:
        sock.sendall(b"HEAD /no/such/thing HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        buffer = bytearray()
        assert read_answer(sock, buffer, head=True).status == 404
        assert read_answer(sock, buffer).status == 200


def test_a_header_line_over_64_kib_is_a_validation_error(stack):
    answer = closes_after(stack, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "
                          + b"a" * 70_000 + b"\r\n\r\n")
    assert answer.status == 400
    error = answer.error()
    assert error["code"] == "VALIDATION_ERROR" and "headers" in error["details"]["fields"]


def test_too_many_header_lines_are_a_validation_error(stack):
    lines = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    answer = closes_after(stack, b"GET /health HTTP/1.1\r\nHost: x\r\n" + lines + b"\r\n")
    assert answer.status == 400 and "headers" in answer.error()["details"]["fields"]


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1.5", b"5, 6", b""])
def test_a_content_length_that_is_not_a_number_is_a_validation_error(stack, length):
    answer = closes_after(stack, b"POST /dev/token HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          + length + b"\r\nContent-Type: application/json\r\n\r\n{}")
    assert answer.status == 400
    error = answer.error()
    assert error["code"] == "VALIDATION_ERROR" and "Content-Length" in error["details"]["fields"]


def test_two_different_content_lengths_are_a_validation_error(stack):
    answer = closes_after(stack, b"POST /dev/token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                          b"Content-Length: 3\r\n\r\n{}")
    assert answer.status == 400 and answer.error()["code"] == "VALIDATION_ERROR"


def test_a_body_over_api_gateways_quota_is_refused_without_being_read(stack):
    answer = closes_after(stack, b"POST /dev/token HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: 99999999999\r\n\r\n{}")
    assert answer.status == 413 and answer.error()["code"] == "PAYLOAD_TOO_LARGE"


def test_a_body_shorter_than_its_content_length_is_answered_not_waited_on_forever(
        stack, monkeypatch):
    monkeypatch.setattr(gateway, "BODY_SECONDS", 0.2)
    answer = closes_after(stack, b"POST /dev/token HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: 10\r\n\r\n{}")
    assert answer.status == 400 and "body" in answer.error()["details"]["fields"]


def test_a_chunked_body_is_read_and_the_connection_stays_in_step(stack):
    with connect(stack) as sock:
        sock.sendall(b"POST /dev/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n"
                     b"5\r\n{\"sub\r\n9;ext=1\r\n\": \"abc\"}\r\n0\r\n\r\n"
                     b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        buffer = bytearray()
        token = read_answer(sock, buffer)
        assert token.status == 200 and json.loads(token.body)["token"]
        assert read_answer(sock, buffer).status == 200


def test_a_malformed_chunked_body_is_a_validation_error(stack):
    answer = closes_after(stack, b"POST /dev/token HTTP/1.1\r\nHost: x\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    assert answer.status == 400 and answer.error()["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("request_line", [
    b"GET /health",  # HTTP/0.9: no status line or headers to answer with
    b"GET /health HTTP/9.9", b"GET /health HTTQ/1.1", b"GET / health HTTP/1.1",
    b"GET /" + b"a" * 70_000 + b" HTTP/1.1"])
def test_a_request_line_that_is_not_http_1_is_a_validation_error(stack, request_line):
    answer = closes_after(stack, request_line + b"\r\nHost: x\r\n\r\n")
    assert answer.status == 400 and answer.error()["code"] == "VALIDATION_ERROR"


def test_a_request_line_error_does_not_echo_the_previous_requests_id(stack):
    with connect(stack) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n"
                     b"GET /health HTTP/9.9\r\n\r\n")
        buffer = bytearray()
        assert read_answer(sock, buffer).headers["x-request-id"] == "first"
        assert read_answer(sock, buffer).headers["x-request-id"] != "first"


def test_an_absolute_form_target_is_served_like_its_path(stack):
    answer = exchange(stack, b"GET http://127.0.0.1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (answer.status, json.loads(answer.body)) == (200, {"status": "ok"})


def test_gateway_answers_echo_the_clients_request_id(stack):
    answer = exchange(stack, b"TRACE /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: mine-1\r\n\r\n")
    assert answer.headers["x-request-id"] == "mine-1"
    answer = exchange(stack, b"GET /nope HTTP/1.1\r\nHost: x\r\nX-REQUEST-ID: mine-2\r\n\r\n")
    assert answer.headers["x-request-id"] == "mine-2"


def accepted(server_cls, *args) -> socket.socket:
    """A connection as the server class accepts it."""
    server = server_cls(*args)
    try:
        client = socket.create_connection(server.server_address[:2])
        connection, _ = server.get_request()
        client.close()
        return connection
    finally:
        server.server_close()


def test_both_local_servers_send_answers_without_waiting_for_the_clients_ack(stack):
    # With Nagle's algorithm on, an answer written as headers then body waits for the
    # client's delayed ACK: 40 ms on every request.
    from chalicelib.local.moto_server import QuietHandler
    for connection in (accepted(type(stack.server.server), ("127.0.0.1", 0), None),
                       accepted(type(stack.moto._server), "127.0.0.1", 0, None, QuietHandler)):
        with connection:
            assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_moto_keeps_the_apps_connection_open_between_requests(stack):
    # werkzeug closed it after every answer: one TCP connection per DynamoDB call.
    import http.client
    address = urlsplit(stack.moto.url)
    request = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
               b"Content-Type: application/x-amz-json-1.0\r\nAuthorization: AWS4-HMAC-SHA256 "
               b"Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
               b"Signature=x\r\nContent-Length: 2\r\n\r\n{}")
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        for _ in range(2):
            sock.sendall(request)
            answer = http.client.HTTPResponse(sock)
            answer.begin()
            assert answer.status == 200 and "TableNames" in json.loads(answer.read())
            assert not answer.will_close
