"""The process page (/processer/<pk>/): everything about one process, each part scoped by its own
rules, in a fixed number of queries however much is linked to the process."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.actions.models import Action
from riskmgmt.deviations.models import Deviation
from riskmgmt.risks.models import Risk, RiskAnalysis
from riskmgmt.supervision.models import Requirement, SupervisionDecision
from tests.factories import ActionFactory, DeviationFactory

pytestmark = pytest.mark.django_db
# The page tests' own fixtures (ivo_case, ivo_decided, due_requirement, …), beside S1's conftest.
pytest_plugins = ["tests.supervision.view_fixtures"]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _url(process) -> str:
    return reverse("processes:detail", args=[process.pk])


@pytest.fixture
def linked(org, ivo_decided, due_requirement, due_action, reporter, unit_manager):
    """One of each kind on Mottagning: a risk with an action, deviations over two years, the
    decision and its requirement with an action."""
    process = org["mottagning"]
    analysis = RiskAnalysis.objects.create(unit=org["mott"], year=timezone.localdate().year)
    risk = Risk.objects.create(analysis=analysis, title="Orosanmälan läses inte samma dag", process=process,
                               risk_type="process", perspective="client", probability=3, consequence=4)
    risk_action = ActionFactory(unit=org["mott"], source_content_type=ContentType.objects.get_for_model(Risk),
                                source_id=risk.pk, title="Bevakningsschema för inkorgen", responsible=unit_manager)
    this_year = timezone.now()
    last_year = this_year - datetime.timedelta(days=370)
    deviations = [
        DeviationFactory(unit=org["mott"], process=process, kind="lex_sarah", reporter=reporter,
                         title="Skyddsbedömning dröjde", reported_at=this_year),
        DeviationFactory(unit=org["mott"], process=process, kind="other", reporter=reporter, reported_at=this_year),
        DeviationFactory(unit=org["mott"], process=process, kind="complaint", reporter=reporter,
                         reported_at=last_year),
        DeviationFactory(unit=org["plac"], process=org["placering"], kind="other", reporter=reporter),
    ]
    return {"process": process, "risk": risk, "risk_action": risk_action, "deviations": deviations,
            "decision": ivo_decided, "requirement": due_requirement, "requirement_action": due_action}


def test_process_page_shows_everything_about_the_process(client, linked, section_manager):
    client.force_login(section_manager)
    response = client.get(_url(linked["process"]))
    assert response.status_code == 200
    text = _text(response)
    html = response.content.decode()
    assert "Mottagning och förhandsbedömning" in text
    assert "Mottagningsenheten" in text
    # Risks with their level, linked.
    assert "Orosanmälan läses inte samma dag" in text
    assert "Mycket hög" in text
    assert reverse("risks:risk-detail", args=[linked["risk"].pk]) in html
    # Deviations counted by year and kind in a table, the latest listed.
    year = timezone.localdate().year
    assert re.search(rf"<th scope=\"row\">{year}</th>\s*<td class=\"numeric\">1</td>", html)  # one lex Sarah
    assert str(year - 1) in text
    assert "Skyddsbedömning dröjde" in text
    assert linked["deviations"][3].title not in text  # another process
    # The decision (via its processes) and the requirement (via its process).
    assert "8.5-1234/2026" in text
    assert linked["decision"].get_absolute_url() in html
    assert linked["requirement"].get_absolute_url() in html
    assert "om 20 dagar" in text
    # Open actions of the risk and the requirement.
    assert "Bevakningsschema för inkorgen" in text
    assert "Checklista för skyddsbedömning i journalmallen" in text
    assert "Tillsynskrav" in text
    assert "Risk" in text
    assert f"?process={linked['process'].pk}" in html


def test_process_page_only_open_actions(client, linked, section_manager, unit_manager):
    action_services.action_cancel(action=linked["risk_action"], actor=unit_manager, reason="Ersatt.")
    client.force_login(section_manager)
    text = _text(client.get(_url(linked["process"])))
    assert "Bevakningsschema för inkorgen" not in text
    assert "Checklista för skyddsbedömning i journalmallen" in text


def test_staff_see_the_page_with_what_they_may_see(client, linked, reporter, org, section_manager):
    # Another staff member's report on the process is not shown to the reporter.
    other = DeviationFactory(unit=org["mott"], process=linked["process"], kind="other", title="Någon annans rapport")
    client.force_login(reporter)
    response = client.get(_url(linked["process"]))
    assert response.status_code == 200
    text = _text(response)
    assert "Skyddsbedömning dröjde" in text
    assert other.title not in text
    assert "8.5-1234/2026" not in text  # staff do not read supervision decisions
    assert "Checklista för skyddsbedömning" not in text  # nor other people's actions
    assert f"?process={linked['process'].pk}" not in response.content.decode()  # no manager lists
    client.force_login(section_manager)
    assert other.title in _text(client.get(_url(linked["process"])))


@pytest.mark.parametrize("persona", ["other_manager", "outsider"])
def test_process_page_404_outside_scope(client, linked, personas, persona):
    client.force_login(personas[persona])
    assert client.get(_url(linked["process"])).status_code == 404


def test_process_page_quality_sees_all_and_bad_pk(client, org, quality):
    client.force_login(quality)
    assert client.get(_url(org["lvm"])).status_code == 200
    assert client.get("/processer/999999/").status_code == 404
    assert client.get("/processer/99999999999999999999999/").status_code == 404


def test_process_page_requires_login(client, org):
    response = client.get(_url(org["mottagning"]))
    assert response.status_code == 302


def test_decision_page_links_to_the_process_page(client, ivo_decided, section_manager, org):
    client.force_login(section_manager)
    assert _url(org["mottagning"]) in client.get(ivo_decided.get_absolute_url()).content.decode()


def test_process_page_has_subprocess_links(client, org, section_manager):
    from tests.factories import ProcessFactory

    child = ProcessFactory(unit=org["mott"], name="Skyddsbedömning", parent=org["mottagning"])
    client.force_login(section_manager)
    html = client.get(_url(org["mottagning"])).content.decode()
    assert _url(child) in html
    assert _url(org["mottagning"]) in client.get(_url(child)).content.decode()


N = 500


@pytest.fixture
def crowded(org, reporter, section_manager, unit_manager):
    """500 of each kind linked to Mottagning, made with bulk_create (no history, no services)."""
    process, unit = org["mottagning"], org["mott"]
    now = timezone.now()
    deviations = Deviation.objects.bulk_create([
        Deviation(reference=f"AVV-T-{i:05d}", kind=["other", "lex_sarah", "complaint"][i % 3], unit=unit,
                  process=process, title=f"Avvikelse {i}", description="Beskrivning.", reporter=reporter,
                  reported_at=now - datetime.timedelta(days=3 * i))
        for i in range(N)])
    analysis = RiskAnalysis.objects.create(unit=unit, year=timezone.localdate().year)
    risks = Risk.objects.bulk_create([
        Risk(analysis=analysis, title=f"Risk {i}", process=process, risk_type="process", perspective="client",
             probability=1 + i % 4, consequence=1 + (i // 4) % 4) for i in range(N)])
    decisions = SupervisionDecision.objects.bulk_create([
        SupervisionDecision(unit=unit, authority="ivo", reference=f"8.5-{i}/2025", subject=f"Tillsyn {i}",
                            kind="supervision", received_on=days(-i), recorded_by=section_manager)
        for i in range(N)])
    Through = SupervisionDecision.processes.through
    Through.objects.bulk_create([Through(supervisiondecision_id=d.pk, process_id=process.pk) for d in decisions])
    requirements = Requirement.objects.bulk_create([
        Requirement(decision=decisions[i], text=f"Krav {i}", due_date=days(i - 50), process=process)
        for i in range(N)])
    types = ContentType.objects.get_for_models(Deviation, Risk, Requirement)
    sources = [(Deviation, deviations), (Risk, risks), (Requirement, requirements)]
    Action.objects.bulk_create([
        Action(source_content_type=types[model], source_id=objs[i].pk, unit=unit, title=f"Åtgärd {i}",
               responsible=unit_manager, created_by=unit_manager, due_date=days(i % 90), strength="medium")
        for model, objs in sources for i in range(N)])
    return process


def test_process_page_queries_are_fixed_with_500_of_each(client, crowded, section_manager,
                                                         django_assert_max_num_queries):
    client.force_login(section_manager)
    client.get(_url(crowded))  # warm the content type cache, as in a running server
    with django_assert_max_num_queries(25):
        response = client.get(_url(crowded))
    assert response.status_code == 200
    text = _text(response)
    assert "500 risker" in text
    assert "500 avvikelser" in text
    assert "500 tillsynsärenden" in text
    assert "500 krav" in text
    assert "1500 öppna åtgärder" in text
    assert "Visar de 15 senaste av 500" in text
