"""Publication dates as outlets write them: ISO 8601, RFC 822 (feeds), and day-month-year in
Arabic (Gregorian and Levantine month names, Arabic-Indic digits) and French words.

Every result is an aware UTC datetime; a date without a zone is read in the source's zone
(Africa/Tripoli for Libyan outlets).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.text.normalize import normalize_phrase

LIBYA_TZ = "Africa/Tripoli"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

MONTHS: dict[str, int] = {}
_MONTH_NAMES = {
    1: ["january", "jan", "janvier", "janv", "يناير", "كانون الثاني", "جانفي", "أي النار"],
    2: ["february", "feb", "fevrier", "févr", "fevr", "فبراير", "شباط", "فيفري", "النوار"],
    3: ["march", "mar", "mars", "مارس", "آذار", "الربيع"],
    4: ["april", "apr", "avril", "avr", "أبريل", "ابريل", "نيسان", "أفريل", "الطير"],
    5: ["may", "mai", "مايو", "أيار", "ماي", "الماء"],
    6: ["june", "jun", "juin", "يونيو", "يونيه", "حزيران", "جوان", "الصيف"],
    7: ["july", "jul", "juillet", "juil", "يوليو", "يوليه", "تموز", "جويلية", "ناصر"],
    8: ["august", "aug", "aout", "août", "أغسطس", "اغسطس", "آب", "أوت", "هانيبال"],
    9: ["september", "sep", "sept", "septembre", "سبتمبر", "أيلول", "الفاتح"],
    10: ["october", "oct", "octobre", "أكتوبر", "اكتوبر", "تشرين الأول", "التمور"],
    11: ["november", "nov", "novembre", "نوفمبر", "تشرين الثاني", "الحرث"],
    12: ["december", "dec", "decembre", "décembre", "déc", "ديسمبر", "كانون الأول", "الكانون"],
}
for _number, _names in _MONTH_NAMES.items():
    for _name in _names:
        MONTHS[normalize_phrase(_name)] = _number
# Longest names first so that "تشرين الثاني" wins over a shorter prefix.
_MONTH_ALTERNATION = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![0-9])([0-3]?[0-9])(?:er)?\s+({_MONTH_ALTERNATION})\s*,?\s+((?:19|20)[0-9]{{2}})"
    r"(?:\D{0,12}?([0-2]?[0-9])[:h ]([0-5][0-9]))?"
)
_DAY_MONTH = re.compile(rf"(?<![0-9])([0-3]?[0-9])(?:er)?\s+({_MONTH_ALTERNATION})(?![^\W\d_])")
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_ALTERNATION})\s+([0-3]?[0-9])(?:st|nd|rd|th)?\s*,?\s+((?:19|20)[0-9]{{2}})"
    r"(?:\D{0,12}?([0-2]?[0-9])[:h ]([0-5][0-9]))?"
)
_NUMERIC = re.compile(
    r"(?<![0-9])([0-3]?[0-9])[/.-]([01]?[0-9])[/.-]((?:19|20)[0-9]{2})"
    r"(?:\D{0,6}?([0-2]?[0-9]):([0-5][0-9]))?"
)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _aware(value: datetime, default_tz: str | None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(default_tz))
    return value.astimezone(UTC)


def parse_date(
    text: str | None, default_tz: str | None = None, *, reference: datetime | None = None
) -> datetime | None:
    """The first date in `text`, as UTC; None when there is none or it is impossible.

    A day and month without a year ("17 تشرين الثاني") take the latest year that does not put
    them after `reference` (default: now).
    """
    if not text or not text.strip():
        return None
    raw = text.strip().translate(_DIGITS)
    for parser in (_iso, _rfc822):
        parsed = parser(raw)
        if parsed is not None:
            return _aware(parsed, default_tz)
    folded = normalize_phrase(raw)
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        match = pattern.search(folded)
        if match:
            groups = match.groups()
            day, month_name = (groups[0], groups[1]) if order == "dmy" else (groups[1], groups[0])
            built = _build(int(groups[2]), MONTHS[month_name], int(day), groups[3], groups[4])
            if built:
                return _aware(built, default_tz)
    match = _NUMERIC.search(raw)
    if match:
        day, month, year, hour, minute = match.groups()
        built = _build(int(year), int(month), int(day), hour, minute)
        if built:
            return _aware(built, default_tz)
    match = _DAY_MONTH.search(folded)
    if match:
        return _without_year(int(match.group(1)), MONTHS[match.group(2)], default_tz, reference)
    return None


def _without_year(day: int, month: int, default_tz: str | None, reference: datetime | None) -> datetime | None:
    reference = reference or datetime.now(UTC)
    for year in (reference.year, reference.year - 1):
        built = _build(year, month, day, None, None)
        if built and _aware(built, default_tz) <= reference + timedelta(days=1):
            return _aware(built, default_tz)
    return None


def _build(year: int, month: int, day: int, hour: str | None, minute: str | None) -> datetime | None:
    try:
        return datetime(year, month, day, int(hour or 0), int(minute or 0))
    except ValueError:
        return None


def _iso(raw: str) -> datetime | None:
    candidate = raw.replace("Z", "+00:00").replace("z", "+00:00")
    if not re.match(r"^\d{4}-?\d{2}-?\d{2}", candidate):  # extended or basic ("20261129T081500Z")
        return None
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        try:
            return datetime.fromisoformat(candidate[:10])
        except ValueError:
            return None


def _rfc822(raw: str) -> datetime | None:
    if not re.search(r"[A-Za-z]{3},?\s+\d|\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", raw):
        return None
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None


def plausible(value: datetime | None, now: datetime, *, max_future: timedelta = timedelta(days=1)) -> datetime | None:
    """Drop dates from the future (clock or parsing errors) and before the web existed."""
    if value is None or value > now + max_future or value.year < 1995:
        return None
    return value
