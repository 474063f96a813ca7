"""The register export: XLSX and CSV hold every risk of the scope and nothing outside it, in a
bounded number of queries, and open in Swedish Excel."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from riskmgmt.actions.models import Action
from riskmgmt.risks import services
from riskmgmt.risks.export import headers
from riskmgmt.risks.models import Risk
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def add(analysis, actor, title, probability, consequence, **extra):
    extra.setdefault("risk_type", "process")
    extra.setdefault("perspective", "client")
    return services.risk_add(analysis=analysis, actor=actor, title=title, probability=probability,
                             consequence=consequence, **extra)


@pytest.fixture
def register(org, unit_manager, other_manager):
    mott = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=THIS_YEAR)
    miss = services.risk_analysis_create(actor=other_manager, unit=org["miss"], year=THIS_YEAR)
    last = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=THIS_YEAR - 1)
    high = add(mott, unit_manager, "Anmälningar blir liggande över helgen", 3, 3, process=org["mottagning"],
               description="Ingen bevakar inkorgen\nfredag efter 15")
    services.risk_update(risk=high, actor=unit_manager, residual_probability=1, residual_consequence=3,
                         escalated=True, escalation_reason="Kräver bemanning")
    closed = add(mott, unit_manager, "Gammal rutin för post", 2, 3)
    services.risk_update(risk=closed, actor=unit_manager, status=Risk.Status.CLOSED)
    add(mott, unit_manager, "=HYPERLINK(\"http://example.com\")", 1, 1)
    add(miss, other_manager, "Abstinens utan läkarkontakt", 4, 4)
    add(last, unit_manager, "Förra årets risk", 2, 2)
    risk_type = ContentType.objects.get_for_model(Risk)
    ActionFactory(unit=org["mott"], source_content_type=risk_type, source_id=high.pk, title="Bevakning fredagar")
    ActionFactory(unit=org["mott"], source_content_type=risk_type, source_id=high.pk, title="Jourtelefon",
                  status=Action.Status.CANCELLED)
    return {"high": high}


def export_url(fmt, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("risks:export", kwargs={"fmt": fmt}) + (f"?{query}" if query else "")


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_xlsx_holds_every_risk_of_the_scope_and_opens(client, register, management):
    client.force_login(management)
    response = client.get(export_url("xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="riskregister-{THIS_YEAR}-sof.xlsx"' in response["Content-Disposition"]
    sheet, rows = xlsx_rows(response)
    assert rows[0] == headers()
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width >= 30
    titles = {row[3] for row in rows[1:]}
    assert titles == {"Anmälningar blir liggande över helgen", "Gammal rutin för post",
                      "=HYPERLINK(\"http://example.com\")", "Abstinens utan läkarkontakt"}
    by_title = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    high = by_title["Anmälningar blir liggande över helgen"]
    assert high["Enhet"] == "Mottagningsenheten"
    assert high["År"] == THIS_YEAR
    assert high["Analysens status"] == "Planerad"
    assert high["Process"] == "Mottagning och förhandsbedömning"
    assert high["Sannolikhet"] == 3
    assert high["Riskpoäng"] == 9
    assert high["Nivå"] == "Hög"
    assert high["Sannolikhet efter åtgärder"] == 1
    assert high["Lyft till sektionen"] == "Ja"
    assert high["Status"] == "Öppen"
    assert "Bevakning fredagar (Planerad)" in high["Åtgärder"]
    assert "Jourtelefon (Avbruten)" in high["Åtgärder"]
    assert by_title["Gammal rutin för post"]["Status"] == "Stängd"
    assert by_title["Abstinens utan läkarkontakt"]["Nivå"] == "Mycket hög"
    formula = next(cell for cell in sheet["D"] if str(cell.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"  # text, never run as a formula


def test_xlsx_survives_control_characters_pasted_into_a_risk(client, register, org, unit_manager, management):
    analysis = register["high"].analysis
    add(analysis, unit_manager, "Sidbrytning\x0ci rubriken", 2, 2, description="Rad ett\x0brad två\x1f")
    client.force_login(management)

    response = client.get(export_url("xlsx"))

    assert response.status_code == 200
    by_title = {row[3]: row for row in xlsx_rows(response)[1][1:]}
    assert by_title["Sidbrytningi rubriken"][4] == "Rad ettrad två"
    assert "Sidbrytning\x0ci rubriken" in {row[3] for row in csv_rows(client.get(export_url("csv")))}


def test_export_for_a_section_leaves_the_rest_out(client, register, org, management):
    client.force_login(management)
    _sheet, rows = xlsx_rows(client.get(export_url("xlsx", unit=org["vux"].pk)))
    assert [row[3] for row in rows[1:]] == ["Abstinens utan läkarkontakt"]
    _sheet, rows = xlsx_rows(client.get(export_url("xlsx", year=THIS_YEAR - 1)))
    assert [row[3] for row in rows[1:]] == ["Förra årets risk"]


def test_section_manager_exports_their_section_only(client, register, org, section_manager):
    client.force_login(section_manager)
    rows = csv_rows(client.get(export_url("csv")))
    assert "Abstinens utan läkarkontakt" not in {row[3] for row in rows[1:]}
    assert len(rows) == 4
    assert client.get(export_url("csv", unit=org["miss"].pk)).status_code == 404


def test_csv_opens_in_swedish_excel(client, register, management):
    client.force_login(management)
    response = client.get(export_url("csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == headers()
    assert len(rows) == 5
    by_title = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    high = by_title["Anmälningar blir liggande över helgen"]
    assert high["Beskrivning"] == "Ingen bevakar inkorgen\nfredag efter 15"
    assert high["Nivå"] == "Hög"
    assert high["Riskpoäng"] == "9"
    assert high["Konsekvens efter åtgärder"] == "3"
    assert by_title["Abstinens utan läkarkontakt"]["Sannolikhet efter åtgärder"] == ""
    # A text that starts like a formula is defused for the spreadsheet.
    assert "'=HYPERLINK(\"http://example.com\")" in by_title


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_is_404_outside_the_scope(client, register, org, outsider, other_manager, fmt):
    client.force_login(outsider)
    assert client.get(export_url(fmt)).status_code == 404
    client.force_login(other_manager)
    assert client.get(export_url(fmt, unit=org["mott"].pk)).status_code == 404


@pytest.mark.parametrize(("fmt", "params", "status"), [
    ("pdf", {}, 404), ("xlsx", {"year": "abc"}, 400), ("csv", {"unit": "999999"}, 404),
    ("csv", {"unit": "abc"}, 404), ("csv", {"year": ""}, 200),
])
def test_export_bad_input_never_500(client, register, management, fmt, params, status):
    client.force_login(management)
    assert client.get(export_url(fmt, **params)).status_code == status


def test_export_needs_login(client, register):
    assert client.get(export_url("csv")).status_code == 302


def test_export_runs_a_bounded_number_of_queries(client, register, org, unit_manager, management):
    client.force_login(management)
    with CaptureQueriesContext(connection) as few:
        client.get(export_url("xlsx"))
    analysis = register["high"].analysis
    risk_type = ContentType.objects.get_for_model(Risk)
    for n in range(40):
        risk = add(analysis, unit_manager, f"Risk {n}", 1 + n % 4, 1 + n // 4 % 4)
        ActionFactory(unit=org["mott"], source_content_type=risk_type, source_id=risk.pk)
    with CaptureQueriesContext(connection) as many:
        response = client.get(export_url("xlsx"))

    assert len(xlsx_rows(response)[1]) == 45
    assert len(many) == len(few) <= 12
