"""Filing a report as staff: /avvikelser/ny/, the receipt and the process list."""

import datetime
import io
import uuid
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from riskmgmt.deviations.models import Attachment, Deviation
from riskmgmt.notifications.models import Notification
from tests.factories import MembershipFactory, ProcessFactory, UserFactory

pytestmark = pytest.mark.django_db
CREATE = reverse("deviations:create")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PERSONNUMMER = "19121212-1212"  # Skatteverket's test number: checksum-valid


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _data(org, **fields) -> dict:
    data = {
        "kind": "other",
        "unit": org["mott"].pk,
        "title": "Akten låg kvar i skrivaren",
        "description": "En utskrift låg kvar i skrivaren i korridoren över natten.",
        "occurred_date": _yesterday().isoformat(),
        "occurred_time": "16:45",
        "submission": str(uuid.uuid4()),
    }
    data.update(fields)
    return data


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_login_required(client):
    response = client.get(CREATE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_form_offers_three_kinds_with_guidance_and_preselects_the_only_unit(client, reporter, org):
    client.force_login(reporter)
    response = client.get(CREATE)
    html = response.content.decode()
    assert response.status_code == 200
    for value in ("lex_sarah", "complaint", "other"):
        assert f'value="{value}"' in html
    assert "genast" in html
    assert "aldrig straffas" in html
    assert "sekretess" in html
    # One unit: nothing to choose, it is filled in and named.
    assert f'<input type="hidden" name="unit" value="{org["mott"].pk}"' in html
    assert "Mottagningsenheten" in html
    assert "Skriv inte namn eller personnummer" in html
    form = response.context["form"]
    assert [str(v) for v, _ in form.fields["process"].choices[1:]] == [str(org["mottagning"].pk)]
    assert form["occurred_date"].value() == timezone.localdate()
    assert 'type="file"' in html
    assert "multiple" in html
    assert 'accept=".pdf,.jpg' in html


def test_kind_can_be_chosen_from_a_link(client, reporter):
    client.force_login(reporter)
    html = client.get(CREATE + "?typ=lex_sarah").content.decode()
    assert '<input type="radio" name="kind" value="lex_sarah" id="id_kind_0" required checked>' in html
    assert html.count("checked") == 1


@pytest.mark.parametrize("kind", ["lex_sarah", "complaint", "other"])
def test_filing_each_kind_writes_the_report_and_shows_the_receipt(client, reporter, unit_manager, org, kind):
    client.force_login(reporter)
    extra = {"complainant_type": "relative", "contact": "070-123 45 67"} if kind == "complaint" else {}
    response = client.post(CREATE, _data(org, kind=kind, process=org["mottagning"].pk, **extra))
    deviation = Deviation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("deviations:receipt", args=[deviation.pk])
    assert deviation.kind == kind
    assert deviation.status == "reported"
    assert deviation.reporter == reporter
    assert deviation.unit == org["mott"]
    assert deviation.process == org["mottagning"]
    assert deviation.reference == f"AVV-{timezone.localdate().year}-0001"
    assert timezone.localtime(deviation.occurred_at).time() == datetime.time(16, 45)
    assert Notification.objects.filter(recipient=unit_manager, object_id=deviation.pk).exists()

    receipt = client.get(response.url)
    html = receipt.content.decode()
    assert deviation.reference in html
    assert "Maria Ek" in html  # the unit manager it went to
    assert reverse("deviations:mine") in html
    assert "Rapportera något mer" in html


def test_complaint_fields_are_kept_for_complaints_only(client, reporter, org):
    client.force_login(reporter)
    client.post(CREATE, _data(org, kind="complaint", complainant_type="client", anonymous="on",
                              contact="Ring mig på 070-123 45 67"))
    client.post(CREATE, _data(org, kind="other", complainant_type="client", contact="Något"))
    complaint, other = Deviation.objects.order_by("pk")
    assert (complaint.complainant_type, complaint.anonymous, complaint.contact) == ("client", True, "")
    assert (other.complainant_type, other.anonymous, other.contact) == ("", False, "")


def test_a_complaint_needs_to_say_who_gave_it(client, reporter, org):
    client.force_login(reporter)
    response = client.post(CREATE, _data(org, kind="complaint"))
    assert response.status_code == 200
    assert "Välj vem synpunkten kommer från." in response.content.decode()
    assert not Deviation.objects.exists()


def test_attachments_are_stored(client, reporter, org):
    client.force_login(reporter)
    files = [SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf"),
             SimpleUploadedFile("lista.docx", _docx(), content_type="application/octet-stream")]
    response = client.post(CREATE, {**_data(org), "attachments": files})
    assert response.status_code == 302
    attachments = Attachment.objects.order_by("original_name")
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("lista.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("protokoll.pdf", "application/pdf"),
    ]
    assert attachments[0].deviation == Deviation.objects.get()
    assert attachments[1].file.read() == PDF


def test_a_renamed_executable_is_refused(client, reporter, org):
    client.force_login(reporter)
    exe = SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 20,
                             content_type="application/pdf")
    response = client.post(CREATE, {**_data(org), "attachments": [exe]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "har en filtyp som inte är tillåten" in html
    assert "pdf, jpg, png, docx, xlsx" in html
    assert not Deviation.objects.exists()


def test_a_file_over_10_mb_is_refused_and_good_files_must_be_chosen_again(client, reporter, org):
    client.force_login(reporter)
    big = SimpleUploadedFile("film.pdf", PDF + b"0" * (11 * 1024 * 1024), content_type="application/pdf")
    good = SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf")
    response = client.post(CREATE, {**_data(org), "attachments": [big, good]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "för stor" in html
    assert "Största tillåtna storlek är 10 MB" in html
    assert "Välj filerna igen" in html
    assert "protokoll.pdf" in html
    assert not Deviation.objects.exists()


def test_personnummer_blocks_saving_and_keeps_what_was_typed(client, reporter, org):
    client.force_login(reporter)
    description = f"Klienten {PERSONNUMMER} fick inte sitt beslut skickat till rätt adress."
    pdf = SimpleUploadedFile("beslut.pdf", PDF, content_type="application/pdf")
    response = client.post(CREATE, {**_data(org, description=description, location="Receptionen",
                                           immediate_actions="Ringde klienten"), "attachments": [pdf]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "personnummer" in html
    assert "19121212-XXXX" in html  # the message masks the number it found
    assert "error-summary" in html
    assert "Klienten 19121212-1212 fick inte sitt beslut" in html  # still in the textarea to edit
    assert 'value="Receptionen"' in html
    assert "Ringde klienten" in html
    assert 'value="Akten låg kvar i skrivaren"' in html
    assert "Välj filerna igen" in html
    assert "beslut.pdf" in html
    assert not Deviation.objects.exists()

    fixed = description.replace(PERSONNUMMER, "i ärende 2026-123")
    assert client.post(CREATE, _data(org, description=fixed)).status_code == 302
    assert Deviation.objects.get().description == fixed


def test_process_options_follow_the_unit(client, section_manager, org):
    """A section manager files for both units of the section; the list narrows to one unit."""
    client.force_login(section_manager)
    url = reverse("deviations:process-options")
    placering = client.get(url, {"unit": org["plac"].pk}).content.decode()
    assert "Placering i familjehem/HVB" in placering
    assert "Mottagning och förhandsbedömning" not in placering
    assert f'value="{org["placering"].pk}"' in placering

    selected = client.get(url, {"unit": org["plac"].pk, "process": org["placering"].pk}).content.decode()
    assert f'value="{org["placering"].pk}" selected' in selected

    everything = client.get(url).content.decode()
    assert '<optgroup label="Mottagningsenheten">' in everything
    assert '<optgroup label="Placeringsenheten">' in everything
    # Another section's unit is outside the user's scope: nothing to choose.
    other = client.get(url, {"unit": org["miss"].pk}).content.decode()
    assert "LVM" not in other
    assert client.get(url, {"unit": "abc"}).status_code == 200


def test_unit_select_asks_htmx_for_processes_and_falls_back_to_groups(client, section_manager, org):
    client.force_login(section_manager)
    html = client.get(CREATE).content.decode()
    assert f'hx-get="{reverse("deviations:process-options")}"' in html
    assert 'hx-target="#id_process"' in html
    assert '<optgroup label="Mottagningsenheten">' in html
    assert '<optgroup label="Placeringsenheten">' in html
    assert "Placering enligt LVM" not in html


def test_another_units_process_is_refused(client, section_manager, reporter, org):
    client.force_login(section_manager)
    response = client.post(CREATE, _data(org, unit=org["mott"].pk, process=org["placering"].pk))
    assert response.status_code == 200
    assert "Processen hör inte till den valda enheten." in response.content.decode()

    client.force_login(reporter)  # a process outside the user's units altogether
    response = client.post(CREATE, _data(org, process=org["lvm"].pk))
    assert response.status_code == 200
    assert "Processen hör inte till den valda enheten." in response.content.decode()
    assert not Deviation.objects.exists()


def test_a_unit_outside_the_users_scope_is_refused(client, reporter, org):
    client.force_login(reporter)
    response = client.post(CREATE, _data(org, unit=org["plac"].pk))
    assert response.status_code == 200
    assert "Välj en av dina enheter" in response.content.decode()
    assert not Deviation.objects.exists()


def test_a_future_time_is_refused(client, reporter, org):
    client.force_login(reporter)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(CREATE, _data(org, occurred_date=tomorrow.isoformat()))
    assert "Tidpunkten kan inte ligga i framtiden." in response.content.decode()
    assert not Deviation.objects.exists()


@pytest.mark.parametrize("garbage", [
    {},
    {"kind": "virus", "unit": "abc", "process": "1; DROP TABLE", "occurred_date": "igår", "occurred_time": "25:99"},
    {"unit": "99999999999999999999999", "process": "-1", "complainant_type": "alien"},
    {"title": "x" * 5000, "description": "y" * 100_000, "location": "z" * 1000},
    {"occurred_date": "0001-01-01", "occurred_time": "00:00"},
    {"occurred_date": "1899-12-31"},
    {"kind": ["other", "lex_sarah"], "unit": [" ", "1"], "attachments": "inte en fil", "title": ""},
    {"description": "Nolltecken \x00 i texten", "title": "\x00"},
    {"submission": "not-a-uuid", "anonymous": "kanske", "title": "   "},
])
def test_garbage_never_gives_a_server_error(client, reporter, org, garbage):
    client.force_login(reporter)
    response = client.post(CREATE, {**_data(org), **garbage} if garbage else {})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Deviation.objects.exists()


def test_outsider_gets_a_clear_message(client, outsider, org):
    client.force_login(outsider)
    response = client.get(CREATE)
    assert response.status_code == 200
    assert "Du är inte kopplad till någon enhet" in response.content.decode()
    response = client.post(CREATE, _data(org))
    assert response.status_code == 403
    assert "Du är inte kopplad till någon enhet" in response.content.decode()
    assert not Deviation.objects.exists()


def test_a_double_submit_files_once(client, reporter, org):
    client.force_login(reporter)
    data = _data(org)
    first = client.post(CREATE, data)
    second = client.post(CREATE, data)
    assert Deviation.objects.count() == 1
    assert second.status_code == 302
    assert second.url == first.url
    assert "var redan skickad" in client.get(second.url).content.decode()


def test_a_refused_submission_can_be_sent_again(client, reporter, org):
    client.force_login(reporter)
    data = _data(org, title="")
    assert client.post(CREATE, data).status_code == 200
    assert client.post(CREATE, {**data, "title": "Rubrik"}).status_code == 302
    assert Deviation.objects.count() == 1


def test_the_receipt_is_only_for_the_reporter(client, reporter, unit_manager, org):
    client.force_login(reporter)
    response = client.post(CREATE, _data(org))
    client.force_login(unit_manager)
    assert client.get(response.url).status_code == 404


def test_a_manager_filing_with_several_units_chooses_one(client, org):
    user = UserFactory(username="kim")
    MembershipFactory(user=user, unit=org["mott"])
    MembershipFactory(user=user, unit=org["miss"])
    ProcessFactory(unit=org["miss"], name="Inaktiv process", is_active=False)
    client.force_login(user)
    html = client.get(CREATE).content.decode()
    assert '<option value="" selected>Välj enhet</option>' in html
    assert '<optgroup label="Familjesektionen">' in html
    assert '<optgroup label="Vuxensektionen">' in html
    assert "Inaktiv process" not in html
    response = client.post(CREATE, _data(org, unit=""))
    assert "Välj enhet." in response.content.decode()
    assert client.post(CREATE, _data(org, unit=org["miss"].pk, process=org["lvm"].pk)).status_code == 302
    assert Deviation.objects.get().unit == org["miss"]
