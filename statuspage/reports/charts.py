"""Bar charts as plain geometry for server-rendered inline SVG (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
_LEFT = 72  # room for the axis labels
_BOTTOM = 28  # room for the month labels
_TOP = 12


@dataclass(frozen=True)
class Bar:
    """One bar: its box, the category under it and the value it stands for."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str
    # A short label under the bar (the full one is in the bar's title and the table).
    short: str = ""


@dataclass(frozen=True)
class Tick:
    """A horizontal grid line with its value."""

    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    """A bar chart ready for the template: title, description, bars, grid."""

    id: str
    title: str
    description: str
    width: int
    height: int
    left: int
    baseline: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def _nice_max(value: float) -> float:
    """Return a round number at least value (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[tuple[str, float | None, str]],
    *,
    short_labels: Sequence[str] = (),
    tick_text: object = None,
    maximum: float | None = None,
) -> BarChart:
    """Lay out one bar per (label, value, value text); None values get no bar."""
    values = [v for _, v, _ in points if v is not None]
    top = maximum if maximum is not None else _nice_max(max(values, default=0.0))
    plot_height = HEIGHT - _TOP - _BOTTOM
    baseline = float(HEIGHT - _BOTTOM)
    slot = (WIDTH - _LEFT) / max(len(points), 1)
    width = slot * 0.6
    bars = []
    for index, (label, value, text) in enumerate(points):
        height = 0.0 if value is None else plot_height * min(value / top, 1.0)
        bars.append(
            Bar(
                x=round(_LEFT + index * slot + (slot - width) / 2, 2),
                y=round(baseline - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                label=label,
                value_text=text,
                short=short_labels[index] if index < len(short_labels) else label,
            )
        )
    fmt = tick_text if callable(tick_text) else (lambda v: f"{v:g}")
    ticks = tuple(
        Tick(y=round(baseline - plot_height * f, 2), text=str(fmt(top * f)))
        for f in (0.0, 0.5, 1.0)
    )
    return BarChart(
        id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=HEIGHT,
        left=_LEFT,
        baseline=baseline,
        bars=tuple(bars),
        ticks=ticks,
    )
