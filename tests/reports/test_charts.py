"""The SVG charts: pure functions from data to a labelled picture and a table with the same
numbers. No database."""

import re
import xml.etree.ElementTree as ET

import pytest

from riskmgmt.reports.charts import (
    STYLES,
    Panel,
    Series,
    bar_chart,
    data_table,
    fit,
    format_number,
    grouped_bar_chart,
    line_chart,
    nice_scale,
    small_multiples,
    stacked_bar_chart,
)

SVG_NS = "{http://www.w3.org/2000/svg}"
MONTHS = ["jan 2025", "feb 2025", "mar 2025", "apr 2025"]
KINDS = [Series("Lex Sarah", [1, 0, 3, None], 1), Series("Synpunkter och klagomål", [2, 4, 1, None], 0),
         Series("Övriga avvikelser", [0, 0, 0, None], 2)]


def parse(chart) -> ET.Element:
    """The SVG parses as XML (a browser refuses the whole picture otherwise)."""
    return ET.fromstring(str(chart.svg))  # noqa: S314 (our own output)


def texts(chart) -> list[str]:
    return [el.text for el in parse(chart).iter(f"{SVG_NS}text")]


def table_rows(chart) -> dict[str, list[str]]:
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", str(chart.table))
    return {label: re.findall(r"<td class=\"numeric\">(.*?)</td>", cells) for label, cells in rows}


def assert_labelled(chart, prefix: str, title: str) -> None:
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{prefix}-title {prefix}-desc"
    assert root.find(f"{SVG_NS}title").get("id") == f"{prefix}-title"
    assert root.find(f"{SVG_NS}title").text == title
    assert root.find(f"{SVG_NS}desc").text  # a summary in words


# ---------------------------------------------------------------- line chart

def test_a_line_chart_is_labelled_and_its_table_holds_every_value():
    chart = line_chart(categories=MONTHS, series=KINDS, title="Rapporter per månad", id_prefix="trend",
                       ticks=[(0, "jan\n2025"), (3, "apr")], row_heading="Månad")
    assert_labelled(chart, "trend", "Rapporter per månad")
    assert table_rows(chart)["jan 2025"] == ["1", "2", "0", "3"]
    assert table_rows(chart)["mar 2025"] == ["3", "1", "0", "4"]
    assert table_rows(chart)["apr 2025"] == ["–", "–", "–", "0"]
    assert "<th scope=\"col\">Månad</th>" in str(chart.table)
    labels = texts(chart)
    assert {"jan", "2025", "apr"} <= set(labels)
    # Every series is named in the legend and at the end of its line.
    assert labels.count("Lex Sarah") == 2
    assert labels.count("Synpunkter och klagomål") == 2
    assert "Lex Sarah: totalt 4, som mest 3 (mar 2025)." in chart.description
    assert "Övriga avvikelser: inga." in chart.description


def test_series_differ_by_dash_and_marker_not_only_by_colour():
    chart = line_chart(categories=MONTHS, series=KINDS, title="T", id_prefix="t")
    paths = [p for p in parse(chart).iter(f"{SVG_NS}path") if p.get("fill") == "none"]
    assert len({p.get("stroke-dasharray") for p in paths}) == 3
    root = parse(chart)
    assert root.find(f".//{SVG_NS}circle") is not None  # complaints: circles
    assert any(r.get("fill") == STYLES[1]["colour"] for r in root.iter(f"{SVG_NS}rect"))  # lex Sarah: squares


def test_a_gap_breaks_the_line():
    chart = line_chart(categories=["a", "b", "c", "d"], series=[Series("X", [1, None, 2, 3])], title="T",
                       id_prefix="gap")
    line = next(p for p in parse(chart).iter(f"{SVG_NS}path") if p.get("fill") == "none")
    assert line.get("d").count("M") == 2


def test_an_empty_chart_says_so():
    chart = line_chart(categories=MONTHS, series=[Series("X", [0, 0, 0, 0])], title="T", id_prefix="e",
                       empty_message="Inga rapporter.")
    assert "Inga rapporter." in texts(chart)


# ---------------------------------------------------------------- bars

def test_grouped_bars_use_a_pattern_per_series_and_show_each_value():
    chart = grouped_bar_chart(categories=["2024", "2025", "2026"],
                              series=[Series("Lex Sarah", [2, 5, 1], 1), Series("Klagomål", [3, 0, 7], 0),
                                      Series("Övriga", [1, 1, 1], 2)],
                              title="Per år", id_prefix="ar")
    assert_labelled(chart, "ar", "Per år")
    root = parse(chart)
    patterns = {p.get("id") for p in root.iter(f"{SVG_NS}pattern")}
    assert patterns == {"ar-pattern-1", "ar-pattern-2"}  # hatch and dots; the first series is solid
    fills = {r.get("fill") for r in root.iter(f"{SVG_NS}rect")}
    assert {"url(#ar-pattern-1)", "url(#ar-pattern-2)", STYLES[0]["colour"]} <= fills
    assert {"2024", "2025", "2026", "5", "7", "Lex Sarah", "Klagomål", "Övriga"} <= set(texts(chart))
    assert table_rows(chart)["2025"] == ["5", "0", "1", "6"]
    assert "<tfoot><tr><th scope=\"row\">Totalt</th>" in str(chart.table)


def test_a_plain_bar_chart_per_month():
    chart = bar_chart(categories=MONTHS, values=[4, 0, 12, 3], title="Per månad", id_prefix="m",
                      series_name="Rapporter")
    assert {"jan 2025", "12", "4"} <= set(texts(chart))
    assert table_rows(chart)["mar 2025"] == ["12"]


def test_stacked_bars_shorten_long_names_but_the_table_keeps_them():
    long_name = "Mottagande av ensamkommande barn och unga med särskilda behov (Placeringsenheten)"
    chart = stacked_bar_chart(categories=[long_name, "Mottagningsenheten"],
                              series=[Series("Lex Sarah", [2, 1], 1), Series("Klagomål", [3, 0], 0)],
                              title="Per process", id_prefix="proc", label_width=200)
    labels = texts(chart)
    assert any(label.endswith("…") and long_name.startswith(label[:-1]) for label in labels)
    assert long_name in str(chart.table)
    assert "5" in labels
    assert "1" in labels
    assert table_rows(chart)[long_name] == ["2", "3", "5"]
    assert "Per process" in chart.title


def test_small_multiples_share_one_scale_and_name_each_panel():
    chart = small_multiples(categories=["2022", "2023", "2024"],
                            panels=[Panel("Placering i familjehem/HVB", [1, 4, 8]), Panel("Utredning", [2, 2, 0])],
                            title="Per process", id_prefix="sm", row_heading="Process")
    assert_labelled(chart, "sm", "Per process")
    labels = texts(chart)
    assert {"Placering i familjehem/HVB", "Utredning", "13 st", "4 st", "2022", "2024"} <= set(labels)
    assert table_rows(chart)["Placering i familjehem/HVB"] == ["1", "4", "8", "13"]
    assert "<th scope=\"col\" class=\"numeric\">2023</th>" in str(chart.table)


# ---------------------------------------------------------------- safety and helpers

def test_text_is_escaped_in_the_svg_and_the_table():
    chart = bar_chart(categories=["<script>alert(1)</script>"], values=[1], title="A & B <i>", id_prefix="x")
    assert "<script>" not in str(chart.svg)
    assert "<script>" not in str(chart.table)
    assert parse(chart).find(f"{SVG_NS}title").text == "A & B <i>"


def test_two_charts_on_a_page_never_share_ids():
    a = grouped_bar_chart(categories=["x"], series=[Series("A", [1], 1), Series("B", [1], 2)], title="A",
                          id_prefix="a")
    b = grouped_bar_chart(categories=["x"], series=[Series("A", [1], 1), Series("B", [1], 2)], title="B",
                          id_prefix="b")
    ids = lambda c: {el.get("id") for el in parse(c).iter() if el.get("id")}  # noqa: E731
    assert not ids(a) & ids(b)


def test_every_style_colour_has_contrast_for_graphics_and_text():
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for style in STYLES:
        assert (1.05) / (luminance(style["colour"]) + 0.05) >= 4.5, style
    assert len({s["pattern"] for s in STYLES}) == len({s["marker"] for s in STYLES}) == len(STYLES)


@pytest.mark.parametrize(("maximum", "ticks"), [
    (0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (38, [0, 10, 20, 30, 40]), (120, [0, 50, 100, 150]),
])
def test_nice_scale(maximum, ticks):
    assert nice_scale(maximum) == ticks


def test_numbers_are_written_the_swedish_way():
    assert format_number(12345) == "12\u00a0345"
    assert format_number(2.5) == "2,5"
    assert format_number(None) == "–"


def test_fit_shortens_with_an_ellipsis():
    assert fit("Kort", 200) == "Kort"
    assert fit("En mycket lång rubrik som inte får plats", 80).endswith("…")


def test_the_table_alone():
    html = str(data_table(caption="Per år", row_heading="Typ", columns=["2025", "2026"],
                          rows=[("Lex Sarah", [1, 2]), ("Klagomål", [3, None])], table_id="t"))
    assert '<table class="table table--compact chart-table" id="t"><caption>Per år</caption>' in html
    assert "<th scope=\"row\">Klagomål</th><td class=\"numeric\">3</td><td class=\"numeric\">–</td>" in html
    assert "<tfoot><tr><th scope=\"row\">Totalt</th><td class=\"numeric\">4</td><td class=\"numeric\">2</td>" in html
