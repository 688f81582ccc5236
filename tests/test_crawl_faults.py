"""Bad input never stops a run: every failure is logged with source and URL, and counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.demo.server import Page, SiteServer
from pipeline.errors import AllSourcesFailed
from pipeline.jobs import run_cycle
from tests.helpers import (
    CLASHES_PAGE,
    FAST_CRAWL,
    article_page,
    closed_port_url,
    hang,
    rss,
    write_catalogue,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def fault_site() -> Iterator[SiteServer]:
    server = SiteServer()
    base = server.base_url
    server.add("/robots.txt", Page(b"User-agent: *\nAllow: /\n", "text/plain"))
    server.add("/good/feed.xml", Page(rss([
        ("Clashes in Tripoli", f"{base}/good/ok.html"),
        ("Gone", f"{base}/good/missing.html"),
        ("Broken", f"{base}/good/broken.html"),
        ("Slow", f"{base}/good/slow.html"),
        ("Empty", f"{base}/good/empty.html"),
    ]), "application/rss+xml"))
    server.add("/good/ok.html", Page(article_page(*CLASHES_PAGE).encode()))
    server.add("/good/broken.html", Page(b"oops", "text/plain", 500))
    server.add("/good/slow.html", hang(6))
    server.add("/good/empty.html", Page(b"", "text/html"))
    server.add("/bad/feed.xml", Page(b"<html><body>this is not a feed</body></html>", "text/html"))
    with server:
        yield server


def _sources(site: SiteServer, *names: str) -> list[dict]:
    urls = {
        "good": f"{site.base_url}/good/feed.xml",
        "malformed": f"{site.base_url}/bad/feed.xml",
        "unreachable": closed_port_url(),
    }
    return [{"id": name, "urls": [urls[name]]} for name in names]


def test_failures_are_counted_and_the_run_goes_on(settings: Settings, fault_site: SiteServer) -> None:
    settings = write_catalogue(settings, _sources(fault_site, "good", "malformed", "unreachable"))
    report = run_cycle(settings, scrapy_settings=FAST_CRAWL)
    by_id = {s.source_id: s for s in report.crawl.sources}
    good = by_id["good"]
    assert (good.status, good.items_found, good.new, good.failed) == ("ok", 5, 1, 4)
    failures = {e["url"].rsplit("/", 1)[-1]: e["error"] for e in good.errors}
    assert failures["missing.html"] == "HTTP 404" and failures["broken.html"] == "HTTP 500"
    assert "Timeout" in failures["slow.html"] or "timeout" in failures["slow.html"].lower()
    assert "empty page" in failures["empty.html"]
    assert by_id["malformed"].status == "error" and "not an RSS or Atom feed" in by_id["malformed"].errors[0]["error"]
    assert by_id["unreachable"].status == "error" and by_id["unreachable"].errors
    assert report.labelling.classified == 1
    log = report.crawl.log_path.read_text(encoding="utf-8")
    assert "[good] " in log and "missing.html: HTTP 404" in log

    again = run_cycle(settings, scrapy_settings=FAST_CRAWL)
    assert again.crawl.new == 0 and again.labelling.classified == 0


def test_every_source_failing_is_an_error(settings: Settings, fault_site: SiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = write_catalogue(settings, _sources(fault_site, "malformed", "unreachable"))
    with pytest.raises(AllSourcesFailed, match="every source failed") as error:
        run_cycle(settings, scrapy_settings=FAST_CRAWL)
    assert "malformed:" in str(error.value) and "unreachable:" in str(error.value)
    monkeypatch.setenv("LIBYA_MONITOR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LIBYA_MONITOR_SOURCES", str(settings.sources_path))
    result = CliRunner().invoke(app, ["crawl"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "every source failed" in result.output
