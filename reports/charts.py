"""Charts drawn on the server as inline SVG: no JavaScript, no third-party assets.

Every chart is an image with a title (`role="img"`, `<title>`, `<desc>`); the page
shows the same numbers in a table for screen readers. Charts must stay readable
printed in black and white, so series and bars differ by hatch pattern, dash and
marker shape, not by colour alone, and every value is written next to its mark.
Styling uses SVG presentation attributes only: the content security policy forbids
inline `style`.
"""

import itertools
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

INK = "#1d232b"
GRID = "#c4cad3"
FONT = 'font-family="inherit" fill="' + INK + '"'
_ids = itertools.count(1)

# Bar fills, distinguishable without colour: (pattern body, background).
HATCHES = [
    '<path d="M0 8 L8 0" stroke="{ink}" stroke-width="2"/>',
    '<path d="M0 0 L8 8 M0 8 L8 0" stroke="{ink}" stroke-width="1.2"/>',
    '<circle cx="4" cy="4" r="1.6" fill="{ink}"/>',
    '<path d="M0 4 L8 4" stroke="{ink}" stroke-width="2"/>',
    '<path d="M4 0 L4 8" stroke="{ink}" stroke-width="2"/>',
    '<rect width="8" height="8" fill="{ink}"/>',
]
# Line series: (stroke-dasharray, marker drawer).
DASHES = ["", "6 3", "2 3", "10 3 2 3"]


def format_number(value, decimals=None):
    """2875 → "2.875", 83.04 → "83,0" in the office format, whatever the language."""
    if value is None:
        return ""
    number = Decimal(value)
    if decimals is None:
        decimals = 0 if number == number.to_integral_value() else 1
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _new_id(chart_id):
    return chart_id or f"chart-{next(_ids)}"


def _truncate(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _open(cid, width, height, title, description):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" font-size="13">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]


def _patterns(cid, count):
    parts = ["<defs>"]
    for i in range(count):
        body = HATCHES[i % len(HATCHES)].format(ink=INK)
        parts.append(
            f'<pattern id="{cid}-fill-{i}" class="chart-fill" width="8" height="8" '
            f'patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#fff"/>{body}'
            "</pattern>"
        )
    parts.append("</defs>")
    return parts


def _describe(pairs, unit):
    suffix = f" {unit}" if unit else ""
    return "; ".join(f"{label}: {shown}{suffix}" for label, shown in pairs)


def bar_chart(items, *, title, unit="", width=360, chart_id=None, value_format=format_number):
    """Horizontal bars, one per `(label, value)` in `items`, each with its own hatch
    pattern and its value written after the bar. Returns safe SVG markup."""
    items = [(str(label), value or 0) for label, value in items]
    cid = _new_id(chart_id)
    row, gap, label_width, top = 24, 8, 130, 6
    value_room = 52
    height = top * 2 + max(len(items), 1) * (row + gap)
    plot = width - label_width - value_room
    peak = max([Decimal(v) for _l, v in items] + [Decimal(0)]) or Decimal(1)
    shown = [(label, value_format(value)) for label, value in items]
    parts = _open(cid, width, height, title, _describe(shown, unit))
    parts += _patterns(cid, len(items))
    for i, ((label, value), (_label, text)) in enumerate(zip(items, shown, strict=True)):
        y = top + i * (row + gap)
        length = float(Decimal(value) / peak) * plot if value else 0
        parts.append(f'<g class="chart-bar"><title>{escape(label)}: {escape(text)}</title>')
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row * 0.68:.1f}" text-anchor="end" {FONT}>'
            f"{escape(_truncate(label, 19))}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{row}" '
            f'fill="url(#{cid}-fill-{i})" stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="chart-value" x="{label_width + length + 6:.1f}" '
            f'y="{y + row * 0.68:.1f}" font-weight="bold" {FONT}>{escape(text)}</text>'
        )
        parts.append("</g>")
    parts.append(
        f'<line x1="{label_width}" y1="{top / 2}" x2="{label_width}" '
        f'y2="{height - top / 2}" stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _marker(shape, x, y):
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{INK}"/>'
    if shape == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#fff" ' + (
            f'stroke="{INK}" stroke-width="2"/>'
        )
    if shape == 2:
        return (
            f'<path d="M{x:.1f} {y - 5.5:.1f} L{x + 5:.1f} {y + 4:.1f} L{x - 5:.1f} {y + 4:.1f} Z" '
            f'fill="{INK}"/>'
        )
    return (
        f'<path d="M{x:.1f} {y - 5.5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5.5:.1f} '
        f'L{x - 5:.1f} {y:.1f} Z" fill="#fff" stroke="{INK}" stroke-width="2"/>'
    )


def line_chart(
    categories,
    series,
    *,
    title,
    unit="",
    width=360,
    height=190,
    chart_id=None,
    value_format=format_number,
):
    """Lines over `categories` (e.g. years), one per `(name, values)` in `series`;
    a value may be None (no figure that year: the line breaks). Each series has its
    own dash and marker shape, a legend when there are several, and every point its
    value written above it. Returns safe SVG markup."""
    categories = [str(c) for c in categories]
    series = [(str(name), list(values)) for name, values in series]
    cid = _new_id(chart_id)
    left, right, bottom = 12, 12, 30
    top = 28 + (18 * len(series) if len(series) > 1 else 0)
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [Decimal(v) for _n, values in series for v in values if v is not None]
    peak = max(numbers + [Decimal(0)]) or Decimal(1)
    step = plot_w / max(len(categories), 1)

    def x_of(i):
        return left + step * (i + 0.5)

    def y_of(value):
        return top + plot_h - float(Decimal(value) / peak) * plot_h

    description = " | ".join(
        f"{name}: "
        + _describe(
            [
                (c, value_format(v))
                for c, v in zip(categories, values, strict=False)
                if v is not None
            ],
            unit,
        )
        for name, values in series
    )
    parts = _open(cid, width, height, title, description)
    # A baseline and a top line; no value axis: every point carries its value.
    for fraction in (0, 1):
        y = top + plot_h - fraction * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID if fraction else INK}" stroke-width="1"/>'
        )
    for i, category in enumerate(categories):
        parts.append(
            f'<text class="chart-category" x="{x_of(i):.1f}" y="{height - 8}" '
            f'text-anchor="middle" {FONT}>{escape(category)}</text>'
        )
    for s, (name, values) in enumerate(series):
        dash = DASHES[s % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="chart-series"><title>{escape(name)}</title>')
        run = []
        for i, value in enumerate([*values, None]):
            if value is not None and i < len(categories):
                run.append(f"{x_of(i):.1f},{y_of(value):.1f}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{INK}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
            run = []
        for i, value in enumerate(values[: len(categories)]):
            if value is None:
                continue
            x, y = x_of(i), y_of(value)
            parts.append(_marker(s % 4, x, y))
            parts.append(
                f'<text class="chart-value" x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" '
                f'font-size="12" font-weight="bold" {FONT}>{escape(value_format(value))}</text>'
            )
        parts.append("</g>")
        if len(series) > 1:
            ly = 16 + 18 * s
            parts.append(
                f'<line x1="{left}" y1="{ly}" x2="{left + 28}" y2="{ly}" stroke="{INK}" '
                f'stroke-width="2"{dash_attr}/>'
            )
            parts.append(_marker(s % 4, left + 14, ly))
            parts.append(
                f'<text x="{left + 36}" y="{ly + 4}" {FONT}>{escape(_truncate(name, 60))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
