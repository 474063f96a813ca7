"""The analysrapport (DOMAIN.md §3.5) as a page and a PDF: its contents, the roles version,
who may read it, and that the pictures are served after the access gate."""

import datetime
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.analyses import services
from riskmgmt.analyses.report import report_context, report_pdf, risk_level
from riskmgmt.analyses.report_views import wants_roles

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
SVG = "{http://www.w3.org/2000/svg}"

TIMELINE = [
    (0, False, "Skolkuratorn ringer mottagningen och berättar om oro för ett barn i årskurs 3.",
     "Journalanteckning"),
    (0.3, True, "Samtalet antecknas på en lapp i stället för i verksamhetssystemet.",
     "Intervju med mottagningssekreterare"),
    (1.4, False, "Mottagningssekreteraren går hem; den gemensamma inkorgen bevakas inte efter 16.",
     "Intervju med mottagningssekreterare"),
    (64, False, "Lappen hittas måndag morgon och lämnas till socialsekreteraren i mottagningsgruppen.",
     "Loggutdrag ur verksamhetssystemet"),
    (64.5, False, "Skyddsbedömning görs och dokumenteras.", "Journalanteckning"),
    (66, False, "Enhetschefen informeras och en lex Sarah-rapport skrivs.", "Avvikelserapport"),
]


def _areas(*codes):
    return services.cause_areas_by_code(codes)


@pytest.fixture
def rich_analysis(analysis, unit_manager, section_manager, team):
    """An analysis with every part of the report filled in, decided and followed up."""
    lead = unit_manager
    services.analysis_start(analysis=analysis, actor=lead)
    start = timezone.now() - datetime.timedelta(days=5)
    for hours, approximate, text, source in TIMELINE:
        services.timeline_entry_save(analysis=analysis, actor=lead, at=start + datetime.timedelta(hours=hours),
                                     description=text, source=source, approximate=approximate)
    late = services.cause_save(analysis=analysis, actor=lead, text="Anmälan lästes inte förrän på måndagen")
    inbox = services.cause_save(analysis=analysis, actor=lead, parent=late,
                                text="Ingen bevakade den gemensamma inkorgen efter klockan 16 på fredagar")
    routine = services.cause_save(analysis=analysis, actor=lead, parent=inbox, is_root=True,
                                  text="Det saknas en rutin för bevakning av inkorgen under fredagseftermiddagar",
                                  cause_areas=_areas("procedures"))
    staffing = services.cause_save(analysis=analysis, actor=lead, parent=inbox, is_root=True,
                                   text="Bemanningen är lägst på fredagar och ingen har ansvar för inkorgen",
                                   cause_areas=_areas("organisation"))
    phone = services.cause_save(analysis=analysis, actor=lead, text="Uppgifterna skrevs på en lapp")
    school = services.cause_save(analysis=analysis, actor=lead, parent=phone, is_root=True,
                                 text="Skolan visste inte att en orosanmälan ska göras skriftligt",
                                 cause_areas=_areas("collaboration", "communication"))
    services.analysis_save_report(
        analysis=analysis, actor=lead,
        method="Analysteamet gick igenom journal, loggar och rutiner och intervjuade tre medarbetare.",
        event_description="En orosanmälan som kom in en fredag eftermiddag lästes först på måndagen. "
                          "Skyddsbedömningen gjordes därför tre dagar senare än rutinen kräver.",
        recurrence_probability=3, recurrence_consequence=4,
    )
    due = TODAY() + datetime.timedelta(days=30)
    actions = [
        action_services.action_create(
            source_obj=analysis, actor=lead, title="Spärr mot att stänga dagen med olästa anmälningar",
            responsible=lead, due_date=due, strength="strong", addresses=routine,
            effect_measure="Antal anmälningar som lästs först nästa arbetsdag, varje månad"),
        action_services.action_create(
            source_obj=analysis, actor=lead, title="Schemalagd bevakning av inkorgen till 17 på fredagar",
            responsible=section_manager, due_date=due, strength="medium", addresses=staffing,
            effect_measure="Stickprov i loggen fyra fredagar i rad"),
        action_services.action_create(
            source_obj=analysis, actor=lead, title="Information till skolorna om skriftlig orosanmälan",
            responsible=lead, due_date=due, strength="weak", addresses=school,
            effect_measure="Andel telefonanmälningar från skolor per kvartal"),
    ]
    services.analysis_submit_report(analysis=analysis, actor=lead,
                                    summary="Anmälan blev liggande över helgen eftersom ingen bevakade inkorgen.",
                                    lessons="En anmälan ska aldrig kunna bli liggande olästa över en helg.")
    services.analysis_decide_actions(analysis=analysis, actor=section_manager, comment="Enligt förslaget.")
    for action in actions:
        action_services.action_complete(action=action, actor=action.responsible, done_on=TODAY())
        action_services.action_evaluate(action=action, actor=action.responsible, effect="effective",
                                        comment="Inga anmälningar blev liggande under uppföljningen.")
    services.analysis_record_follow_up(analysis=analysis, actor=section_manager, feedback_given_on=TODAY(),
                                       comment="Resultatet presenterades på arbetsplatsträffen.")
    analysis.refresh_from_db()
    return analysis


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)  # noqa: S603, S607
    return " ".join(result.stdout.decode("utf-8").split())


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


@needs_poppler
def test_pdf_holds_the_timeline_root_causes_and_actions(rich_analysis, tmp_path):
    text = _pdf_text(report_pdf(rich_analysis), tmp_path)
    assert rich_analysis.reference in text
    for _hours, _approximate, description, _source in TIMELINE:
        assert " ".join(description.split()[:6]) in text
    for root in ("Det saknas en rutin för bevakning av inkorgen", "Bemanningen är lägst på fredagar",
                 "Skolan visste inte att en orosanmälan"):
        assert root in text
    for title in ("Spärr mot att stänga dagen", "Schemalagd bevakning av inkorgen", "Information till skolorna"):
        assert title in text
    for word in ("Stark", "Medelstark", "Svag", "Stickprov i loggen fyra fredagar", "Effekt: effektiv"):
        assert word in text
    assert "Sannolikhet 3 av 4 × konsekvens 4 av 4 = riskvärde 12 av 16 (mycket hög risk)" in text
    assert "Sida 1 av" in text
    assert "Underskrift, uppdragsgivare" in text
    assert "Underskrift, analysledare" in text


@needs_poppler
def test_roles_version_has_no_staff_names(rich_analysis, team, unit_manager, section_manager, tmp_path):
    for (user, _profession), (first, last) in zip(team, [("Johanna", "Wallin"), ("Petter", "Åkesson"),
                                                          ("Ylva", "Dahlgren")], strict=True):
        user.first_name, user.last_name = first, last
        user.save()
    names = [unit_manager.full_name, section_manager.full_name, *(user.full_name for user, _p in team)]
    with_names = _pdf_text(report_pdf(rich_analysis), tmp_path)
    for name in names:
        assert name in with_names
    text = _pdf_text(report_pdf(rich_analysis, roles=True), tmp_path)
    for name in names:
        assert name not in text
        for part in name.split():
            assert not re.search(rf"\b{re.escape(part)}\b", text), part
    assert "Socialsekreterare (deltagare 1)" in text
    assert "Familjebehandlare (deltagare 2)" in text
    assert "Enhetschef" in text  # the lead's role, and the owner of two actions
    assert "Sektionschef" in text
    assert "rollversion" in text


def test_roles_version_replaces_names_typed_into_texts(rich_analysis, unit_manager):
    rich_analysis.lessons = f"{unit_manager.full_name} tog upp frågan på APT."
    rich_analysis.save()
    context = report_context(rich_analysis, roles=True)
    assert context["lessons"] == "analysledaren tog upp frågan på APT."
    assert report_context(rich_analysis)["lessons"].startswith(unit_manager.full_name)


def test_personnummer_that_slipped_in_is_masked(rich_analysis):
    # decision_comment has no validator on the model; the report masks all the same.
    rich_analysis.decision_comment = "Gäller 811218-9876."
    rich_analysis.save()
    assert report_context(rich_analysis)["decision_comment"] == "Gäller 811218-XXXX."


def test_deviations_appear_by_reference_only(org, section_manager, unit_manager, reporter, client):
    from riskmgmt.deviations import services as deviations

    deviation = deviations.deviation_file(actor=reporter, kind="other", unit=org["mott"],
                                          title="Lapp med uppgifter om familjen Andersson",
                                          description="Beskrivning av vad som hände")
    analysis = services.analysis_create(actor=section_manager, title="Analys", unit=org["mott"], scope="S",
                                        commissioner=section_manager, lead=unit_manager, deviations=[deviation])
    client.force_login(section_manager)
    html = client.get(reverse("analyses:report", args=[analysis.pk])).content.decode()
    assert deviation.reference in html
    assert "Andersson" not in html
    assert "Beskrivning av vad som hände" not in html


def test_report_page_has_pictures_lists_and_links(rich_analysis, client, section_manager):
    client.force_login(section_manager)
    response = client.get(reverse("analyses:report", args=[rich_analysis.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert html.count('role="img"') == 2
    assert 'class="diagram-alternative"' in html
    assert "Beslutade åtgärder" in html
    assert reverse("analyses:report-pdf", args=[rich_analysis.pk]) in html
    assert "?roles=1" in html
    roles_html = client.get(reverse("analyses:report", args=[rich_analysis.pk]), {"roles": "1"}).content.decode()
    assert section_manager.full_name not in roles_html


def test_draft_report_says_so_and_lists_nothing_yet(analysis, client, unit_manager):
    client.force_login(unit_manager)
    html = client.get(reverse("analyses:report", args=[analysis.pk])).content.decode()
    assert "Utkast." in html
    assert "Inga orsaker ännu" in html
    assert "Inga händelser i tidslinjen ännu" in html
    assert "Föreslagna åtgärder" in html


def test_only_weak_actions_are_flagged(analysis, unit_manager):
    action_services.action_create(source_obj=analysis, actor=unit_manager, title="Utbildning", responsible=unit_manager,
                                  due_date=TODAY() + datetime.timedelta(days=10), strength="weak")
    assert report_context(analysis)["only_weak_actions"] is True


def test_pdf_view_downloads_a_pdf(rich_analysis, client, quality):
    client.force_login(quality)
    response = client.get(reverse("analyses:report-pdf", args=[rich_analysis.pk]), {"roles": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"analysrapport-{rich_analysis.reference}-roller.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["analyses:report", "analyses:report-pdf", "analyses:cause-diagram",
                                  "analyses:timeline-diagram"])
@pytest.mark.parametrize(("persona", "allowed"), [
    ("unit_manager", True),  # the lead
    ("section_manager", True),  # the commissioner
    ("quality", True),
    ("management", True),
    ("reporter", False),  # staff on the unit, not in the team
    ("other_manager", False),
    ("outsider", False),
])
def test_who_may_see_the_report_and_pictures(request, analysis, client, name, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(name, args=[analysis.pk]))
    assert response.status_code == (200 if allowed else 404)


def test_team_member_sees_the_pictures(analysis, team, client):
    client.force_login(team[0][0])
    assert client.get(reverse("analyses:cause-diagram", args=[analysis.pk])).status_code == 200


def test_anonymous_is_sent_to_login(analysis, client):
    response = client.get(reverse("analyses:report", args=[analysis.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_svg_views_serve_parsable_svg(rich_analysis, client, unit_manager):
    client.force_login(unit_manager)
    for name in ("analyses:cause-diagram", "analyses:timeline-diagram"):
        response = client.get(reverse(name, args=[rich_analysis.pk]))
        assert response["Content-Type"].startswith("image/svg+xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own output
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title") is not None


def test_svg_views_refuse_post(analysis, client, unit_manager):
    client.force_login(unit_manager)
    assert client.post(reverse("analyses:cause-diagram", args=[analysis.pk])).status_code == 405


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("ja", True), ("0", False),
                                                 ("", False), (None, False), ("nej", False)])
def test_roles_flag(value, expected):
    assert wants_roles(value) is expected


@pytest.mark.parametrize(("probability", "consequence", "level"), [
    (1, 1, "låg"), (1, 3, "låg"), (2, 2, "måttlig"), (2, 3, "måttlig"), (2, 4, "hög"), (1, 4, "hög"),
    (3, 3, "hög"), (3, 4, "mycket hög"), (4, 4, "mycket hög"),
])
def test_risk_level_defaults(probability, consequence, level):
    assert risk_level(probability, consequence) == level
