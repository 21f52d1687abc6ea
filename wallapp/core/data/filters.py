"""Moderation before the store, for public screens: what a post must not contain or be to be shown.

Blocked terms match whole words whatever the case and accents (``Arnaque`` blocks ``arnaqué`` and
``#ARNAQUE``, not ``arnaqueur``), in any script. Scripts written without spaces between words (Chinese,
Japanese, Thai...) have no word boundaries to look for: there a term blocks every text that contains it.
Records other than posts pass through, except people whose handle is a blocked author.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, cached_property

from pydantic import BaseModel, ConfigDict, Field

from wallapp.core.data.records import Person, Post, Record

_LINK = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)

# Scripts written without spaces between words: a term in them is matched anywhere.
_UNSPACED = re.compile(
    "["
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # halfwidth Katakana
    "\U00020000-\U0003134f"  # CJK extensions B-G
    "]"
)


@cache
def _word_class() -> str:
    """A regex class of word characters: ``\\w`` plus the marks (Devanagari vowel signs...) it leaves out."""
    ranges: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    marks = "".join(f"{chr(low)}-{chr(high)}" if high > low else chr(low) for low, high in ranges)
    return f"[\\w{marks}]"


def fold(text: str) -> str:
    """Text compared without case, accents or compatibility forms: fullwidth ``Café`` -> ``cafe``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.casefold())


def _handle(value: str) -> str:
    return fold(value.strip().removeprefix("@"))


class FilterOptions(BaseModel):
    """What keeps a post off the wall."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    blocked_terms: list[str] = Field(
        default_factory=list, description="Words or phrases; case, accents and # do not matter."
    )
    blocked_authors: list[str] = Field(
        default_factory=list, description="Handles (with or without @) or ids."
    )
    languages: list[str] = Field(
        default_factory=list,
        description="Allowed languages (ISO 639-1); empty: all. Posts of no known language pass.",
    )
    hide_links: bool = Field(False, description="Hide posts whose text holds a link.")
    hide_media: bool = Field(False, description="Hide posts with an image or video.")
    min_followers: int | None = Field(None, ge=0, description="Hide posts of authors with fewer followers.")

    @cached_property
    def compiled(self) -> PostFilter:
        return PostFilter(self)


class PostFilter:
    """Filter options ready to run."""

    def __init__(self, options: FilterOptions) -> None:
        self.options = options
        self._terms = _terms_pattern(options.blocked_terms)
        self._authors = {_handle(author) for author in options.blocked_authors if author.strip()}
        self._languages = {lang.strip().lower() for lang in options.languages if lang.strip()}

    def blocked_text(self, text: str) -> bool:
        return self._terms is not None and self._terms.search(fold(text)) is not None

    def allows(self, record: Record) -> bool:
        if isinstance(record, Person):
            return not self._authors or not ({_handle(record.handle), _handle(record.id)} & self._authors)
        if not isinstance(record, Post):
            return True
        options = self.options
        if self._authors and {_handle(record.handle), _handle(record.author_id or "")} & self._authors:
            return False
        if self._languages and record.lang and record.lang.lower().split("-")[0] not in self._languages:
            return False
        if options.hide_media and record.media_url:
            return False
        if options.hide_links and _LINK.search(record.text):
            return False
        if options.min_followers is not None and (record.author_followers or 0) < options.min_followers:
            return False
        texts = (record.text, record.content_warning or "", record.author_name)
        return not any(self.blocked_text(text) for text in texts)

    def apply(self, records: Iterable[Record]) -> list[Record]:
        return [record for record in records if self.allows(record)]


def _terms_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    words: list[str] = []
    unspaced: list[str] = []
    for term in terms:
        folded = fold(term.strip().lstrip("#"))
        if not folded:
            continue
        escaped = r"\s+".join(re.escape(part) for part in folded.split())
        (unspaced if _UNSPACED.search(folded) else words).append(escaped)
    parts = []
    if words:
        word = _word_class()
        parts.append(f"(?<!{word})(?:{'|'.join(words)})(?!{word})")
    if unspaced:
        parts.append("|".join(unspaced))
    return re.compile("|".join(parts)) if parts else None
