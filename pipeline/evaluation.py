"""Scoring the classifier against labelled articles (`libya-monitor eval`).

Each input line is a classify input plus gold labels: `is_libya`, `is_ceasefire_development`,
`event_type`, and `entities` (names in any language, resolved through the gazetteer; a name the
gazetteer does not know counts as missed and is listed).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.classify.engine import Classification, Classifier, Document
from pipeline.classify.rules import EVENT_TYPES
from pipeline.text.normalize import normalize_phrase


@dataclass
class BinaryScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        if gold and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 1.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "accuracy": round(self.accuracy, 4),
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
        }


@dataclass
class Slice:
    """Scores over one group of articles (all, or one language)."""

    count: int = 0
    is_libya: BinaryScore = field(default_factory=BinaryScore)
    development: BinaryScore = field(default_factory=BinaryScore)
    event_correct: int = 0
    dev_event_correct: int = 0
    dev_count: int = 0
    entities: BinaryScore = field(default_factory=BinaryScore)

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.count,
            "is_libya": self.is_libya.as_dict(),
            "is_ceasefire_development": self.development.as_dict(),
            "event_type_accuracy": round(self.event_correct / self.count, 4) if self.count else 1.0,
            "event_type_accuracy_on_developments": (
                round(self.dev_event_correct / self.dev_count, 4) if self.dev_count else 1.0
            ),
            "entities": {k: v for k, v in self.entities.as_dict().items() if k in ("precision", "recall", "f1", "tp", "fp", "fn")},
        }


@dataclass
class Mistake:
    id: str
    lang: str
    field: str
    gold: Any
    predicted: Any
    title: str


@dataclass
class Report:
    overall: Slice = field(default_factory=Slice)
    by_lang: dict[str, Slice] = field(default_factory=lambda: defaultdict(Slice))
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    mistakes: list[Mistake] = field(default_factory=list)
    unknown_entities: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "by_lang": {lang: s.as_dict() for lang, s in sorted(self.by_lang.items())},
            "confusion": {f"{g} -> {p}": n for (g, p), n in sorted(self.confusion.items())},
            "unknown_gold_entities": dict(self.unknown_entities.most_common()),
        }


class EntityNames:
    """Gold entity names -> gazetteer ids, through every name and alias, normalised."""

    def __init__(self, classifier: Classifier) -> None:
        self.index: dict[str, str] = {}
        for entity in classifier.gazetteer.entities:
            for _, name in entity.surface_forms():
                self.index.setdefault(normalize_phrase(name), entity.entity_id)

    def resolve(self, name: str) -> str | None:
        return self.index.get(normalize_phrase(name))


def evaluate(records: Iterable[Mapping[str, Any]], classifier: Classifier) -> Report:
    report = Report()
    names = EntityNames(classifier)
    for record in records:
        doc = Document.from_mapping(record)
        result = classifier.classify(doc)
        lang = str(record.get("lang") or result.lang)
        _score(report.overall, record, result, names, report)
        _score(report.by_lang[lang], record, result, names, None)
        gold_event = record["event_type"]
        report.confusion[(gold_event, result.event_type)] += 1
        for name, gold, predicted in (
            ("is_libya", record["is_libya"], result.is_libya),
            ("event_type", gold_event, result.event_type),
        ):
            if gold != predicted:
                report.mistakes.append(Mistake(doc.id, lang, name, gold, predicted, doc.title))
    return report


def _score(
    target: Slice, record: Mapping[str, Any], result: Classification, names: EntityNames, report: Report | None
) -> None:
    target.count += 1
    target.is_libya.add(bool(record["is_libya"]), result.is_libya)
    target.development.add(bool(record["is_ceasefire_development"]), result.is_ceasefire_development)
    target.event_correct += record["event_type"] == result.event_type
    if record["is_ceasefire_development"]:
        target.dev_count += 1
        target.dev_event_correct += record["event_type"] == result.event_type
    gold_ids: set[str] = set()
    for name in record.get("entities") or []:
        entity_id = names.resolve(name)
        if entity_id is None:
            target.entities.fn += 1
            if report is not None:
                report.unknown_entities[name] += 1
        else:
            gold_ids.add(entity_id)
    predicted = {e.id for e in result.entities}
    target.entities.tp += len(predicted & gold_ids)
    target.entities.fp += len(predicted - gold_ids)
    target.entities.fn += len(gold_ids - predicted)


def format_report(report: Report, *, show_mistakes: int = 0) -> str:
    lines = []
    header = f"{'slice':8} {'n':>4}  {'libya P':>7} {'R':>6} {'F1':>6}  {'dev P':>6} {'R':>6} {'F1':>6}  {'event acc':>9} {'on dev':>6}  {'ent P':>6} {'R':>6}"
    lines.append(header)
    lines.append("-" * len(header))
    slices = [("all", report.overall), *sorted(report.by_lang.items())]
    for name, s in slices:
        lines.append(
            f"{name:8} {s.count:>4}  {s.is_libya.precision:>7.3f} {s.is_libya.recall:>6.3f} {s.is_libya.f1:>6.3f}"
            f"  {s.development.precision:>6.3f} {s.development.recall:>6.3f} {s.development.f1:>6.3f}"
            f"  {s.event_correct / max(s.count, 1):>9.3f} {s.dev_event_correct / max(s.dev_count, 1):>6.3f}"
            f"  {s.entities.precision:>6.3f} {s.entities.recall:>6.3f}"
        )
    lines.append("")
    lines.append(f"is_libya accuracy: {report.overall.is_libya.accuracy:.3f}")
    lines.append("")
    lines.append("event_type confusion (rows: gold, columns: predicted)")
    labels = [e for e in EVENT_TYPES if any(e in pair for pair in report.confusion)]
    short = {e: e[:9] for e in labels}
    lines.append(f"{'':27}" + "".join(f"{short[e]:>10}" for e in labels))
    for gold in labels:
        row = "".join(f"{report.confusion.get((gold, p), 0) or '.':>10}" for p in labels)
        lines.append(f"{gold:27}{row}")
    if report.unknown_entities:
        lines.append("")
        unknown = ", ".join(f"{n} ({c})" for n, c in report.unknown_entities.most_common(15))
        lines.append(f"gold entities unknown to the gazetteer: {unknown}")
    if show_mistakes:
        lines.append("")
        lines.append(f"first {show_mistakes} mistakes:")
        for m in report.mistakes[:show_mistakes]:
            lines.append(f"  {m.id} [{m.lang}] {m.field}: gold={m.gold} got={m.predicted} | {m.title[:70]}")
    return "\n".join(lines)
