"""HTML turned into plain text, for networks that send post text as HTML (Mastodon, RSS-like feeds).

The wall never renders HTML: text is shown as text. This reads the markup with the standard library's
``html.parser`` and keeps what a reader sees: the words (a link's text, not its address), paragraphs and
line breaks as new lines, entities decoded. Tags are dropped, and so are the contents of ``script``,
``style`` and ``template`` (code, not text), images and comments.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure"),
        *("footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p"),
        *("pre", "section", "table", "td", "th", "tr", "ul"),
    }
)
"""Elements that start on a line of their own."""
_HIDDEN = frozenset({"script", "style", "template", "head", "title"})
_SPACES = re.compile(r"[ \t\n\r\f]+")
"""HTML's white space: runs of it in text are one space."""


class _PlainText(HTMLParser):
    """Collects the lines a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden = 0

    def end_line(self) -> None:
        text = "".join(self._line).strip()
        if text:
            self.lines.append(text)
        self._line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br" or tag in _BLOCKS:
            self.end_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN:  # <script/> hides nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.end_line()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._line.append(_SPACES.sub(" ", data))


@lru_cache(maxsize=1024)
def html_to_text(markup: str) -> str:
    """The text a reader of ``markup`` sees: one line per paragraph or line break, no blank lines (a wall
    has no room for them). Remembered for the last posts read: a polled timeline sends them again and
    again, and parsing costs about 0.1 ms a post."""
    parser = _PlainText()
    parser.feed(markup)
    parser.close()
    parser.end_line()
    return "\n".join(parser.lines)
