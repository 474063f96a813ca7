"""The kvalitetsberättelse's charts (issue 8): server-side SVG with the numbers in a table beside
each, on the page, in the HTML export and in the PDF; the monthly series behind one of them
(facts.monthly_deviations, facts.open_risk_levels) and its sheet in the workbook."""

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from riskmgmt.deviations.models import Deviation
from riskmgmt.reports.document import quality_context, render_html, render_pdf, render_xlsx
from riskmgmt.reports.facts import monthly_deviations, open_risk_levels, quality_facts
from tests.reports.conftest import local

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

SVG_NS = "{http://www.w3.org/2000/svg}"
KIND_NAMES = ["Synpunkter och klagomål", "Lex Sarah-rapporter", "Övriga avvikelser"]
MONTHS = ["Januari", "Februari", "Mars", "April", "Maj", "Juni", "Juli", "Augusti", "September", "Oktober",
          "November", "December"]


def svg_with_title(html: str, title_id: str) -> ET.Element:
    """The <svg> whose <title> has `title_id`, parsed (a browser refuses a picture that is not XML)."""
    for markup in re.findall(r"<svg\b.*?</svg>", html, re.S):
        if f'id="{title_id}"' in markup:
            return ET.fromstring(markup)  # noqa: S314 (our own output)
    raise AssertionError(f"no chart titled #{title_id}")


def texts(svg: ET.Element) -> list[str]:
    return [el.text for el in svg.iter(f"{SVG_NS}text")]


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "kvalitetsberattelse.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)  # noqa: S603, S607
    return result.stdout.decode()


@pytest.fixture
def with_risks(family_history, org, make_risk_analysis, make_risk):
    """Open risks on every level in the family section's analyses for 2014, and some that do not count."""
    analysis = make_risk_analysis(org["mott"], 2014, "held")
    for probability, consequence in [(1, 1), (2, 2), (2, 3), (3, 3), (1, 4), (4, 4), (3, 4)]:
        make_risk(analysis, probability, consequence)  # low, medium, medium, high, high (floor), very high ×2
    make_risk(analysis, 4, 4, status="closed")
    make_risk(make_risk_analysis(org["plac"], 2013, "held"), 4, 4)  # another year
    make_risk(make_risk_analysis(org["miss"], 2014, "held"), 4, 4)  # another section
    return family_history


# ---------------------------------------------------------------- on the page

def test_the_page_draws_the_year_table_as_a_labelled_chart_beside_it(client, quality, family_history):
    client.force_login(quality)
    page = client.get(reverse("reports:quality-detail", args=[family_history.pk, 2014])).content.decode()

    svg = svg_with_title(page, "qdoc-per-ar-title")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "qdoc-per-ar-title qdoc-per-ar-desc"
    assert svg.get("viewBox").startswith("0 0 ")
    assert svg.find(f"{SVG_NS}title").text == "Synpunkter och avvikelser per år 2011–2014"
    # In words for a screen reader: each kind's total and peak.
    desc = svg.find(f"{SVG_NS}desc").text
    assert "Synpunkter och klagomål: totalt 5, som mest 3 (2013)." in desc
    assert "Lex Sarah-rapporter: totalt 6, som mest 2 (2012)." in desc
    assert "Övriga avvikelser: totalt 1, som mest 1 (2014)." in desc
    # Drawn: the legend names each kind, each bar carries its value (2011: none of any kind).
    labels = texts(svg)
    assert all(name in labels for name in KIND_NAMES)
    assert labels[-16:] == ["2011", "0", "0", "0", "2012", "1", "2", "0", "2013", "3", "2", "0",
                            "2014", "1", "2", "1"]
    # The numbers are the year table's, which the chart points to instead of repeating them.
    figure = page[page.rindex("<figure", 0, page.index('id="qdoc-per-ar-title"')):]
    assert figure.startswith('<figure class="qdoc-chart qdoc-chart--has-narrow" aria-describedby="qdoc-per-ar-tabell">')
    assert '<table class="qdoc-trend" id="qdoc-per-ar-tabell">' in page
    assert page.count('class="qdoc-trend"') == 1


def test_the_statistics_section_draws_the_months_and_the_risk_levels(client, quality, with_risks):
    client.force_login(quality)
    page = client.get(reverse("reports:quality-detail", args=[with_risks.pk, 2014])).content.decode()
    statistics = page[page.index('id="verksamhetsstatistik"'):page.index('id="bedomning-och-analys"')]

    months = svg_with_title(statistics, "qdoc-per-manad-title")
    assert months.get("role") == "img"
    assert months.find(f"{SVG_NS}title").text == "Synpunkter och avvikelser per månad 2014"
    assert all(name in texts(months) for name in KIND_NAMES)
    assert "Synpunkter och klagomål: totalt 1, som mest 1 (Mars)." in months.find(f"{SVG_NS}desc").text
    # Its own table, right after it: a row per month, a column per kind and the total.
    table = statistics[statistics.index('id="qdoc-per-manad-tabell"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'<th scope="row">(\w+)</th>', table) == [*MONTHS, "Totalt"]
    assert '<th scope="row">Maj</th><td class="numeric">0</td><td class="numeric">2</td>' in table
    assert 'aria-describedby="qdoc-per-manad-tabell"' in statistics

    levels = svg_with_title(statistics, "qdoc-risknivaer-title")
    assert levels.find(f"{SVG_NS}title").text == "Öppna risker per risknivå 2014"
    assert texts(levels)[-8:] == ["Låg", "1", "Måttlig", "2", "Hög", "2", "Mycket hög", "2"]
    assert 'aria-describedby="qdoc-risknivaer-tabell"' in statistics
    assert '<table class="qdoc-facts" id="qdoc-risknivaer-tabell">' in statistics

    # A phone gets the narrow drawings (CSS shows one of each pair).
    for chart in ("qdoc-per-ar-smal", "qdoc-per-manad-smal", "qdoc-risknivaer-smal"):
        assert svg_with_title(page, f"{chart}-title").get("role") == "img"


def test_the_html_export_has_the_charts_and_nothing_to_fetch(with_risks):
    html = render_html(quality_context(with_risks, 2014))
    assert html.count("<svg ") == 6  # three charts, each drawn wide and narrow
    assert "<script" not in html
    assert not re.search(r"""(?:href|src)=["'](?!#)""", html)


# ---------------------------------------------------------------- in the PDF

@needs_poppler
def test_the_pdf_shows_each_charts_title_legend_and_axis(with_risks, tmp_path):
    text = pdf_text(render_pdf(quality_context(with_risks, 2014)), tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines()]

    assert "Synpunkter och avvikelser per år 2011–2014" in lines
    assert "Synpunkter och klagomål Lex Sarah-rapporter Övriga avvikelser" in lines  # the legend
    assert "2011 2012 2013 2014" in lines  # the x axis
    assert "Synpunkter och avvikelser per månad 2014" in lines
    assert "jan feb mar apr maj jun jul aug sep okt nov dec" in lines
    assert "Öppna risker per risknivå 2014" in lines
    assert "Låg Måttlig Hög Mycket hög" in lines
    # The bars' values are text too, and the phone drawings are not in the PDF.
    assert "J F M A M J J A S O N D" not in lines
    assert text.count("Synpunkter och avvikelser per år 2011–2014") == 1


# ---------------------------------------------------------------- the monthly series

def test_months_are_counted_in_swedish_time_and_withdrawn_reports_left_out(org, make_deviation):
    mott = org["mott"]
    make_deviation(mott, "complaint", local(2013, 12, 31, 23, 30))  # 2013 here, though 22:30 UTC
    make_deviation(mott, "complaint", local(2014, 1, 1, 0, 30))  # January, though 31 December in UTC
    make_deviation(mott, "lex_sarah", local(2014, 1, 31, 23, 30))  # January
    make_deviation(mott, "lex_sarah", local(2014, 2, 1, 0, 15))  # February, though January in UTC
    make_deviation(mott, "other", local(2014, 4, 1, 1, 30))  # April (summer time), though March in UTC
    make_deviation(mott, "other", local(2014, 10, 26, 2, 30))  # the night summer time ends
    make_deviation(mott, "other", local(2014, 12, 31, 23, 30))  # December
    make_deviation(mott, "complaint", local(2015, 1, 1, 0, 30))  # 2015 here, though 2014 in UTC
    make_deviation(mott, "complaint", local(2014, 5, 5), status="withdrawn")
    make_deviation(org["miss"], "complaint", local(2014, 5, 5))  # another section
    make_deviation(org["plac"], "complaint", local(2014, 5, 6), status="new")  # every other status counts

    with timezone.override("America/New_York"):  # whatever zone a request has activated
        months = monthly_deviations(org["fam"], 2014)

    assert [row["month"] for row in months] == list(range(1, 13))
    counted = {row["month"]: (row["complaint"], row["lex_sarah"], row["other"]) for row in months
               if row["complaint"] + row["lex_sarah"] + row["other"]}
    assert counted == {1: (1, 1, 0), 2: (0, 1, 0), 4: (0, 0, 1), 5: (1, 0, 0), 10: (0, 0, 1), 12: (0, 0, 1)}


def test_the_months_add_up_to_the_years_row(family_history):
    months = monthly_deviations(family_history, 2014)
    year = quality_facts(family_history, 2014)["deviation_counts"][-1]
    for kind in ("complaint", "lex_sarah", "other"):
        assert sum(row[kind] for row in months) == year[kind]


def _bulk_deviations(org, reporter, n):
    units = [org["mott"], org["plac"], org["miss"]]
    kinds = ["complaint", "lex_sarah", "other"]
    Deviation.objects.bulk_create([
        Deviation(reference=f"AVV-M{n}-{i:06d}", kind=kinds[i % 3], unit=units[i % 3], title="Rapport",
                  description="Något hände.", reporter=reporter, reported_at=local(2014, 1 + i % 12, 1 + i % 28),
                  status="withdrawn" if i % 10 == 0 else "closed")
        for i in range(n)
    ], batch_size=2000)


def _queries(function, *args) -> int:
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)


def test_the_monthly_series_costs_one_query_however_many_rows(org, author):
    _bulk_deviations(org, author, 10)
    few = _queries(monthly_deviations, org["sof"], 2014)
    _bulk_deviations(org, author, 1_000)
    many = _queries(monthly_deviations, org["sof"], 2014)
    assert few == many == 1
    assert sum(sum(row[k] for k in ("complaint", "lex_sarah", "other"))
               for row in monthly_deviations(org["sof"], 2014)) == 9 + 900


# ---------------------------------------------------------------- risks per level

def test_open_risks_of_the_years_analyses_per_level(with_risks, org):
    assert open_risk_levels(org["fam"], 2014) == {"low": 1, "medium": 2, "high": 2, "very_high": 2}
    assert open_risk_levels(org["plac"], 2014) == {"low": 0, "medium": 0, "high": 0, "very_high": 0}
    assert open_risk_levels(org["sof"], 2014)["very_high"] == 3


def test_the_risk_levels_cost_the_same_queries_however_many_risks(org, make_risk_analysis, make_risk):
    analysis = make_risk_analysis(org["mott"], 2014)
    make_risk(analysis, 4, 4)
    few = _queries(open_risk_levels, org["fam"], 2014)
    for n in range(60):
        make_risk(analysis, 1 + n % 4, 1 + n // 4 % 4)
    assert _queries(open_risk_levels, org["fam"], 2014) == few <= 2


# ---------------------------------------------------------------- the workbook

def test_the_workbook_has_a_sheet_with_the_months(family_history):
    workbook = load_workbook(io.BytesIO(render_xlsx(quality_context(family_history, 2014))))
    assert workbook.sheetnames == ["Svar", "Avvikelser", "Per månad", "Nyckeltal", "Så har siffrorna räknats"]
    sheet = list(workbook["Per månad"].iter_rows(values_only=True))
    assert sheet[0][0] == "Synpunkter och avvikelser per månad 2014"
    assert sheet[2] == ("Månad", *KIND_NAMES, "Totalt")
    months = sheet[3:15]
    assert [row[0] for row in months] == MONTHS
    assert months[2] == ("Mars", 1, 0, 0, 1)
    assert months[4] == ("Maj", 0, 2, 0, 2)
    assert months[8] == ("September", 0, 0, 1, 1)
    assert sheet[15] == ("Totalt", 1, 2, 1, 4)  # the year's row of the year table


@time_machine.travel(local(2014, 5, 20), tick=False)
def test_months_still_to_come_are_empty_not_zero(family_history):
    context = quality_context(family_history, 2014)
    sheet = list(load_workbook(io.BytesIO(render_xlsx(context)))["Per månad"].iter_rows(values_only=True))
    assert [row[0] for row in sheet[3:8]] == MONTHS[:5]
    assert sheet[3 + 4] == ("Maj", 0, 2, 0, 2)
    assert sheet[3 + 5] == ("Totalt", 1, 2, 0, 3)
    html = render_html(context)
    months = svg_with_title(html, "qdoc-per-manad-title")
    # Every month on the axis; columns (with their totals) for March and May only.
    assert texts(months)[-14:] == ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov",
                                   "dec", "1", "2"]
    table = html[html.index('id="qdoc-per-manad-tabell"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'<th scope="row">(\w+)</th>', table) == [*MONTHS[:5], "Totalt"]
    assert "Året pågår: månader som ännu inte har börjat saknas." in html
