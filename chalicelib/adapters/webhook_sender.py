"""Posting a webhook delivery over HTTP(S) with the standard library: a hard timeout, no
redirects (a redirect could point anywhere), and, on deployed stages, no private addresses
(a name that resolves inside the network is refused before connecting)."""
from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx itself is the answer: not a success


class HttpWebhookSender:
    def __init__(self, allow_private_hosts: bool = False):
        """allow_private_hosts: the local stage posts to receivers on this machine."""
        self._allow_private = allow_private_hosts
        self._opener = urllib.request.build_opener(_NoRedirects)

    def post(self, url: str, body: str, headers: dict[str, str], timeout: float) -> int | None:
        if not self._allow_private and not _public_host(urlsplit(url).hostname or ""):
            return None
        request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "Boxoffice-Webhooks/1", **headers})
        try:
            with self._opener.open(request, timeout=timeout) as response:
                response.read(MAX_RESPONSE_BYTES)
                return response.status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, OSError, ValueError):
            return None  # timeout, refused, unreachable: retried like any failure


def _public_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_global for info in infos)
