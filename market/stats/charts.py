"""Charts drawn on the server as inline SVG: bars, monthly series and sparklines.

Python does the arithmetic (scales, nice axis steps, label fitting) and an
autoescaping Jinja macro (templates/_macros/charts.html) writes the markup, so every
label is escaped and nothing here wraps text in Markup by hand. The SVG carries no
script and no style attribute (the CSP forbids both); colours come from CSS classes
(chart-series-N in static/css/market.css), with presentation attributes as the
fallback for an SVG seen without the stylesheet. Output is deterministic: the same
data gives the same bytes.

Every chart is an <svg role="img"> labelled by its <title> and <desc>; callers
should show the same figures in a table next to it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from market import PROJECT_ROOT

__all__ = [
    "bar_chart",
    "format_compact",
    "nice_ticks",
    "sparkline",
    "time_series_chart",
]

Number = int | float | Decimal
Formatter = Callable[[Decimal], str]

FONT_SIZE = 13
# Fallback colours, the same as the stylesheet's (--brand, --accent, ...).
PALETTE = ("#0b5cad", "#f2a900", "#1f7a3d", "#b95000")
GRID_COLOUR = "#e3e8ef"
AXIS_COLOUR = "#c9d2de"
TEXT_COLOUR = "#5b6776"
CHART_ID = re.compile(r"^[a-z][a-z0-9-]{0,60}$")
DESC_ITEMS = 24  # a screen reader hears this many data points; the table has all

DEFAULT_EMPTY_TEXT = _l("No data for this period yet.")


# ---------- numbers ----------


def _decimal(value: Number) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a chart value must be a number, not a bool")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite() or number < 0:
        raise ValueError(f"chart values must be finite and not negative: {value!r}")
    return number


def _is_zh(locale: str) -> bool:
    return str(locale).replace("-", "_").lower().startswith("zh")


def _plain(number: Decimal, places: int) -> str:
    """``number`` with thousands separators and at most ``places`` decimals."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_compact(value: Number, locale: str = "zh") -> str:
    """A short label for ``value``: "9,500", "12.5万", "3亿" (zh); "12.5K", "3M" (en).

    Below ten thousand the number is written out with thousands separators and at
    most two decimals; above, in 万/亿 for Chinese or K/M/B for English, with three
    significant figures at most.
    """
    number = _decimal(value)
    steps = (
        ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
        if _is_zh(locale)
        else ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 4, "K"))
    )
    for size, suffix in steps:
        if number >= size:
            if suffix == "K":
                size = Decimal(1000)
            quotient = number / size
            places = 0 if quotient >= 100 else 1 if quotient >= 10 else 2
            return _plain(quotient, places) + suffix
    return _plain(number, 2)


def nice_ticks(maximum: Number, count: int = 5, integer: bool = False) -> list[Decimal]:
    """Axis ticks from 0 to a round top at or above ``maximum``, about ``count`` steps.

    Steps are 1, 2, 2.5 or 5 times a power of ten (whole numbers when ``integer``).
    An all-zero axis runs from 0 to 1.
    """
    top = _decimal(maximum)
    if top == 0:
        return [Decimal(0), Decimal(1)]
    raw = top / count
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(
        m * magnitude
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if m * magnitude >= raw
    )
    if integer and step < 1:
        step = Decimal(1)
    elif integer and step != step.to_integral_value():
        step = step * 2  # 2.5 is no whole step: take 5
    steps = int((top / step).to_integral_value(rounding=ROUND_CEILING))
    # Plain exponents, so that a tick reads 2500000 rather than 2.5E+6.
    exponent = Decimal(1).scaleb(min(0, step.normalize().as_tuple().exponent))
    return [(step * i).quantize(exponent) for i in range(steps + 1)]


# ---------- text fitting ----------


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Rough rendered width: CJK characters are square, Latin ones about 0.6 em."""
    return sum(
        size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text
    )


def _fit(text: str, width: float) -> str:
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _px(value: float) -> str:
    """A coordinate as short, stable text: 12, 12.5, 0."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------- what the macros draw ----------


@dataclass(frozen=True)
class Text:
    x: str
    y: str
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Line:
    x1: str
    y1: str
    x2: str
    y2: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    series: int  # 1-based, for the chart-series-N class
    colour: str
    tip: str


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    tip: str


@dataclass(frozen=True)
class Path:
    series: int
    colour: str
    points: str
    dots: tuple[Point, ...]


@dataclass(frozen=True)
class LegendItem:
    swatch_x: str
    swatch_y: str
    label: Text
    series: int
    colour: str


@dataclass(frozen=True)
class Chart:
    kind: str  # hbar, columns, line, sparkline: the svg's chart-kind-* class
    id: str
    width: str
    height: str
    title: str
    desc: str
    empty: Text | None = None
    grid: tuple[Line, ...] = ()
    baseline: Line | None = None
    tick_labels: tuple[Text, ...] = ()
    category_labels: tuple[Text, ...] = ()
    value_labels: tuple[Text, ...] = ()
    bars: tuple[Bar, ...] = ()
    paths: tuple[Path, ...] = ()
    legend: tuple[LegendItem, ...] = ()

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"


@lru_cache(maxsize=1)
def _macros() -> Any:
    # Its own environment, so charts render without an application; autoescape
    # makes each macro return Markup with every text and attribute escaped.
    environment = Environment(
        loader=FileSystemLoader(str(PROJECT_ROOT / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("_macros/charts.html").module


def _render(chart: Chart) -> Markup:
    return _macros().chart(chart, GRID_COLOUR, AXIS_COLOUR, TEXT_COLOUR)


def _check_id(chart_id: str) -> str:
    if not CHART_ID.match(chart_id):
        raise ValueError(
            f"chart_id must be lower-case letters, digits and -: {chart_id!r}"
        )
    return chart_id


def _series_style(index: int) -> tuple[int, str]:
    return index % len(PALETTE) + 1, PALETTE[index % len(PALETTE)]


def _formatter(locale: str, format_value: Formatter | None) -> Formatter:
    return format_value or (lambda value: format_compact(value, locale))


def _listing(pairs: Sequence[tuple[str, str]]) -> str:
    shown = [f"{label}: {value}" for label, value in pairs[:DESC_ITEMS]]
    if len(pairs) > DESC_ITEMS:
        shown.append("…")
    return "; ".join(shown)


def _empty(
    kind: str,
    chart_id: str,
    title: str,
    desc: str | None,
    text: str,
    width: float,
    height: float,
) -> Markup:
    message = str(text)
    return _render(
        Chart(
            kind=kind,
            id=chart_id,
            width=_px(width),
            height=_px(height),
            title=str(title),
            desc=str(desc) if desc else message,
            empty=Text(
                _px(width / 2), _px(height / 2 + FONT_SIZE * 0.35), message, "middle"
            ),
        )
    )


# ---------- the charts ----------


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    chart_id: str,
    title: str,
    desc: str | None = None,
    locale: str = "zh",
    empty_text: str | None = None,
    format_value: Formatter | None = None,
    width: int = 640,
) -> Markup:
    """Horizontal bars, one row per label in the order given, labels on the left.

    Labels that do not fit 40% of the width are cut with "…" (the full label stays
    in the bar's tooltip and in ``desc``). Values are drawn at the bar ends with
    ``format_value`` (default: format_compact in ``locale``). ``desc`` defaults to
    the data as "label: value; ...". No labels draws ``empty_text`` instead.
    """
    _check_id(chart_id)
    if len(labels) != len(values):
        raise ValueError("bar_chart needs one value per label")
    numbers = [_decimal(v) for v in values]
    if not labels:
        return _empty(
            "hbar",
            chart_id,
            title,
            desc,
            empty_text or DEFAULT_EMPTY_TEXT,
            width,
            3 * FONT_SIZE,
        )
    fmt = _formatter(locale, format_value)
    labels = [str(label) for label in labels]
    value_texts = [fmt(n) for n in numbers]

    row, bar_height, top, axis = 28, 18, 6, 24
    label_width = min(max(_text_width(t) for t in labels), width * 0.4)
    value_width = max(_text_width(t) for t in value_texts) + 6
    x0 = label_width + 10
    x1 = max(width - value_width - 4, x0 + 40)
    integer = all(n == n.to_integral_value() for n in numbers)
    ticks = nice_ticks(max(numbers), count=5, integer=integer)
    scale = (x1 - x0) / float(ticks[-1])
    plot_bottom = top + row * len(labels)
    height = plot_bottom + axis

    bars, names, ends = [], [], []
    for i, (label, number, shown) in enumerate(zip(labels, numbers, value_texts)):
        y = top + i * row
        length = float(number) * scale
        middle = y + row / 2 + FONT_SIZE * 0.35
        series, colour = _series_style(0)
        bars.append(
            Bar(
                _px(x0),
                _px(y + (row - bar_height) / 2),
                _px(length),
                _px(bar_height),
                series,
                colour,
                f"{label}: {shown}",
            )
        )
        names.append(Text(_px(x0 - 6), _px(middle), _fit(label, label_width), "end"))
        ends.append(Text(_px(x0 + length + 4), _px(middle), shown))
    grid = tuple(
        Line(
            _px(x0 + float(t) * scale),
            _px(top),
            _px(x0 + float(t) * scale),
            _px(plot_bottom),
        )
        for t in ticks
    )
    tick_labels = tuple(
        Text(
            _px(x0 + float(t) * scale),
            _px(plot_bottom + 16),
            fmt(t),
            "start" if i == 0 else "middle",
        )
        for i, t in enumerate(ticks)
    )
    return _render(
        Chart(
            kind="hbar",
            id=chart_id,
            width=_px(width),
            height=_px(height),
            title=str(title),
            desc=str(desc) if desc else _listing(list(zip(labels, value_texts))),
            grid=grid,
            baseline=Line(_px(x0), _px(top), _px(x0), _px(plot_bottom)),
            tick_labels=tick_labels,
            category_labels=tuple(names),
            value_labels=tuple(ends),
            bars=tuple(bars),
        )
    )


def time_series_chart(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    chart_id: str,
    title: str,
    desc: str | None = None,
    kind: str = "columns",
    locale: str = "zh",
    empty_text: str | None = None,
    format_value: Formatter | None = None,
    width: int = 640,
    height: int = 240,
) -> Markup:
    """Values per period (e.g. "2025-07") as columns or lines, one or more series.

    ``series`` is [(name, values)], each with one value per period; with two or
    more a legend names them. Period labels are thinned so they do not overlap,
    always keeping the latest. No periods, or no series, draws ``empty_text``.
    """
    _check_id(chart_id)
    if kind not in ("columns", "line"):
        raise ValueError("kind is 'columns' or 'line'")
    if any(len(values) != len(periods) for _, values in series):
        raise ValueError("time_series_chart needs one value per period in each series")
    if not periods or not series:
        return _empty(
            kind, chart_id, title, desc, empty_text or DEFAULT_EMPTY_TEXT, width, height
        )
    fmt = _formatter(locale, format_value)
    periods = [str(p) for p in periods]
    names = [str(name) for name, _ in series]
    data = [[_decimal(v) for v in values] for _, values in series]
    everything = [n for values in data for n in values]
    integer = all(n == n.to_integral_value() for n in everything)
    ticks = nice_ticks(max(everything), count=4, integer=integer)
    tick_texts = [fmt(t) for t in ticks]

    legend_height = 22 if len(series) > 1 else 0
    top = 8 + legend_height
    bottom = height - 26
    x0 = max(_text_width(t) for t in tick_texts) + 10
    x1 = width - 6
    band = (x1 - x0) / len(periods)
    scale = (bottom - top) / float(ticks[-1])

    def y_of(number: Decimal) -> float:
        return bottom - float(number) * scale

    grid = tuple(Line(_px(x0), _px(y_of(t)), _px(x1), _px(y_of(t))) for t in ticks)
    tick_labels = tuple(
        Text(_px(x0 - 6), _px(y_of(t) + FONT_SIZE * 0.35), text, "end")
        for t, text in zip(ticks, tick_texts)
    )
    label_width = max(_text_width(p) for p in periods) + 8
    every = max(1, math.ceil(label_width / band))
    last = len(periods) - 1
    period_labels = tuple(
        Text(_px(x0 + band * (i + 0.5)), _px(bottom + 17), period, "middle")
        for i, period in enumerate(periods)
        if (last - i) % every == 0
    )

    bars: list[Bar] = []
    paths: list[Path] = []
    # A few periods must not make slabs: a column is at most 40 px wide.
    column = min(band * 0.72 / len(series), 40.0)
    group = column * len(series)
    for j, (name, values) in enumerate(zip(names, data)):
        number_of_series, colour = _series_style(j)
        prefix = f"{name} " if len(series) > 1 else ""
        if kind == "columns":
            for i, number in enumerate(values):
                x = x0 + band * i + (band - group) / 2 + column * j
                bars.append(
                    Bar(
                        _px(x),
                        _px(y_of(number)),
                        _px(column),
                        _px(bottom - y_of(number)),
                        number_of_series,
                        colour,
                        f"{prefix}{periods[i]}: {fmt(number)}",
                    )
                )
        else:
            dots = tuple(
                Point(
                    _px(x0 + band * (i + 0.5)),
                    _px(y_of(number)),
                    f"{prefix}{periods[i]}: {fmt(number)}",
                )
                for i, number in enumerate(values)
            )
            paths.append(
                Path(
                    number_of_series,
                    colour,
                    " ".join(f"{d.x},{d.y}" for d in dots),
                    dots,
                )
            )

    legend: list[LegendItem] = []
    if len(series) > 1:
        x = x0
        for j, name in enumerate(names):
            number_of_series, colour = _series_style(j)
            legend.append(
                LegendItem(
                    _px(x), "6", Text(_px(x + 15), "15", name), number_of_series, colour
                )
            )
            x += 15 + _text_width(name) + 18

    if desc is None:
        desc = " / ".join(
            (f"{name}: " if len(series) > 1 else "")
            + _listing([(p, fmt(n)) for p, n in zip(periods, values)])
            for name, values in zip(names, data)
        )
    return _render(
        Chart(
            kind=kind,
            id=chart_id,
            width=_px(width),
            height=_px(height),
            title=str(title),
            desc=str(desc),
            grid=grid,
            baseline=Line(_px(x0), _px(bottom), _px(x1), _px(bottom)),
            tick_labels=tick_labels,
            category_labels=period_labels,
            bars=tuple(bars),
            paths=tuple(paths),
            legend=tuple(legend),
        )
    )


def sparkline(
    values: Sequence[Number],
    *,
    chart_id: str,
    title: str,
    desc: str | None = None,
    locale: str = "zh",
    width: int = 120,
    height: int = 28,
) -> Markup:
    """A small trend line from 0 to the largest value, the latest point marked.

    Meant to sit next to a figure; ``title`` says what it shows. No values draws
    an empty frame (still labelled by ``title``).
    """
    _check_id(chart_id)
    numbers = [_decimal(v) for v in values]
    paths: tuple[Path, ...] = ()
    if numbers:
        top = float(max(numbers)) or 1.0
        step = (width - 6) / (len(numbers) - 1) if len(numbers) > 1 else 0.0

        def point(i: int, number: Decimal) -> Point:
            x = 3 + step * i if len(numbers) > 1 else width / 2
            y = height - 3 - float(number) / top * (height - 6)
            return Point(_px(x), _px(y), format_compact(number, locale))

        dots = [point(i, n) for i, n in enumerate(numbers)]
        paths = (
            Path(1, PALETTE[0], " ".join(f"{d.x},{d.y}" for d in dots), (dots[-1],)),
        )
    if desc is None:
        desc = ", ".join(format_compact(n, locale) for n in numbers[-DESC_ITEMS:])
    return _render(
        Chart(
            kind="sparkline",
            id=chart_id,
            width=_px(width),
            height=_px(height),
            title=str(title),
            desc=str(desc),
            paths=paths,
        )
    )
