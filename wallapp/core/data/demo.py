"""The built-in simulator of a live social hub: what ``wallapp run`` shows with no backend at all.

It follows a fictional telecom group, **Orbis Telecom**, present in 30 countries, and four fictional
competitors. Everything is a pure function of the seed and of the time passed in, so the same seed
gives the same feed, whoever asks and however often:

- ``posts(start, end)``: posts written in that span, at a bursty rate (quiet nights, busy evenings,
  and now and then a burst: an outage, a launch), in a dozen languages including right-to-left
  and CJK scripts, with hashtags, mentions, emoji, sentiment and reach;
- ``influencers(now)``: a ranking that changes slowly, with each person's previous rank;
- ``topics(now)``: trending hashtags and themes with their volume and trend;
- ``kpis(now)``: customer-care KPIs per country and brand (response rate, average time before
  response, volume, share of voice), drifting realistically;
- ``activity(start, end)``: the volume of posts per minute, as a series.
"""

from __future__ import annotations

import base64
import colorsys
import functools
import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeAlias, TypeVar

from wallapp.core.data.records import Metric, Person, Post, Record, RecordKind, Sentiment, SeriesPoint, Topic

T = TypeVar("T")

BRAND = "Orbis Telecom"
BRAND_HANDLE = "OrbisTelecom"
CARE_HANDLE = "Orbis_Care"
COMPETITORS = ("Nimbus Mobile", "Veltra", "Kairo Connect", "Solstice Net")
BRANDS = (BRAND, *COMPETITORS)

DemoFeed: TypeAlias = Literal["posts", "influencers", "topics", "kpis", "activity"]
FEEDS: tuple[DemoFeed, ...] = ("posts", "influencers", "topics", "kpis", "activity")
STATE_FEEDS: tuple[DemoFeed, ...] = ("influencers", "topics", "kpis")
"""Feeds that give the whole picture each time (a ranking, every KPI), not a stream of new records."""
FEED_RECORDS: dict[DemoFeed, RecordKind] = {
    "posts": "post",
    "influencers": "person",
    "topics": "topic",
    "kpis": "metric",
    "activity": "point",
}
"""The kind of records each feed yields."""


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    languages: tuple[str, ...]
    maturity: float
    """0 (emerging market) to 1 (mature): mature markets answer faster and more often."""
    utc_offset: int


COUNTRIES: tuple[Country, ...] = (
    Country("FR", "France", ("fr",), 1.0, 1),
    Country("BE", "Belgium", ("fr", "nl"), 0.95, 1),
    Country("LU", "Luxembourg", ("fr", "de"), 0.95, 1),
    Country("ES", "Spain", ("es",), 0.9, 1),
    Country("PL", "Poland", ("pl",), 0.85, 1),
    Country("RO", "Romania", ("ro",), 0.75, 2),
    Country("SK", "Slovakia", ("sk",), 0.8, 1),
    Country("MD", "Moldova", ("ro",), 0.6, 2),
    Country("GB", "United Kingdom", ("en",), 0.95, 0),
    Country("DE", "Germany", ("de",), 0.9, 1),
    Country("SN", "Senegal", ("fr", "wo"), 0.5, 0),
    Country("CI", "Côte d'Ivoire", ("fr",), 0.5, 0),
    Country("CM", "Cameroon", ("fr", "en"), 0.4, 1),
    Country("ML", "Mali", ("fr",), 0.35, 0),
    Country("BF", "Burkina Faso", ("fr",), 0.35, 0),
    Country("GN", "Guinea", ("fr",), 0.3, 0),
    Country("NE", "Niger", ("fr",), 0.3, 1),
    Country("MA", "Morocco", ("ar", "fr"), 0.65, 1),
    Country("TN", "Tunisia", ("ar", "fr"), 0.65, 1),
    Country("EG", "Egypt", ("ar", "en"), 0.6, 2),
    Country("JO", "Jordan", ("ar", "en"), 0.6, 3),
    Country("MG", "Madagascar", ("fr", "mg"), 0.35, 3),
    Country("CD", "DR Congo", ("fr", "sw"), 0.3, 1),
    Country("CF", "Central African Republic", ("fr",), 0.25, 1),
    Country("GW", "Guinea-Bissau", ("pt",), 0.25, 0),
    Country("SL", "Sierra Leone", ("en",), 0.3, 0),
    Country("LR", "Liberia", ("en",), 0.3, 0),
    Country("BW", "Botswana", ("en",), 0.55, 2),
    Country("KE", "Kenya", ("sw", "en"), 0.55, 3),
    Country("JP", "Japan", ("ja",), 0.9, 9),
)

# Posts from travellers and roaming customers abroad, in scripts the wall must show too.
_ABROAD = (Country("CN", "China", ("zh",), 0.8, 8), Country("KR", "South Korea", ("ko",), 0.9, 9))

_TOPICS = (
    "5G", "Fibre", "Roaming", "MobileMoney", "Outage", "SmartHome", "DataProtection", "eSIM",
    "CustomerCare", "WorkFromHome", "Streaming", "Family", "WellBeing", "ConnectedObjects", "Payment",
)  # fmt: skip

_EMOJI = ("🚀", "😍", "👍", "🙏", "😡", "📶", "🔥", "😂", "🤔", "💸", "📱", "✨", "😤", "🎉", "⚡")

# Templates per language and sentiment. {brand} {care} {tag} {tag2} {emoji} {country} are filled in.
_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "Switched to {brand} fibre last week and the speed is unreal {emoji} #{tag}",
            "Big thanks to {care} for sorting my #{tag} issue in minutes {emoji}",
            "The new #{tag} offer from {brand} is exactly what our family needed #{tag2}",
        ),
        "neutral": (
            "Anyone tried the {brand} #{tag} plan in {country}? Worth it? {emoji}",
            "Reading about #{tag} and #{tag2} this morning, interesting times for telcos",
        ),
        "negative": (
            "Third #{tag} this week in {country}. {care} what is going on?? {emoji}",
            "Waiting 2 hours for {care} to answer. Not great. #{tag}",
        ),
    },
    "fr": {
        "positive": (
            "Franchement la #{tag} de {brand} au top, merci {care} {emoji}",
            "Enfin la fibre à la maison ! Bravo {brand} {emoji} #{tag}",
        ),
        "neutral": (
            "Quelqu'un a testé l'offre #{tag} de {brand} ? ({country}) {emoji}",
            "Table ronde sur #{tag} et #{tag2} ce matin, passionnant",
        ),
        "negative": (
            "Encore une coupure réseau depuis ce matin ({country}) {emoji} {care} #{tag}",
            "Ça fait 3 jours que j'attends une réponse de {care}… #{tag}",
        ),
    },
    "es": {
        "positive": (
            "¡Qué velocidad la nueva #{tag} de {brand}! {emoji}",
            "Gracias {care} por la ayuda rápida {emoji} #{tag}",
        ),
        "neutral": ("¿Alguien probó #{tag} con {brand} en {country}?",),
        "negative": ("Sin cobertura otra vez {emoji} {care} ¿qué pasa? #{tag}",),
    },
    "pt": {
        "positive": ("Adorei o novo plano #{tag} da {brand} {emoji}",),
        "neutral": ("Alguém já usou #{tag} da {brand} em {country}?",),
        "negative": ("Rede caiu de novo {emoji} {care} #{tag}",),
    },
    "de": {
        "positive": ("Super schneller Support von {care} {emoji} #{tag}",),
        "neutral": ("Kennt jemand den #{tag} Tarif von {brand}?",),
        "negative": ("Schon wieder kein Netz {emoji} {care} #{tag}",),
    },
    "nl": {
        "positive": ("Top service van {care} vandaag {emoji} #{tag}",),
        "neutral": ("Iemand ervaring met #{tag} bij {brand}?",),
        "negative": ("Weer storing bij {brand} {emoji} #{tag}",),
    },
    "pl": {
        "positive": ("Świetny zasięg #{tag} od {brand} {emoji}",),
        "neutral": ("Ktoś korzysta z #{tag} w {brand}?",),
        "negative": ("Znowu brak sieci {emoji} {care} #{tag}",),
    },
    "ro": {
        "positive": ("Mulțumesc {care} pentru ajutor rapid {emoji} #{tag}",),
        "neutral": ("A încercat cineva oferta #{tag} de la {brand}?",),
        "negative": ("Iar nu merge internetul {emoji} {care} #{tag}",),
    },
    "sk": {
        "positive": ("Skvelá rýchlosť #{tag} od {brand} {emoji}",),
        "neutral": ("Skúšal niekto #{tag} od {brand}?",),
        "negative": ("Zase výpadok siete {emoji} {care} #{tag}",),
    },
    "ar": {
        "positive": ("شكرا {care} على الرد السريع {emoji} #{tag}", "خدمة #{tag} من {brand} ممتازة {emoji}"),
        "neutral": ("هل جرب أحد عرض #{tag} من {brand}؟",),
        "negative": ("الشبكة مقطوعة منذ الصباح {emoji} {care} #{tag}",),
    },
    "sw": {
        "positive": ("Asante {care} kwa msaada wa haraka {emoji} #{tag}",),
        "neutral": ("Kuna mtu ametumia #{tag} ya {brand}?",),
        "negative": ("Mtandao umekatika tena {emoji} {care} #{tag}",),
    },
    "wo": {
        "positive": ("Jërëjëf {care} {emoji} #{tag}",),
        "neutral": ("Kan moo jëfandikoo #{tag} bu {brand}?",),
        "negative": ("Réseau bi dafa dee ba tey {emoji} #{tag}",),
    },
    "mg": {
        "positive": ("Misaotra {care} {emoji} #{tag}",),
        "neutral": ("Iza no efa nampiasa #{tag} an'i {brand}?",),
        "negative": ("Tapaka indray ny tambajotra {emoji} #{tag}",),
    },
    "ja": {
        "positive": ("{brand}の#{tag}、めちゃくちゃ速い{emoji}",),
        "neutral": ("{brand}の新しい#{tag}プラン、どうなんだろう？",),
        "negative": ("また圏外…{care} 何とかして{emoji} #{tag}",),
    },
    "zh": {
        "positive": ("在国外用{brand}漫游，网速很快{emoji} #{tag}",),
        "neutral": ("有人用过{brand}的#{tag}套餐吗？",),
        "negative": ("漫游又断网了{emoji} {care} #{tag}",),
    },
    "ko": {
        "positive": ("{brand} 로밍 속도 최고 {emoji} #{tag}",),
        "neutral": ("{brand} #{tag} 요금제 써 본 사람?",),
        "negative": ("로밍이 또 끊겼어요 {emoji} {care} #{tag}",),
    },
}

_GIVEN = (
    "Amina", "Lucas", "Fatou", "Sofia", "Mehdi", "Chloé", "Jan", "Ioana", "Kwame", "Yuki", "Omar", "Léa",
    "Mateo", "Aïssatou", "Pedro", "Zofia", "Youssef", "Hana", "Daniel", "Grace", "Rania", "Tomás", "Nadia",
    "Hugo", "Mariam", "Ewa", "Andrei", "Wanjiru", "Sven", "Inès",
)  # fmt: skip
_FAMILY = (
    "Diallo", "Martin", "Ndiaye", "García", "Benali", "Dubois", "Kowalski", "Popescu", "Mensah", "Tanaka",
    "Haddad", "Moreau", "Silva", "Traoré", "Nowak", "El Amrani", "Kimura", "Müller", "Okafor", "Sall",
    "Rossi", "Kamau", "Lefèvre", "Petrov", "Mbeki",
)  # fmt: skip
_INFLUENCER_TOPICS = ("tech", "gaming", "football", "music", "business", "family", "travel", "fintech")
_AUTHORS = 400
_INFLUENCERS = 30


KPI_METRICS = ("response_rate", "response_time", "volume", "share_of_voice")
KPI_RECORDS = len(COUNTRIES) * len(BRANDS) * len(KPI_METRICS)
"""How many metrics one reading of the KPI feed holds."""


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) made of the parts."""
    data = "|".join(map(str, parts)).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big") / 2**64


class _Dice:
    """A deterministic stream of random draws for one key."""

    def __init__(self, *key: object) -> None:
        self._key = key
        self._count = 0

    def random(self) -> float:
        self._count += 1
        return _unit(*self._key, self._count)

    def below(self, count: int) -> int:
        return int(self.random() * count)

    def pick(self, items: tuple[T, ...]) -> T:
        return items[self.below(len(items))]

    def poisson(self, mean: float) -> int:
        if mean > 30:
            return max(0, round(mean + math.sqrt(mean) * self.normal()))
        limit, count, product = math.exp(-mean), 0, self.random()
        while product > limit:
            count += 1
            product *= self.random()
        return count

    def normal(self) -> float:
        first = max(self.random(), 1e-12)
        return math.sqrt(-2 * math.log(first)) * math.cos(2 * math.pi * self.random())


def _seconds(moment: datetime) -> float:
    return moment.timestamp()


def _time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _hex(hue: int, saturation: float, lightness: float) -> str:
    """``#rrggbb`` (SVG renderers of the Tiny profile, Qt's among them, do not read ``hsl()``)."""
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def identicon(key: str, size: int = 5) -> str:
    """A generated avatar: a symmetric 5x5 identicon as an SVG ``data:`` URL, the same for the same key."""
    hue = int(_unit("hue", key) * 360)
    cells = []
    half = (size + 1) // 2
    for row in range(size):
        for column in range(half):
            if _unit("cell", key, row, column) < 0.5:
                for x in {column, size - 1 - column}:
                    cells.append(f'<rect x="{x}" y="{row}" width="1" height="1"/>')
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-1 -1 {size + 2} {size + 2}">'
        f'<rect x="-1" y="-1" width="{size + 2}" height="{size + 2}" fill="{_hex(hue, 0.35, 0.92)}"/>'
        f'<g fill="{_hex(hue, 0.55, 0.45)}">{"".join(cells)}</g></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def picture(key: str) -> str:
    """A generated photo (sky, sun, two hills) as an SVG ``data:`` URL, the same for the same key."""
    hue = int(_unit("picture", key) * 360)
    sky_top, sky_bottom = _hex(hue, 0.55, 0.55), _hex((hue + 30) % 360, 0.6, 0.8)
    far, near = _hex((hue + 150) % 360, 0.35, 0.45), _hex((hue + 170) % 360, 0.4, 0.3)
    sun_x = 20 + int(_unit("sun", key) * 60)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{sky_top}"/>'
        f'<stop offset="1" stop-color="{sky_bottom}"/></linearGradient></defs>'
        '<rect width="100" height="100" fill="url(#s)"/>'
        f'<circle cx="{sun_x}" cy="32" r="11" fill="#fff6d5"/>'
        f'<path d="M0 70 Q30 45 60 68 T100 62 V100 H0 Z" fill="{far}"/>'
        f'<path d="M0 85 Q40 62 100 82 V100 H0 Z" fill="{near}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@dataclass(frozen=True)
class _Author:
    id: str
    name: str
    handle: str
    followers: int

    @property
    def avatar_url(self) -> str:
        """Drawn when a post of the author's is made, not with the population: most of a simulator's
        start-up was drawing its 400 avatars."""
        return _avatar(self.handle)


@functools.lru_cache(maxsize=4 * _AUTHORS)
def _avatar(handle: str) -> str:
    return identicon(handle)


class Simulator:
    """The demo feed. Same seed, same feed."""

    def __init__(self, seed: int = 0, base_rate: float = 1.5) -> None:
        """``base_rate``: average posts per second at a normal hour."""
        self.seed = seed
        self.base_rate = base_rate
        self._authors = tuple(self._author(n) for n in range(_AUTHORS))

    # Noise

    def _smooth(self, key: object, seconds: float, period: float) -> float:
        """Smooth noise in [-1, 1] with features about ``period`` seconds long."""
        step, fraction = divmod(seconds / period, 1.0)
        low, high = _unit(self.seed, key, period, step), _unit(self.seed, key, period, step + 1)
        weight = (1 - math.cos(math.pi * fraction)) / 2
        return (low + (high - low) * weight) * 2 - 1

    def _burst(self, seconds: float) -> float:
        """How many times busier than usual: now and then a burst lasting a minute or two."""
        window = 300.0
        index = math.floor(seconds / window)
        factor = 1.0
        for candidate in (index - 1, index):
            if _unit(self.seed, "burst", candidate) < 0.2:
                start = candidate * window + _unit(self.seed, "burst-start", candidate) * window
                length = 30 + _unit(self.seed, "burst-length", candidate) * 120
                peak = 3 + _unit(self.seed, "burst-peak", candidate) * 6
                if start <= seconds < start + length:
                    factor = max(factor, 1 + (peak - 1) * math.sin(math.pi * (seconds - start) / length))
        return factor

    def rate(self, moment: datetime) -> float:
        """Expected posts per second at a time: a daily rhythm, slow drift and bursts."""
        seconds = _seconds(moment)
        hour = (seconds / 3600) % 24
        daily = 0.55 + 0.45 * math.sin(math.pi * (hour - 7) / 14) if 7 <= hour <= 23 else 0.25
        return (
            self.base_rate
            * max(daily, 0.2)
            * (1 + 0.3 * self._smooth("rate", seconds, 600))
            * self._burst(seconds)
        )

    # Posts

    def _author(self, number: int) -> _Author:
        dice = _Dice(self.seed, "author", number)
        given, family = dice.pick(_GIVEN), dice.pick(_FAMILY)
        handle = f"{given}{family}".replace(" ", "").replace("'", "")
        plain = unicodedata.normalize("NFKD", handle).encode("ascii", "ignore").decode()
        handle = plain[:12] + str(dice.below(100))
        followers = int(math.exp(4 + 2.2 * abs(dice.normal()) + 2 * dice.random()))
        return _Author(f"u{self.seed}-{number}", f"{given} {family}", handle, followers)

    def posts(self, start: datetime, end: datetime, limit: int | None = 1000) -> list[Post]:
        """Posts written in ``[start, end)``, oldest first; the last ``limit`` of them."""
        first, last = math.floor(_seconds(start)), math.ceil(_seconds(end))
        if limit is not None:
            first = max(first, last - math.ceil(limit / (self.base_rate * 0.1)))
        posts: list[Post] = []
        for second in range(first, last):
            dice = _Dice(self.seed, "second", second)
            for number in range(dice.poisson(self.rate(_time(second)))):
                moment = second + dice.random()
                if _seconds(start) <= moment < _seconds(end):
                    posts.append(self._post(second, number, moment))
        posts.sort(key=lambda post: (post.created_at, post.id))
        return posts[-limit:] if limit is not None else posts

    def _post(self, second: int, number: int, moment: float) -> Post:
        dice = _Dice(self.seed, "post", second, number)
        abroad = dice.random() < 0.04
        country = dice.pick(_ABROAD) if abroad else COUNTRIES[int(len(COUNTRIES) * dice.random() ** 1.6)]
        lang = dice.pick(country.languages)
        outage = self._burst(moment) > 2
        roll = dice.random()
        sentiment: Sentiment = (
            "negative" if roll < (0.55 if outage else 0.25) else "positive" if roll < 0.7 else "neutral"
        )
        tag = "Outage" if outage and dice.random() < 0.6 else dice.pick(_TOPICS)
        text = dice.pick(_TEMPLATES[lang][sentiment]).format(
            brand=f"@{BRAND_HANDLE}" if dice.random() < 0.4 else BRAND,
            care=f"@{CARE_HANDLE}",
            tag=tag,
            tag2=_TOPICS[(_TOPICS.index(tag) + 1 + dice.below(len(_TOPICS) - 1)) % len(_TOPICS)],
            emoji=dice.pick(_EMOJI),
            country=country.name,
        )
        author = self._authors[min(int(_AUTHORS * dice.random() ** 2), _AUTHORS - 1)]
        reach = int(author.followers * (0.2 + dice.random() * 1.5))
        post_id = f"{second}{number:03d}{self.seed % 1000:03d}"
        return Post(
            id=post_id,
            network=dice.pick(("twitter", "twitter", "twitter", "instagram", "facebook", "linkedin")),
            author_id=author.id,
            author_name=author.name,
            handle=author.handle,
            avatar_url=author.avatar_url,
            author_followers=author.followers,
            text=text,
            created_at=_time(moment),
            lang=lang,
            country=country.code,
            sentiment=sentiment,
            reach=reach,
            likes=int(reach * dice.random() * 0.05),
            reposts=int(reach * dice.random() * 0.01),
            url=f"https://social.example/{author.handle}/{post_id}",
            media_url=picture(post_id) if dice.random() < 0.15 else None,
        )

    # Rankings, topics, KPIs

    def _score(self, number: int, seconds: float) -> float:
        author = self._authors[number]
        return author.followers * (1 + 0.6 * self._smooth(("influence", number), seconds, 1800))

    def _ranking(self, seconds: float) -> list[int]:
        return sorted(range(_INFLUENCERS), key=lambda n: -self._score(n, seconds))

    def influencers(self, now: datetime, count: int = 20, change_after: float = 900) -> list[Person]:
        """The top ``count`` people talking about the brand; ``previous_rank``: ``change_after`` s ago."""
        seconds = _seconds(now)
        before = {number: rank for rank, number in enumerate(self._ranking(seconds - change_after), start=1)}
        people = []
        for rank, number in enumerate(self._ranking(seconds)[:count], start=1):
            author = self._authors[number]
            people.append(
                Person(
                    id=author.id,
                    network="twitter",
                    name=author.name,
                    handle=author.handle,
                    avatar_url=author.avatar_url,
                    followers=author.followers,
                    reach=int(self._score(number, seconds)),
                    topic=_INFLUENCER_TOPICS[number % len(_INFLUENCER_TOPICS)],
                    rank=rank,
                    previous_rank=before[number],
                    updated_at=now,
                )
            )
        return people

    def _topic_volume(self, index: int, seconds: float) -> float:
        base = 2000 / (1 + index)
        wave = 1 + 0.7 * self._smooth(("topic", index), seconds, 1200)
        boost = self._burst(seconds) if _TOPICS[index] == "Outage" else 1.0
        return base * wave * boost

    def topics(self, now: datetime, count: int = 12, trend_over: float = 900) -> list[Topic]:
        """Trending hashtags, busiest first; ``trend`` compares with ``trend_over`` seconds ago."""
        seconds = _seconds(now)
        volumes = [(index, self._topic_volume(index, seconds)) for index in range(len(_TOPICS))]
        volumes.sort(key=lambda item: -item[1])
        return [
            Topic(
                tag=f"#{_TOPICS[index]}",
                volume=int(volume),
                trend=round(volume / self._topic_volume(index, seconds - trend_over) - 1, 3),
                updated_at=now,
            )
            for index, volume in volumes[:count]
        ]

    def kpis(self, now: datetime) -> list[Metric]:
        """Customer-care KPIs per country and brand, as of ``now`` (rounded to the minute)."""
        seconds = math.floor(_seconds(now) / 60) * 60
        measured = _time(seconds)
        metrics: list[Metric] = []
        for country in COUNTRIES:
            volumes = {brand: self._volume(country, brand, seconds) for brand in BRANDS}
            total = sum(volumes.values())
            for brand in BRANDS:
                skill = country.maturity + (
                    0.1 if brand == BRAND else _unit(self.seed, "skill", brand) * 0.2 - 0.1
                )
                drift = self._smooth(("care", country.code, brand), seconds, 1800)
                rate = min(99.5, max(20.0, 40 + 45 * skill + 6 * drift))
                delay = (300 + 5400 * (1.1 - skill) ** 2) * (1 + 0.35 * drift)
                dimensions = {"country": country.code, "brand": brand}
                for name, value, unit in (
                    ("response_rate", round(rate, 1), "%"),
                    ("response_time", round(delay), "s"),
                    ("volume", round(volumes[brand]), "posts/h"),
                    ("share_of_voice", round(100 * volumes[brand] / total, 1), "%"),
                ):
                    metrics.append(
                        Metric(name=name, value=value, unit=unit, measured_at=measured, dimensions=dimensions)
                    )
        return metrics

    def _volume(self, country: Country, brand: str, seconds: float) -> float:
        size = 200 + 1800 * _unit(self.seed, "size", country.code)
        share = 1.6 if brand == BRAND else 0.5 + _unit(self.seed, "share", country.code, brand)
        return size * share * (1 + 0.4 * self._smooth(("volume", country.code, brand), seconds, 900))

    def activity(self, start: datetime, end: datetime, step: float = 60) -> list[SeriesPoint]:
        """Expected posts per minute, one point per ``step`` seconds from ``start`` to ``end``."""
        first, last = math.ceil(_seconds(start) / step), math.floor(_seconds(end) / step)
        return [
            SeriesPoint(
                series="posts_per_minute", at=_time(n * step), value=round(60 * self.rate(_time(n * step)), 1)
            )
            for n in range(first, last + 1)
        ]

    def feed(self, name: DemoFeed, now: datetime, since: datetime | None = None) -> list[Record]:
        """What a feed gives at ``now``: for posts and activity, what is new since ``since``."""
        window = now - timedelta(minutes=10) if since is None else since
        if name == "posts":
            return list(self.posts(window, now))
        if name == "activity":
            return list(self.activity(now - timedelta(hours=1) if since is None else since, now))
        if name == "influencers":
            return list(self.influencers(now))
        if name == "topics":
            return list(self.topics(now))
        return list(self.kpis(now))
