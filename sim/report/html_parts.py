"""Pieces of the report's HTML: escaped text, paragraphs, tables, and charts as inline SVG
(each also saved as a PNG file).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Charts", "chart_alt_text", "esc", "frame_table", "html_table", "para", "plain", "td"]


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def para(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def td(text: Any, **attrs: Any) -> str:
    # class_ -> class (a keyword in Python), data_kpi -> data-kpi
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return f"<td{extra}>{esc(text)}</td>"


def html_table(headers: list[str], rows: Iterable[list[str]], table_id: str = "") -> str:
    """A table with column header cells, in a region that scrolls sideways by itself when it is
    wider than the page (so the page reflows at 320 CSS px; the region takes the keyboard focus
    so that it can be scrolled without a mouse)."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    ident = f' id="{esc(table_id)}"' if table_id else ""
    label = "Table: " + ", ".join(headers[:3]) + (", ..." if len(headers) > 3 else "")
    label = esc(label + (f" ({table_id})" if table_id else ""))  # regions need unique names
    return (
        f'<div class="table-scroll" role="region" aria-label="{label}" tabindex="0">'
        f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def frame_table(frame: pd.DataFrame, formats: dict[str, Callable[[Any], str]] | None = None) -> str:
    formats = formats or {}
    rows = [
        [td(formats.get(c, plain)(record[c])) for c in frame.columns]
        for record in frame.to_dict("records")
    ]
    return html_table([str(c) for c in frame.columns], rows)


def plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def chart_alt_text(chart: Any, caption: str) -> str:
    """A chart's description (written from its data), or its caption if it has none."""
    description = getattr(chart, "description", None)
    return description if isinstance(description, str) and description else caption


class Charts:
    """Saves each chart as a PNG file and returns it as an inline SVG figure."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: list[Path] = []

    def figure(self, chart: Any, name: str, caption: str) -> str:
        """The chart as a figure: its data-written description as the image's alt text (what a
        screen reader reads), `caption` under it for everyone."""
        from base64 import b64encode

        from sim.report.charts import save_png, to_svg

        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{len(self.paths) + 1:02d}-{slug}.png"
        save_png(chart, path)
        self.paths.append(path)
        # An <img> keeps each SVG's internal ids (clip paths) apart from the others'.
        svg = b64encode(to_svg(chart).encode()).decode()
        return (
            f'<figure><img alt="{esc(chart_alt_text(chart, caption))}" '
            f'src="data:image/svg+xml;base64,{svg}">'
            f"<figcaption>{esc(caption)} <span class=file>(PNG: charts/{path.name})</span>"
            "</figcaption></figure>"
        )
