"""Small builders shared by tests: catalogues, feeds and article pages we write on the fly."""

from __future__ import annotations

import time
from collections.abc import Iterable
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import Settings
from pipeline.models import utcnow

FAST_CRAWL = ("AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "RETRY_TIMES=0", "DOWNLOAD_TIMEOUT=2")


SITES = Path(__file__).parent / "fixtures" / "sites"
# One news story, for pages whose content does not matter beyond being a Libya article.
CLASHES_STORY = [
    "Armed groups clashed overnight in the Libyan capital Tripoli, residents said, breaking a local truce.",
    "The Emergency Medicine Centre said two people were wounded in the fighting near Ain Zara.",
]
CLASHES_PAGE = ("Clashes in Tripoli's Ain Zara", CLASHES_STORY)


def site_fixture(name: str, base: str) -> bytes:
    """A saved page or feed of tests/fixtures/sites, its links pointing at `base`."""
    return (SITES / name).read_bytes().replace(b"{base}", base.encode())


def write_catalogue(settings: Settings, sources: Iterable[dict[str, Any]]) -> Settings:
    entries = []
    for source in sources:
        entries.append(
            {"name": source["id"], "homepage": "http://127.0.0.1/", "kind": "feed", "langs": ["en"],
             "country": "LY", "provenance": "libyan_independent", "timezone": "Africa/Tripoli", **source}
        )
    path = settings.data_dir / "test-sources.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"version": "test", "sources": entries}, allow_unicode=True), encoding="utf-8")
    return settings.with_changes(sources_path=path)


def rss(items: Iterable[tuple[str, str]], *, title: str = "Test feed") -> bytes:
    now = format_datetime(utcnow())
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{now}</pubDate></item>" for t, link in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


def article_page(title: str, paragraphs: Iterable[str], *, lang: str = "en", charset: str = "utf-8", published: str | None = None) -> str:
    published = published or utcnow().isoformat()
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title>'
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def hang(seconds: float):  # type: ignore[no-untyped-def]
    def handler(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        try:
            request.send_response(200)
            request.send_header("Content-Length", "0")
            request.end_headers()
        except OSError:
            pass

    return handler


def closed_port_url(path: str = "/feed.xml") -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"  # nothing listens there once the socket is closed
