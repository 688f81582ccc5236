"""One Aho-Corasick automaton over every gazetteer name and rule phrase, in all their forms.

Phrases are normalised like text and expanded into their Arabic clitic forms, then wrapped in
spaces so that a match is always whole words (the normalised text has a space wherever the
original had punctuation). A phrase ending in `*` keeps its last word open: `clash*` matches
clashes and clashed. Scanning an article is then a single pass in C.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import ahocorasick

from pipeline.text.arabic import inflections, is_arabic_word, phrase_forms, spelling_variants
from pipeline.text.normalize import Normalized, normalize_phrase

Layer = Literal["entity", "concept"]


@dataclass(frozen=True, slots=True)
class Term:
    layer: Layer
    ref: str  # entity key or concept name
    lang: str
    surface: str  # as written in the data file
    case_sensitive: bool = False
    ambiguous: bool = False
    # Phrases whose symbols carry meaning ("5+5") must match them, not just their words.
    symbols: str | None = None


class Hit(NamedTuple):  # a tuple: an article makes hundreds, and tuples are cheap to create
    term: Term
    start: int  # offsets in the normalised text
    end: int


class Lexicon:
    def __init__(self, entries: Iterable[tuple[str, Term]]) -> None:
        patterns: dict[str, list[Term]] = {}
        for phrase, term in entries:
            # Names keep their article as written; common nouns also match without it.
            for key in pattern_keys(phrase, article_optional=term.layer == "concept"):
                terms = patterns.setdefault(key, [])
                if term not in terms and not _same_concept_listed(term, terms):
                    terms.append(term)
        self._automaton = ahocorasick.Automaton()
        for key, terms in patterns.items():
            checked = any(t.case_sensitive or t.symbols for t in terms)
            self._automaton.add_word(key, (len(key), key.endswith(" "), tuple(terms), checked))
        self._automaton.make_automaton()
        self.pattern_count = len(patterns)

    @property
    def automaton(self) -> ahocorasick.Automaton:
        """The compiled automaton (benchmarks time a bare scan of it)."""
        return self._automaton

    def scan_layers(self, text: Normalized) -> tuple[list[Hit], list[Hit]]:
        """`scan`, split into (entity hits, concept hits) in one pass."""
        entities: list[Hit] = []
        concepts: list[Hit] = []
        for hit in self.scan(text):
            (entities if hit.term.layer == "entity" else concepts).append(hit)
        return entities, concepts

    def scan(self, text: Normalized) -> list[Hit]:
        """Every whole-word occurrence of every phrase (overlaps included)."""
        padded = f" {text.text} "
        hits: list[Hit] = []
        append = hits.append
        for end_index, (length, closed, terms, checked) in self._automaton.iter(padded):
            start = end_index - length + 1  # padded index of the leading space == norm start
            if closed:
                end = end_index - 1
            else:
                following = padded.find(" ", end_index + 1)
                end = (following if following != -1 else len(padded)) - 1
            if not checked:
                for term in terms:
                    append(Hit(term, start, end))
                continue
            for term in terms:
                if term.case_sensitive and not _same_case(text, start, end, term.surface):
                    continue
                if term.symbols and _symbol_skeleton(_original(text, start, end)) != term.symbols:
                    continue
                append(Hit(term, start, end))
        return hits


def _same_concept_listed(term: Term, terms: list[Term]) -> bool:
    """A concept phrase listed twice (under en and fr, or as two spellings that normalise
    alike) must yield one hit, not two: concept hits are counted."""
    return term.layer == "concept" and any(
        t.layer == "concept" and t.ref == term.ref and t.symbols == term.symbols and t.case_sensitive == term.case_sensitive
        for t in terms
    )


def _original(text: Normalized, start: int, end: int) -> str:
    begin, finish = text.offsets.original_span(start, end)
    return text.original[begin:finish]


def _same_case(text: Normalized, start: int, end: int, surface: str) -> bool:
    return _original(text, start, end) == surface


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _symbol_skeleton(text: str) -> str:
    """A phrase's digits and symbols, without letters and spaces: "JMC 5+5" -> "5+5"."""
    return "".join(c for c in text.translate(_DIGITS) if not c.isalpha() and not c.isspace())


def symbol_skeleton(phrase: str) -> str | None:
    """The skeleton a phrase must match, when it has digits joined by symbols."""
    skeleton = _symbol_skeleton(phrase)
    has_digit = any(c.isdigit() for c in skeleton)
    has_symbol = any(not c.isdigit() for c in skeleton)
    return skeleton if has_digit and has_symbol else None


def pattern_keys(phrase: str, *, article_optional: bool = False) -> set[str]:
    """The space-delimited automaton keys of one phrase (empty when nothing is left to match)."""
    open_ended = phrase.rstrip().endswith("*")
    words = normalize_phrase(phrase.rstrip().rstrip("*")).split()
    if not words:
        return set()
    if is_arabic_word(words[0]):
        forms = set()
        for variant in spelling_variants(words):
            # Common nouns also take plural-case and possessive endings; names do not.
            for inflected in inflections(variant) if article_optional and not open_ended else [variant]:
                forms |= phrase_forms(inflected, article_optional=article_optional)
    else:
        forms = {" ".join(words)}
    tail = "" if open_ended else " "
    return {f" {form}{tail}" for form in forms}
