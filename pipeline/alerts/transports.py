"""Where alerts go: Slack's Web API, or the console and a JSONL file when Slack is not set up.

Both transports answer the same two questions: post this message, and was a message with this
alert key already posted (the check that makes a crash between Slack's reply and our commit
harmless).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.metadata import Metadata

from pipeline.errors import DeliveryError
from pipeline.models import utcnow

METADATA_EVENT = "libya_monitor_alert"
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found", "not_in_channel", "invalid_auth", "not_authed", "account_inactive",
        "token_revoked", "token_expired", "is_archived", "channel_is_archived", "msg_too_long",
        "invalid_blocks", "invalid_blocks_format", "no_permission", "missing_scope",
        "restricted_action", "invalid_arguments", "no_text", "ekm_access_denied", "team_access_not_granted",
    }
)
HINTS = {
    "channel_not_found": "the channel does not exist or the bot cannot see it: check the subscription's channel",
    "not_in_channel": "invite the bot to the channel (/invite @your-bot)",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid",
    "not_authed": "SLACK_BOT_TOKEN is missing",
    "token_revoked": "SLACK_BOT_TOKEN was revoked: install the app again",
    "missing_scope": "the bot token lacks a scope (chat:write, channels:history, files:write; channels:read for #names)",
    "is_archived": "the channel is archived",
}


@dataclass(frozen=True)
class Posted:
    ts: str
    thread_ts: str | None


class Transport(Protocol):
    name: str

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], *, alert_key: str,
        thread_ts: str | None = None, broadcast: bool = False,
    ) -> Posted: ...

    def find_posted(self, channel: str, alert_key: str, *, thread_ts: str | None = None) -> str | None: ...

    def upload(self, channel: str, path: Path, *, title: str, thread_ts: str | None = None) -> None: ...


class SlackTransport:
    name = "slack"

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        client: WebClient | None = None,
        timeout: int = 10,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client or WebClient(
            token=token,
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            timeout=timeout,
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=2),
                RateLimitErrorRetryHandler(max_retry_count=3),
                ServerErrorRetryHandler(max_retry_count=2),
            ],
        )
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._last_post: dict[str, float] = {}
        self._channel_ids: dict[str, str] = {}

    def _pace(self, channel: str) -> None:
        """At most one message per second per channel (Slack's posting limit)."""
        last = self._last_post.get(channel)
        if last is not None:
            wait = self.min_interval - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_post[channel] = self._clock()

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], *, alert_key: str,
        thread_ts: str | None = None, broadcast: bool = False,
    ) -> Posted:
        self._pace(channel)
        with _slack_errors(alert_key):
            response = self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                reply_broadcast=broadcast if thread_ts else None,
                unfurl_links=False,
                unfurl_media=False,
                metadata=Metadata(event_type=METADATA_EVENT, event_payload={"alert_key": alert_key}),
            )
        return Posted(str(response["ts"]), thread_ts)

    def find_posted(self, channel: str, alert_key: str, *, thread_ts: str | None = None) -> str | None:
        channel = self._channel_id(channel, alert_key)
        with _slack_errors(alert_key):
            if thread_ts:
                response = self.client.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
                )
            else:
                response = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
        messages: list[dict[str, Any]] = response.get("messages", [])
        for message in messages:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("alert_key") == alert_key:
                return str(message["ts"])
        return None

    def _channel_id(self, channel: str, alert_key: str) -> str:
        """Posting takes "#name", but history and files need the channel's ID: look it up once
        (scopes channels:read, groups:read for private channels)."""
        if not channel.startswith("#"):
            return channel
        if channel not in self._channel_ids:
            with _slack_errors(alert_key):
                for page in self.client.conversations_list(
                    types="public_channel,private_channel", exclude_archived=True, limit=1000
                ):
                    for found in page.get("channels", []):
                        self._channel_ids[f"#{found['name']}"] = str(found["id"])
        if channel not in self._channel_ids:
            raise DeliveryError(
                f"Slack has no channel {channel} the bot can see: check the name or use the channel ID",
                alert_key=alert_key, permanent=True,
            )
        return self._channel_ids[channel]

    def upload(self, channel: str, path: Path, *, title: str, thread_ts: str | None = None) -> None:
        """A file in the channel (files_upload_v2: get an upload URL, send the bytes, complete)."""
        with _slack_errors(f"upload:{path.name}"):
            channel = self._channel_id(channel, f"upload:{path.name}")
            self.client.files_upload_v2(channel=channel, file=str(path), filename=path.name, title=title, thread_ts=thread_ts)


@contextmanager
def _slack_errors(alert_key: str) -> Iterator[None]:
    """Slack's errors as DeliveryError: API errors by code (permanent or not), network errors
    (URLError, timeouts, refused connections are all OSError) as transient."""
    try:
        yield
    except SlackApiError as exc:
        raise _api_error(exc, alert_key) from exc
    except OSError as exc:
        raise DeliveryError(f"Slack unreachable: {exc}", alert_key=alert_key, permanent=False) from exc


def _api_error(exc: SlackApiError, alert_key: str) -> DeliveryError:
    code = str(exc.response.get("error", "unknown_error")) if exc.response is not None else "unknown_error"
    hint = HINTS.get(code)
    message = f"Slack error {code}" + (f": {hint}" if hint else "")
    status = getattr(exc.response, "status_code", None)
    permanent = code in PERMANENT_ERRORS or (status is not None and 400 <= status < 500 and status != 429 and code not in ("ratelimited",))
    return DeliveryError(message, alert_key=alert_key, permanent=permanent)


class ConsoleTransport:
    """Alerts printed for a person to read and appended to a JSONL file for programs."""

    name = "console"

    def __init__(self, log_path: Path, *, stream: TextIO | None = None) -> None:
        self.log_path = log_path
        self.stream = stream or sys.stdout
        self._count = 0

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], *, alert_key: str,
        thread_ts: str | None = None, broadcast: bool = False,
    ) -> Posted:
        self._count += 1
        ts = f"{time.time():.6f}"
        record = {
            "ts": ts, "at": utcnow().isoformat(), "alert_key": alert_key, "channel": channel,
            "thread_ts": thread_ts, "broadcast": broadcast, "text": text, "blocks": blocks,
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        indent = "    ↳ " if thread_ts else "  ▶ "
        print(f"{indent}[{channel}] {text}", file=self.stream)
        return Posted(ts, thread_ts)

    def find_posted(self, channel: str, alert_key: str, *, thread_ts: str | None = None) -> str | None:
        if not self.log_path.exists():
            return None
        with self.log_path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut by a crash mid-write: it was not a complete post
                if record.get("alert_key") == alert_key:
                    return str(record["ts"])
        return None

    def upload(self, channel: str, path: Path, *, title: str, thread_ts: str | None = None) -> None:
        print(f"    ↳ [{channel}] {title}: {path}", file=self.stream)
