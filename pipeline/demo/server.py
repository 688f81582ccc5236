"""A small local HTTP server for fixed pages: the demo site, and the test suite's fixture sites.

Routes are registered up front. Static routes answer conditional GETs (ETag, If-None-Match ->
304); handler routes can do anything (hang, redirect, fail). Every request is recorded so tests
can assert what a crawl asked for.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


Handler = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops connection attempts under a concurrent crawler,
    # and each dropped SYN costs a one-second retry.
    request_queue_size = 128


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


class SiteServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pages: dict[str, Page | Handler] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = _Server((host, port), self._handler_class())
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, path: str, page: Page | Handler) -> None:
        self.pages[path] = page

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="site-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One packet per response: small separate writes meet Nagle's algorithm and the
            # client's delayed ACK and cost ~40 ms each.
            disable_nagle_algorithm = True
            wbufsize = 64 * 1024

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                with server._lock:
                    server.requests.append(RecordedRequest("GET", self.path, dict(self.headers.items())))
                page = server.pages.get(path)
                if page is None:
                    self._send(Page(b"not found", "text/plain", 404))
                elif callable(page):
                    page(self)
                else:
                    self._send(page)

            def _send(self, page: Page) -> None:
                if page.status == 200 and self.headers.get("If-None-Match") == page.etag:
                    self.send_response(304)
                    self.send_header("ETag", page.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                if page.status == 200:
                    self.send_header("ETag", page.etag)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                return  # quiet: requests are recorded instead

        return RequestHandler
