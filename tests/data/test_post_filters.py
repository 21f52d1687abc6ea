from __future__ import annotations

from typing import Any

import pytest

from wallapp.core.data.filters import FilterOptions, fold
from wallapp.core.data.records import Metric, Person, Post


def post(text: str = "hello", **fields: Any) -> Post:
    return Post(id="1", text=text, **fields)


def blocks(terms: list[str], text: str) -> bool:
    return not FilterOptions(blocked_terms=terms).compiled.allows(post(text))


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("arnaque", "Quelle ARNAQUE ce forfait"),
        ("arnaque", "C'est arnaqué !"),
        ("Arnaqué", "une arnaque"),
        ("scam", "#scam alert"),
        ("#scam", "total scam."),
        ("rip off", "what a rip   off"),
        ("\uff53\uff43\uff41\uff4d", "scam"),  # fullwidth letters
        ("мошенники", "Это МОШЕННИКИ!"),
        ("احتيال", "هذا احتيال واضح"),
        ("詐欺", "これは詐欺だ"),
        ("骗子", "这家公司是骗子。"),
        ("โกง", "บริษัทนี้โกงลูกค้า"),
        ("धोखा", "यह धोखा है"),
        ("사기", "이건 사기 야"),
    ],
)
def test_blocked_terms_match(term: str, text: str) -> None:
    assert blocks([term], text)


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("scam", "scampi for dinner"),
        ("arnaque", "un arnaqueur"),
        ("ass", "a class act, passing by"),
        ("धोखा", "यह धोखाधड़ी है"),
        ("rip off", "rip the offer"),
    ],
)
def test_blocked_terms_respect_word_boundaries(term: str, text: str) -> None:
    assert not blocks([term], text)


def test_blocked_terms_in_author_name_and_blank_terms() -> None:
    assert not FilterOptions(blocked_terms=["troll"]).compiled.allows(post(author_name="Troll King"))
    assert FilterOptions(blocked_terms=["", "  ", "#"]).compiled.allows(post("anything"))


def test_fold() -> None:
    assert fold("\uff23afé ÉTÉ") == "cafe ete"


def test_blocked_authors_languages_links_media_followers() -> None:
    options = FilterOptions(
        blocked_authors=["@Spammer", "999"],
        languages=["fr", "en"],
        hide_links=True,
        hide_media=True,
        min_followers=100,
    )
    allows = options.compiled.allows
    good: dict[str, Any] = {"handle": "ada", "lang": "en-GB", "author_followers": 500}
    assert allows(post(**good))
    assert not allows(post(**{**good, "handle": "spammer"}))
    assert not allows(post(**{**good, "author_id": "999"}))
    assert not allows(post(**{**good, "lang": "de"}))
    assert allows(post(**{**good, "lang": None}))
    assert not allows(post("see https://x.example/a", **good))
    assert not allows(post("see www.example.com", **good))
    assert not allows(post(**good, media_url="https://m.example/1.jpg"))
    assert not allows(post(**{**good, "author_followers": 99}))
    assert not allows(post(**{**good, "author_followers": None}))
    assert not allows(Person(id="p", handle="@SPAMMER"))
    assert allows(Person(id="p", handle="ada"))
    assert allows(Metric(name="response_rate", value=1))


def test_apply_keeps_order() -> None:
    posts = [Post(id=str(n), text=text) for n, text in enumerate(["ok", "spam here", "fine"])]
    kept = FilterOptions(blocked_terms=["spam"]).compiled.apply(posts)
    assert [p.id for p in kept] == ["0", "2"]
