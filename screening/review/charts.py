"""Horizontal bar charts as plain geometry; `templates/screening/_bar_chart.html` draws the SVG.

Drawn on the server so the page needs no chart library and no CDN; the template escapes every
label. Geometry is in whole pixels: the SVG is drawn at that size and shrinks on a narrow
screen, never grows (text would grow with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma

ROW_HEIGHT = 30
BAR_HEIGHT = 20
LABEL_WIDTH = 300
WIDTH = 760
VALUE_ROOM = 100  # right of the longest bar, for its number ("120 (100 %)"), at least
VALUE_CHAR_WIDTH = 8  # a character of the bold value text at the template's font size
CHARS_PER_LABEL = 40  # what fits in LABEL_WIDTH at the template's font size


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn, shortened to fit
    title: str  # in full, for the tooltip and screen readers
    value: int
    value_text: str
    x: int
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 5

    @property
    def value_x(self) -> int:
        return self.x + self.width + 6


@dataclass(frozen=True)
class BarChart:
    title: str
    fill: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    label_x: int = LABEL_WIDTH - 8

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT + 10


def bar_chart(
    items: list[tuple[str, int]],
    *,
    title: str,
    fill: str,
    centered: bool = False,
    value_texts: list[str] | None = None,
) -> BarChart:
    """One bar per (label, value), longest = full plot width; `centered` stacks the bars
    around a middle line, which is how a funnel reads."""
    texts = value_texts or [grouped(value) for _, value in items]
    # Room for the longest number beside the longest bar: "100.000 (100 %)" must not be cut.
    room = max([VALUE_ROOM, *(VALUE_CHAR_WIDTH * len(text) + 10 for text in texts)])
    plot = WIDTH - LABEL_WIDTH - room
    top = max((value for _, value in items), default=0) or 1
    bars = []
    for row, (label, value) in enumerate(items):
        # A zero still shows a sliver, so the row does not read as missing.
        width = max(round(plot * value / top), 2)
        x = LABEL_WIDTH + ((plot - width) // 2 if centered else 0)
        y = 5 + row * ROW_HEIGHT
        bars.append(Bar(_short(label), label, value, texts[row], x, y, width))
    return BarChart(title=title, fill=fill, bars=tuple(bars))


def grouped(number: int) -> str:
    """A count as the reader writes it, as the templates' `intcomma` writes it: 100.000 in
    Danish, 100,000 in English."""
    return intcomma(number)


def _short(label: str) -> str:
    return label if len(label) <= CHARS_PER_LABEL else label[: CHARS_PER_LABEL - 1] + "…"
