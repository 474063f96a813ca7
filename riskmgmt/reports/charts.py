"""Server-side SVG charts for the dashboards, the pattern view and the kvalitetsberättelse.

Every function is pure: data in, a `Chart` out (no queries, no request), so the PDF can embed
the same picture as the page (WeasyPrint draws inline SVG):

    chart = line_chart(categories=months, series=[Series("Lex Sarah", [1, 0, 2])],
                       title="Avvikelser per månad", id_prefix="trend")
    {{ chart.svg }}  and  {{ chart.table }}   (or {% include "reports/_chart.html" %})

Accessibility (WCAG 2.1 AA): the <svg> has role="img" and aria-labelledby pointing at its
<title> and a <desc> that sums the data up in words; the full numbers are in `table`, an HTML
table the page shows beside the chart. Series are told apart without colour: each has its own
line dash and marker shape (line charts) or fill pattern (bars), and a legend and direct labels
name them. Every colour is at least 5:1 against white, so lines and bar edges pass the 3:1 rule
for graphics (1.4.11) and the text passes 4.5:1.

The layout is computed here, never left to the renderer: texts are measured with the DejaVu
Sans metrics of riskmgmt.analyses.diagrams and shortened with "…" to fit (the full text is in
the table).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from riskmgmt.analyses.diagrams import FONT_FAMILY, INK, LINE, MUTED, clean_text, text_width, wrap

# One look per series, in order; a series picks one with `Series.style`.
# colour (contrast on white), line dash, marker, bar pattern.
STYLES = (
    {"colour": "#0b4f8a", "dash": None, "marker": "circle", "pattern": "solid"},  # blue 8.4:1
    {"colour": "#b34700", "dash": "7 4", "marker": "square", "pattern": "hatch"},  # orange 5.5:1
    {"colour": "#4a5360", "dash": "2 3", "marker": "triangle", "pattern": "dots"},  # grey 7.8:1
    {"colour": "#1d6b3a", "dash": "9 3 2 3", "marker": "diamond", "pattern": "cross"},  # green 6.5:1
)
BACKGROUND = "#ffffff"
FONT_SIZE = 12
SMALL = 11
ELLIPSIS = "…"


@dataclass(frozen=True)
class Series:
    """One named row of values, one value per category; None means "no value" (a gap)."""

    name: str
    values: Sequence[float | None]
    style: int = 0


@dataclass
class Chart:
    """An SVG chart and the same numbers as an HTML table."""

    svg: SafeString
    table: SafeString
    title: str
    description: str
    id: str
    width: float = 0
    height: float = 0
    extra: dict = field(default_factory=dict)
    # The same numbers drawn for a phone's width (templates/reports/_chart.html shows one of the two).
    narrow: Chart | None = None

    @property
    def svg_document(self) -> str:
        """The chart as a stand-alone file (image/svg+xml)."""
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + self.svg


# ---------------------------------------------------------------- formatting

def format_number(value: float | None) -> str:
    """Swedish style: a space between thousands, a decimal comma; "–" for no value."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attrs(**attrs) -> str:
    return "".join(f" {name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}"
                   for name, value in attrs.items() if value is not None)


def fit(text: str, max_width: float, size: float = FONT_SIZE, *, bold: bool = False) -> str:
    """`text` on one line, shortened with "…" so it is at most `max_width` px wide."""
    text = clean_text(text)
    if text_width(text, size, bold=bold) <= max_width:
        return text
    while text and text_width(text + ELLIPSIS, size, bold=bold) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def nice_scale(maximum: float, *, steps: int = 4) -> list[int]:
    """Round tick values from 0 covering `maximum` with about `steps` steps (1, 2 or 5 × 10ⁿ)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    top = int(math.ceil(maximum / step) * step)
    return list(range(0, top + 1, step))


class _Svg:
    def __init__(self, id_prefix: str) -> None:
        self.id = id_prefix
        self.parts: list[str] = []
        self.defs: list[str] = []

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(self, x, y, w, h, **attrs) -> None:
        self.add(f"<rect{_attrs(x=_num(x), y=_num(y), width=_num(max(w, 0)), height=_num(max(h, 0)), **attrs)}/>")

    def line(self, x1, y1, x2, y2, **attrs) -> None:
        self.add(f"<line{_attrs(x1=_num(x1), y1=_num(y1), x2=_num(x2), y2=_num(y2), **attrs)}/>")

    def path(self, d: str, **attrs) -> None:
        self.add(f"<path{_attrs(d=d, **attrs)}/>")

    def text(self, x, y, content: str, **attrs) -> None:
        self.add(f"<text{_attrs(x=_num(x), y=_num(y), **attrs)}>{escape(clean_text(content))}</text>")

    def pattern_fill(self, style: int) -> str:
        """The fill for a bar of `style`: its colour, or a pattern drawn in its colour."""
        look = STYLES[style % len(STYLES)]
        colour, kind = look["colour"], look["pattern"]
        if kind == "solid":
            return colour
        pattern_id = f"{self.id}-pattern-{style}"
        if not any(f'id="{pattern_id}"' in d for d in self.defs):
            if kind == "hatch":  # diagonal lines, drawn without patternTransform (not every renderer has it)
                body = (f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6"{_attrs(stroke=colour, stroke_width="2.2")}/>')
                size = 8
            elif kind == "dots":
                body = f'<circle cx="3" cy="3" r="1.7"{_attrs(fill=colour)}/>'
                size = 6
            else:  # cross
                body = f'<path d="M0,3.5 H7 M3.5,0 V7"{_attrs(stroke=colour, stroke_width="1.6")}/>'
                size = 7
            self.defs.append(
                f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="{size}" height="{size}">'
                f'<rect width="{size}" height="{size}"{_attrs(fill=BACKGROUND)}/>{body}</pattern>'
            )
        return f"url(#{pattern_id})"

    def marker(self, x: float, y: float, style: int, size: float = 3.6) -> None:
        look = STYLES[style % len(STYLES)]
        colour, shape = look["colour"], look["marker"]
        if shape == "circle":
            self.add(f"<circle{_attrs(cx=_num(x), cy=_num(y), r=_num(size), fill=colour)}/>")
        elif shape == "square":
            self.rect(x - size, y - size, 2 * size, 2 * size, fill=colour)
        elif shape == "triangle":
            s = size * 1.25
            self.path(f"M{_num(x)},{_num(y - s)} L{_num(x + s)},{_num(y + s * 0.8)} L{_num(x - s)},{_num(y + s * 0.8)} Z",
                      fill=colour)
        else:  # diamond
            s = size * 1.3
            self.path(f"M{_num(x)},{_num(y - s)} L{_num(x + s)},{_num(y)} L{_num(x)},{_num(y + s)} L{_num(x - s)},{_num(y)} Z",
                      fill=colour)

    def document(self, *, width: float, height: float, title: str, description: str) -> SafeString:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg"{_attrs(width=_num(width), height=_num(height))}'
            f'{_attrs(viewBox=f"0 0 {_num(width)} {_num(height)}", role="img", class_="chart__svg")}'
            f'{_attrs(aria_labelledby=f"{self.id}-title {self.id}-desc")}'
            f'{_attrs(font_family=FONT_FAMILY, font_size=str(FONT_SIZE), fill=INK)}>'
            f'<title id="{self.id}-title">{escape(clean_text(title))}</title>'
            f'<desc id="{self.id}-desc">{escape(clean_text(description))}</desc>'
        )
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        # Built from escaped pieces only: every text and attribute above went through escape().
        return mark_safe(head + defs + "".join(self.parts) + "</svg>")  # noqa: S308


# ---------------------------------------------------------------- legend, axes, table

LEGEND_H = 26


def _legend(svg: _Svg, series: Sequence[Series], *, x: float, y: float, width: float, kind: str) -> float:
    """A legend row (wrapping) naming each series with its sample; returns the height used."""
    cursor_x, cursor_y = x, y
    for item in series:
        label = clean_text(item.name)
        item_w = 34 + text_width(label, FONT_SIZE) + 18
        if cursor_x > x and cursor_x + item_w > x + width:
            cursor_x, cursor_y = x, cursor_y + 20
        mid = cursor_y + 9
        look = STYLES[item.style % len(STYLES)]
        if kind == "line":
            svg.line(cursor_x, mid, cursor_x + 26, mid, stroke=look["colour"], stroke_width="2.5",
                     stroke_dasharray=look["dash"])
            svg.marker(cursor_x + 13, mid, item.style)
        else:
            svg.rect(cursor_x, mid - 7, 24, 14, fill=svg.pattern_fill(item.style), stroke=look["colour"],
                     stroke_width="1.5")
        svg.text(cursor_x + 32, mid + 4, label)
        cursor_x += item_w
    return cursor_y - y + LEGEND_H


def _y_axis(svg: _Svg, ticks: list[int], *, left: float, right: float, top: float, bottom: float,
            label: str = "") -> callable:
    top_value = ticks[-1] or 1

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value / top_value)

    for tick in ticks:
        y = y_of(tick)
        svg.line(left, y, right, y, stroke=LINE if tick else INK, stroke_width="1")
        svg.text(left - 6, y + 4, format_number(tick), text_anchor="end", fill=MUTED, font_size=str(SMALL))
    if label:
        svg.text(left - 6, top - 10, label, text_anchor="start", fill=MUTED, font_size=str(SMALL))
    return y_of


def data_table(*, caption: str, row_heading: str, columns: Sequence[str],
               rows: Sequence[tuple[str, Sequence[float | None]]], totals: bool = True,
               total_row: bool = True, total_label: str | None = None,
               table_id: str | None = None) -> SafeString:
    """A plain HTML table: one row per label, one numeric column per `columns`, a total column
    and (unless `total_row` is False, for rows that overlap) a total row when `totals`. Screen
    readers get the chart's numbers from here."""
    total_label = total_label or _("Totalt")
    show_total_col = totals and len(columns) > 1
    head = format_html_join("", '<th scope="col" class="numeric">{}</th>', ((c,) for c in columns))
    if show_total_col:
        head += format_html('<th scope="col" class="numeric">{}</th>', total_label)
    body = []
    for label, values in rows:
        cells = format_html_join("", '<td class="numeric">{}</td>', ((format_number(v),) for v in values))
        if show_total_col:
            cells += format_html('<td class="numeric">{}</td>',
                                 format_number(sum(v for v in values if v is not None)))
        body.append(format_html('<tr><th scope="row">{}</th>{}</tr>', label, cells))
    foot = SafeString("")
    if totals and total_row and len(rows) > 1:
        sums = [sum(values[i] or 0 for _label, values in rows) for i in range(len(columns))]
        cells = format_html_join("", '<td class="numeric">{}</td>', ((format_number(v),) for v in sums))
        if show_total_col:
            cells += format_html('<td class="numeric">{}</td>', format_number(sum(sums)))
        foot = format_html('<tfoot><tr><th scope="row">{}</th>{}</tr></tfoot>', total_label, cells)
    return format_html(
        '<table class="table table--compact chart-table"{}><caption>{}</caption>'
        '<thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody>{}</table>',
        mark_safe(_attrs(id=table_id)),  # noqa: S308 (quoteattr-escaped)
        caption, row_heading, head, SafeString("".join(body)), foot,
    )


def _series_summary(categories: Sequence[str], series: Sequence[Series]) -> str:
    parts = []
    for item in series:
        values = [v for v in item.values if v is not None]
        total = sum(values)
        if not values or not total:
            parts.append(_("%(name)s: inga.") % {"name": item.name})
            continue
        peak = max(values)
        where = categories[list(item.values).index(peak)]
        parts.append(_("%(name)s: totalt %(total)s, som mest %(peak)s (%(where)s).")
                     % {"name": item.name, "total": format_number(total), "peak": format_number(peak), "where": where})
    return " ".join(parts)


def _empty_note(svg: _Svg, x: float, y: float, message: str | None) -> None:
    svg.text(x, y, message or _("Inga värden att visa för perioden."), text_anchor="middle", fill=MUTED,
             font_style="italic")


def _all_empty(series: Sequence[Series]) -> bool:
    return not any(v for item in series for v in item.values if v)


# ---------------------------------------------------------------- line chart

def line_chart(*, categories: Sequence[str], series: Sequence[Series], title: str, id_prefix: str,
               description: str | None = None, ticks: Sequence[tuple[int, str]] | None = None,
               y_label: str = "", row_heading: str = "", width: float = 880, height: float = 320,
               empty_message: str | None = None) -> Chart:
    """Lines over categories (e.g. months), one per series, each with its own dash and marker and
    its name at its last point. `ticks` (index, label; "\\n" for a second line) label the x axis;
    by default every category is labelled."""
    svg = _Svg(id_prefix)
    # Room on the right for the direct labels at the lines' ends (up to a fifth of the width).
    widest = max((text_width(clean_text(s.name), SMALL, bold=True) for s in series), default=0)
    left, right_pad, top = 46, min(max(widest + 16, 60), width / 5), 8
    legend_h = _legend(svg, series, x=left, y=top, width=width - left - right_pad, kind="line")
    tick_lines = max((label.count("\n") + 1 for _i, label in (ticks or [])), default=1)
    plot_top, plot_bottom = top + legend_h + 18, height - 14 - 14 * tick_lines
    plot_left, plot_right = left, width - right_pad
    maximum = max((v for item in series for v in item.values if v is not None), default=0)
    y_of = _y_axis(svg, nice_scale(maximum), left=plot_left, right=plot_right, top=plot_top, bottom=plot_bottom,
                   label=y_label)
    count = len(categories)
    step = (plot_right - plot_left) / max(count - 1, 1)

    def x_of(index: int) -> float:
        return plot_left + step * index if count > 1 else (plot_left + plot_right) / 2

    for index, label in (ticks if ticks is not None else list(enumerate(categories))):
        x = x_of(index)
        svg.line(x, plot_bottom, x, plot_bottom + 4, stroke=INK)
        for n, part in enumerate(label.split("\n")):
            svg.text(x, plot_bottom + 16 + 14 * n, part, text_anchor="middle", font_size=str(SMALL),
                     fill=INK if n else MUTED, font_weight="bold" if n else None)
    if _all_empty(series):
        _empty_note(svg, (plot_left + plot_right) / 2, (plot_top + plot_bottom) / 2, empty_message)
    ends = []
    for item in series:
        look = STYLES[item.style % len(STYLES)]
        points = [(x_of(i), y_of(v)) for i, v in enumerate(item.values) if v is not None]
        # A gap (None) breaks the line: each run is its own sub-path.
        d, previous = [], None
        for i, v in enumerate(item.values):
            if v is None:
                previous = None
                continue
            d.append(f"{'L' if previous is not None else 'M'}{_num(x_of(i))},{_num(y_of(v))}")
            previous = i
        if d:
            svg.path(" ".join(d), fill="none", stroke=look["colour"], stroke_width="2.5",
                     stroke_dasharray=look["dash"], stroke_linejoin="round")
        for x, y in points:
            svg.marker(x, y, item.style, size=3 if count > 24 else 4)
        if points:
            ends.append([points[-1][1], item, points[-1][0]])
    # Direct labels at each line's end, pushed apart so none overlap.
    ends.sort(key=lambda e: e[0])
    for i in range(1, len(ends)):
        ends[i][0] = max(ends[i][0], ends[i - 1][0] + 15)
    for y, item, x in ends:
        svg.text(x + 8, y + 4, fit(item.name, right_pad - 10, SMALL, bold=True), font_size=str(SMALL),
                 font_weight="bold", fill=STYLES[item.style % len(STYLES)]["colour"])
    description = description or (
        _("Linjediagram med %(count)s värden från %(first)s till %(last)s.")
        % {"count": count, "first": categories[0] if categories else "", "last": categories[-1] if categories else ""}
        + " " + _series_summary(categories, series)
    )
    table = data_table(caption=title, row_heading=row_heading or _("Period"), columns=[s.name for s in series],
                       rows=[(c, [s.values[i] for s in series]) for i, c in enumerate(categories)])
    return Chart(svg=svg.document(width=width, height=height, title=title, description=description),
                 table=table, title=title, description=description, id=id_prefix, width=width, height=height)


# ---------------------------------------------------------------- vertical bars

def grouped_bar_chart(*, categories: Sequence[str], series: Sequence[Series], title: str, id_prefix: str,
                      description: str | None = None, y_label: str = "", row_heading: str = "",
                      width: float = 720, height: float = 300, empty_message: str | None = None) -> Chart:
    """Bars side by side per category (e.g. per year), one pattern per series, the value above
    each bar when there is room. One series gives a plain bar chart."""
    svg = _Svg(id_prefix)
    left, top = 46, 8
    legend_h = _legend(svg, series, x=left, y=top, width=width - left - 10, kind="bar") if len(series) > 1 else 0
    plot_top, plot_bottom = top + legend_h + 22, height - 30
    plot_left, plot_right = left, width - 10
    maximum = max((v for item in series for v in item.values if v is not None), default=0)
    y_of = _y_axis(svg, nice_scale(maximum), left=plot_left, right=plot_right, top=plot_top, bottom=plot_bottom,
                   label=y_label)
    count = max(len(categories), 1)
    slot = (plot_right - plot_left) / count
    group_w = slot * 0.78
    bar_w = group_w / max(len(series), 1)
    label_room = max(slot - 4, 10)
    for ci, category in enumerate(categories):
        slot_x = plot_left + slot * ci
        svg.text(slot_x + slot / 2, plot_bottom + 18, fit(category, label_room, SMALL), text_anchor="middle",
                 font_size=str(SMALL))
        for si, item in enumerate(series):
            value = item.values[ci]
            if value is None:
                continue
            x = slot_x + (slot - group_w) / 2 + bar_w * si
            y = y_of(value)
            look = STYLES[item.style % len(STYLES)]
            if value:
                svg.rect(x + 1, y, bar_w - 2, plot_bottom - y, fill=svg.pattern_fill(item.style),
                         stroke=look["colour"], stroke_width="1.5")
            if bar_w >= 16:
                svg.text(x + bar_w / 2, y - 4, format_number(value), text_anchor="middle", font_size=str(SMALL))
    if _all_empty(series):
        _empty_note(svg, (plot_left + plot_right) / 2, (plot_top + plot_bottom) / 2, empty_message)
    description = description or (
        _("Stapeldiagram med %(count)s grupper.") % {"count": len(categories)} + " "
        + _series_summary(categories, series)
    )
    table = data_table(caption=title, row_heading=row_heading or _("Period"), columns=[s.name for s in series],
                       rows=[(c, [s.values[i] for s in series]) for i, c in enumerate(categories)])
    return Chart(svg=svg.document(width=width, height=height, title=title, description=description),
                 table=table, title=title, description=description, id=id_prefix, width=width, height=height)


def stacked_column_chart(*, categories: Sequence[str], series: Sequence[Series], title: str, id_prefix: str,
                         description: str | None = None, ticks: Sequence[tuple[int, str]] | None = None,
                         y_label: str = "", row_heading: str = "", width: float = 880, height: float = 320,
                         empty_message: str | None = None) -> Chart:
    """One column per category (e.g. a month) split into the series' patterns, its total on
    top: the volume over time and what it is made of. A category whose values are all None
    (a month still to come) has no column. `ticks` (index, label; "\\n" for a second line,
    which also draws a divider, e.g. at each new year) label the x axis; by default every
    category is labelled."""
    svg = _Svg(id_prefix)
    left, top = 46, 8
    legend_h = _legend(svg, series, x=left, y=top, width=width - left - 10, kind="bar") if len(series) > 1 else 0
    tick_lines = max((label.count("\n") + 1 for _i, label in (ticks or [])), default=1)
    plot_top, plot_bottom = top + legend_h + 24, height - 14 - 14 * tick_lines
    plot_left, plot_right = left, width - 10
    totals = [None if all(s.values[i] is None for s in series) else sum(s.values[i] or 0 for s in series)
              for i in range(len(categories))]
    y_of = _y_axis(svg, nice_scale(max((t for t in totals if t), default=0)), left=plot_left, right=plot_right,
                   top=plot_top, bottom=plot_bottom, label=y_label)
    slot = (plot_right - plot_left) / max(len(categories), 1)
    bar_w = max(slot * 0.72, 1)
    for index, label in (ticks if ticks is not None else list(enumerate(categories))):
        x = plot_left + slot * (index + 0.5)
        lines = label.split("\n")
        if len(lines) > 1 and index:
            svg.line(plot_left + slot * index, plot_top, plot_left + slot * index, plot_bottom + 30, stroke=LINE,
                     stroke_dasharray="3 3")
        for n, part in enumerate(lines):
            svg.text(x, plot_bottom + 16 + 14 * n, part, text_anchor="middle", font_size=str(SMALL),
                     fill=INK if n else MUTED, font_weight="bold" if n else None)
    for ci, total in enumerate(totals):
        if not total:
            continue
        x = plot_left + slot * ci + (slot - bar_w) / 2
        bottom = plot_bottom
        for item in series:
            value = item.values[ci] or 0
            if not value:
                continue
            y = y_of(value) - (plot_bottom - bottom)
            look = STYLES[item.style % len(STYLES)]
            svg.rect(x, y, bar_w, bottom - y, fill=svg.pattern_fill(item.style), stroke=look["colour"],
                     stroke_width="1.2")
            bottom = y
        if slot >= 14:
            svg.text(x + bar_w / 2, bottom - 4, format_number(total), text_anchor="middle", font_size=str(SMALL),
                     font_weight="bold")
    if _all_empty(series):
        _empty_note(svg, (plot_left + plot_right) / 2, (plot_top + plot_bottom) / 2, empty_message)
    given = [t for t in totals if t is not None]
    description = description or (
        _("Staplar per period från %(first)s till %(last)s, uppdelade efter typ; totalt %(total)s.")
        % {"first": categories[0] if categories else "", "last": categories[-1] if categories else "",
           "total": format_number(sum(given))}
        + " " + _series_summary(categories, series)
    )
    table = data_table(caption=title, row_heading=row_heading or _("Period"), columns=[s.name for s in series],
                       rows=[(c, [s.values[i] for s in series]) for i, c in enumerate(categories)])
    return Chart(svg=svg.document(width=width, height=height, title=title, description=description),
                 table=table, title=title, description=description, id=id_prefix, width=width, height=height)


def bar_chart(*, categories: Sequence[str], values: Sequence[float | None], title: str, id_prefix: str,
              series_name: str = "", **kwargs) -> Chart:
    """One series of vertical bars (e.g. per month)."""
    return grouped_bar_chart(categories=categories, series=[Series(series_name or _("Antal"), values)],
                             title=title, id_prefix=id_prefix, **kwargs)


# ---------------------------------------------------------------- horizontal stacked bars

def stacked_bar_chart(*, categories: Sequence[str], series: Sequence[Series], title: str, id_prefix: str,
                      description: str | None = None, row_heading: str = "", width: float = 720,
                      label_width: float = 230, labels_above: bool = False,
                      empty_message: str | None = None) -> Chart:
    """Horizontal bars, one row per category (e.g. a unit), split into the series' patterns,
    the total at the end of each bar. Long names are shortened; the table has them in full.
    `labels_above` puts each name on its own line above its bar (for a phone's width)."""
    svg = _Svg(id_prefix)
    top = 8
    row_h, bar_h, bar_dy = (42, 16, 20) if labels_above else (30, 18, 0)
    legend_h = _legend(svg, series, x=8, y=top, width=width - 16, kind="bar") if len(series) > 1 else 0
    plot_top = top + legend_h + 10
    plot_left = 8 if labels_above else label_width + 12
    plot_right = width - 46
    totals = [sum((s.values[i] or 0) for s in series) for i in range(len(categories))]
    maximum = max(totals, default=0) or 1
    height = plot_top + row_h * max(len(categories), 1) + 10
    if not categories or _all_empty(series):
        _empty_note(svg, width / 2, plot_top + 20, empty_message)
    for ci, category in enumerate(categories):
        y = plot_top + row_h * ci
        if labels_above:
            svg.text(plot_left, y + 13, fit(category, width - 16, FONT_SIZE))
            y += bar_dy
        else:
            svg.text(label_width + 4, y + bar_h / 2 + 5, fit(category, label_width, FONT_SIZE), text_anchor="end")
        x = plot_left
        for item in series:
            value = item.values[ci] or 0
            if not value:
                continue
            w = (plot_right - plot_left) * value / maximum
            look = STYLES[item.style % len(STYLES)]
            svg.rect(x, y, w, bar_h, fill=svg.pattern_fill(item.style), stroke=look["colour"], stroke_width="1.5")
            x += w
        svg.text(x + 6, y + bar_h / 2 + 5, format_number(totals[ci]), font_weight="bold")
    if not labels_above:
        svg.line(plot_left, plot_top - 4, plot_left, plot_top + row_h * len(categories) - 8, stroke=INK)
    description = description or (
        _("Liggande stapeldiagram med %(count)s rader.") % {"count": len(categories)} + " "
        + " ".join(f"{c}: {format_number(t)}." for c, t in zip(categories, totals, strict=True))
    )
    table = data_table(caption=title, row_heading=row_heading or _("Namn"), columns=[s.name for s in series],
                       rows=[(c, [s.values[i] for s in series]) for i, c in enumerate(categories)])
    return Chart(svg=svg.document(width=width, height=height, title=title, description=description),
                 table=table, title=title, description=description, id=id_prefix, width=width, height=height)


# ---------------------------------------------------------------- small multiples

@dataclass(frozen=True)
class Panel:
    """One small chart of a small-multiples grid: a name and one value per category."""

    name: str
    values: Sequence[float | None]


def small_multiples(*, categories: Sequence[str], panels: Sequence[Panel], title: str, id_prefix: str,
                    description: str | None = None, row_heading: str = "", columns: int = 3,
                    width: float = 880, panel_height: float = 144, style: int = 0,
                    empty_message: str | None = None) -> Chart:
    """A grid of small bar charts on one shared scale, one per panel (e.g. per process), so the
    eye compares shapes: which grows, which falls. Each panel names its total; the first and
    last category label its axis."""
    svg = _Svg(id_prefix)
    columns = max(1, min(columns, len(panels) or 1))
    gap = 18
    panel_w = (width - gap * (columns - 1)) / columns
    rows = math.ceil(len(panels) / columns) if panels else 1
    height = rows * (panel_height + gap)
    maximum = max((v for p in panels for v in p.values if v is not None), default=0)
    ticks = nice_scale(maximum, steps=2)
    top_value = ticks[-1] or 1
    look = STYLES[style % len(STYLES)]
    if not panels or not maximum:
        _empty_note(svg, width / 2, 40, empty_message)
    count = max(len(categories), 1)
    for pi, panel in enumerate(panels):
        col, row = pi % columns, pi // columns
        x0, y0 = col * (panel_w + gap), row * (panel_height + gap)
        total = sum(v for v in panel.values if v is not None)
        svg.rect(x0, y0, panel_w, panel_height, fill="#f3f6f9", rx="4")
        # The name on up to two lines (the table has it in full), the total beside it.
        for n, line in enumerate(wrap(panel.name, chars=80, max_lines=2, max_width=panel_w - 70, size=FONT_SIZE,
                                      bold=True)):
            svg.text(x0 + 8, y0 + 17 + 15 * n, line, font_weight="bold")
        svg.text(x0 + panel_w - 8, y0 + 17, _("%(n)s st") % {"n": format_number(total)}, text_anchor="end",
                 fill=MUTED, font_size=str(SMALL))
        plot_left, plot_right = x0 + 30, x0 + panel_w - 8
        plot_top, plot_bottom = y0 + 44, y0 + panel_height - 20
        for tick in ticks:
            ty = plot_bottom - (plot_bottom - plot_top) * tick / top_value
            svg.line(plot_left, ty, plot_right, ty, stroke=LINE if tick else INK)
            svg.text(plot_left - 4, ty + 4, format_number(tick), text_anchor="end", fill=MUTED, font_size="10")
        slot = (plot_right - plot_left) / count
        for ci, value in enumerate(panel.values):
            if not value:
                continue
            bh = (plot_bottom - plot_top) * value / top_value
            svg.rect(plot_left + slot * ci + slot * 0.12, plot_bottom - bh, slot * 0.76, bh,
                     fill=look["colour"])
        if categories:
            svg.text(plot_left, plot_bottom + 14, categories[0], font_size="10", fill=MUTED)
            if len(categories) > 1:
                svg.text(plot_right, plot_bottom + 14, categories[-1], font_size="10", fill=MUTED, text_anchor="end")
    description = description or (
        _("Små diagram, ett per grupp, på samma skala, från %(first)s till %(last)s.")
        % {"first": categories[0] if categories else "", "last": categories[-1] if categories else ""}
        + " " + _series_summary(categories, [Series(p.name, p.values) for p in panels])
    )
    table = data_table(caption=title, row_heading=row_heading or _("Grupp"), columns=list(categories),
                       rows=[(p.name, list(p.values)) for p in panels])
    return Chart(svg=svg.document(width=width, height=height, title=title, description=description),
                 table=table, title=title, description=description, id=id_prefix, width=width, height=height)
