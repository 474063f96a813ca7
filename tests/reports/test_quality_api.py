"""GET /api/v1/reports/quality/ (API.md "Reports"): the facts as JSON, or the document."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/quality/"


def test_the_url_is_named_report_quality():
    assert reverse("api:report-quality") == URL


def test_the_facts_as_json_in_the_contract_shape(api_client, quality, family_history):
    api_client.force_authenticate(quality)
    response = api_client.get(URL, {"year": 2014, "unit": family_history.pk})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["year", "unit", "deviation_counts", "lex_sarah", "event_analyses", "risk_analysis",
                          "supervision", "actions", "internal_control"]
    assert (body["year"], body["unit"]) == (2014, family_history.pk)
    assert body["deviation_counts"] == [
        {"year": 2011, "complaint": 0, "lex_sarah": 0, "other": 0},
        {"year": 2012, "complaint": 1, "lex_sarah": 2, "other": 0},
        {"year": 2013, "complaint": 3, "lex_sarah": 2, "other": 0},
        {"year": 2014, "complaint": 1, "lex_sarah": 2, "other": 1},
    ]
    assert body["lex_sarah"] == {"reported": 2, "serious": 0, "notified_to_ivo": 0}
    assert body["risk_analysis"] == {"units_total": 2, "units_held": 0, "units_with_actions": 0, "approved": False}
    assert body["supervision"] == {"ivo": 0, "jo": 0, "court": 0, "audit": 0, "requirements_open": 0,
                                   "requirements_overdue": 0}
    assert body["internal_control"]["followed"] == "no"
    assert response["Cache-Control"] == "private, no-store"


def test_a_token_works_too(api_client, section_manager, org):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=section_manager)
    response = api_client.get(URL, {"year": 2014, "unit": org["fam"].pk}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


@pytest.mark.parametrize(("params", "field"), [
    ({"unit": "1"}, "year"),
    ({"year": "2014"}, "unit"),
    ({"year": "tjugofjorton", "unit": "1"}, "year"),
    ({"year": "1999", "unit": "1"}, "year"),
    ({"year": str(timezone.localdate().year + 1), "unit": "1"}, "year"),
    ({"year": "2014", "unit": "ett"}, "unit"),
    ({"year": "2014", "unit": "0"}, "unit"),
    ({"year": "2014", "unit": str(2**70)}, "unit"),
    ({"year": "2014", "unit": "1", "format": "docx"}, "format"),
])
def test_bad_input_is_400_with_the_field(api_client, quality, org, params, field):
    api_client.force_authenticate(quality)
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field], list)


@pytest.mark.parametrize(("persona", "unit", "status"), [
    ("quality", "sof", 200), ("management", "fam", 200), ("section_manager", "fam", 200),
    ("section_manager", "miss", 404), ("unit_manager", "mott", 200), ("unit_manager", "fam", 404),
    ("reporter", "mott", 404), ("outsider", "mott", 404),
])
def test_a_unit_outside_the_scope_is_404(api_client, personas, org, persona, unit, status):
    api_client.force_authenticate(personas[persona])
    assert api_client.get(URL, {"year": 2014, "unit": org[unit].pk}).status_code == status


def test_an_unknown_unit_is_404_and_anonymous_is_401(api_client, quality, org):
    assert api_client.get(URL, {"year": 2014, "unit": org["fam"].pk}).status_code == 401
    api_client.force_authenticate(quality)
    assert api_client.get(URL, {"year": 2014, "unit": 987654}).status_code == 404


def test_the_document_as_html_xlsx_and_pdf(api_client, quality, family_history):
    api_client.force_authenticate(quality)
    params = {"year": 2014, "unit": family_history.pk}
    html = api_client.get(URL, {**params, "format": "html"})
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert "4. Systematiskt förbättringsarbete" in html.content.decode()
    xlsx = api_client.get(URL, {**params, "format": "xlsx"})
    assert 'filename="kvalitetsberattelse-fam-2014.xlsx"' in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["Avvikelser"]
    assert [c.value for c in sheet[7]] == [2014, 1, 2, 1, 4]
    pdf = api_client.get(URL, {**params, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "private, no-store"


def test_the_schema_describes_the_endpoint(api_client, quality):
    api_client.force_authenticate(quality)
    schema = api_client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    operation = schema.json()["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"year", "unit", "format"}
    assert set(operation["responses"]["200"]["content"]) >= {"application/json", "application/pdf", "text/html"}
