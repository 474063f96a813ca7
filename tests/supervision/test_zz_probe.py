import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from riskmgmt.actions import services as action_services
from riskmgmt.supervision import services
from riskmgmt.supervision.models import SupervisionDecision, Requirement
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db
PNR = "Klienten 121212-1212"


def test_api_report_back_pnr(api_client, requirement, section_manager):
    api_client.force_authenticate(section_manager)
    r = api_client.post(reverse("api:requirement-transition", args=[requirement.pk, "report_back"]),
                        {"reported_on": TODAY().isoformat(), "summary": PNR}, format="json")
    print("report_back", r.status_code, r.content[:300])
    requirement.refresh_from_db()
    print(requirement.report_summary)


def test_api_close_comment_pnr(api_client, decided, section_manager):
    api_client.force_authenticate(section_manager)
    r = api_client.post(reverse("api:supervision-decision-transition", args=[decided.pk, "close"]),
                        {"closed_on": TODAY().isoformat(), "comment": PNR}, format="json")
    print("close", r.status_code, r.content[:300])


def test_api_reference_pnr(api_client, org, section_manager):
    api_client.force_authenticate(section_manager)
    r = api_client.post(reverse("api:supervision-decision-list"),
                        {"authority": "ivo", "reference": "121212-1212", "unit": org["mott"].pk, "subject": "x",
                         "received_on": TODAY().isoformat()}, format="json")
    print("reference", r.status_code, r.content[:300])


def test_stale_update(decision, section_manager):
    stale = SupervisionDecision.objects.get(pk=decision.pk)
    services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="criticism")
    try:
        services.decision_update(decision=stale, actor=section_manager, subject="Ny rubrik")
    except Exception as exc:
        print("stale update", type(exc))


def test_detail_queries(client, decided, section_manager, unit_manager):
    client.force_login(section_manager)
    def add(n):
        for i in range(n):
            r = services.requirement_add(decision=decided, actor=section_manager, text=f"K{i}", due_date=TODAY() + days(5 + i))
            action_services.action_create(source_obj=r, actor=section_manager, title="Åtgärd", responsible=unit_manager,
                                          due_date=TODAY() + days(10), strength="strong")
    add(2)
    client.get(decided.get_absolute_url())
    with CaptureQueriesContext(connection) as a:
        assert client.get(decided.get_absolute_url()).status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as b:
        assert client.get(decided.get_absolute_url()).status_code == 200
    print("detail", len(a.captured_queries), len(b.captured_queries))
    for url in [reverse("supervision:upcoming"), reverse("supervision:list"), "/",
                reverse("api:supervision-decision-detail", args=[decided.pk]), reverse("api:requirement-list"),
                reverse("supervision:letter", args=[decided.pk]), reverse("processes:detail", args=[decided.unit.processes.first().pk]) if decided.unit.processes.exists() else "/"]:
        with CaptureQueriesContext(connection) as c:
            code = client.get(url).status_code
        print(url, code, len(c.captured_queries))


def test_view_junk(client, requirement, section_manager):
    d = requirement.decision
    client.force_login(section_manager)
    for url in [reverse("supervision:statement-submit", args=[d.pk, 2**62]),
                reverse("supervision:requirement-transition", args=[d.pk, 2**62, "accept"]),
                reverse("supervision:requirement-transition", args=[d.pk, requirement.pk, "accept"]),
                reverse("supervision:requirement-transition", args=[d.pk, requirement.pk, "report_back"]),
                reverse("supervision:requirement-action", args=[d.pk, requirement.pk]),
                reverse("supervision:requirement-add", args=[d.pk]),
                reverse("supervision:transition", args=[d.pk, "close"]),
                reverse("supervision:transition", args=[d.pk, "record_decision"]),
                reverse("supervision:transition", args=[d.pk, "request_statement"]),
                ]:
        for data in [{}, {"x": "y"}, {f"krav{requirement.pk}-reported_on": "2026-13-45", f"krav{requirement.pk}-summary": "\x00"},
                     {f"krav{requirement.pk}-document": SimpleUploadedFile("a.pdf", b"MZ\x90exe"),
                      f"krav{requirement.pk}-reported_on": TODAY().isoformat(), f"krav{requirement.pk}-summary": "ok"},
                     {"close-closed_on": "99999-01-01", "record_decision-decided_on": "0000-00-00",
                      "krav-ny-due_date": "2026-02-30", "krav-ny-text": "x" * 100000, "krav-ny-process": str(2**70),
                      "responsible": "abc", "due_date": "x", "strength": "zzz", "title": "x"}]:
            r = client.post(url, data)
            print(url, r.status_code)
            assert r.status_code < 500
    for q in ["page=x", "page=99999999999999999999", "due_before=2026-13-45", "unit=abc", f"unit={2**70}",
              "status=zzz", "outcome=zz", "q=%00", "authority=x"]:
        r = client.get(reverse("supervision:list") + "?" + q)
        assert r.status_code < 500, q
    for q in ["dagar=x", f"dagar={2**70}", "dagar=-1"]:
        assert client.get(reverse("supervision:upcoming") + "?" + q).status_code < 500
    for q in ["unit=abc", f"unit={2**70}", "processes=abc", f"processes={2**70}", "deviation=x", f"deviation={2**70}"]:
        r = client.get(reverse("supervision:create") + "?" + q)
        assert r.status_code < 500, q
        r = client.get(reverse("supervision:create") + "?" + q, HTTP_HX_REQUEST="true")
        assert r.status_code < 500, q
        r = client.get(reverse("supervision:edit", args=[d.pk]) + "?" + q, HTTP_HX_REQUEST="true")
        assert r.status_code < 500, q
    r = client.post(reverse("supervision:create"), {"unit": str(2**70), "processes": ["x", str(2**70)],
                                                   "deviation": str(2**70), "received_on": "2026-13-45"})
    assert r.status_code < 500
    r = client.post(reverse("supervision:edit", args=[d.pk]), {"unit": str(2**70), "processes": ["x", str(2**70)],
                                                   "deviation": str(2**70), "received_on": "2026-13-45"})
    assert r.status_code < 500
