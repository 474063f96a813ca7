"""The report-back letter ("Redovisning till IVO, dnr …") as a page and a PDF: every requirement
with its actions and report text, the signature for the nämnd, no personnummer, and the access gate."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.supervision import services
from riskmgmt.supervision.letter import letter_context, letter_pdf
from riskmgmt.supervision.models import Requirement

pytestmark = pytest.mark.django_db
# The page tests' own fixtures (ivo_case, ivo_decided, due_requirement, …), beside S1's conftest.
pytest_plugins = ["tests.supervision.view_fixtures"]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
PERSONNUMMER = "19121212-1212"  # Skatteverket's test number: checksum-valid

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "redovisning.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)  # noqa: S603, S607
    return " ".join(result.stdout.decode("utf-8").split())


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def reported(ivo_decided, due_requirement, late_requirement, due_action, section_manager, unit_manager):
    """Both requirements with actions (one done and evaluated, one cancelled), one reported back."""
    action_services.action_complete(action=due_action, actor=unit_manager, done_on=days(-1),
                                    comment="Fältet finns i mallen sedan i måndags.")
    action_services.action_evaluate(action=due_action, actor=unit_manager, effect="effective",
                                    comment="Alla stickprov i mars var dokumenterade samma dag.")
    action_services.action_create(
        source_obj=late_requirement, actor=section_manager, title="Schemalagd bevakning av inkorgen fredagar",
        responsible=section_manager, due_date=days(7), strength="medium")
    cancelled = action_services.action_create(
        source_obj=late_requirement, actor=section_manager, title="Påminnelse i intranätet",
        responsible=section_manager, due_date=days(7), strength="weak")
    action_services.action_cancel(action=cancelled, actor=section_manager, reason="Ersatt av schemat.")
    services.requirement_report_back(requirement=due_requirement, actor=section_manager, reported_on=days(0),
                                     summary="Journalmallen har fått ett obligatoriskt fält för skyddsbedömning.")
    return ivo_decided


def test_letter_page_has_every_requirement_with_its_actions(client, reported, section_manager):
    client.force_login(section_manager)
    response = client.get(reverse("supervision:letter", args=[reported.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = _text(response)
    assert "Redovisning till IVO, dnr 8.5-1234/2026" in text
    assert "Inspektionen för vård och omsorg (IVO)" in text
    for due_requirement in reported.requirements.all():
        assert due_requirement.text in text
    assert "Checklista för skyddsbedömning i journalmallen" in text
    assert "Maria Ek" in text
    assert "Utvärderad" in text
    assert "genomförd " + days(-1).isoformat() in text
    assert "Effektiv" in text
    assert "Alla stickprov i mars" in text
    assert "Schemalagd bevakning av inkorgen fredagar" in text
    assert "Påminnelse i intranätet" not in text  # cancelled: not a measure taken
    assert "Journalmallen har fått ett obligatoriskt fält" in text
    assert "Redovisningstext saknas" in text  # the overdue one is not reported yet
    assert "1 krav saknar ännu en redovisningstext" in text
    assert "För socialnämnden" in text
    assert "Familjesektionen" in text
    assert reverse("supervision:letter-pdf", args=[reported.pk]) in response.content.decode()


def test_letter_masks_personal_numbers(client, reported, section_manager):
    # Typed before the check existed, say: the letter masks it all the same.
    Requirement.objects.filter(decision=reported).update(report_summary=f"Gäller klienten {PERSONNUMMER}.")
    context = letter_context(reported)
    assert all(PERSONNUMMER not in row["summary"] for row in context["rows"])
    client.force_login(section_manager)
    assert PERSONNUMMER not in client.get(reverse("supervision:letter", args=[reported.pk])).content.decode()


@needs_poppler
def test_letter_pdf_contains_every_requirement_and_action(reported, tmp_path):
    text = _pdf_text(letter_pdf(reported), tmp_path)
    assert "Redovisning till IVO, dnr 8.5-1234/2026" in text
    assert "Krav 1" in text
    assert "Krav 2" in text
    for due_requirement in reported.requirements.all():
        assert " ".join(due_requirement.text.split()[:7]) in text
    for title in ("Checklista för skyddsbedömning", "Schemalagd bevakning av inkorgen"):
        assert title in text
    assert "Maria Ek" in text
    assert "Sara Lindqvist" in text
    assert "Journalmallen har fått ett obligatoriskt fält" in text
    assert "För socialnämnden" in text
    assert "Sida 1 av" in text
    assert "Ladda ner som pdf" not in text  # the page's toolbar stays out of the document


def test_letter_pdf_download(client, reported, section_manager):
    client.force_login(section_manager)
    response = client.get(reverse("supervision:letter-pdf", args=[reported.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="redovisning-ivo-85-12342026.pdf"' in response["Content-Disposition"]


def test_letter_with_no_requirements(client, ivo_case, section_manager):
    client.force_login(section_manager)
    response = client.get(reverse("supervision:letter", args=[ivo_case.pk]))
    assert response.status_code == 200
    assert "inga registrerade krav" in _text(response)


@pytest.mark.parametrize("persona", ["other_manager", "outsider", "reporter"])
def test_letter_404_outside_scope(client, ivo_decided, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("supervision:letter", args=[ivo_decided.pk])).status_code == 404
    assert client.get(reverse("supervision:letter-pdf", args=[ivo_decided.pk])).status_code == 404


def test_letter_read_by_unit_manager_and_post_refused(client, ivo_decided, unit_manager):
    client.force_login(unit_manager)
    assert client.get(reverse("supervision:letter", args=[ivo_decided.pk])).status_code == 200
    assert client.post(reverse("supervision:letter", args=[ivo_decided.pk])).status_code == 405


def test_letter_queries_are_bounded(client, reported, section_manager, django_assert_max_num_queries):
    for n in range(10):
        services.requirement_add(decision=reported, actor=section_manager, text=f"Krav {n}.", due_date=days(50))
    client.force_login(section_manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("supervision:letter", args=[reported.pk])).status_code == 200
