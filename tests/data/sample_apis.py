"""Payloads of three differently shaped APIs, and the mappings that read them by configuration alone."""

from __future__ import annotations

from typing import Any

# A tweets-like API: posts in "data", authors joined from "includes.users" by id.
TWEETS: dict[str, Any] = {
    "data": [
        {
            "id": "1790000000000000001",
            "text": "Loving the new #OrbisTelecom 5G plan @orbis_care 🚀",
            "author_id": "42",
            "created_at": "2026-03-01T10:15:00.000Z",
            "lang": "en",
            "public_metrics": {"like_count": 12, "retweet_count": 3, "impression_count": 5400},
        },
        {
            "id": "1790000000000000002",
            "text": "Réseau en panne à Dakar depuis ce matin #Orbis",
            "author_id": 7,
            "created_at": "2026-03-01T10:16:30.000Z",
            "lang": "fr",
            "public_metrics": {"like_count": "1,204", "retweet_count": 88, "impression_count": 91000.0},
        },
    ],
    "includes": {
        "users": [
            {
                "id": "42",
                "name": "Ada Lovelace",
                "username": "ada",
                "public_metrics": {"followers_count": 1800},
            },
            {
                "id": "7",
                "name": "Moussa Diop",
                "username": "moussa_d",
                "public_metrics": {"followers_count": 52000},
            },
        ]
    },
    "meta": {"result_count": 2},
}

TWEETS_MAPPING: dict[str, Any] = {
    "record": "post",
    "items": "data",
    "lookups": [{"as": "author", "from": "includes.users", "key": "id", "match": "author_id"}],
    "fields": {
        "network": {"default": "twitter"},
        "author_name": "author.name",
        "handle": "author.username",
        "author_followers": "author.public_metrics.followers_count",
        "likes": {"expr": "public_metrics.like_count", "default": 0},
        "reposts": "public_metrics.retweet_count",
        "reach": "public_metrics.impression_count",
    },
}

# A fediverse-like API: a bare list, the author nested in each status, epoch-less ISO times with offsets.
STATUSES: list[dict[str, Any]] = [
    {
        "id": 109001,
        "created_at": "2026-03-01T11:00:00+01:00",
        "language": "de",
        "content": "Orbis Kundendienst war super schnell! #OrbisTelecom",
        "account": {"id": 5, "display_name": "Jonas", "acct": "jonas@social.example", "followers_count": 310},
        "media_attachments": [{"url": "https://media.example/1.jpg"}],
        "reblogs_count": 2,
        "favourites_count": 9,
    },
    {
        "id": 109002,
        "created_at": "2026-03-01T11:05:00+01:00",
        "language": "ja",
        "content": "オルビスの新しいプランはいいね #オルビス",
        "account": {"id": 6, "display_name": "Yuki", "acct": "yuki", "followers_count": 12},
        "media_attachments": [],
        "reblogs_count": 0,
        "favourites_count": 1,
    },
]

STATUSES_MAPPING: dict[str, Any] = {
    "record": "post",
    "fields": {
        "network": {"default": "mastodon"},
        "text": "content",
        "lang": "language",
        "author_name": "account.display_name",
        "handle": "account.acct",
        "author_followers": "account.followers_count",
        "media_url": "media_attachments[0].url",
        "reposts": "reblogs_count",
        "likes": "favourites_count",
    },
}

# A customer-care KPI API: metrics nested per country, epoch milliseconds, numbers as text.
CARE_KPIS: dict[str, Any] = {
    "generated": 1772359200000,
    "countries": [
        {"code": "FR", "kpis": {"response_rate": "92.5", "avg_response_s": 540}},
        {"code": "SN", "kpis": {"response_rate": "71.0", "avg_response_s": 1980}},
        {"code": "EG", "kpis": {"response_rate": "80.2", "avg_response_s": None}},
    ],
}

CARE_KPIS_MAPPING: dict[str, Any] = {
    "record": "metric",
    "items": "countries",
    "shared": {"generated": "generated"},
    "fields": {
        "name": {"default": "response_rate"},
        "unit": {"default": "%"},
        "value": "kpis.response_rate",
        "measured_at": {"expr": "generated", "coerce": "epoch_ms"},
        "dimensions.country": "code",
    },
}

# A Mastodon tag timeline (/api/v1/timelines/tag/:hashtag): a top-level list of statuses, text as HTML.
MASTODON_TAG: list[dict[str, Any]] = [
    {
        "id": "113500000000000002",
        "created_at": "2026-03-01T10:16:30.000Z",
        "content": '<p>Review of the new <a href="https://m.example/tags/Orbis" class="mention hashtag" '
        'rel="tag">#<span>Orbis</span></a> show: the ending is a twist!</p>',
        "spoiler_text": "TV spoilers",
        "language": "en",
        "url": "https://m.example/@moussa/113500000000000002",
        "favourites_count": 3,
        "reblogs_count": 0,
        "account": {
            "id": "7",
            "username": "moussa",
            "acct": "moussa@m.example",
            "display_name": "",
            "avatar": "https://m.example/avatars/moussa.png",
            "followers_count": 52000,
        },
        "media_attachments": [],
    },
    {
        "id": "113500000000000001",
        "created_at": "2026-03-01T10:15:00.000Z",
        "content": '<p>Fibre is live in <a href="https://m.example/tags/Dakar" class="mention hashtag" '
        'rel="tag">#<span>Dakar</span></a> &amp; Thiès, thanks <span class="h-card"><a '
        'href="https://m.example/@orbis" class="u-url mention">@<span>orbis</span></a></span>!</p>'
        "<p>940&nbsp;Mbps down<br />Details soon</p>",
        "spoiler_text": "",
        "language": "fr",
        "url": "https://m.example/@ada/113500000000000001",
        "favourites_count": 12,
        "reblogs_count": 4,
        "account": {
            "id": "42",
            "username": "ada",
            "acct": "ada",
            "display_name": "Ada Lovelace",
            "avatar": "https://m.example/avatars/ada.png",
            "followers_count": 1800,
        },
        "media_attachments": [{"type": "image", "preview_url": "https://m.example/media/fibre.jpg"}],
    },
]
