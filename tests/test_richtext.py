from __future__ import annotations

import pytest

from wallapp.core.view import richtext
from wallapp.core.view.formatting import format_age, post_age
from wallapp.core.view.richtext import spans


def marked(text: str, terms: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in spans(text, terms)]


def test_a_latin_handle_ends_where_another_script_begins() -> None:
    assert marked("@OrbisTelecomの#Streaming、めちゃくちゃ速い") == [("@OrbisTelecom", "mention")]
    assert marked("@ユーザーさん @user_1") == [("@ユーザーさん", "mention"), ("@user_1", "mention")]


def test_hashtags_mentions_and_links_are_found_in_any_script() -> None:
    text = "Merci @Orbis_Care ! #Fibre marche à Lyon 🎉 https://orbis.example/status?id=4. #日本 @ユーザー"
    assert marked(text) == [
        ("@Orbis_Care", "mention"),
        ("#Fibre", "hashtag"),
        ("https://orbis.example/status?id=4", "link"),
        ("#日本", "hashtag"),
        ("@ユーザー", "mention"),
    ]


def test_markup_is_not_special() -> None:
    text = '<b>bold</b> <a href="https://x.example/#frag">@not</a>'
    # Characters, not tags: the href's text is a link like any other, and "@not" is a mention.
    assert marked(text) == [("https://x.example/#frag", "link"), ("@not", "mention")]


def test_terms_match_whole_words_without_case_and_never_inside_other_spans() -> None:
    text = "Outage in Lyon, lyonnais happy, #Lyon trending"
    assert marked(text, ("lyon",)) == [("Lyon", "term"), ("#Lyon", "hashtag")]


def test_emails_and_anchors_are_not_mentions_or_hashtags() -> None:
    assert marked("write to care@orbis.example or see page#3") == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-3, "now"), (4, "now"), (45, "45 s"), (61, "1 min"), (3 * 3600 + 5, "3 h"), (2 * 86400, "2 d")],
)
def test_ages_are_short(seconds: float, text: str) -> None:
    assert format_age(seconds) == text


def test_spans_are_isolated_and_moved_past_the_marks_before_them() -> None:
    line = "شكرا @Orbis_Care على #ServiceClient"
    shown, placed = richtext.isolate(line, richtext.spans(line))
    assert [shown[s.start : s.end] for s in placed] == ["@Orbis_Care", "#ServiceClient"]
    for span in placed:
        assert shown[span.start - 1] == richtext.FIRST_STRONG_ISOLATE
        assert shown[span.end] == richtext.POP_DIRECTIONAL_ISOLATE
    assert shown.replace("\u2068", "").replace("\u2069", "") == line


def test_a_card_says_now_for_a_posts_first_minute_so_its_picture_is_not_redrawn_every_second() -> None:
    assert [post_age(s) for s in (0, 11, 59.9, 60, 3 * 3600)] == ["now", "now", "now", "1 min", "3 h"]
