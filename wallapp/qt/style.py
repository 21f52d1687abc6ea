"""A theme as Qt objects: fonts per text role, colours, pens. Widgets draw with nothing else."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QFont

from wallapp.core.config.theme import TextRole, Theme


class Style:
    """Equal to any other style of the same theme: text fitted for one (``wallapp.qt.text``'s cache) is
    reused by the next scene, and a layout switch or reload does not start it over."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.text = theme.text
        self.spacing = theme.spacing
        self._key = theme.model_dump_json()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Style) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    @property
    def min_px(self) -> int:
        return self.theme.text.min

    def colour(self, name: str) -> QColor:
        return _colour(getattr(self.theme.palette, name))

    def font(
        self, role: TextRole, *, strong: bool = False, numeric: bool = False, px: int | None = None
    ) -> QFont:
        """The font of a text role; ``px`` asks for another size, never below the legibility floor."""
        fonts = self.theme.fonts
        family = fonts.numeric_family if numeric and fonts.numeric_family else fonts.family
        size = max(self.min_px, px if px is not None else self.text.size(role))
        return _font(
            family, tuple(fonts.fallbacks), size, fonts.weight_strong if strong else fonts.weight_regular
        )


@cache
def _colour(spec: str) -> QColor:
    if len(spec) == 9:  # #RRGGBBAA, while Qt reads #AARRGGBB
        spec = "#" + spec[7:9] + spec[1:7]
    return QColor(spec)


@cache
def _font(family: str, fallbacks: tuple[str, ...], px: int, weight: int) -> QFont:
    font = QFont()
    font.setFamilies([family, *fallbacks])
    font.setPixelSize(px)
    font.setWeight(QFont.Weight(weight))
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font
