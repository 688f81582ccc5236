"""`libya-monitor`: the command line over `pipeline.jobs` (thin: parse, call, print)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.config import Settings
from pipeline.errors import AllSourcesFailed, ConfigError, MonitorError

app = typer.Typer(
    name="libya-monitor",
    help="Libya news monitor: collect, classify and alert on Libya's ceasefire and security track.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
subs_app = typer.Typer(help="Slack subscriptions: who gets which developments.", no_args_is_help=True)
app.add_typer(subs_app, name="subscriptions")


def _settings() -> Settings:
    return Settings.from_env()


def _say(message: str) -> None:
    typer.echo(message)


def _fail(exc: MonitorError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2 if isinstance(exc, ConfigError) else 1)


@app.command()
def run(
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only these source ids (repeatable).")] = None,
) -> None:
    """Run one full monitoring cycle against the source catalogue.

    Example: libya-monitor run --source libya_herald --source unsmil_en
    """
    from pipeline.jobs import run_cycle

    try:
        report = run_cycle(_settings(), source_ids=source, progress=_say)
    except AllSourcesFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except MonitorError as exc:
        _fail(exc)
        return
    _say("summary: " + json.dumps(report.summary()))


@app.command()
def demo() -> None:
    """Run one full cycle offline against the bundled demo news site (local HTTP server).

    Example: libya-monitor demo   (a second run collects nothing new and sends no alert)
    """
    from pipeline.demo.run import run_demo

    try:
        report = run_demo(_settings(), progress=_say)
    except MonitorError as exc:
        _fail(exc)
        return
    _say("summary: " + json.dumps(report.summary()))


@app.command()
def crawl(
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only these source ids (repeatable).")] = None,
) -> None:
    """Crawl sources and store new articles, without classifying or alerting.

    Example: libya-monitor crawl --source libya_observer_en
    """
    from pipeline.catalogue import load_catalogue
    from pipeline.jobs import _crawl_line, crawl_sources, new_cycle_id

    settings = _settings()
    try:
        sources = load_catalogue(settings.sources_path).select(source)
        report = crawl_sources(settings, sources, new_cycle_id(), progress=_say)
    except MonitorError as exc:
        _fail(exc)
        return
    _say(_crawl_line(report))
    if report.all_failed:
        typer.echo(f"error: every source failed (reasons above; log: {report.log_path})", err=True)
        raise typer.Exit(1)


@app.command()
def classify(
    file: Annotated[str, typer.Argument(help="JSONL file of articles, or - for standard input.")],
) -> None:
    """Classify articles: one JSON object per input line to stdout, in order.

    Input lines carry id, title, text (and optionally lang, url, published, source).
    Example: libya-monitor classify articles.jsonl > labels.jsonl
    """
    from pipeline.classify.engine import Document, default_classifier

    classifier = default_classifier()
    stream = sys.stdin if file == "-" else _open(file)
    errors = 0
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            document = Document.from_mapping(json.loads(line))
        except ValueError as exc:
            errors += 1
            typer.echo(f"line {number}: skipped: {exc}", err=True)
            continue
        typer.echo(json.dumps(classifier.classify(document).to_dict(), ensure_ascii=False))
    if errors:
        raise typer.Exit(1)


def _open(path: str) -> Any:
    try:
        return Path(path).open(encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def reclassify() -> None:
    """Label every stored article the current classifier version has not labelled yet.

    Run after upgrading the classifier or its data files; safe to re-run.
    Example: libya-monitor reclassify
    """
    from pipeline.classify.engine import default_classifier
    from pipeline.db import ensure_schema, session_scope
    from pipeline.labelling import label_pending

    classifier = default_classifier()
    engine = ensure_schema(_settings().database_url)
    with session_scope(engine) as session:
        report = label_pending(session, classifier, progress=lambda n: _say(f"  {n} labelled…"))
    _say(f"classifier {classifier.version}: {report.classified} article(s) labelled, {report.failed} failed")


@app.command()
def maintenance(
    raw_html_days: Annotated[int, typer.Option(help="Delete stored raw HTML fetched longer ago than this.")] = 90,
) -> None:
    """Prune old raw HTML and run the database's upkeep (ANALYZE; VACUUM on SQLite). What the
    weekly maintenance DAG does besides `reclassify`; safe to re-run.

    Example: libya-monitor maintenance --raw-html-days 30
    """
    from pipeline.maintenance import database_maintenance, prune_raw_pages

    settings = _settings()
    pruned = prune_raw_pages(settings, older_than_days=raw_html_days)
    _say(f"raw HTML: {pruned} page(s) older than {raw_html_days} days deleted")
    _say(f"database: {database_maintenance(settings)}")


@app.command("eval")
def evaluate(
    file: Annotated[str, typer.Argument(help="Labelled JSONL (classify input + is_libya, is_ceasefire_development, event_type, entities).")],
    mistakes: Annotated[int, typer.Option(help="Also list this many mistakes.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score the classifier against labelled articles, overall and per language.

    Example: libya-monitor eval tests/fixtures/devset/devset.jsonl --mistakes 20
    """
    from pipeline.classify.engine import default_classifier
    from pipeline.evaluation import evaluate as run_eval
    from pipeline.evaluation import format_report

    records = []
    with _open(file) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError as exc:
                    typer.echo(f"error: line {number}: {exc}", err=True)
                    raise typer.Exit(2) from exc
    report = run_eval(records, default_classifier())
    _say(json.dumps(report.as_dict(), indent=2) if as_json else format_report(report, show_mistakes=mistakes))


@app.command()
def alerts(
    state: Annotated[list[str] | None, typer.Option("--state", help="Only rows in this state (pending, sending, sent, failed).")] = None,
    limit: Annotated[int, typer.Option(help="How many rows.")] = 30,
    deliver: Annotated[bool, typer.Option("--deliver", help="Deliver pending alerts now.")] = False,
) -> None:
    """Show the alert outbox (newest first), with errors of failed deliveries.

    Example: libya-monitor alerts --state failed
    """
    from pipeline.alerts.delivery import outbox_rows
    from pipeline.db import ensure_schema
    from pipeline.jobs import deliver_alerts

    settings = _settings()
    if deliver:
        report = deliver_alerts(settings, progress=_say)
        _say(f"delivered {len(report.sent)}, recovered {len(report.recovered)}, failed {len(report.failed)}")
    rows = outbox_rows(ensure_schema(settings.database_url), states=tuple(state) if state else None, limit=limit)
    if not rows:
        _say("the outbox is empty")
        return
    for row in rows:
        error = f"  error: {row.last_error}" if row.last_error else ""
        _say(f"{row.id:>5} {row.state:8} {row.kind:7} {row.channel:20} attempts={row.attempts} {row.alert_key}{error}")


@app.command()
def digest(
    subscription: Annotated[list[str] | None, typer.Option("--subscription", help="Only this subscription (repeatable).")] = None,
) -> None:
    """Send the daily digest now (last 24 hours) to each subscription; a second call the same
    day sends nothing.

    Example: libya-monitor digest --subscription default
    """
    from pipeline.digest import send_digest, subscription_ids

    settings = _settings()
    try:
        for name in subscription or subscription_ids(settings):
            result = send_digest(settings, name)
            _say(f"{name}: {result['state']} ({result.get('developments', '0')} developments)")
    except MonitorError as exc:
        _fail(exc)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find, in any language (normalised like the classifier).")],
    days: Annotated[int, typer.Option(help="Look back this many days.")] = 30,
    event: Annotated[str | None, typer.Option(help="Only articles of this event type.")] = None,
    limit: Annotated[int, typer.Option(help="How many results.")] = 20,
) -> None:
    """Search the archive: newest first, with source, event type and link.

    Matching ignores case, accents, Arabic diacritics and hamza forms, so "Dbeibah" finds
    "DBEIBAH" and "الدبيبه" finds "الدبيبة".
    Example: libya-monitor search "prisoner exchange" --days 90 --event prisoner_exchange
    """
    from pipeline.search import search_archive

    for hit in search_archive(_settings(), query, days=days, event=event, limit=limit):
        _say(f"{hit.published:%Y-%m-%d %H:%M}  {hit.source:22} {hit.event:26} {hit.title[:90]}\n{'':19}{hit.url}")


@app.command()
def sources(
    catalogue_only: Annotated[bool, typer.Option("--catalogue", help="Only list the catalogue, no health.")] = False,
) -> None:
    """The source catalogue and each source's health: last success, 7-day counts, flags.

    A source is flagged failing after repeated failed runs, silent after a spell without new
    articles (both configurable per source in the catalogue).
    Example: LIBYA_MONITOR_SOURCES=my-sources.yaml libya-monitor sources
    """
    from pipeline.catalogue import load_catalogue
    from pipeline.db import ensure_schema, session_scope
    from pipeline.health import format_health, source_health

    settings = _settings()
    try:
        catalogue = load_catalogue(settings.sources_path)
    except MonitorError as exc:
        _fail(exc)
        return
    for s in catalogue.sources:
        flag = "" if s.enabled else " (disabled)"
        checked = "" if s.verified else " [URL unverified]"
        _say(f"{s.id:24} {s.kind:9} {','.join(s.langs):8} {s.provenance:19} {s.name}{flag}{checked}")
    if catalogue_only:
        return
    with session_scope(ensure_schema(settings.database_url)) as session:
        health = source_health(session, catalogue)
    _say("")
    _say(format_health(health))


@subs_app.command("add")
def subscriptions_add(
    name: Annotated[str, typer.Argument(help="Subscription id: lowercase letters, digits, - and _.")],
    channel: Annotated[str, typer.Option(help="Slack channel id or #name.")],
    event: Annotated[list[str] | None, typer.Option("--event", help="Event type (repeatable); default: all developments.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic (repeatable).")] = None,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="Entity name in any language, or Wikidata id (repeatable).")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", help="ar, en or fr (repeatable).")] = None,
    min_confidence: Annotated[float, typer.Option(help="Minimum development confidence, 0-1.")] = 0.0,
    min_sources: Annotated[int, typer.Option(help="Minimum independent sources.")] = 1,
    quiet_hours: Annotated[str | None, typer.Option(help="Hold alerts in these Libya-time hours, e.g. 22:00-07:00.")] = None,
) -> None:
    """Add or replace a subscription (kept in the database; file subscriptions are managed in
    the YAML file).

    Example: libya-monitor subscriptions add haftar-talks --channel C0123 --event meeting_talks --entity حفتر
    """
    from pydantic import ValidationError

    from pipeline.alerts.subscriptions import SubscriptionSpec, to_row
    from pipeline.classify.engine import default_classifier
    from pipeline.db import ensure_schema, session_scope, upsert
    from pipeline.models import Subscription

    try:
        spec = SubscriptionSpec(
            id=name, channel=channel, event_types=event or [], topics=topic or [], entities=entity or [],
            langs=lang or [], min_confidence=min_confidence, min_sources=min_sources, quiet_hours=quiet_hours,
        )
        row = to_row(spec, default_classifier().gazetteer, "cli")
    except ValidationError as exc:
        typer.echo("error: " + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()), err=True)
        raise typer.Exit(2) from exc
    except MonitorError as exc:
        _fail(exc)
        return
    with session_scope(ensure_schema(_settings().database_url)) as session:
        upsert(session, Subscription, [row], keys=("id",), update=[k for k in row if k not in ("id", "created_at")])
    _say(f"subscription {name} -> {channel} saved")


@subs_app.command("list")
def subscriptions_list() -> None:
    """List subscriptions (file, default and CLI ones) with their filters.

    Example: libya-monitor subscriptions list
    """
    from sqlalchemy import select

    from pipeline.alerts.subscriptions import sync_subscriptions
    from pipeline.classify.engine import default_classifier
    from pipeline.db import ensure_schema, session_scope
    from pipeline.models import Subscription

    settings = _settings()
    with session_scope(ensure_schema(settings.database_url)) as session:
        try:
            sync_subscriptions(session, settings, default_classifier().gazetteer)
        except MonitorError as exc:
            _fail(exc)
            return
        rows = list(session.scalars(select(Subscription).order_by(Subscription.id)))
        for s in rows:
            filters = [
                f"events={','.join(s.event_types) or 'all'}", f"topics={','.join(s.topics) or 'any'}",
                f"entities={','.join(s.entity_ids) or 'any'}", f"langs={','.join(s.langs) or 'any'}",
                f"min_confidence={s.min_confidence}", f"min_sources={s.min_sources}",
                f"quiet={s.quiet_hours or '-'}",
            ]
            state = "" if s.enabled else " (disabled)"
            _say(f"{s.id:20} {s.channel:20} [{s.origin}]{state} " + " ".join(filters))


@subs_app.command("remove")
def subscriptions_remove(name: Annotated[str, typer.Argument(help="Subscription id.")]) -> None:
    """Disable a subscription (its alert history is kept). File subscriptions are removed
    by editing the file.

    Example: libya-monitor subscriptions remove haftar-talks
    """
    from pipeline.db import ensure_schema, session_scope
    from pipeline.models import Subscription

    with session_scope(ensure_schema(_settings().database_url)) as session:
        row = session.get(Subscription, name)
        if row is None:
            typer.echo(f"error: no subscription {name!r}", err=True)
            raise typer.Exit(2)
        if row.origin == "yaml":
            typer.echo(f"error: {name!r} comes from the subscriptions file: remove it there", err=True)
            raise typer.Exit(2)
        row.enabled = False
    _say(f"subscription {name} disabled")


@subs_app.command("test")
def subscriptions_test(
    name: Annotated[str, typer.Argument(help="Subscription id.")],
    days: Annotated[int, typer.Option(help="Look back this many days.")] = 7,
) -> None:
    """Show which recent developments a subscription would have received, and why not the others.

    Example: libya-monitor subscriptions test haftar-talks --days 30
    """
    from datetime import timedelta

    from sqlalchemy import select

    from pipeline.alerts.messages import EVENT_LABELS, libya_time
    from pipeline.alerts.subscriptions import held_back, matches, sync_subscriptions
    from pipeline.classify.engine import default_classifier
    from pipeline.db import ensure_schema, session_scope
    from pipeline.models import Development, Subscription, utcnow

    settings = _settings()
    with session_scope(ensure_schema(settings.database_url)) as session:
        sync_subscriptions(session, settings, default_classifier().gazetteer)
        subscription = session.get(Subscription, name)
        if subscription is None:
            typer.echo(f"error: no subscription {name!r}", err=True)
            raise typer.Exit(2)
        since = utcnow() - timedelta(days=days)
        developments = session.scalars(select(Development).where(Development.last_seen_at >= since).order_by(Development.first_seen_at))
        shown = 0
        for d in developments:
            if not matches(subscription, d):
                continue
            reason = held_back(subscription, d)
            verdict = f"held back: {reason}" if reason else "would alert"
            _say(f"{libya_time(d.first_seen_at):28} {EVENT_LABELS.get(d.event_type, d.event_type):34} {verdict:26} {d.title[:90]}")
            shown += 1
        if not shown:
            _say(f"no development in the last {days} days matches {name}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the monitor's database to the latest schema.

    Example: LIBYA_MONITOR_DATABASE_URL=postgresql://monitor@db/monitor libya-monitor db upgrade
    """
    from pipeline.db import current_revision, get_engine, upgrade

    settings = _settings()
    try:
        upgrade(settings.database_url)
    except MonitorError as exc:
        _fail(exc)
        return
    _say(f"database at revision {current_revision(get_engine(settings.database_url))}: {settings.database_url}")


def main() -> None:
    """The console script: errors the monitor raises on purpose, and database errors, become
    one clear line and a non-zero exit instead of a traceback."""
    from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

    try:
        app()
    except MonitorError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(
            f"database error: {exc.orig}\n(is the database reachable, and migrated? run `libya-monitor db upgrade`)",
            err=True,
        )
        sys.exit(1)
    except SQLAlchemyError as exc:
        typer.echo(f"database error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
