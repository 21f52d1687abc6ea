from __future__ import annotations

import base64
import statistics
import unicodedata
from datetime import UTC, datetime, timedelta

from wallapp.core.data.demo import BRANDS, COUNTRIES, FEEDS, Simulator, identicon
from wallapp.core.data.records import Metric, Person, Post, SeriesPoint, Topic

EVENING = datetime(2026, 3, 3, 18, tzinfo=UTC)


def test_same_seed_same_feed_whoever_asks() -> None:
    start = EVENING - timedelta(minutes=5)
    whole = Simulator(7).posts(start, EVENING)
    halves = Simulator(7).posts(start, start + timedelta(seconds=150)) + Simulator(7).posts(
        start + timedelta(seconds=150), EVENING
    )
    assert whole == halves
    assert whole != Simulator(8).posts(start, EVENING)
    assert Simulator(7).kpis(EVENING) == Simulator(7).kpis(EVENING)


def test_posts_are_complete_varied_and_in_order() -> None:
    posts = Simulator(1).posts(EVENING - timedelta(minutes=30), EVENING, limit=None)
    assert len(posts) > 500
    assert all(isinstance(p, Post) and p.created_at is not None for p in posts)
    times = [p.created_at for p in posts if p.created_at is not None]  # all of them (above)
    assert times == sorted(times)
    assert len({p.id for p in posts}) == len(posts)
    languages = {p.lang for p in posts}
    assert {"fr", "en", "ar"} <= languages
    assert languages & {"ja", "zh", "ko"}
    assert {p.sentiment for p in posts} == {"positive", "neutral", "negative"}
    assert all("#" in p.text for p in posts)
    assert any("@Orbis" in p.text for p in posts)
    assert any(unicodedata.category(c) == "So" for p in posts for c in p.text)
    assert any(unicodedata.bidirectional(c) == "AL" for p in posts for c in p.text)
    assert len({p.country for p in posts}) > 20
    first = posts[0]
    assert first.handle.isascii()
    assert first.author_name
    assert first.reach is not None
    assert first.avatar_url is not None
    assert first.avatar_url.startswith("data:image/svg+xml;base64,")


def test_the_rate_is_bursty() -> None:
    sim = Simulator(3)
    counts = [
        len(sim.posts(EVENING + timedelta(minutes=m), EVENING + timedelta(minutes=m + 1)))
        for m in range(0, 240, 4)
    ]
    assert max(counts) > 2.5 * statistics.median(counts)


def test_limit_keeps_the_newest() -> None:
    sim = Simulator(2)
    newest = sim.posts(EVENING - timedelta(minutes=10), EVENING, limit=20)
    assert newest == sim.posts(EVENING - timedelta(minutes=10), EVENING, limit=None)[-20:]


def test_rankings_change_with_previous_ranks() -> None:
    sim = Simulator(4)
    now = sim.influencers(EVENING)
    assert [p.rank for p in now] == list(range(1, 21))
    assert all(isinstance(p, Person) and p.previous_rank for p in now)
    later = sim.influencers(EVENING + timedelta(hours=3))
    assert [p.id for p in now] != [p.id for p in later]


def test_topics_trend() -> None:
    topics = Simulator(5).topics(EVENING)
    assert all(isinstance(t, Topic) and t.tag.startswith("#") for t in topics)
    volumes = [t.volume or 0 for t in topics]
    assert volumes == sorted(volumes, reverse=True)
    assert any((t.trend or 0) > 0 for t in topics)
    assert any((t.trend or 0) < 0 for t in topics)


def test_kpis_per_country_and_brand_drift_within_bounds() -> None:
    sim = Simulator(6)
    kpis = sim.kpis(EVENING)
    assert len(COUNTRIES) == 30
    assert len(kpis) == len(COUNTRIES) * len(BRANDS) * 4
    rates = [m.value for m in kpis if m.name == "response_rate"]
    assert all(r is not None and 20 <= r <= 99.5 for r in rates)
    delays = {
        m.dimensions["country"]: m.value
        for m in kpis
        if m.name == "response_time" and m.dimensions["brand"] == BRANDS[0]
    }
    assert (delays["FR"] or 0) < (delays["CF"] or 0)
    for country in ("FR", "SN"):
        shares = [
            m.value or 0 for m in kpis if m.name == "share_of_voice" and m.dimensions["country"] == country
        ]
        assert abs(sum(shares) - 100) < 0.5
    later = {m.id: m.value for m in sim.kpis(EVENING + timedelta(minutes=20))}
    changed = [m for m in kpis if later[m.id] != m.value]
    assert len(changed) > len(kpis) / 2
    assert all(isinstance(m, Metric) for m in kpis)


def test_activity_and_feeds() -> None:
    sim = Simulator(8)
    points = sim.activity(EVENING - timedelta(hours=1), EVENING)
    assert len(points) == 61
    assert all(isinstance(p, SeriesPoint) and (p.value or 0) > 0 for p in points)
    for feed in FEEDS:
        assert sim.feed(feed, EVENING)
    assert sim.feed("posts", EVENING, since=EVENING) == []


def test_identicon_is_a_deterministic_svg() -> None:
    avatar = identicon("ada")
    assert avatar == identicon("ada") != identicon("bob")
    svg = base64.b64decode(avatar.split(",", 1)[1]).decode()
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
