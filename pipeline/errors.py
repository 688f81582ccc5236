"""The monitor's exception tree: one base class, each error carrying its context."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose; adapters turn it into a message."""


class ConfigError(MonitorError):
    """A setting, data file or catalogue entry is invalid."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class ExtractionError(MonitorError):
    """An article page yielded no usable title or text."""

    def __init__(self, message: str, *, url: str) -> None:
        self.url = url
        super().__init__(f"{message} ({url})")


class CrawlError(MonitorError):
    """The crawl step could not run (not: one source failed, which is counted, not raised)."""


class DeliveryError(MonitorError):
    """An alert could not be delivered; `permanent` errors are not retried."""

    def __init__(self, message: str, *, alert_key: str, permanent: bool) -> None:
        self.alert_key = alert_key
        self.permanent = permanent
        super().__init__(f"{message} (alert {alert_key})")


class AllSourcesFailed(MonitorError):
    """Every source of a cycle failed: the run is a failure, not merely quiet."""
