from __future__ import annotations

import pytest

from pipeline.text.lang import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("اشتباكات في طرابلس", "ar"),
        ("هدنة", "ar"),
        ("Prisoner swap in Zawiya", "en"),
        ("Haftar meets Dbeibah in Rome", "en"),
        ("Clashes erupt in Tripoli after truce collapses", "en"),
        ("Libye : le cessez-le-feu tient à Syrte", "fr"),
        ("Échange de prisonniers à Zaouïa", "fr"),
        ("Affrontements à Tripoli", "fr"),
        ("Les combattants de Wagner quittent la Libye", "fr"),
        ("El alto el fuego en Libia se mantiene", "other"),
        ("Der Waffenstillstand in Libyen hält", "other"),
        ("Переговоры в Ливии", "other"),
        ("", "other"),
        ("Libya: JMC (5+5) — عاجل اجتماع اللجنة العسكرية", "ar"),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_hint_breaks_ties_on_names_only() -> None:
    assert detect_language("Haftar, Dbeibah", hint="fr") == "fr"
    assert detect_language("Haftar, Dbeibah", hint="en") == "en"
