from __future__ import annotations

import pytest

from pipeline.urls import canonicalize_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://LibyaHerald.COM/2026/11/jmc/", "https://libyaherald.com/2026/11/jmc/"),
        ("https://libyaherald.com:443/a?utm_source=rss&utm_medium=feed", "https://libyaherald.com/a"),
        ("http://example.ly:80/a#comments", "http://example.ly/a"),
        ("https://example.ly/a?b=2&a=1&fbclid=XYZ", "https://example.ly/a?a=1&b=2"),
        ("https://example.ly/a?id=7&gclid=1&mc_cid=2&_ga=3", "https://example.ly/a?id=7"),
        ("https://example.ly:8080/a", "https://example.ly:8080/a"),
        ("https://example.ly", "https://example.ly/"),
        ("https://example.ly/%D8%B3%D8%B1%D8%AA", "https://example.ly/%D8%B3%D8%B1%D8%AA"),
        ("https://example.ly/سرت", "https://example.ly/%D8%B3%D8%B1%D8%AA"),
        ("https://example.ly/Path/Case", "https://example.ly/Path/Case"),
        ("  https://example.ly/a  ", "https://example.ly/a"),
    ],
)
def test_canonical_form(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical


def test_same_article_from_two_feeds_is_one_key() -> None:
    a = canonicalize_url("https://www.alwasat.ly/news/libya/1?utm_campaign=x")
    b = canonicalize_url("https://WWW.ALWASAT.LY/news/libya/1#top")
    assert a == b


@pytest.mark.parametrize("bad", ["ftp://example.ly/a", "mailto:x@y", "not a url", "https://"])
def test_rejects_non_http(bad: str) -> None:
    with pytest.raises(ValueError):
        canonicalize_url(bad)
