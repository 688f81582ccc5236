"""Within one cycle, the time from an article's appearance in a feed to the Slack request that
announces it: the demo site, the production cycle, a local fake Slack. Prints figures.

    .venv/bin/python -m bench.latency
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from pipeline.config import Settings
from pipeline.demo.run import run_demo
from tests.fakes.slack import FakeSlack


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    slack = FakeSlack().start()
    try:
        settings = Settings.from_env({"LIBYA_MONITOR_DATA_DIR": str(folder)}).with_changes(
            slack_bot_token="xoxb-bench", slack_base_url=slack.base_url, slack_channel="C-ALERTS",
        )
        published = time.time()  # every feed of the site carries its articles from now on
        steps: list[tuple[str, float]] = []
        report = run_demo(settings, port=0, progress=lambda m: steps.append((m.splitlines()[-1][:60], time.time())))
        posts = slack.calls_to("chat.postMessage")
        delays = sorted(call.at - published for call in posts)
        print(f"cycle: {report.crawl.new} articles from {len(report.crawl.sources)} feeds, {len(posts)} alerts")
        print(f"feed -> Slack request: first {delays[0]:.1f}s, median {delays[len(delays) // 2]:.1f}s, last {delays[-1]:.1f}s")
        for label, at in steps:
            print(f"  {at - published:6.1f}s  {label}")
    finally:
        slack.stop()


if __name__ == "__main__":
    main()
