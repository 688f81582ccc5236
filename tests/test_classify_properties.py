"""Properties over arbitrary text: classify never raises, and evidence slices the input exactly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.classify.engine import Document, classify

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
MARKS = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202b", "\u202e", "\u2066", "\ufeff", "\u0640", "\u064b"])
WORDS = st.sampled_from(["وقف إطلاق النار", "Haftar", "Tripoli", "هدنة", "5+5", "clashes", "cessez-le-feu", "ﻻ", "ﷲ", "Œ", "ß", "\n", ". "])
TEXT = st.lists(st.one_of(st.text(max_size=20), ARABIC, MARKS, WORDS), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, text=TEXT)
def test_classify_never_raises_and_evidence_slices_exactly(title: str, text: str) -> None:
    result = classify(Document("p", title, text)).to_dict()
    full = f"{title}\n{text}"
    for item in result["evidence"]:
        assert full[item["start"] : item["end"]] == item["text"]
        assert 0 <= item["start"] <= item["end"] <= len(full)


def test_huge_and_empty_inputs() -> None:
    assert classify(Document("e", "", "")).to_dict()["event_type"] == "none"
    huge = "اشتباكات في طرابلس الليبية. " * 20_000
    result = classify(Document("h", "Tripoli", huge)).to_dict()
    assert result["event_type"] in ("violation_or_clashes", "none")
