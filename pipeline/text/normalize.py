"""Normalisation for matching, with offsets mapped back to the original text.

One translation table does the whole job in C (`str.translate`): NFKC (presentation forms,
ligatures, full-width), Arabic diacritics, tatweel and bidi/zero-width marks removed, alef and
hamza forms unified, ى→ي, ة→ه, Arabic-Indic and Persian digits to ASCII, Latin case and accent
folding, and every character that is not a letter or digit turned into a space. Most characters
map to exactly one character, so offsets are the identity except around the few that are deleted
or expanded; `OffsetMap` records just those breakpoints.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

ARABIC_MARKS = "".join(chr(c) for c in [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)])
TATWEEL = "\u0640"
# Invisible formatting: zero-width (non-)joiners and spaces, bidi controls, BOM, soft hyphen.
FORMAT_MARKS = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
ARABIC_LETTER_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ھ": "ه",
    "ؤ": "ء", "ئ": "ء", "ٶ": "ء", "ٸ": "ء",
    "ک": "ك", "ڪ": "ك", "گ": "ك",
    "ڤ": "ف", "ڥ": "ف", "پ": "ب", "چ": "ج", "ژ": "ز",
}
LATIN_EXPANSIONS = {"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ĳ": "ij", "Ĳ": "ij"}
# Code point ranges the table covers; characters outside keep themselves (then the
# non-word pass turns punctuation and symbols into spaces).
TABLE_RANGES = [
    (0x0000, 0x0250), (0x0300, 0x0370), (0x0600, 0x0700), (0x0750, 0x0780), (0x08A0, 0x0900),
    (0x1E00, 0x1F00), (0x2000, 0x2070), (0x20A0, 0x20C0), (0x2100, 0x2150), (0xFB00, 0xFB07),
    (0xFB50, 0xFE00), (0xFE70, 0xFF00), (0xFF00, 0xFFEF),
]
_OUTSIDE_TABLE = re.compile(
    "[^" + "".join(f"\\U{start:08x}-\\U{end - 1:08x}" for start, end in TABLE_RANGES) + "]"
)


def _fold_char(char: str) -> str:
    """What one character becomes for matching (possibly '' or several characters)."""
    if char in ARABIC_MARKS or char == TATWEEL or char in FORMAT_MARKS:
        return ""
    if char in ARABIC_LETTER_MAP:
        return ARABIC_LETTER_MAP[char]
    if char in LATIN_EXPANSIONS:
        return LATIN_EXPANSIONS[char]
    out = []
    for piece in unicodedata.normalize("NFKC", char):
        if piece in ARABIC_LETTER_MAP:
            out.append(ARABIC_LETTER_MAP[piece])
            continue
        if piece in ARABIC_MARKS or piece == TATWEEL:
            continue
        decomposed = unicodedata.normalize("NFKD", piece)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if piece.isdigit() and len(piece) == 1 and unicodedata.decimal(piece, None) is not None:
            out.append(str(unicodedata.decimal(piece)))
            continue
        out.append(base.lower() if base else "")
    folded = "".join(out)
    # Everything that is not a letter or digit separates words.
    return "".join(c if (c.isalnum() and c != "_") else " " for c in folded)


@cache
def _tables() -> tuple[dict[int, str], re.Pattern[str]]:
    table: dict[int, str] = {}
    irregular: list[str] = []
    for start, end in TABLE_RANGES:
        for code in range(start, end):
            char = chr(code)
            if unicodedata.category(char) == "Cs":
                continue
            folded = _fold_char(char)
            # Identity entries too: a missing key costs translate() an internal KeyError.
            table[code] = folded
            if len(folded) != 1:
                irregular.append(char)
    pattern = re.compile("[" + "".join(re.escape(c) for c in irregular) + "]")
    return table, pattern


@dataclass(frozen=True)
class OffsetMap:
    """Maps an index of the normalised text to the index of the original character."""

    # Breakpoints: from normalised index norm_starts[i] on, original = norm + deltas[i],
    # unless pinned[i] is set, then every index in that segment maps to pinned[i].
    norm_starts: tuple[int, ...]
    deltas: tuple[int, ...]
    pinned: tuple[int | None, ...]
    original_length: int

    def original_index(self, norm_index: int) -> int:
        if not self.norm_starts:
            return norm_index  # most texts: nothing deleted or expanded
        i = bisect_right(self.norm_starts, norm_index) - 1
        if i < 0:
            return norm_index
        pinned = self.pinned[i]
        return pinned if pinned is not None else norm_index + self.deltas[i]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) that the normalised [start, end) came from."""
        if end <= start:
            begin = self.original_index(start) if start < self._norm_length() else self.original_length
            return begin, begin
        return self.original_index(start), self.original_index(end - 1) + 1

    def normalized_index(self, original_index: int) -> int:
        """The inverse: where an original character landed in the normalised text (the first
        normalised index at or after it, for deleted characters)."""
        if not self.norm_starts:
            return original_index
        low, high = 0, self._norm_length()
        while low < high:  # original_index() is monotone in its argument
            middle = (low + high) // 2
            if self.original_index(middle) < original_index:
                low = middle + 1
            else:
                high = middle
        return low

    def _norm_length(self) -> int:
        return self.original_length - (self.deltas[-1] if self.deltas else 0)


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str  # same word order, one space between nothing in particular; never shorter by words
    offsets: OffsetMap

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        begin, finish = self.offsets.original_span(start, end)
        # Take trailing marks that normalisation deleted (a final diacritic belongs to the word).
        while finish < len(self.original) and _is_deleted_mark(self.original[finish]):
            finish += 1
        return begin, finish


def _is_deleted_mark(char: str) -> bool:
    return char in ARABIC_MARKS or char == TATWEEL or unicodedata.combining(char) > 0


def _space_if_not_word(match: re.Match[str]) -> str:
    char = match.group()
    return char if char.isalnum() else " "


def _fold_outside_table(text: str) -> str:
    """Characters beyond the table's ranges (rare: emoji, other scripts): letters and digits
    stay, everything else becomes a space. Length-preserving by construction."""
    return _OUTSIDE_TABLE.sub(_space_if_not_word, text)


def normalize(text: str) -> Normalized:
    """Normalise `text` for matching and keep the way back to the original offsets."""
    table, irregular = _tables()
    folded = text.translate(table)
    folded = _fold_outside_table(folded)
    if not irregular.search(text):
        offsets = OffsetMap((), (), (), len(text))
    else:
        offsets = _build_offsets(text, table, irregular)
    return Normalized(text, folded, offsets)


def _build_offsets(text: str, table: dict[int, str], irregular: re.Pattern[str]) -> OffsetMap:
    norm_starts: list[int] = []
    deltas: list[int] = []
    pinned: list[int | None] = []
    delta = 0  # original index minus normalised index, after the characters seen so far
    for match in irregular.finditer(text):
        position = match.start()
        replacement = table.get(ord(match.group()), match.group())
        norm_at = position - delta
        if replacement:
            norm_starts.append(norm_at)
            deltas.append(delta)
            pinned.append(position)
        delta += 1 - len(replacement)
        norm_starts.append(norm_at + len(replacement))
        deltas.append(delta)
        pinned.append(None)
    return OffsetMap(tuple(norm_starts), tuple(deltas), tuple(pinned), len(text))


def normalize_phrase(phrase: str) -> str:
    """A keyword or alias normalised the same way as text, with single spaces."""
    return " ".join(normalize(phrase).text.split())
