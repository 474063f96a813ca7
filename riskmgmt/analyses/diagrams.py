"""Server-side pictures of an event analysis: the cause diagram and the timeline.

Both are plain SVG built here (no JavaScript), so the workspace pages, the HTML report and
the PDF (WeasyPrint draws inline SVG) show the same picture. Each picture comes with its
layout (every text box, so tests can prove that nothing overlaps) and a text alternative
with the same content, which the page renders beside the picture:

    picture = cause_diagram_for(analysis)        # or timeline_picture_for(analysis)
    {{ picture.svg }} {{ picture.alternative_html }}

The layout is computed, never left to the renderer: texts are wrapped into lines of about
30 characters (at most 3, the last ending in "…"; the full text is in the alternative and
in each box's <title>), box heights follow from the line counts, and rows are stacked from
those heights. Widths are estimated with DejaVu Sans metrics, the font the PDF uses and the
widest of those the SVG names, so a line that fits the estimate fits the box.

Cause diagram: a fishbone laid out as rows. Each cause area that has root causes is one
bone (a band); in it the why-chains run from the root cause on the left, through each
"varför?", to the first cause on the right, which joins the spine that leads to the event.
Causes with no area on their chain are grouped under "Ej klassificerade". A chain shared by
root causes of several areas is drawn in each of those bands.

Timeline: a horizontal time axis with ticks, a marker per entry and its label alternately
above and below, pushed sideways (with a leader line to the marker) so no two labels meet.
Long timelines continue on further rows, a few entries each, so the picture stays readable
on an A4 page. Approximate times have a hollow marker, a dashed leader and "ca".
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# ---------------------------------------------------------------- text measuring and wrapping

WRAP_CHARS = 30
MAX_LINES = 3
ELLIPSIS = "…"

# Advance widths of DejaVu Sans in hundredths of an em (from the font's hmtx table).
_WIDTH_GROUPS = {
    27: "'", 28: "ijl", 29: "IJ", 32: " ,.’", 34: "/:;\\|", 35: "f", 36: "-", 39: "()[]t", 40: "!",
    41: "r", 46: '"', 50: "*_`–§°", 52: "sz”“", 53: "?", 55: "c", 56: "L", 58: "Fk", 59: "vxy",
    60: "P", 61: "TYaoåäö«»", 62: "eéè", 63: "ESbdghnpquü", 64: "$0123456789{}", 66: "K",
    68: "AVÅÄ", 69: "BRXZ", 70: "C", 73: "UÜ", 75: "HN", 77: "DG", 78: "&", 79: "OQÖ", 82: "w",
    84: "#+<=>^~×", 86: "M", 95: "%", 97: "m½", 99: "W", 100: "@—…",
}
_WIDTHS = {char: width for width, chars in _WIDTH_GROUPS.items() for char in chars}
_DEFAULT_WIDTH = 80  # anything else: wider than most letters, so the estimate stays safe
_BOLD_FACTOR = 1.13  # DejaVu Sans Bold is about 13 % wider

# XML 1.0 cannot carry these; a browser would refuse the whole picture.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text on one line: whitespace collapsed, characters XML cannot carry removed."""
    return " ".join(_XML_INVALID.sub("", text or "").split())


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The estimated width in px of `text` set in DejaVu Sans at `size` px."""
    hundredths = sum(_WIDTHS.get(char, _DEFAULT_WIDTH) for char in text)
    return hundredths / 100 * size * (_BOLD_FACTOR if bold else 1)


def wrap(text: str, *, chars: int = WRAP_CHARS, max_lines: int = MAX_LINES,
         max_width: float | None = None, size: float = 11, bold: bool = False) -> list[str]:
    """`text` in lines of at most `chars` characters (and `max_width` px), at most `max_lines`
    of them; a text that does not fit ends in "…". Words longer than a line are cut."""

    def fits(line: str) -> bool:
        return len(line) <= chars and (max_width is None or text_width(line, size, bold=bold) <= max_width)

    lines: list[str] = []
    current = ""
    for word in clean_text(text).split(" "):
        if len(lines) > max_lines:
            break  # enough to know it will be cut; a huge text costs nothing more
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        while word and not fits(word):
            cut = next((n for n in range(min(len(word) - 1, chars), 0, -1) if fits(word[:n])), 1)
            lines.append(word[:cut])
            word = word[cut:]
            if len(lines) > max_lines:
                break
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and not fits(last.rstrip() + ELLIPSIS):
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return lines


# ---------------------------------------------------------------- the picture and its boxes

@dataclass(frozen=True)
class Box:
    """A rectangle the picture puts text in; `ref` names what it shows (e.g. a cause's pk)."""

    x: float
    y: float
    w: float
    h: float
    kind: str
    ref: object = None
    lines: tuple[str, ...] = ()

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        """True when the two rectangles share any area (touching edges do not count)."""
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)


@dataclass
class Picture:
    """An SVG picture, its text boxes and its text alternative (data and rendered HTML)."""

    svg: SafeString
    width: float
    height: float
    boxes: list[Box]
    alternative: list
    alternative_html: SafeString
    title: str = ""
    description: str = ""
    # The picture's horizontal slices (a cause area's band, a timeline row): key, top, bottom.
    sections: list[tuple[object, float, float]] = field(default_factory=list)

    @property
    def svg_document(self) -> str:
        """The picture as a stand-alone file (image/svg+xml)."""
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + self.svg


def overlapping_boxes(boxes: Sequence[Box]) -> list[tuple[Box, Box]]:
    """Every pair of boxes that overlap (tests assert there are none)."""
    ordered = sorted(boxes, key=lambda b: b.x)
    pairs = []
    for i, box in enumerate(ordered):
        for other in ordered[i + 1:]:
            if other.x >= box.right:
                break
            if box.overlaps(other):
                pairs.append((box, other))
    return pairs


# ---------------------------------------------------------------- SVG writing

TOOLTIP_MAX = 2000
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
INK = "#1b1e23"
MUTED = "#4a5360"
LINE = "#c9d2dc"
ACCENT = "#0b4f8a"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attrs(**attrs) -> str:
    return "".join(f" {name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}"
                   for name, value in attrs.items() if value is not None)


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(self, x, y, w, h, **attrs) -> None:
        self.add(f"<rect{_attrs(x=_num(x), y=_num(y), width=_num(w), height=_num(h), **attrs)}/>")

    def line(self, x1, y1, x2, y2, **attrs) -> None:
        self.add(f"<line{_attrs(x1=_num(x1), y1=_num(y1), x2=_num(x2), y2=_num(y2), **attrs)}/>")

    def path(self, d: str, **attrs) -> None:
        self.add(f"<path{_attrs(d=d, **attrs)}/>")

    def text(self, x, y, content: str, **attrs) -> None:
        self.add(f"<text{_attrs(x=_num(x), y=_num(y), **attrs)}>{escape(clean_text(content))}</text>")

    def arrow_head(self, x, y, direction: str = "right", size: float = 7, **attrs) -> None:
        """A filled triangle whose tip is at (x, y); drawn as a path, not a marker, because
        not every renderer draws markers."""
        if direction == "right":
            d = f"M{_num(x)},{_num(y)} L{_num(x - size)},{_num(y - size / 2)} L{_num(x - size)},{_num(y + size / 2)} Z"
        else:  # down
            d = f"M{_num(x)},{_num(y)} L{_num(x - size / 2)},{_num(y - size)} L{_num(x + size / 2)},{_num(y - size)} Z"
        self.path(d, fill=attrs.pop("fill", MUTED), **attrs)

    def document(self, *, width: float, height: float, id_prefix: str, title: str, description: str,
                 css_class: str) -> SafeString:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg"{_attrs(width=_num(width), height=_num(height))}'
            f'{_attrs(viewBox=f"0 0 {_num(width)} {_num(height)}", role="img", class_=css_class)}'
            f'{_attrs(aria_labelledby=f"{id_prefix}-title {id_prefix}-desc")}'
            f'{_attrs(font_family=FONT_FAMILY, font_size="11", fill=INK)}>'
            f'<title id="{id_prefix}-title">{escape(clean_text(title))}</title>'
            f'<desc id="{id_prefix}-desc">{escape(clean_text(description))}</desc>'
        )
        # Built from escaped pieces only: every text and attribute above went through escape().
        return mark_safe(head + "".join(self.parts) + "</svg>")  # noqa: S308


def _text_box(svg: _Svg, box: Box, *, fill: str, stroke: str, stroke_width: float = 1,
              tooltip: str = "", tag: str = "", tag_fill: str = MUTED, bold: bool = False,
              dashed: bool = False, first_bold: bool = False, font_size: float = 11,
              line_height: float = 14, pad_x: float = 8, pad_y: float = 6) -> None:
    svg.add("<g>")
    if tooltip:
        svg.add(f"<title>{escape(clean_text(tooltip[:TOOLTIP_MAX]))}</title>")
    svg.rect(box.x, box.y, box.w, box.h, rx="4", fill=fill, stroke=stroke, stroke_width=_num(stroke_width),
             stroke_dasharray="5 3" if dashed else None)
    y = box.y + pad_y
    if tag:
        svg.text(box.x + pad_x, y + 9, tag, font_size="8.5", font_weight="bold", fill=tag_fill,
                 letter_spacing="0.5")
        y += ROOT_TAG_H
    for i, line in enumerate(box.lines):
        weight = "bold" if bold or (first_bold and i == 0) else None
        svg.text(box.x + pad_x, y + font_size, line, font_size=_num(font_size), font_weight=weight)
        y += line_height
    svg.add("</g>")


# ---------------------------------------------------------------- cause diagram

@dataclass(frozen=True)
class CauseItem:
    """A cause as the diagram needs it (no database): areas are (code, name) pairs."""

    pk: int
    parent_id: int | None
    text: str
    is_root: bool = False
    areas: tuple[tuple[str, str], ...] = ()


UNCLASSIFIED = ""  # the band code for causes whose chain has no cause area

MARGIN = 12
BOX_W = 212
PAD_X, PAD_Y = 8, 6
FONT, LINE_H = 11, 14
INNER_W = BOX_W - 2 * PAD_X
ROOT_TAG_H = 12
COL_GAP = 44
ROW_GAP = 10
COLUMN_HEAD_H = 18
BAND_HEAD_H = 26
BAND_PAD = 10
BAND_GAP = 10
SPINE_GAP = 26
EFFECT_GAP = 34
EFFECT_W = 200


def _box_height(lines: int, *, tag: bool = False) -> float:
    return 2 * PAD_Y + lines * LINE_H + (ROOT_TAG_H if tag else 0)


@dataclass
class _Band:
    code: str
    name: str
    nodes: set[int] = field(default_factory=set)


def _bands(causes: Sequence[CauseItem], area_order: Sequence[tuple[str, str]]) -> list[_Band]:
    """The bones: for every classified cause (and every leaf), its chain up to the first cause
    goes into the band of each of its areas, or "Ej klassificerade"."""
    by_pk = {c.pk: c for c in causes}
    has_children = {c.parent_id for c in causes if c.parent_id in by_pk}
    names = dict(area_order)
    for cause in causes:
        for code, name in cause.areas:
            names.setdefault(code, name)
    order = [code for code, _name in area_order] + [
        code for code in names if code not in dict(area_order)]
    bands = {code: _Band(code, names[code]) for code in order}
    bands[UNCLASSIFIED] = _Band(UNCLASSIFIED, _("Ej klassificerade"))
    for cause in causes:
        if not cause.areas and cause.pk in has_children:
            continue  # its chain reaches a leaf or a classified cause further down
        chain, node, seen = [], cause, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node.pk)
            node = by_pk.get(node.parent_id)
        for code in [code for code, _name in cause.areas] or [UNCLASSIFIED]:
            bands[code].nodes.update(chain)
    return [band for band in bands.values() if band.nodes]


def build_cause_diagram(causes: Sequence[CauseItem], *, effect: str,
                        area_order: Sequence[tuple[str, str]] = (), id_prefix: str = "orsaksdiagram",
                        title: str | None = None, only_areas: Collection[str] | None = None) -> Picture:
    """The fishbone for `causes` (in the order they were written) leading to `effect`;
    `only_areas` draws just those bands (codes; "" is "Ej klassificerade")."""
    title = title or _("Orsaksdiagram: %(effect)s") % {"effect": clean_text(effect)}
    causes = list(causes)
    if not causes:
        return _empty_picture(id_prefix=id_prefix, title=title, effect=effect, kind="cause",
                              message=_("Inga orsaker ännu"),
                              hint=_("Fråga ”varför?” om händelsen och lägg till orsakerna i analysen."))
    by_pk = {c.pk: c for c in causes}
    children: dict[int | None, list[CauseItem]] = {}
    for cause in causes:
        parent = cause.parent_id if cause.parent_id in by_pk else None
        children.setdefault(parent, []).append(cause)
    lines = {c.pk: wrap(c.text, max_width=INNER_W, size=FONT) or ["–"] for c in causes}
    heights = {c.pk: _box_height(len(lines[c.pk]), tag=c.is_root) for c in causes}
    depth: dict[int, int] = {}

    def depth_of(cause: CauseItem) -> int:
        if cause.pk not in depth:
            parent = by_pk.get(cause.parent_id)
            depth[cause.pk] = 0  # a guard against a (corrupt) cycle
            depth[cause.pk] = 0 if parent is None else depth_of(parent) + 1
        return depth[cause.pk]

    bands = _bands(causes, area_order)
    if only_areas is not None:
        bands = [band for band in bands if band.code in only_areas] or bands
    max_depth = max(depth_of(by_pk[pk]) for band in bands for pk in band.nodes)

    def col_x(level: int) -> float:
        return MARGIN + (max_depth - level) * (BOX_W + COL_GAP)

    spine_x = col_x(0) + BOX_W + SPINE_GAP
    effect_x = spine_x + EFFECT_GAP
    width = effect_x + EFFECT_W + MARGIN
    svg, boxes = _Svg(), []
    placed: list[tuple[Box, CauseItem]] = []
    edges: list[tuple[Box, Box]] = []
    top_points: list[float] = []

    # Column headings: which "varför?" each column answers.
    heading_y = MARGIN
    headings = [(col_x(level), _("Varför? %(n)s") % {"n": level + 1}) for level in range(max_depth + 1)]
    headings.append((effect_x, _("Händelse")))
    for x, text in headings:
        box = Box(x, heading_y, text_width(text, 10, bold=True) + 2, COLUMN_HEAD_H, "heading", None, (text,))
        boxes.append(box)
        svg.text(x, heading_y + 12, text, font_size="10", font_weight="bold", fill=MUTED)

    cursor = heading_y + COLUMN_HEAD_H + 6
    band_shapes = []
    sections: list[tuple[object, float, float]] = []
    for index, band in enumerate(bands):
        kids = {pk: [c for c in children.get(pk, []) if c.pk in band.nodes] for pk in band.nodes}
        tops = [c for c in children.get(None, []) if c.pk in band.nodes]
        spans: dict[int, float] = {}

        def span(cause: CauseItem, kids=kids, spans=spans) -> float:
            inner = sum(span(child) for child in kids[cause.pk]) + ROW_GAP * max(0, len(kids[cause.pk]) - 1)
            spans[cause.pk] = max(heights[cause.pk], inner)
            return spans[cause.pk]

        def place(cause: CauseItem, top: float, kids=kids, spans=spans, band=band) -> Box:
            own = spans[cause.pk]
            box = Box(col_x(depth_of(cause)), top + (own - heights[cause.pk]) / 2, BOX_W, heights[cause.pk],
                      "root" if cause.is_root else "cause", cause.pk, tuple(lines[cause.pk]))
            placed.append((box, cause))
            below = kids[cause.pk]
            inner = sum(spans[c.pk] for c in below) + ROW_GAP * max(0, len(below) - 1)
            y = top + (own - inner) / 2
            for child in below:
                edges.append((place(child, y), box))
                y += spans[child.pk] + ROW_GAP
            return box

        band_top = cursor
        name = band.name
        head = Box(MARGIN + 8, band_top + 5, text_width(name, 11, bold=True) + 2, 16, "area", band.code, (name,))
        boxes.append(head)
        y = band_top + BAND_HEAD_H
        for top in tops:
            span(top)
            box = place(top, y)
            top_points.append(box.y + box.h / 2)
            y += spans[top.pk] + ROW_GAP
        band_bottom = y - ROW_GAP + BAND_PAD
        band_shapes.append((band_top, band_bottom, index, head))
        sections.append((band.code, band_top, band_bottom))
        cursor = band_bottom + BAND_GAP

    # Bands (the bones) first, then the lines, then the boxes on top.
    for band_top, band_bottom, index, head in band_shapes:
        svg.rect(MARGIN - 6, band_top, spine_x - MARGIN - 2, band_bottom - band_top, rx="6",
                 fill="#f3f6f9" if index % 2 == 0 else "#ffffff", stroke=LINE)
        svg.text(head.x, head.y + 12, head.lines[0], font_weight="bold", fill=ACCENT)
    for child, parent in edges:
        y1, y2 = child.y + child.h / 2, parent.y + parent.h / 2
        mid = parent.x - COL_GAP / 2
        svg.path(f"M{_num(child.right)},{_num(y1)} H{_num(mid)} V{_num(y2)} H{_num(parent.x - 1)}",
                 fill="none", stroke=MUTED, stroke_width="1.2")
        svg.arrow_head(parent.x, y2)
    for box, cause in placed:
        if depth_of(cause) == 0:
            y = box.y + box.h / 2
            svg.line(box.right, y, spine_x - 4, y, stroke=MUTED, stroke_width="1.2")
            svg.arrow_head(spine_x - 1, y)
    spine_top, spine_bottom = min(top_points), max(top_points)
    effect_lines = wrap(effect, max_width=EFFECT_W - 2 * PAD_X, size=FONT, bold=True) or ["–"]
    effect_h = _box_height(len(effect_lines), tag=True)
    middle = (spine_top + spine_bottom) / 2
    effect_y = max(heading_y + COLUMN_HEAD_H + 6, middle - effect_h / 2)
    arrow_y = min(max(middle, effect_y + 10), effect_y + effect_h - 10)
    spine_top, spine_bottom = min(spine_top, arrow_y), max(spine_bottom, arrow_y)
    svg.line(spine_x, spine_top, spine_x, spine_bottom, stroke=INK, stroke_width="3", stroke_linecap="round")
    svg.line(spine_x, arrow_y, effect_x - 2, arrow_y, stroke=INK, stroke_width="3")
    svg.arrow_head(effect_x, arrow_y, size=10, fill=INK)
    effect_box = Box(effect_x, effect_y, EFFECT_W, effect_h, "effect", None, tuple(effect_lines))
    boxes.append(effect_box)
    _text_box(svg, effect_box, fill="#e8f0f8", stroke=ACCENT, stroke_width=2, tooltip=effect,
              tag=_("HÄNDELSEN"), tag_fill=ACCENT, bold=True)
    for box, cause in placed:
        boxes.append(box)
        if cause.is_root:
            _text_box(svg, box, fill="#fff5d6", stroke="#8a5a00", stroke_width=2, tooltip=cause.text,
                      tag=_("GRUNDORSAK"), tag_fill="#5c4300")
        else:
            _text_box(svg, box, fill="#ffffff", stroke=MUTED, tooltip=cause.text)

    height = max(cursor - BAND_GAP, effect_box.bottom) + MARGIN
    alternative = _cause_alternative(bands, children)
    n_areas = len([b for b in bands if b.code != UNCLASSIFIED])
    description = _(
        "Orsaksdiagram med %(causes)s orsaker i %(areas)s orsaksområden. Varje orsakskedja går från "
        "grundorsaken till vänster, via frågan varför, till händelsen till höger. Samma innehåll "
        "finns som lista intill bilden."
    ) % {"causes": len(causes), "areas": n_areas}
    markup = svg.document(width=width, height=height, id_prefix=id_prefix, title=title,
                          description=description, css_class="diagram diagram-causes")
    return Picture(markup, width, height, boxes, alternative, _cause_alternative_html(alternative, effect),
                   title, description, sections)


def _cause_alternative(bands: list[_Band], children: dict) -> list[dict]:
    """Per band, the why-chains read from the event outwards: cause, then its "varför?"."""

    def node(cause: CauseItem, band: _Band) -> dict:
        return {"pk": cause.pk, "text": cause.text, "is_root": cause.is_root,
                "areas": [name for _code, name in cause.areas],
                "children": [node(c, band) for c in children.get(cause.pk, []) if c.pk in band.nodes]}

    return [{"code": band.code, "label": band.name,
             "items": [node(c, band) for c in children.get(None, []) if c.pk in band.nodes]}
            for band in bands]


def _cause_items_html(items: list[dict], *, why: bool = False) -> SafeString:
    def item(entry: dict) -> SafeString:
        root = format_html(' <strong class="diagram-root">({})</strong>', _("grundorsak")) if entry["is_root"] \
            else ""
        below = format_html("<ul>{}</ul>", _cause_items_html(entry["children"], why=True)) \
            if entry["children"] else ""
        prefix = format_html('<span class="diagram-why">{} </span>', _("Varför?")) if why else ""
        return format_html("<li>{}{}{}{}</li>", prefix, clean_text(entry["text"]), root, below)

    return format_html_join("", "{}", ((item(entry),) for entry in items))


def _cause_alternative_html(alternative: list[dict], effect: str) -> SafeString:
    """The cause diagram as nested lists: area, cause, and each "varför?" under it."""
    if not alternative:
        return format_html('<div class="diagram-alternative"><p>{}</p></div>', _("Inga orsaker ännu."))
    bands = format_html_join("", "<li><strong>{}</strong><ul>{}</ul></li>", (
        (band["label"], _cause_items_html(band["items"])) for band in alternative))
    return format_html(
        '<div class="diagram-alternative"><p>{}</p><ul class="diagram-list">{}</ul></div>',
        _("Orsaksdiagrammet som lista. Händelse: %(effect)s. Under varje orsaksområde står orsakerna "
          "närmast händelsen först, och under varje orsak svaret på frågan varför.") % {"effect": clean_text(effect)},
        bands,
    )


def _empty_picture(*, id_prefix: str, title: str, effect: str, kind: str, message: str, hint: str) -> Picture:
    """A friendly picture for an analysis with nothing to draw yet."""
    svg = _Svg()
    width = 460
    hint_lines = wrap(hint, chars=60, max_width=width - 2 * MARGIN - 2 * PAD_X, size=FONT)
    box = Box(MARGIN, MARGIN, width - 2 * MARGIN, _box_height(1 + len(hint_lines)) + 4, "message", None,
              (message, *hint_lines))
    svg.rect(box.x, box.y, box.w, box.h, rx="6", fill="#f3f6f9", stroke=LINE, stroke_dasharray="6 4")
    svg.text(box.x + PAD_X, box.y + PAD_Y + 13, message, font_size="13", font_weight="bold")
    for i, line in enumerate(hint_lines):
        svg.text(box.x + PAD_X, box.y + PAD_Y + 18 + (i + 1) * LINE_H, line, fill=MUTED)
    height = box.bottom + MARGIN
    markup = svg.document(width=width, height=height, id_prefix=id_prefix, title=title,
                          description=f"{message}. {hint}", css_class=f"diagram diagram-{kind} diagram-empty")
    html = format_html('<div class="diagram-alternative"><p>{}</p></div>', f"{message}.")
    return Picture(markup, width, height, [box], [], html, title, message)


def _cause_items_for(analysis) -> tuple[list[CauseItem], list[tuple[str, str]]]:
    from .models import Cause, CauseArea

    causes = Cause.objects.filter(analysis=analysis).prefetch_related("cause_areas").order_by("pk")
    items = [CauseItem(c.pk, c.parent_id, c.text, c.is_root,
                       tuple((a.code, a.name) for a in sorted(c.cause_areas.all(), key=lambda a: (a.order, a.name))))
             for c in causes]
    return items, list(CauseArea.objects.order_by("order", "name").values_list("code", "name"))


def cause_diagram_for(analysis) -> Picture:
    """The cause diagram of an analysis (three queries)."""
    items, order = _cause_items_for(analysis)
    return build_cause_diagram(items, effect=analysis.title, area_order=order,
                               id_prefix=f"orsaksdiagram-{analysis.pk}")


def _groups(sections: list[tuple[object, float, float]], *, room: float) -> list[list[object]]:
    """Consecutive sections packed so that each group's height stays within `room`
    (a section taller than that gets a group of its own)."""
    groups: list[list[object]] = []
    group_top = None
    for key, top, bottom in sections:
        if groups and group_top is not None and bottom - group_top <= room:
            groups[-1].append(key)
        else:
            groups.append([key])
            group_top = top
    return groups


def cause_diagram_parts_for(analysis, *, max_height: float) -> list[Picture]:
    """The cause diagram cut between bands into pictures at most `max_height` px tall where
    possible, for print: one picture would otherwise be shrunk to fit a page."""
    items, order = _cause_items_for(analysis)
    whole = build_cause_diagram(items, effect=analysis.title, area_order=order,
                                id_prefix=f"orsaksdiagram-{analysis.pk}")
    if whole.height <= max_height or len(whole.sections) < 2:
        return [whole]
    overhead = whole.height - (whole.sections[-1][2] - whole.sections[0][1])
    groups = _groups(whole.sections, room=max_height - overhead)
    return [build_cause_diagram(items, effect=analysis.title, area_order=order, only_areas=set(group),
                                id_prefix=f"orsaksdiagram-{analysis.pk}-{n}",
                                title=_("Orsaksdiagram, del %(n)s av %(of)s: %(effect)s")
                                % {"n": n, "of": len(groups), "effect": clean_text(analysis.title)})
            for n, group in enumerate(groups, start=1)]


# ---------------------------------------------------------------- timeline

@dataclass(frozen=True)
class TimelineItem:
    pk: int
    at: datetime.datetime
    description: str
    approximate: bool = False
    source: str = ""


PER_ROW = 6  # entries per row: three labels a side fit the width of a portrait A4 page
LABEL_W = 204
LABEL_INNER_W = LABEL_W - 2 * PAD_X
LABEL_GAP = 12
LEADER = 22
TICK_BAND = 30
ROW_SPACING = 26
MIN_TICK_SPACING = 70
MIN_AXIS_SECONDS = 3600
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def format_when(at: datetime.datetime, approximate: bool = False) -> str:
    """"2026-03-06 15:40", or "ca 2026-03-06 15:40" for an approximate time."""
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    text = f"{local:%Y-%m-%d %H:%M}"
    return f"{_('ca')} {text}" if approximate else text


def _label_lines(number: int, item: TimelineItem) -> tuple[str, ...]:
    return (f"{number}. {format_when(item.at, item.approximate)}",
            *(wrap(item.description, max_width=LABEL_INNER_W, size=FONT) or ["–"]))


def _spread(desired: list[float], *, low: float, high: float, width: float, gap: float) -> list[float]:
    """Left edges as near `desired` as possible, in order, `gap` apart, inside [low, high]."""
    lefts: list[float] = []
    for want in desired:
        left = min(max(want, low), high - width)
        if lefts:
            left = max(left, lefts[-1] + width + gap)
        lefts.append(left)
    for i in range(len(lefts) - 1, -1, -1):
        limit = high - width if i == len(lefts) - 1 else lefts[i + 1] - width - gap
        lefts[i] = min(lefts[i], limit)
    return lefts


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    index = moment.month - 1 + months
    return moment.replace(year=moment.year + index // 12, month=index % 12 + 1)


def _ticks(start: float, end: float, length: float) -> list[tuple[float, tuple[str, ...]]]:
    """Ticks at round local times between two timestamps, at least MIN_TICK_SPACING px apart;
    each tick's label says the time, and the date where the day changes."""
    span = max(end - start, 1.0)
    per_px = span / length
    minute, day = 60, 86400
    steps: list[tuple[str, int]] = [("min", m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720)]
    steps += [("day", d) for d in (1, 2, 7, 14)] + [("month", m) for m in (1, 2, 3, 6, 12, 24, 60, 120, 600)]
    unit, size = next(((u, s) for u, s in steps if (s * (minute if u == "min" else day if u == "day" else 30 * day))
                       / per_px >= MIN_TICK_SPACING), ("month", 0))
    if size == 0:  # centuries: a round number of years
        years = MIN_TICK_SPACING * per_px / (365.25 * day)
        magnitude = 10 ** math.floor(math.log10(years))
        size = 12 * next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= years)
    try:
        first = timezone.localtime(datetime.datetime.fromtimestamp(start, tz=datetime.UTC))
        moment = first.replace(hour=0, minute=0, second=0, microsecond=0)
        if unit == "month":
            step_years = max(1, size // 12)
            moment = moment.replace(year=max(1, moment.year // step_years * step_years), month=1, day=1)
    except (OverflowError, ValueError, OSError):
        return []
    ticks: list[tuple[float, tuple[str, ...]]] = []
    previous: datetime.datetime | None = None
    for _i in range(2000):  # a bound, whatever the data
        stamp = moment.timestamp()
        if stamp > end:
            break
        if stamp >= start:
            if unit == "min":
                label = (f"{moment:%H:%M}",)
                if previous is None or previous.date() != moment.date():
                    label += (f"{moment.day} {MONTHS[moment.month - 1]}",)
            elif unit == "day":
                label = (f"{moment.day} {MONTHS[moment.month - 1]}",)
                if previous is None or previous.year != moment.year:
                    label += (str(moment.year),)
            else:
                label = (MONTHS[moment.month - 1],)
                if previous is None or previous.year != moment.year:
                    label += (str(moment.year),)
            ticks.append((stamp, label))
            previous = moment
        try:
            if unit == "min":
                moment = timezone.localtime(moment + datetime.timedelta(minutes=size))
            elif unit == "day":
                moment = (moment + datetime.timedelta(days=size)).replace(hour=0, minute=0)
            else:
                moment = _add_months(moment, size)
        except (OverflowError, ValueError):
            break
    return ticks


def build_timeline(entries: Sequence[TimelineItem], *, id_prefix: str = "tidslinje", title: str | None = None,
                   per_row: int = PER_ROW, first_number: int = 1) -> Picture:
    """The timeline picture of `entries` (ordered by time here), numbered from `first_number`."""
    title = title or _("Tidslinje")
    items = sorted(entries, key=lambda e: (e.at, e.pk))
    if not items:
        return _empty_picture(id_prefix=id_prefix, title=title, effect="", kind="timeline",
                              message=_("Inga händelser i tidslinjen ännu"),
                              hint=_("Lägg till vad som hände och när, med källa, i analysens tidslinje."))
    per_side = math.ceil(per_row / 2)
    width = 2 * MARGIN + per_side * LABEL_W + (per_side - 1) * LABEL_GAP
    axis_left, axis_right = MARGIN + LABEL_W / 2, width - MARGIN - LABEL_W / 2
    svg, boxes = _Svg(), []
    labels_svg = _Svg()
    top = MARGIN
    numbered = list(enumerate(items, start=first_number))
    sections: list[tuple[object, float, float]] = []
    for row_start in range(0, len(numbered), per_row):
        row = numbered[row_start:row_start + per_row]
        stamps = [item.at.timestamp() for _n, item in row]
        first, last = min(stamps), max(stamps)
        # A little room at the ends, and at least an hour in all, so there is a tick to read.
        pad = max((last - first) * 0.04, (MIN_AXIS_SECONDS - (last - first)) / 2)
        start, end = first - pad, last + pad

        def x_of(stamp: float, start=start, end=end) -> float:
            return axis_left + (stamp - start) / (end - start) * (axis_right - axis_left)

        sides: dict[str, list[tuple[int, TimelineItem, tuple[str, ...]]]] = {"above": [], "below": []}
        for number, item in row:
            sides["above" if number % 2 == 1 else "below"].append((number, item, _label_lines(number, item)))
        above_h = max((_box_height(len(lines)) for _n, _i, lines in sides["above"]), default=0)
        below_h = max((_box_height(len(lines)) for _n, _i, lines in sides["below"]), default=0)
        axis_y = top + above_h + LEADER
        below_top = axis_y + TICK_BAND + LEADER

        # The axis, ending in an arrow (time runs to the right), and its ticks.
        svg.line(MARGIN, axis_y, width - MARGIN - 2, axis_y, stroke=INK, stroke_width="2")
        svg.arrow_head(width - MARGIN, axis_y, size=9, fill=INK)
        tick_boxes = []
        for stamp, label in _ticks(start, end, axis_right - axis_left):
            x = x_of(stamp)
            svg.line(x, axis_y - 5, x, axis_y + 5, stroke=INK, stroke_width="1.2")
            w = max(text_width(line, 9.5) for line in label) + 4
            tick_boxes.append(Box(x - w / 2, axis_y + 7, w, 4 + 11 * len(label), "tick", stamp, label))
        for side, entries_on_side in sides.items():
            marks = [x_of(item.at.timestamp()) for _n, item, _l in entries_on_side]
            lefts = _spread([m - LABEL_W / 2 for m in marks], low=MARGIN, high=width - MARGIN, width=LABEL_W,
                            gap=LABEL_GAP)
            for (_number, item, lines), mark, left in zip(entries_on_side, marks, lefts, strict=True):
                h = _box_height(len(lines))
                y = top + above_h - h if side == "above" else below_top
                box = Box(left, y, LABEL_W, h, "label", item.pk, lines)
                boxes.append(box)
                end_y = box.bottom if side == "above" else box.y
                svg.line(mark, axis_y, left + LABEL_W / 2, end_y, stroke=MUTED, stroke_width="1",
                         stroke_dasharray="4 3" if item.approximate else None)
                tooltip = f"{format_when(item.at, item.approximate)}: {item.description}"
                _text_box(labels_svg, box, fill="#ffffff", stroke=MUTED if not item.approximate else "#6b7480",
                          dashed=item.approximate, tooltip=tooltip, first_bold=True)
        # Tick labels over the leader lines, on a white ground so both stay readable.
        for box in tick_boxes:
            svg.rect(box.x, box.y, box.w, box.h, fill="#ffffff")
            for i, line in enumerate(box.lines):
                svg.text(box.x + box.w / 2, box.y + 10 + 11 * i, line, font_size="9.5", fill=MUTED,
                         text_anchor="middle")
        boxes.extend(tick_boxes)
        for _number, item in row:
            x = x_of(item.at.timestamp())
            if item.approximate:
                svg.add(f"<circle{_attrs(cx=_num(x), cy=_num(axis_y), r='5.5', fill='#ffffff', stroke=INK)}"
                        f"{_attrs(stroke_width='2', stroke_dasharray='3 2')}/>")
            else:
                svg.add(f"<circle{_attrs(cx=_num(x), cy=_num(axis_y), r='5.5', fill=ACCENT, stroke=INK)}/>")
        sections.append((row_start, top, below_top + below_h))
        top = below_top + below_h + ROW_SPACING
    for part in labels_svg.parts:
        svg.add(part)
    height = top - ROW_SPACING + MARGIN
    alternative = [{"number": number, "pk": item.pk, "when": format_when(item.at, item.approximate),
                    "at": item.at, "approximate": item.approximate, "description": item.description,
                    "source": item.source} for number, item in numbered]
    description = _("Tidslinje med %(n)s händelser från %(first)s till %(last)s. Ungefärliga tider har ihålig "
                    "markering och streckad linje. Samma innehåll finns som numrerad lista intill bilden.") % {
        "n": len(items), "first": format_when(items[0].at), "last": format_when(items[-1].at)}
    markup = svg.document(width=width, height=height, id_prefix=id_prefix, title=title, description=description,
                          css_class="diagram diagram-timeline")
    return Picture(markup, width, height, boxes, alternative, _timeline_alternative_html(alternative), title,
                   description, sections)


def _timeline_alternative_html(alternative: list[dict]) -> SafeString:
    rows = format_html_join("", "<li><strong>{}</strong>{} {}{}</li>", (
        (entry["when"],
         format_html(" ({})", _("ungefärlig tidpunkt")) if entry["approximate"] else "",
         clean_text(entry["description"]),
         format_html(' <span class="diagram-source">{}: {}</span>', _("Källa"), clean_text(entry["source"]))
         if entry["source"] else "")
        for entry in alternative))
    return format_html('<div class="diagram-alternative"><p>{}</p><ol class="diagram-list">{}</ol></div>',
                       _("Tidslinjen som lista, i tidsordning."), rows)


def _timeline_items_for(analysis) -> list[TimelineItem]:
    from .models import TimelineEntry

    return [TimelineItem(e.pk, e.at, e.description, e.approximate, e.source)
            for e in TimelineEntry.objects.filter(analysis=analysis).order_by("at", "pk")]


def timeline_picture_for(analysis) -> Picture:
    """The timeline picture of an analysis (one query)."""
    return build_timeline(_timeline_items_for(analysis), id_prefix=f"tidslinje-{analysis.pk}",
                          title=_("Tidslinje: %(title)s") % {"title": clean_text(analysis.title)})


def timeline_parts_for(analysis, *, max_height: float) -> list[Picture]:
    """The timeline cut between rows into pictures at most `max_height` px tall, for print."""
    items = _timeline_items_for(analysis)
    title = _("Tidslinje: %(title)s") % {"title": clean_text(analysis.title)}
    whole = build_timeline(items, id_prefix=f"tidslinje-{analysis.pk}", title=title)
    if whole.height <= max_height or len(whole.sections) < 2:
        return [whole]
    overhead = whole.height - (whole.sections[-1][2] - whole.sections[0][1])
    groups = _groups(whole.sections, room=max_height - overhead)
    parts = []
    for n, group in enumerate(groups, start=1):
        first = int(group[0])
        count = int(group[-1]) + PER_ROW - first
        parts.append(build_timeline(items[first:first + count], first_number=first + 1,
                                    id_prefix=f"tidslinje-{analysis.pk}-{n}",
                                    title=_("Tidslinje, del %(n)s av %(of)s") % {"n": n, "of": len(groups)}))
    return parts
