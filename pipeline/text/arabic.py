"""Arabic proclitics: the surface forms under which a normalised word appears in running text.

Rather than stripping prefixes from every token of every article (slow, and wrong for words that
start with the same letters, like ليبيا or بنغازي), each keyword is expanded once into the forms
that clitics produce: و/ف (and, so), then ب/ل/ك (with, for, like), then the article ال, with the
spelling rule ل + ال → لل (and ل + ال + ل… → لل…).
"""

from __future__ import annotations

ARABIC_LETTERS = frozenset(chr(c) for c in range(0x0621, 0x064B))
CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ل", "ك")
ARTICLE = "ال"
MIN_STEM = 2


def is_arabic_word(word: str) -> bool:
    return bool(word) and word[0] in ARABIC_LETTERS


def _definite(prep: str, stem: str) -> list[str]:
    if prep == "ل":
        # li + al-X is written lil-X; when X itself starts with lam one lam is dropped.
        return ["ل" + stem] if stem.startswith("ل") else ["لل" + stem]
    return [prep + ARTICLE + stem]


def clitic_forms(word: str, *, article_optional: bool = False) -> set[str]:
    """All proclitic forms of one normalised Arabic word.

    A name given with the article (الزاويه, the city) yields definite forms only: its bare stem
    may be a different word (زاويه, a corner). Common nouns (`article_optional`) and words given
    without the article yield both.
    """
    if not is_arabic_word(word):
        return {word}
    definite = word.startswith(ARTICLE) and len(word) - len(ARTICLE) >= MIN_STEM
    stem = word[len(ARTICLE):] if definite else word
    forms: set[str] = set()
    for conj in CONJUNCTIONS:
        for prep in PREPOSITIONS:
            if not definite or article_optional:
                forms.add(conj + prep + stem)
            for form in _definite(prep, stem):
                forms.add(conj + form)
    return forms


def phrase_forms(words: list[str], *, article_optional: bool = False) -> set[str]:
    """Forms of a multi-word phrase: clitics attach to its first word."""
    if not words:
        return set()
    rest = " ".join(words[1:])
    firsts = clitic_forms(words[0], article_optional=article_optional)
    return {f"{first} {rest}".strip() for first in firsts}


JOINING_WORDS = ("ابو", "عبد", "بن", "ابن", "بو")
PRONOUN_SUFFIXES = ("ها", "هم", "ه", "هما", "نا", "كم")


def spelling_variants(words: list[str]) -> list[list[str]]:
    """Written variants of one phrase: names written joined or apart (ابو سليم / ابوسليم,
    عبد الحميد / عبدالحميد)."""
    variants = [words]
    for i, word in enumerate(words[:-1]):
        if word in JOINING_WORDS:
            variants.append([*words[:i], word + words[i + 1], *words[i + 2 :]])
    return variants


def inflections(words: list[str]) -> list[list[str]]:
    """Noun endings of a common phrase: the sound masculine plural in both cases
    (عسكريين / عسكريون) and a possessive pronoun on the last word (اجتماعاتها، هدنتهم)."""
    forms = [words]
    for i, word in enumerate(words):
        if len(word) > 4 and word.endswith(("ين", "ون")):
            other = word[:-2] + ("ون" if word.endswith("ين") else "ين")
            forms += [[*f[:i], other, *f[i + 1 :]] for f in list(forms)]
    last = words[-1]
    if len(words) <= 2 and len(last) >= 3 and not last.startswith("ال"):
        stem = last[:-1] + "ت" if last.endswith("ه") else last
        forms += [[*words[:-1], stem + suffix] for suffix in PRONOUN_SUFFIXES]
    return forms
