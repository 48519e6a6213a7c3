"""Chart geometry for server-side inline SVG: numbers in, rectangles out; templates draw them.

No JavaScript library and no CDN: the dashboard's charts are plain <svg> elements whose labels go
through the template engine's escaping like any other text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

PALETTE = ["#417690", "#e39b3b", "#6aa84f", "#c0504d", "#8064a2", "#4bacc6", "#9c6b30", "#7f7f7f", "#d17fb0", "#2f4f4f"]
Number = int | float | Decimal


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    gridlines: list[float] = field(default_factory=list)  # y positions
    legend: list[tuple[str, str]] = field(default_factory=list)  # (color, name)
    empty: bool = True


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]


def series_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def column_chart(
    *,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool,
    fmt: Callable[[Number], str],
    width: int = 640,
    height: int = 220,
) -> Chart:
    """Columns per category, one segment (stacked) or one bar (grouped) per series."""
    left, right, top, bottom = 56, 8, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    chart = Chart(width=width, height=height)
    chart.legend = [(series_color(index), item.name) for index, item in enumerate(series)]
    if not categories:
        return chart
    totals = [
        sum(float(item.values[i]) for item in series) if stacked else max(float(item.values[i]) for item in series)
        for i in range(len(categories))
    ]
    top_value = _nice_max(max(totals, default=0.0))
    chart.empty = max(totals, default=0.0) <= 0
    slot = plot_w / len(categories)
    bar_gap = min(6.0, slot * 0.2)
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h - plot_h * tick / 4
        chart.gridlines.append(y)
        chart.labels.append(Label(left - 4, y + 4, fmt(value), "end"))
    label_every = max(1, len(categories) // 10)
    for i, category in enumerate(categories):
        x0 = left + i * slot + bar_gap / 2
        usable = slot - bar_gap
        base = 0.0
        for index, item in enumerate(series):
            value = float(item.values[i])
            if value <= 0:
                continue
            bar_h = plot_h * value / top_value
            if stacked:
                y = top + plot_h - plot_h * (base + value) / top_value
                rect = Rect(x0, y, usable, bar_h, series_color(index), f"{category} · {item.name}: {fmt(value)}")
                base += value
            else:
                each = usable / len(series)
                rect = Rect(
                    x0 + index * each,
                    top + plot_h - bar_h,
                    each,
                    bar_h,
                    series_color(index),
                    f"{category} · {item.name}: {fmt(value)}",
                )
            chart.rects.append(rect)
        if i % label_every == 0:
            chart.labels.append(Label(left + i * slot + slot / 2, height - bottom + 16, category))
    return chart


def bar_list_chart(
    *, items: Sequence[tuple[str, Number]], fmt: Callable[[Number], str], width: int = 420, color_index: int = 0
) -> Chart:
    """Horizontal bars, one per item, longest first as given."""
    row_h, label_w, value_w = 22, 140, 80
    height = max(row_h * len(items) + 4, 30)
    chart = Chart(width=width, height=height)
    peak = max((float(value) for _, value in items), default=0.0)
    chart.empty = not items
    plot_w = width - label_w - value_w
    for row, (name, value) in enumerate(items):
        y = 2 + row * row_h
        bar_w = plot_w * float(value) / peak if peak > 0 else 0
        chart.labels.append(Label(label_w - 6, y + 15, name[:22], "end"))
        chart.rects.append(
            Rect(label_w, y + 3, max(bar_w, 1.0), row_h - 6, series_color(color_index), f"{name}: {fmt(value)}")
        )
        chart.labels.append(Label(label_w + bar_w + 4, y + 15, fmt(value), "start"))
    return chart


def money(value: Number) -> str:
    amount = float(value)
    if amount >= 1000:
        return f"${amount:,.0f}"
    if amount >= 1:
        return f"${amount:,.2f}"
    return f"${amount:.4f}" if amount else "$0"


def count(value: Number) -> str:
    amount = float(value)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if amount >= size:
            return f"{amount / size:.1f}{unit}"
    return f"{amount:.0f}"


def milliseconds(value: Number) -> str:
    amount = float(value)
    return f"{amount / 1000:.1f} s" if amount >= 1000 else f"{amount:.0f} ms"


def percent(value: Number) -> str:
    return f"{float(value) * 100:.1f}%"
