"""A fake Slack Web API server: a real HTTP server that records every request.

It keeps channels and their messages (with metadata and threads), and can be told to answer
the next calls of a method with 429 + Retry-After, a 5xx, a Slack error code, or to hang past
the client's timeout. `WebClient(base_url=server.base_url)` talks to it like to Slack.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class Fault:
    kind: str  # "ratelimit", "server_error", "error", "hang"
    value: Any = None


@dataclass
class SlackState:
    # Channel IDs and names, as in a workspace: posting accepts either ("#name"), the history
    # and file APIs only the ID, as Slack's do.
    channels: dict[str, str] = field(default_factory=lambda: {"C-ALERTS": "alerts", "C-OPS": "ops", "C-CEASEFIRE": "libya-ceasefire"})
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    files: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)


class FakeSlack:
    def __init__(self) -> None:
        self.state = SlackState()
        self.calls: list[Call] = []
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._ts = 1700000000.000100
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- control -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, method: str, kind: str, value: Any = None, times: int = 1) -> None:
        for _ in range(times):
            self.faults[method].append(Fault(kind, value))

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages accepted by chat.postMessage (top level and replies), in a channel given by
        ID or #name; each keeps the channel as the poster wrote it."""
        wanted = self._channel_id(channel, allow_name=True) if channel else None
        with self._lock:
            return [m for ch, ms in self.state.messages.items() for m in ms if wanted in (None, ch)]

    def _channel_id(self, channel: str | None, *, allow_name: bool) -> str | None:
        if channel in self.state.channels:
            return channel
        if allow_name and channel and channel.startswith("#"):
            return next((cid for cid, name in self.state.channels.items() if name == channel[1:]), None)
        return None

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # -- the API -------------------------------------------------------------------------------
    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1.0
            return f"{self._ts:.6f}"

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.calls.append(Call(method, params, time.time()))
            fault = self.faults[method].popleft() if self.faults[method] else None
        if fault is not None:
            if fault.kind == "ratelimit":
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.value or 1)}
            if fault.kind == "server_error":
                return int(fault.value or 500), {"ok": False, "error": "internal_error"}, {}
            if fault.kind == "error":
                return 200, {"ok": False, "error": fault.value}, {}
            if fault.kind == "hang":
                time.sleep(float(fault.value or 30))
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        return 200, handler(params), {}

    def api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        channel_id = self._channel_id(channel, allow_name=True)
        if channel_id is None:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        blocks = params.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        message = {
            "ts": self._next_ts(),
            "channel": channel,
            "text": params.get("text"),
            "blocks": blocks,
            "thread_ts": params.get("thread_ts"),
            "reply_broadcast": bool(params.get("reply_broadcast")),
            "metadata": metadata,
        }
        with self._lock:
            self.state.messages[channel_id].append(message)
        return {"ok": True, "channel": channel_id, "ts": message["ts"], "message": message}

    def api_conversations_list(self, params: dict[str, Any]) -> dict[str, Any]:
        channels = [{"id": cid, "name": name, "is_archived": False} for cid, name in self.state.channels.items()]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    def api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if self._channel_id(channel, allow_name=False) is None:
            return {"ok": False, "error": "channel_not_found"}
        include = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            top = [m for m in self.state.messages[channel] if not m["thread_ts"] or m["reply_broadcast"]]
        messages = [_shown(m, include) for m in reversed(top)]
        return {"ok": True, "messages": messages, "has_more": False}

    def api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if self._channel_id(channel, allow_name=False) is None:
            return {"ok": False, "error": "channel_not_found"}
        include = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            thread = [m for m in self.state.messages[channel] if m["ts"] == ts or m["thread_ts"] == ts]
        return {"ok": True, "messages": [_shown(m, include) for m in thread], "has_more": False}

    def api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{len(self.state.files) + 1:04d}"
        self.state.files.append({"id": file_id, "filename": params.get("filename"), "length": params.get("length")})
        upload_url = self.base_url.replace("/api/", f"/upload/{file_id}")
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        channel = params.get("channel_id") or params.get("channels")
        if channel and self._channel_id(channel, allow_name=False) is None:
            return {"ok": False, "error": "invalid_channel"}
        for item in files or []:
            for record in self.state.files:
                if record["id"] == item["id"]:
                    record.update(title=item.get("title"), channel=channel, initial_comment=params.get("initial_comment"))
        return {"ok": True, "files": [{"id": item["id"]} for item in files or []]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                if path.startswith("/upload/"):
                    fake.state.uploads[path.rsplit("/", 1)[-1]] = body
                    self._reply(200, b"OK - uploaded", {}, "text/plain")
                    return
                self._api(path, _params(self.headers.get("Content-Type", ""), body, self.path))

            def do_GET(self) -> None:
                self._api(urlsplit(self.path).path, _params("", b"", self.path))

            def _api(self, path: str, params: dict[str, Any]) -> None:
                method = path.rsplit("/", 1)[-1]
                status, payload, headers = fake.handle(method, params)
                self._reply(status, json.dumps(payload).encode(), headers, "application/json")

            def _reply(self, status: int, body: bytes, headers: dict[str, str], content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a hang test): nothing to answer

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler


def _shown(message: dict[str, Any], include_metadata: bool) -> dict[str, Any]:
    shown = {k: v for k, v in message.items() if k != "metadata"}
    if include_metadata and message.get("metadata"):
        shown["metadata"] = message["metadata"]
    return shown


def _params(content_type: str, body: bytes, raw_path: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(urlsplit(raw_path).query).items()}
    if body and "json" in content_type:
        params.update(json.loads(body))
    elif body:
        params.update({k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()})
    return params
