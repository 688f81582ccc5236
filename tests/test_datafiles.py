"""Reference data loads, and bad entries are rejected with a message naming entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.catalogue import load_catalogue
from pipeline.classify.gazetteer import load_gazetteer
from pipeline.classify.rules import load_rules
from pipeline.config import DEFAULT_SOURCES
from pipeline.errors import ConfigError

GOOD = {
    "id": "libya_herald", "name": "Libya Herald", "homepage": "https://libyaherald.com/", "kind": "feed",
    "urls": ["https://libyaherald.com/feed/"], "langs": ["en"], "country": "LY", "provenance": "libyan_independent",
}


def test_bundled_data_files_load() -> None:
    catalogue = load_catalogue(DEFAULT_SOURCES)
    assert len(catalogue.enabled()) >= 25
    gazetteer = load_gazetteer()
    assert len(gazetteer.entities) >= 250
    assert {"person", "organization", "armed_group", "place", "facility"} <= {e.type for e in gazetteer.entities}
    load_rules()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "telepathy"}, "[0] (id=libya_herald) field 'kind'"),
        ({"urls": ["not-a-url"]}, "field 'urls.0'"),
        ({"urls": []}, "field 'urls'"),
        ({"langs": ["de"]}, "field 'langs.0'"),
        ({"provenance": "unknown"}, "field 'provenance'"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"encoding": "klingon-8"}, "unknown encoding"),
        ({"kind": "listing"}, "listing.article_links"),
        ({"id": "Bad Id"}, "field 'id'"),
        ({"surprise": 1}, "field 'surprise'"),
    ],
)
def test_catalogue_rejects_bad_entries(tmp_path: Path, change: dict, message: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": "t", "sources": [{**GOOD, **change}]}), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_catalogue(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_duplicate_ids_and_broken_yaml(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": "t", "sources": [GOOD, GOOD]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate source id"):
        load_catalogue(path)
    path.write_text("sources: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_catalogue(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalogue(tmp_path / "missing.yaml")


def test_gazetteer_rejects_unknown_flags(tmp_path: Path) -> None:
    entity = {"key": "x", "type": "place", "libya": True, "names": {"en": "X", "ar": "س", "fr": "X"}, "ambiguous": ["Y"]}
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump({"version": "t", "entities": [entity]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="ambiguous lists unknown aliases"):
        load_gazetteer(path)


@pytest.mark.parametrize(
    ("vocabulary", "message"),
    [
        ("CEASEFIRE:\n  de: [Waffenruhe]\n", "vocabulary.yaml: invalid entries"),
        ("CEASEFIRE:\n  en: truce\n", "CEASEFIRE.en"),
        ("NO_SUCH_CONCEPT:\n  en: [truce]\n", "concepts not defined (or empty) in rules.yaml: ['NO_SUCH_CONCEPT']"),
    ],
)
def test_vocabulary_errors_name_the_vocabulary_file(tmp_path: Path, vocabulary: str, message: str) -> None:
    from pipeline.classify.rules import RULES_PATH

    path = tmp_path / "vocabulary.yaml"
    path.write_text(vocabulary, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_rules(RULES_PATH, path)
    assert message in str(error.value) and str(path) in str(error.value)
