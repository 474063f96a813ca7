"""The kvalitetsberättelse as PDF, HTML export and XLSX: the same headings, answers and numbers."""

import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from riskmgmt.reports.document import quality_context, render_html, render_pdf, render_xlsx
from riskmgmt.reports.models import QualityNarrative, Section

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

HEADINGS = ["1. Processer och rutiner", "2. Samverkan", "3. Rättssäker handläggning",
            "4. Systematiskt förbättringsarbete", "5. Egenkontroll", "6. Verksamhetsstatistik",
            "7. Bedömning och analys"]


@pytest.fixture
def context(family_history, org, make_decision, make_control_point, make_check):
    make_decision(org["mott"], "jo")
    point = make_control_point(org["plac"], frequency="yearly")
    make_check(point, point.periods()[0].start)
    QualityNarrative.objects.create(unit=family_history, year=2014, section=Section.COLLABORATION,
                                    text="Samverkan med skolan har utvecklats.\n\nBUS-överenskommelsen följs.")
    return quality_context(family_history, 2014)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "kvalitetsberattelse.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)  # noqa: S603, S607
    return result.stdout.decode()


@needs_poppler
def test_the_pdf_holds_the_headings_the_answers_and_the_table(context, tmp_path):
    text = _pdf_text(render_pdf(context), tmp_path)
    for heading in HEADINGS:
        assert heading in text
    assert "Har riskanalys gjorts?" in text
    assert "Har internkontrollplanen följts?" in text
    rows = [line.split() for line in text.splitlines() if line.strip()[:4] in ("2011", "2012", "2013", "2014")]
    table = [row for row in rows if len(row) == 5 and all(cell.isdigit() for cell in row)]
    assert table == [["2011", "0", "0", "0", "0"], ["2012", "1", "2", "0", "3"], ["2013", "3", "2", "0", "5"],
                     ["2014", "1", "2", "1", "4"]]
    assert "Återkallade rapporter" in text
    assert "Samverkan med skolan har utvecklats." in text
    assert "Justitieombudsmannen (JO)" in text
    assert "Sida 1 av" in text
    assert "Ändra texten" not in text


def test_the_html_export_stands_alone_without_edit_controls(context):
    html = render_html(context)
    assert html.startswith("<!doctype html>")
    assert ".qdoc" in html  # the stylesheet, inlined
    assert "<link" not in html
    assert "hx-get" not in html
    assert "<form" not in html
    for heading in HEADINGS:
        number, title = heading.split(" ", 1)
        assert f"{number} {title}</h2>" in html
    assert "<p>Samverkan med skolan har utvecklats.</p>" in html


def test_every_table_has_a_caption(context):
    """Screen readers name a table by its caption (WCAG 1.3.1); "Beskrivna processer" has no group title."""
    html = render_html(context)
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert tables
    for table in tables:
        assert re.search(r"<caption[^>]*>\s*\S", table), table[:200]
    assert re.search(r'<caption class="visually-hidden">\s*Processer och rutiner\s*</caption>', html)


def test_the_workbook_holds_the_answers_the_table_and_every_count(context):
    workbook = load_workbook(io.BytesIO(render_xlsx(context)))
    assert workbook.sheetnames == ["Svar", "Avvikelser", "Per månad", "Nyckeltal", "Så har siffrorna räknats"]
    answers = list(workbook["Svar"].iter_rows(min_row=5, values_only=True))
    assert [row[:2] for row in answers] == [
        ("Har riskanalys gjorts?", "Nej"), ("Har handlingsplan upprättats?", "Nej"),
        ("Har internkontrollplanen följts?", "Ja")]
    trend = list(workbook["Avvikelser"].iter_rows(min_row=3, max_row=7, values_only=True))
    assert trend == [
        ("År", "Synpunkter och klagomål", "Lex Sarah-rapporter", "Övriga avvikelser", "Totalt"),
        (2011, 0, 0, 0, 0), (2012, 1, 2, 0, 3), (2013, 3, 2, 0, 5), (2014, 1, 2, 1, 4)]
    counts = {(row[1], row[2]): row[3] for row in workbook["Nyckeltal"].iter_rows(min_row=2, values_only=True)}
    assert counts[("Lex Sarah och anmälningar till IVO", "Lex Sarah-rapporter")] == 2
    assert counts[("Tillsyn, JO-anmälningar och granskning: ärenden som kom in under året",
                   "Justitieombudsmannen (JO)")] == 1
    assert counts[("Egenkontroller enligt internkontrollplanen", "Genomförda kontroller")] == 1
    assert counts[("Riskanalys", "Enheter som ska göra riskanalys")] == 2
