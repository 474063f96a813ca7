"""The kvalitetsberättelse pages: who sees which unit, the texts and their history, the PDF job."""

import datetime
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from riskmgmt.reports import document
from riskmgmt.reports.models import QualityNarrative, ReportJob, Section

pytestmark = pytest.mark.django_db

IMPROVEMENT = Section.IMPROVEMENT.value


def detail(unit, year=2014):
    return reverse("reports:quality-detail", args=[unit.pk, year])


def edit(unit, year=2014, section=IMPROVEMENT):
    return reverse("reports:narrative-edit", args=[unit.pk, year, section])


# ---------------------------------------------------------------- who sees what

@pytest.mark.parametrize(("persona", "unit", "status"), [
    ("quality", "fam", 200), ("management", "fam", 200), ("section_manager", "fam", 200),
    ("unit_manager", "fam", 404), ("other_manager", "fam", 404), ("reporter", "fam", 404), ("outsider", "fam", 404),
    ("unit_manager", "mott", 200), ("section_manager", "mott", 200), ("quality", "sof", 200),
    ("section_manager", "sof", 404), ("other_manager", "mott", 404), ("reporter", "mott", 404),
])
@pytest.mark.parametrize("name", ["reports:quality-detail", "reports:quality-xlsx", "reports:quality-pdf"])
def test_the_report_pages_are_for_managers_of_the_unit_and_those_who_oversee_it(client, personas, org, persona,
                                                                                 unit, status, name):
    client.force_login(personas[persona])
    response = client.get(reverse(name, args=[org[unit].pk, 2014]))
    assert response.status_code == status
    if status == 200:
        assert response["Cache-Control"] == "private, no-store"


def test_anonymous_users_are_sent_to_log_in(client, org):
    response = client.get(detail(org["fam"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("year", [1999, 1, timezone.localdate().year + 1, 99999])
def test_a_year_out_of_range_is_not_found(client, quality, org, year):
    client.force_login(quality)
    assert client.get(reverse("reports:quality-detail", args=[org["fam"].pk, year])).status_code == 404
    assert client.get(reverse("reports:quality-xlsx", args=[org["fam"].pk, year])).status_code == 404


@pytest.mark.parametrize("pk", [0, 987654, 2**63 - 1, 2**70])
def test_an_unknown_unit_is_not_found(client, quality, pk):
    client.force_login(quality)
    assert client.get(reverse("reports:quality-detail", args=[pk, 2014])).status_code == 404


# ---------------------------------------------------------------- choosing

def test_the_choice_lists_the_units_in_scope_and_goes_to_the_document(client, section_manager, org):
    client.force_login(section_manager)
    page = client.get(reverse("reports:quality")).content.decode()
    assert "Familjesektionen" in page
    assert "Mottagningsenheten" in page
    assert "Missbruksenheten" not in page
    response = client.get(reverse("reports:quality"), {"unit": org["mott"].pk, "year": 2014})
    assert response.status_code == 302
    assert response["Location"] == detail(org["mott"])


@pytest.mark.parametrize("params", [
    {"unit": "abc", "year": "2014"}, {"unit": "1", "year": "nästa år"}, {"year": "1800"}, {"unit": "99999999999999999999999"},
    {"unit": "1", "year": str(timezone.localdate().year + 5)},
])
def test_bad_choices_are_shown_as_errors_never_a_crash(client, quality, org, params):
    client.force_login(quality)
    response = client.get(reverse("reports:quality"), params)
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()


def test_a_unit_outside_the_scope_cannot_be_chosen(client, section_manager, org):
    client.force_login(section_manager)
    response = client.get(reverse("reports:quality"), {"unit": org["miss"].pk, "year": 2014})
    assert response.status_code == 400


def test_staff_get_an_explanation_instead_of_a_form(client, reporter):
    client.force_login(reporter)
    response = client.get(reverse("reports:quality"))
    assert response.status_code == 200
    assert "Du har ingen sådan roll" in response.content.decode()


def test_started_reports_are_listed(client, quality, org):
    QualityNarrative.objects.create(unit=org["fam"], year=2014, section=IMPROVEMENT, text="Vi har arbetat.")
    client.force_login(quality)
    page = client.get(reverse("reports:quality")).content.decode()
    assert detail(org["fam"]) in page


# ---------------------------------------------------------------- the document page

def test_the_page_shows_the_sections_the_answers_and_the_deviation_table(client, quality, family_history):
    client.force_login(quality)
    page = client.get(detail(family_history)).content.decode()
    headings = ["Processer och rutiner", "Samverkan", "Rättssäker handläggning", "Systematiskt förbättringsarbete",
                "Egenkontroll", "Verksamhetsstatistik", "Bedömning och analys"]
    positions = [page.index(f"{n}. {heading}</h2>") for n, heading in enumerate(headings, start=1)]
    assert positions == sorted(positions)
    for question in ("Har riskanalys gjorts?", "Har handlingsplan upprättats?", "Har internkontrollplanen följts?"):
        assert question in page
    table = page[page.index('class="qdoc-trend"'):page.index("</table>", page.index('class="qdoc-trend"'))]
    cells = [row.split("</th>")[1] for row in table.split("<th scope=\"row\">")[1:]]
    assert [c.count("<td>") for c in cells] == [4, 4, 4, 4]
    assert "<td>1</td><td>2</td><td>0</td><td>3</td>" in table.replace("\n", "").replace(" ", "")  # 2012
    assert "<td>3</td><td>2</td><td>0</td><td>5</td>" in table.replace("\n", "").replace(" ", "")  # 2013
    assert "<td>1</td><td>2</td><td>1</td><td>4</td>" in table.replace("\n", "").replace(" ", "")  # 2014
    assert "Återkallade" in page


def test_the_page_costs_the_same_queries_however_many_versions(client, quality, section_manager, org):
    client.force_login(quality)
    url = detail(org["fam"])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for section in Section:
        version = 0
        for n in range(4):
            narrative = document.narrative_save(unit=org["fam"], year=2014, section=section, text=f"Version {n}.",
                                                actor=(quality, section_manager)[n % 2], based_on=version)
            version = narrative.history.latest("history_id").history_id
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.content.decode().count("Version 3.") == len(Section)
    assert len(many) == len(few) <= 22


def test_everyone_who_reads_a_report_may_write_its_texts(client, quality, management, section_manager, org):
    # Issue 8: the ledningsgrupp writes too (its "bedömning och analys" of the whole administration).
    for user, editable in ((quality, True), (section_manager, True), (management, True)):
        client.force_login(user)
        page = client.get(detail(org["fam"])).content.decode()
        assert (edit(org["fam"]) in page) is editable


# ---------------------------------------------------------------- the texts

def test_writing_a_text_without_javascript(client, section_manager, org):
    client.force_login(section_manager)
    form = client.get(edit(org["fam"]))
    assert form.status_code == 200
    assert "<html" in form.content.decode()
    response = client.post(edit(org["fam"]), {"text": "Riskanalyserna visade brister i överlämningar.",
                                              "version": "0"})
    assert response.status_code == 302
    assert response["Location"] == detail(org["fam"]) + f"#{IMPROVEMENT}"
    narrative = QualityNarrative.objects.get(unit=org["fam"], year=2014, section=IMPROVEMENT)
    assert narrative.text == "Riskanalyserna visade brister i överlämningar."
    version = narrative.history.get()
    assert (version.history_user, version.history_change_reason) == (section_manager, "edit")
    page = client.get(response["Location"]).content.decode()
    assert "Riskanalyserna visade brister i överlämningar." in page
    assert "Senast ändrad" in page
    assert "Sara Lindqvist" in page


def test_writing_a_text_with_htmx_swaps_the_section_and_keeps_the_history(client, quality, org):
    client.force_login(quality)
    headers = {"HX-Request": "true"}
    form = client.get(edit(org["fam"]), headers=headers).content.decode()
    assert "<html" not in form
    assert 'name="version" value="0"' in form
    first = client.post(edit(org["fam"]), {"text": "Första versionen.", "version": "0"}, headers=headers)
    assert first.status_code == 200
    assert "Texten är sparad." in first.content.decode()
    latest = QualityNarrative.history.get().history_id
    second = client.post(edit(org["fam"]), {"text": "Andra versionen.", "version": str(latest)}, headers=headers)
    body = second.content.decode()
    assert "Andra versionen." in body
    assert "1 tidigare version" in body
    assert "Första versionen." in body  # the earlier version, under its <details>
    assert QualityNarrative.history.count() == 2
    cancel = client.get(edit(org["fam"]) + "?visa=1", headers=headers).content.decode()
    assert "Andra versionen." in cancel
    assert "<form" not in cancel


def test_a_stale_edit_is_refused_and_keeps_both_texts(client, quality, section_manager, org):
    client.force_login(section_manager)
    client.post(edit(org["fam"]), {"text": "Sektionschefens text.", "version": "0"})
    client.force_login(quality)
    response = client.post(edit(org["fam"]), {"text": "Kvalitetssamordnarens text.", "version": "0"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Sektionschefens text." in body
    assert "Kvalitetssamordnarens text." in body
    assert QualityNarrative.objects.get().text == "Sektionschefens text."
    latest = QualityNarrative.history.get().history_id
    assert f'name="version" value="{latest}"' in body  # the next save goes through
    client.post(edit(org["fam"]), {"text": "Kvalitetssamordnarens text.", "version": str(latest)})
    assert QualityNarrative.objects.get().text == "Kvalitetssamordnarens text."


def test_a_personnummer_is_refused(client, quality, org):
    client.force_login(quality)
    response = client.post(edit(org["fam"]), {"text": "Gäller 19121212-1212.", "version": "0"})
    assert response.status_code == 400
    assert not QualityNarrative.objects.exists()


@pytest.mark.parametrize(("persona", "unit", "status"), [
    ("management", "fam", 200), ("unit_manager", "fam", 404), ("other_manager", "fam", 404),
    ("reporter", "mott", 404),
    ("outsider", "fam", 404), ("unit_manager", "mott", 200), ("quality", "sof", 200),
])
def test_who_may_write_the_texts(client, personas, org, persona, unit, status):
    client.force_login(personas[persona])
    assert client.get(edit(org[unit])).status_code == status
    response = client.post(edit(org[unit]), {"text": "Text.", "version": "0"})
    assert response.status_code == (302 if status == 200 else status)
    assert QualityNarrative.objects.exists() is (status == 200)


@pytest.mark.parametrize("section", ["okant-avsnitt", "PROCESSER"])
def test_an_unknown_section_is_not_found(client, quality, org, section):
    client.force_login(quality)
    assert client.get(edit(org["fam"], section=section)).status_code == 404


def test_a_bad_version_is_an_error_not_a_crash(client, quality, org):
    client.force_login(quality)
    assert client.post(edit(org["fam"]), {"text": "Text.", "version": "nio"}).status_code == 400


# ---------------------------------------------------------------- the PDF job

def _start(client, unit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("reports:quality-pdf", args=[unit.pk, 2014]))


def test_the_pdf_is_made_in_the_background_and_served_to_its_requester(client, quality, management, family_history,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(quality)
    response = _start(client, family_history, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert (job.status, job.progress, job.requested_by) == ("done", 100, quality)
    assert job.filename == "kvalitetsberattelse-fam-2014.pdf"
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:job-download", args=[job.pk]) in page
    assert "hx-trigger" not in page  # finished: no more polling
    download = client.get(reverse("reports:job-download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "kvalitetsberattelse-fam-2014.pdf" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    # Only the requester, even someone who may read the same report.
    client.force_login(management)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:job-download", args=[job.pk])).status_code == 404


def test_a_job_is_gone_once_its_requester_no_longer_has_the_unit(client, section_manager, org):
    """The PDF holds the unit's report: a sektionschef who has moved on may not fetch it later."""
    job = ReportJob.objects.create(unit=org["fam"], year=2014, requested_by=section_manager, status="done",
                                   progress=100, filename="kvalitetsberattelse-fam-2014.pdf")
    job.file.save("test.pdf", ContentFile(b"%PDF-1.7 test"))
    client.force_login(section_manager)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 200
    assert client.get(reverse("reports:job-download", args=[job.pk])).status_code == 200

    section_manager.memberships.update(is_active=False)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:job-download", args=[job.pk])).status_code == 404


def test_a_running_job_polls_and_shows_its_progress(client, quality, org):
    job = ReportJob.objects.create(unit=org["fam"], year=2014, requested_by=quality, status="running", progress=40)
    client.force_login(quality)
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'value="40"' in page
    assert '<meta http-equiv="refresh"' in page  # inside <noscript>: the page reloads without JavaScript
    partial = client.get(reverse("reports:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert "40 % klart" in partial
    assert client.get(reverse("reports:job-download", args=[job.pk])).status_code == 404


def test_asking_again_while_a_job_runs_returns_the_same_job(client, quality, org, django_capture_on_commit_callbacks):
    job = ReportJob.objects.create(unit=org["fam"], year=2014, requested_by=quality, status="queued")
    client.force_login(quality)
    response = _start(client, org["fam"], django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert ReportJob.objects.count() == 1


def test_a_job_lost_by_the_worker_is_shown_as_failed_and_a_new_one_starts(client, quality, org,
                                                                          django_capture_on_commit_callbacks):
    lost = ReportJob.objects.create(unit=org["fam"], year=2014, requested_by=quality, status="running",
                                    created=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(quality)
    page = client.get(reverse("reports:job", args=[lost.pk])).content.decode()
    assert "kunde inte skapas" in page
    assert "hx-trigger" not in page
    with mock.patch("riskmgmt.deviations.pdf.html_to_pdf", return_value=b"%PDF-1.7 test"):
        _start(client, org["fam"], django_capture_on_commit_callbacks)
    assert ReportJob.objects.filter(status="done").count() == 1


def test_a_broker_that_is_down_fails_the_job_not_the_page(client, quality, org, django_capture_on_commit_callbacks):
    client.force_login(quality)
    with mock.patch("riskmgmt.reports.tasks.report_job_run_task.delay", side_effect=OSError("broker down")):
        response = _start(client, org["fam"], django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert job.status == "failed"
    assert "Bakgrundstjänsten" in client.get(response["Location"]).content.decode()


def test_a_rendering_error_fails_the_job_with_a_message(quality, org):
    job = ReportJob.objects.create(unit=org["fam"], year=2014, requested_by=quality)
    with mock.patch("riskmgmt.deviations.pdf.html_to_pdf", side_effect=RuntimeError("pango")):
        document.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("failed", "")
    assert "kunde inte skapas" in job.error


def test_the_task_does_nothing_for_a_job_that_is_not_queued(quality, org):
    job = ReportJob.objects.create(unit=org["fam"], year=2014, requested_by=quality, status="done", progress=100)
    with mock.patch("riskmgmt.reports.document.quality_context") as build:
        document.report_job_run(job_id=job.pk)
    build.assert_not_called()


def test_the_pdf_page_without_javascript_offers_the_button(client, quality, org):
    client.force_login(quality)
    page = client.get(reverse("reports:quality-pdf", args=[org["fam"].pk, 2014])).content.decode()
    assert 'method="post"' in page
    assert "Skapa pdf" in page


def test_the_excel_file_downloads(client, section_manager, family_history):
    client.force_login(section_manager)
    response = client.get(reverse("reports:quality-xlsx", args=[family_history.pk, 2014]))
    assert response["Content-Type"] == document.XLSX_TYPE
    assert "kvalitetsberattelse-fam-2014.xlsx" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"
