"""Post text sent as HTML (Mastodon and others) becomes plain text; a content warning hides the text."""

from __future__ import annotations

from typing import Any

import pytest

from wallapp.core.data.filters import FilterOptions
from wallapp.core.data.htmltext import html_to_text
from wallapp.core.data.mapping import Mapping
from wallapp.core.data.records import Post
from wallapp.core.data.selection import headline

MASTODON_CONTENT = (
    '<p>Fibre is live in <a href="https://m.example/tags/Dakar" class="mention hashtag" rel="tag">#<span>'
    'Dakar</span></a> &amp; Thiès, thanks <span class="h-card" translate="no"><a '
    'href="https://m.example/@orbis" class="u-url mention">@<span>orbis</span></a></span>!</p><p>Speed '
    "test: 940&nbsp;Mbps<br />Details: "
    '<a href="https://orbis.example/fibre" target="_blank" rel="nofollow noopener noreferrer"><span '
    'class="invisible">https://</span><span class="">orbis.example/fibre</span><span class="invisible">'
    "</span></a></p>"
)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (
            MASTODON_CONTENT,
            "Fibre is live in #Dakar & Thiès, thanks @orbis!\n"
            "Speed test: 940\u00a0Mbps\nDetails: https://orbis.example/fibre",
        ),
        ("<p>one</p>\n\n<p>two</p><div><p>three</p></div>", "one\ntwo\nthree"),
        ("a<br>b<br/><br>c", "a\nb\nc"),
        ("  lots   of\n\t white   space  ", "lots of white space"),
        ("<ul><li>first</li><li>second</li></ul>", "first\nsecond"),
        ('<script>alert("x")</script>shown<style>p { color: red }</style>', "shown"),
        ("1 &lt; 2 &gt; 0 &#x1F680; &eacute;t&eacute; &quot;q&quot;", '1 < 2 > 0 🚀 été "q"'),
        ('<img src="https://x.example/a.png" alt="a cat"><!-- comment -->after', "after"),
        ("<p>not closed <b>bold", "not closed bold"),
        ("plain text, no markup at all", "plain text, no markup at all"),
        ("", ""),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def records(mapping: dict[str, Any], payload: Any) -> list[Any]:
    return Mapping.model_validate(mapping).compiled.apply(payload).records


def test_the_html_coercion_reads_a_field_as_plain_text() -> None:
    mapping = {"record": "post", "fields": {"text": {"expr": "content", "coerce": "html"}}}
    (post,) = records(mapping, [{"id": "1", "content": "<p>a &amp; b</p><p>c</p>"}])
    assert post.text == "a & b\nc"
    (number,) = records(mapping, [{"id": "2", "content": 42}])
    assert number.text == "42"


def test_a_content_warning_is_shown_instead_of_the_text() -> None:
    hidden = Post(id="1", handle="ada", text="the plot of the film", content_warning="film spoilers")
    assert hidden.shown_text == "CW: film spoilers"
    assert headline(hidden) == "@ada: CW: film spoilers"
    for blank in ("", "  ", None):  # Mastodon sends "" when there is none
        assert Post(id="2", text="hello", content_warning=blank).shown_text == "hello"


def test_moderation_reads_the_hidden_text_and_the_warning() -> None:
    blocked = FilterOptions(blocked_terms=["scam"]).compiled
    assert not blocked.allows(Post(id="1", text="a scam", content_warning="money"))
    assert not blocked.allows(Post(id="2", text="money", content_warning="scam inside"))
    assert blocked.allows(Post(id="3", text="money", content_warning="finance"))
