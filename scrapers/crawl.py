"""Crawl several sources in one process: `python -m scrapers.crawl [--cycle ID] [-s K=V] SOURCE…`.

One Scrapy crawler per source, all in one reactor; each records its own crawl run. The process
exits 0 once the crawl has run, whatever the sources returned (their health is in the database);
it exits 2 when it cannot start (unknown source, bad settings).
"""

from __future__ import annotations

import argparse
import os
import sys

from pipeline.errors import MonitorError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrapers.crawl", description=__doc__)
    parser.add_argument("sources", nargs="+", help="source ids from the catalogue")
    parser.add_argument("--cycle", default=None, help="cycle id to tag the crawl runs with")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scrapers.settings")

    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from scrapers.context import crawl_context
    from scrapers.spiders import SPIDERS

    settings = get_project_settings()
    for pair in args.set:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    if args.cycle:
        settings.set("MONITOR_CYCLE_ID", args.cycle, priority="cmdline")
    try:
        catalogue = crawl_context().catalogue
        sources = catalogue.select(args.sources)
        unsupported = [s.id for s in sources if s.kind not in SPIDERS]
        if unsupported:
            raise MonitorError(f"no spider for the kind of: {', '.join(unsupported)}")
    except MonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    process = CrawlerProcess(settings)
    for source in sources:
        process.crawl(SPIDERS[source.kind], source=source.id)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
