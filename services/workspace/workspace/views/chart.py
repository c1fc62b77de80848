"""Charts drawn on the server as SVG: no script, no network, readable by screen readers
(every chart has a title and a description, and the page has the same figures in a table)."""

from __future__ import annotations

from html import escape
from typing import Any

LEVEL_COLOURS = {
    "normal": "#2e7d32",
    "watch": "#b7950b",
    "warning": "#d35400",
    "critical": "#b71c1c",
}


def rate_bars(rows: list[dict[str, Any]], title: str, desc: str, labels: tuple[str, str]) -> str:
    """One row per province: a bar for its rate, a tick for the expected rate."""
    height, left, width, top = 18, 150, 430, 30
    total = top + height * len(rows) + 30
    scale = max([1.0] + [float(r.get("rate") or 0) for r in rows])
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" '
        f'viewBox="0 0 {left + width + 70} {total}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>',
        f'<rect x="{left}" y="6" width="12" height="10" fill="#1f5fa8"/>'
        f'<text x="{left + 16}" y="15" font-size="11">{escape(labels[0])}</text>'
        f'<rect x="{left + 150}" y="4" width="3" height="14" fill="#111"/>'
        f'<text x="{left + 158}" y="15" font-size="11">{escape(labels[1])}</text>',
    ]
    for n, row in enumerate(rows):
        y = top + n * height
        value = float(row.get("rate") or 0)
        bar = width * value / scale
        colour = LEVEL_COLOURS.get(str(row.get("level")), "#1f5fa8")
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
            f"{escape(str(row.get('province_name') or row.get('province')))}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="{height - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{left + bar + 4:.1f}" y="{y + 12}" font-size="10">'
            f"{escape(str(row.get('rate_text', '')))}</text>"
        )
        expected = row.get("expected_rate")
        if expected is not None:
            x = left + width * float(expected) / scale
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="3" height="{height}" fill="#111"/>')
    parts.append("</svg>")
    return "".join(parts)


def cumulative_line(
    actual: list[int], expected: list[int], title: str, desc: str, months: list[str]
) -> str:
    """Cumulative disbursement month by month (a line) against the expected curve (dashed)."""
    w, h, pad = 600, 220, 40
    top = max([1, *actual, *expected])

    def points(values: list[int]) -> str:
        return " ".join(
            f"{pad + i * (w - 2 * pad) / 11:.1f},{h - pad - (h - 2 * pad) * v / top:.1f}"
            for i, v in enumerate(values)
        )

    ticks = "".join(
        f'<text x="{pad + i * (w - 2 * pad) / 11:.1f}" y="{h - pad + 16}" font-size="10" '
        f'text-anchor="middle">{escape(m)}</text>'
        for i, m in enumerate(months)
    )
    return (
        f'<svg class="chart" role="img" aria-labelledby="line-title line-desc" '
        f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="line-title">{escape(title)}</title><desc id="line-desc">{escape(desc)}</desc>'
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#777"/>'
        f'<polyline fill="none" stroke="#555" stroke-dasharray="5 4" stroke-width="2" '
        f'points="{points(expected)}"/>'
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="3" points="{points(actual)}"/>'
        f"{ticks}</svg>"
    )
