"""One article while it is being classified: its normalised text, sentences, headline shape,
and the phrase hits of the lexicon, indexed by sentence and concept."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pipeline.classify.document import Document
from pipeline.classify.gazetteer import GazetteerEntity
from pipeline.classify.lexicon import Hit
from pipeline.text.normalize import Normalized, normalize, normalize_phrase

TITLE_WEIGHT = 3.0
LEAD_SENTENCES = 2  # the title (sentence 0) and the first two body sentences
_SENTENCE_END = re.compile(r"[.!?؟…][\"'”»)\]]*\s+|\n+")
# "Libya: …", "Violences à Tripoli : …", "عاجل | …": a kicker names the topic, not the news.
_KICKER = re.compile(r"^\s*(?P<kicker>[^:|«»\"“”]{2,60}?)\s*[:|]\s+")
_QUOTE_OPEN = "«\"“'‘"
COMMENTARY_KICKERS = frozenset(
    normalize_phrase(k)
    for k in (
        "analysis", "opinion", "op-ed", "op ed", "editorial", "comment", "commentary", "explainer",
        "تحليل", "رأي", "مقال رأي", "قراءة", "analyse", "tribune", "éditorial", "décryptage", "chronique",
    )
)


@dataclass(frozen=True)
class Headline:
    """How the title is built: an optional kicker before a colon, then the main clause."""

    main_start: int  # offset (in the title) where the main clause begins
    quoted: bool  # "Dbeibah: «no return to war»" — someone's words, not an event
    question: bool  # "Will the Zawiya truce hold?" — analysis, or a hedge over real news
    commentary: bool  # "Analysis: …", "رأي | …": the kicker says it is commentary

    @classmethod
    def of(cls, title: str) -> Headline:
        stripped = title.strip()
        match = _KICKER.match(title)
        main_start = match.end() if match and len(match.group("kicker").split()) <= 6 else 0
        main = title[main_start:].strip()
        # Words in quotation marks as the headline's main clause ("Dbeibah: «no return to
        # war»", "'We will not go back,' says …"). A trailing "…, officials say" attributes a
        # fact and is not a quotation.
        quoted = bool(main) and main[0] in _QUOTE_OPEN and _quotation_words(main) >= 3
        question = stripped.endswith(("?", "؟")) or stripped.rstrip("»\"”' ").endswith(("?", "؟"))
        kicker = normalize_phrase(title[:main_start]) if main_start else ""
        return cls(main_start, quoted, question, kicker in COMMENTARY_KICKERS)


_QUOTE_CLOSE = {"«": "»", '"': '"', "“": "”", "'": "'", "‘": "’"}


def _quotation_words(text: str) -> int:
    """Words inside the quotation that opens `text` (names in «» are one or two words)."""
    close = text.find(_QUOTE_CLOSE[text[0]], 1)
    inside = text[1:close] if close > 0 else text[1:]
    return len(inside.split())


def sentence_weight(index: int, *, hint_headline: bool = False, lead_end: int = LEAD_SENTENCES) -> float:
    """Title 3, lead 2, then 1 and 0.5. Under a headline that only hints ("Twelve men come
    home"), the lead is where the news is stated: it weighs like a headline, and it runs to the
    end of the second paragraph (features open on a scene and state the news after it)."""
    if index == 0:
        return TITLE_WEIGHT
    if hint_headline and index <= lead_end:
        return TITLE_WEIGHT
    if index <= LEAD_SENTENCES:
        return 2.0
    if index <= 5:
        return 1.0
    return 0.5


def position_weight(index: int) -> float:
    return TITLE_WEIGHT if index == 0 else 1.5 if index <= LEAD_SENTENCES else 1.0


FEATURE_LEAD_MAX = 4


def _second_paragraph_end(full: str, starts: list[int]) -> int:
    """Index of the last sentence of the body's second paragraph (capped), for feature leads."""
    title_end = starts[1] if len(starts) > 1 else len(full)
    first_break = full.find("\n", title_end)
    second_break = full.find("\n", first_break + 1) if first_break != -1 else -1
    while second_break != -1 and second_break == first_break + 1:  # "\n\n" between paragraphs
        first_break = second_break
        second_break = full.find("\n", first_break + 1)
    limit = second_break if second_break != -1 else len(full)
    last = max((i for i, start in enumerate(starts) if start < limit), default=LEAD_SENTENCES)
    return max(LEAD_SENTENCES, min(last, FEATURE_LEAD_MAX))


def split_sentences(title: str, text: str) -> list[int]:
    """Start offsets (in title + "\\n" + text) of each sentence; sentence 0 is the title."""
    body_offset = len(title) + 1
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return [0, body_offset, *(body_offset + end for end in ends if end < len(text))]


@dataclass
class Reading:
    doc: Document
    norm: Normalized
    headline: Headline
    entity_hits: list[tuple[Hit, GazetteerEntity]] = field(default_factory=list)
    concept_hits: dict[int, dict[str, list[Hit]]] = field(default_factory=dict)
    # Sentence starts and the kicker's end in normalised offsets, where hits live.
    norm_sentence_starts: list[int] = field(default_factory=list)
    norm_main_start: int = 0
    years: list[Hit] = field(default_factory=list)
    feature_lead_end: int = LEAD_SENTENCES  # last sentence of the first two paragraphs (at most 4)

    @classmethod
    def of(cls, doc: Document) -> Reading:
        full = doc.full_text
        title = full[: len(doc.title)]
        norm = normalize(full)
        starts = split_sentences(title, full[len(title) + 1 :])
        headline = Headline.of(title)
        offsets = norm.offsets
        return cls(
            doc, norm, headline,
            norm_sentence_starts=[offsets.normalized_index(s) for s in starts],
            norm_main_start=offsets.normalized_index(headline.main_start),
            feature_lead_end=_second_paragraph_end(full, starts),
        )

    def span(self, hit: Hit) -> tuple[int, int]:
        return self.norm.original_span(hit.start, hit.end)

    def sentence_of(self, hit: Hit) -> int:
        return bisect_right(self.norm_sentence_starts, hit.start) - 1

    def in_kicker(self, hit: Hit) -> bool:
        return hit.start < self.norm_main_start

    def index_concepts(self, hits: Iterable[Hit], extra: Mapping[str, Iterable[Hit]] = {}) -> None:
        index: dict[int, dict[str, list[Hit]]] = defaultdict(lambda: defaultdict(list))
        for hit in hits:
            index[self.sentence_of(hit)][hit.term.ref].append(hit)
        for concept, concept_hits in extra.items():
            for hit in concept_hits:
                index[self.sentence_of(hit)][concept].append(hit)
        self.concept_hits = index


def one_per_entity_span(hits: list[Hit]) -> list[Hit]:
    """Two names of one entity that normalise alike (Ghadames, Ghadamès) are one mention."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for hit in hits:
        key = (hit.term.ref, hit.start, hit.end)
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    return unique


def outermost(hits: list[Hit]) -> list[Hit]:
    """Drop entity hits strictly inside a longer one (Tripoli inside "Tripoli, Lebanon");
    hits on the same span all stay."""
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    cover_start, cover_end = -1, -1
    for hit in ordered:
        inside = cover_start <= hit.start and hit.end <= cover_end
        same = hit.start == cover_start and hit.end == cover_end
        if inside and not same:
            continue
        kept.append(hit)
        if hit.end > cover_end:
            cover_start, cover_end = hit.start, hit.end
    return kept


def unmasked(hits: list[Hit], masks: Mapping[str, set[str]]) -> list[Hit]:
    """Drop a concept phrase inside a longer phrase of the same concept ("Gaza" inside "Gaza
    Strip": one mention, counted once) or of a concept that masks it (gunfire inside
    "ceasefire"; "since" inside "first time since"). One sweep by start offset: only the
    phrases still open at a position can contain the next one."""
    order = sorted(range(len(hits)), key=lambda i: (hits[i].start, -hits[i].end))
    dropped: set[int] = set()
    open_outers: list[Hit] = []
    for index in order:
        hit = hits[index]
        open_outers = [o for o in open_outers if o.end > hit.start]
        if any(_masks(outer, hit, masks) for outer in open_outers):
            dropped.add(index)
        else:
            open_outers.append(hit)
    return [hit for i, hit in enumerate(hits) if i not in dropped] if dropped else hits


def _masks(outer: Hit, hit: Hit, masks: Mapping[str, set[str]]) -> bool:
    if not (outer.start <= hit.start and hit.end <= outer.end and outer.end - outer.start > hit.end - hit.start):
        return False
    outer_masks = masks.get(outer.term.ref, ())
    return hit.term.ref == outer.term.ref or hit.term.ref in outer_masks or "*" in outer_masks
