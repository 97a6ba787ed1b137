"""Inline SVG charts (no JavaScript, no external files): a participant's competences at a glance."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

COLOURS = {"technical": "#0b5c8a", "social": "#7a3e9d", "language": "#1e7a3c", "other": "#5b6472"}


@dataclass
class Bar:
    label: str
    value: float          # 0…1
    text: str             # shown at the end of the bar
    tag: tuple[str, str] | None = None   # (mark, its title), e.g. ("EN", "geen Nederlandse ESCO-term")


@dataclass
class Group:
    key: str              # technical / social / language / other
    title: str
    bars: list[Bar] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return sum(b.value for b in self.bars) / len(self.bars) if self.bars else 0.0


def bar_chart(groups: list[Group], *, title: str, empty: str, width: int = 720) -> Markup:
    """Horizontal bars per group with a text alternative: a wide chart, and a stacked one for phones.

    CSS shows one of the two (``.chart-wide`` / ``.chart-narrow``); the narrow one puts each label
    above its bar so that it fits 360 px without shrinking the text.
    """
    ids = "chart-" + hashlib.sha1(title.encode()).hexdigest()[:8]  # two charts on one page keep their own ids
    return Markup(_svg(groups, title=title, empty=empty, width=width, stacked=False, ids=ids)
                  + _svg(groups, title=title, empty=empty, width=360, stacked=True, ids=f"{ids}-n"))


def _svg(groups: list[Group], *, title: str, empty: str, width: int, stacked: bool, ids: str) -> str:
    label_w = 0 if stacked else 300
    bar_w, row_h, head_h = width - label_w - 50, (38 if stacked else 22), 28
    bar_y = 21 if stacked else 3
    rows = sum(len(g.bars) for g in groups if g.bars)
    heads = sum(1 for g in groups if g.bars)
    height = max(40, rows * row_h + heads * head_h + 10)
    desc = "; ".join(f"{g.title}: " + ", ".join(f"{b.label}{f' ({b.tag[0]})' if b.tag else ''} {b.text}"
                                                 for b in g.bars) for g in groups if g.bars)
    css = "chart chart-narrow" if stacked else "chart chart-wide"
    out = [
        f'<svg class="{css}" role="img" aria-labelledby="{ids}-title {ids}-desc" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ids}-title">{escape(title)}</title><desc id="{ids}-desc">{escape(desc or empty)}</desc>',
    ]
    y = 4
    if not rows:
        out.append(f'<text x="0" y="24">{escape(empty)}</text>')
    for g in groups:
        if not g.bars:
            continue
        colour = COLOURS.get(g.key, COLOURS["other"])
        out.append(f'<text x="0" y="{y + 18}" font-weight="700" fill="{colour}">{escape(g.title)}</text>')
        y += head_h
        for b in g.bars:
            w = max(2.0, round(bar_w * max(0.0, min(1.0, b.value)), 1))
            limit = 55 if stacked else 42
            limit -= 4 if b.tag else 0
            label = b.label if len(b.label) <= limit else b.label[:limit - 2] + "…"
            mark = (f' <tspan class="label-lang" font-size="11" fill="#5b6472">{escape(b.tag[0])}'
                    f'<title>{escape(b.tag[1])}</title></tspan>') if b.tag else ""
            out.append(
                f'<text x="0" y="{y + 15}">{escape(label)}{mark}</text>'
                f'<rect x="{label_w}" y="{y + bar_y}" width="{bar_w}" height="14" fill="#e8ecf1" rx="3"/>'
                f'<rect x="{label_w}" y="{y + bar_y}" width="{w}" height="14" fill="{colour}" rx="3"/>'
                f'<text x="{label_w + bar_w + 8}" y="{y + bar_y + 12}">{escape(b.text)}</text>'
            )
            y += row_h
    out.append("</svg>")
    return "".join(out)
