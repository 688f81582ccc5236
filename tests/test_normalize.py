from __future__ import annotations

import pytest

from pipeline.classify.lexicon import Lexicon, Term
from pipeline.text.arabic import clitic_forms
from pipeline.text.normalize import normalize, normalize_phrase


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("وَقْفُ إِطْلاقِ النّار", "وقف اطلاق النار"),  # diacritics, hamza under alef
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),  # alef forms, taa marbuta
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("ســـرت", "سرت"),  # tatweel
        ("مسؤول هيئة", "مسءول هيءه"),  # hamza carriers
        ("٢٠٢٠ و۱۲", "2020 و12"),  # Arabic-Indic and Persian digits
        ("ﻻ ﷲ", "لا الله"),  # presentation forms (NFKC)
        ("Cessez-le-feu à Syrte", "cessez le feu a syrte"),  # case and accents
        ("Œuvre ÉTÉ", "oeuvre ete"),
        ("5+5", "5 5"),
        ("Haftar\u200f's", "haftar s"),  # bidi mark removed, apostrophe splits
    ],
)
def test_normal_form(text: str, normal: str) -> None:
    assert " ".join(normalize(text).text.split()) == normal


@pytest.mark.parametrize(
    "text",
    ["وَقْفُ إِطْلاقِ النّار في سرتـــة", "ﻻ تفاوض ﷲ", "Le cessez-le-feu\u200b à Syrte", "a\u0301b", "", "ـــ"],
)
def test_offsets_map_every_word_back(text: str) -> None:
    norm = normalize(text)
    position = 0
    for word in norm.text.split():
        start = norm.text.index(word, position)
        position = start + len(word)
        begin, end = norm.original_span(start, position)
        assert normalize_phrase(text[begin:end]) == word


CEASEFIRE_FORMS = ["وقف إطلاق النار", "ووقف إطلاق النار", "لوقف إطلاق النار", "بوقف إطلاق النار", "فوقف اطلاق النار"]
MERCENARY_FORMS = ["المرتزقة", "والمرتزقة", "للمرتزقة", "بالمرتزقة", "مرتزقة", "فالمرتزقة", "وللمرتزقة"]
NAME_FORMS = [("الدبيبة", "والدبيبة"), ("الدبيبة", "للدبيبة"), ("حفتر", "لحفتر"), ("حفتر", "وحفتر"), ("حفتر", "بحفتر")]


@pytest.mark.parametrize("text", CEASEFIRE_FORMS)
def test_ceasefire_matches_with_clitics(text: str) -> None:
    lexicon = Lexicon([("وقف إطلاق النار", Term("concept", "CEASEFIRE", "ar", "وقف إطلاق النار"))])
    assert [h.term.ref for h in lexicon.scan(normalize(f"أعلن {text} اليوم"))] == ["CEASEFIRE"]


@pytest.mark.parametrize("text", MERCENARY_FORMS)
def test_common_noun_matches_with_and_without_article(text: str) -> None:
    lexicon = Lexicon([("المرتزقة", Term("concept", "FOREIGN_FORCES", "ar", "المرتزقة"))])
    assert len(lexicon.scan(normalize(f"خروج {text} من ليبيا"))) == 1


@pytest.mark.parametrize(("name", "text"), NAME_FORMS)
def test_entity_names_match_with_clitics(name: str, text: str) -> None:
    lexicon = Lexicon([(name, Term("entity", "x", "ar", name))])
    assert len(lexicon.scan(normalize(f"قال {text} إن"))) == 1


def test_a_name_given_with_its_article_keeps_it() -> None:
    # الزاوية (the city) must not match زاوية (a corner).
    assert "زاويه" not in clitic_forms("الزاويه")
    assert "بالزاويه" in clitic_forms("الزاويه") and "للزاويه" in clitic_forms("الزاويه")


def test_no_match_inside_words() -> None:
    lexicon = Lexicon([("Sirte", Term("entity", "sirte", "en", "Sirte"))])
    assert lexicon.scan(normalize("Sirtefield and Sirtes")) == []


def test_digits_with_symbols_match_exactly() -> None:
    lexicon = Lexicon([("5+5", Term("concept", "JMC", "en", "5+5", symbols="5+5"))])
    assert len(lexicon.scan(normalize("the 5+5 commission and the ٥+٥ committee"))) == 2
    assert lexicon.scan(normalize("output rose 5.5% and 5 5")) == []
