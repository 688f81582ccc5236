"""`libya-monitor demo`: the production cycle against the bundled demo site on localhost."""

from __future__ import annotations

import errno
from collections.abc import Callable

from pipeline.config import Settings
from pipeline.demo.server import SiteServer
from pipeline.demo.site import catalogue_yaml, load_site, serve_site
from pipeline.jobs import CycleReport, run_cycle

PREFERRED_PORT = 8741
# Politeness settings exist for other people's servers; the demo server is our own.
DEMO_SCRAPY_SETTINGS = ("AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8")


def start_demo_server(port: int = PREFERRED_PORT) -> SiteServer:
    """The demo site, on `port` when free (stable article URLs across runs), else any port:
    articles seen before are then recognised by their content."""
    try:
        server = SiteServer(port=port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        server = SiteServer(port=0)
    serve_site(server, load_site())
    return server.start()


def run_demo(settings: Settings, *, progress: Callable[[str], None] = print, port: int = PREFERRED_PORT) -> CycleReport:
    server = start_demo_server(port)
    try:
        progress(f"demo site serving at {server.base_url}")
        catalogue = settings.data_dir / "demo" / "sources.yaml"
        catalogue.parent.mkdir(parents=True, exist_ok=True)
        catalogue.write_text(catalogue_yaml(load_site(), server.base_url), encoding="utf-8")
        demo_settings = settings.with_changes(sources_path=catalogue)
        return run_cycle(demo_settings, scrapy_settings=DEMO_SCRAPY_SETTINGS, progress=progress)
    finally:
        server.stop()
