"""The händelseanalys pages by role: the list, the commission form, who may open and edit the
workspace, and every transition through the page, allowed and refused."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.analyses import services
from riskmgmt.analyses.models import EventAnalysis, TeamMember
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations import services as deviation_services
from riskmgmt.notifications.models import Notification
from tests.factories import DeviationFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def detail_url(analysis):
    return reverse("analyses:detail", args=[analysis.pk])


def transition_url(analysis, name):
    return reverse("analyses:transition", args=[analysis.pk, name])


def ready_for_submit(analysis, actor, *, strength="medium"):
    """Timeline, a two-level why-chain with a root cause, and an action that addresses it."""
    services.analysis_start(analysis=analysis, actor=actor)
    now = timezone.now()
    services.timeline_entry_save(analysis=analysis, actor=actor, at=now - datetime.timedelta(hours=70),
                                 description="Anmälan kommer in fredag 15.40")
    why = services.cause_save(analysis=analysis, actor=actor, text="Anmälan lästes inte förrän måndag")
    root = services.cause_save(analysis=analysis, actor=actor, text="Ingen bevakning av inkorgen på fredagar",
                               parent=why, is_root=True, cause_areas=services.cause_areas_by_code(["procedures"]))
    action = action_services.action_create(
        source_obj=analysis, actor=actor, title="Bevakning av inkorgen till 17 på fredagar", responsible=actor,
        due_date=TODAY() + datetime.timedelta(days=30), strength=strength, addresses=root)
    return root, action


def submitted(analysis, lead):
    _root, action = ready_for_submit(analysis, lead)
    services.analysis_submit_report(analysis=analysis, actor=lead, summary="Rutin för bevakning saknades")
    return action


def decided(analysis, lead, commissioner):
    action = submitted(analysis, lead)
    services.analysis_decide_actions(analysis=analysis, actor=commissioner, comment="Genomförs under våren")
    return action


def evaluate(action, actor):
    action_services.action_complete(action=action, actor=actor, done_on=TODAY())
    action_services.action_evaluate(action=action, actor=actor, effect="effective", comment="Stickprov i maj")


def last_history(analysis):
    return analysis.history.order_by("-history_date", "-history_id").first()


# ---------------------------------------------------------------- list

LIST_VISIBILITY = {
    "section_manager": (True, True),  # (sees the analysis, may commission)
    "unit_manager": (True, False),  # the lead, and manages the unit
    "quality": (True, False),
    "management": (True, True),
    "other_manager": (False, False),
    "reporter": (False, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize("persona", list(LIST_VISIBILITY))
def test_list_shows_the_analyses_in_scope_and_the_commission_button(client, request, analysis, persona):
    sees, commissions = LIST_VISIBILITY[persona]
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("analyses:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert (analysis.reference in html) is sees
    assert ("Beställ händelseanalys" in html) is commissions


def test_list_shows_team_members_their_analysis_and_role(client, analysis, team):
    client.force_login(team[0][0])

    html = client.get(reverse("analyses:list")).content.decode()

    assert analysis.reference in html
    assert "Deltagare" in html
    assert "Mottagningsenheten" in html


def test_list_marks_overdue_and_filters_by_status(client, analysis, section_manager, unit_manager):
    analysis.due_date = TODAY() - datetime.timedelta(days=1)
    analysis.save()
    client.force_login(section_manager)

    html = client.get(reverse("analyses:list")).content.decode()
    assert 'class="row--overdue"' in html
    assert "Försenad" in html

    services.analysis_cancel(analysis=analysis, actor=section_manager, reason="Dubbel beställning")
    assert analysis.reference not in client.get(reverse("analyses:list")).content.decode()
    closed = client.get(reverse("analyses:list"), {"status": "closed"}).content.decode()
    assert analysis.reference in closed
    assert "Avbruten" in closed


def test_list_query_count_does_not_grow_with_rows(client, org, section_manager, unit_manager,
                                                  django_assert_max_num_queries):
    for n in range(12):
        services.analysis_create(actor=section_manager, title=f"Analys {n}", unit=org["mott"], scope="S",
                                 commissioner=section_manager, lead=unit_manager)
    client.force_login(section_manager)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("analyses:list"))
    assert response.content.decode().count("Analys 1") >= 3


# ---------------------------------------------------------------- commission

@pytest.mark.parametrize(("persona", "status"), [
    ("section_manager", 200), ("management", 200),
    ("unit_manager", 403), ("quality", 403), ("reporter", 403), ("other_manager", 403), ("outsider", 403),
])
def test_commission_form_for_section_managers_and_management(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("analyses:create")).status_code == status


def test_commission_form_needs_login(client, org):
    response = client.get(reverse("analyses:create"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "logga-in" in response["Location"]


@pytest.fixture
def lex_sarah(org, reporter, unit_manager):
    deviation = deviation_services.deviation_file(
        actor=reporter, kind="lex_sarah", unit=org["mott"], title="Skyddsbedömning gjordes inte samma dag",
        description="En anmälan om oro kom in fredag eftermiddag och lästes först på måndagen.")
    deviation_services.deviation_receive(deviation=deviation, actor=unit_manager)
    return deviation


def test_commission_from_a_deviation_prefills_unit_title_and_link(client, org, section_manager, lex_sarah):
    client.force_login(section_manager)

    response = client.get(reverse("analyses:create"), {"deviation": lex_sarah.pk})

    assert response.status_code == 200
    form = response.context["form"]
    assert form["unit"].value() == org["mott"].pk
    assert form["title"].value() == "Skyddsbedömning gjordes inte samma dag"
    assert form["deviations"].value() == [lex_sarah.pk]
    assert form["commissioner"].value() == section_manager.pk
    assert form["due_date"].value() == TODAY() + datetime.timedelta(weeks=8)
    html = response.content.decode()
    assert f'value="{lex_sarah.pk}"' in html
    assert lex_sarah.reference in html


def test_commission_from_a_deviation_outside_scope_is_404(client, org, section_manager, other_manager):
    elsewhere = DeviationFactory(unit=org["miss"], reporter=other_manager)
    client.force_login(section_manager)

    assert client.get(reverse("analyses:create"), {"deviation": elsewhere.pk}).status_code == 404
    assert client.get(reverse("analyses:create"), {"deviation": "x"}).status_code == 404


def test_commission_from_a_deviation_the_user_sees_but_may_not_commission_for_is_403(client, org, lex_sarah, quality):
    # Quality sees every deviation but does not commission analyses.
    client.force_login(quality)
    assert client.get(reverse("analyses:create"), {"deviation": lex_sarah.pk}).status_code == 403


def _commission_data(org, commissioner, lead_user, team, **extra):
    data = {
        "title": "Skyddsbedömning som dröjde över helgen", "unit": org["mott"].pk,
        "scope": "Vad hände mellan anmälan fredag och skyddsbedömningen måndag, och varför?",
        "commissioner": commissioner.pk, "lead": lead_user.pk, "due_date": "", "team_rows": "5",
    }
    for i, (user, profession) in enumerate(team, start=1):
        data[f"team_user_{i}"] = user.pk
        data[f"team_profession_{i}"] = profession
    data.update(extra)
    return data


def test_commission_creates_the_analysis_with_team_and_tells_them(client, org, section_manager, unit_manager,
                                                                  team, lex_sarah):
    client.force_login(section_manager)
    data = _commission_data(org, section_manager, unit_manager, [(team[0][0], "Socialsekreterare"),
                                                                 (team[1][0], ""), (team[2][0], "Jurist")])
    data["deviations"] = [lex_sarah.pk]

    response = client.post(reverse("analyses:create"), data)

    analysis = EventAnalysis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(analysis)
    assert analysis.status == "commissioned"
    assert analysis.lead == unit_manager
    assert analysis.commissioner == section_manager
    assert analysis.due_date == TODAY() + datetime.timedelta(weeks=8)
    assert list(analysis.deviations.all()) == [lex_sarah]
    professions = dict(TeamMember.objects.values_list("user__username", "profession"))
    # A blank profession falls back to the person's job title (empty in the factory).
    assert professions == {"team_a": "Socialsekreterare", "team_b": team[1][0].job_title, "team_c": "Jurist"}
    assert last_history(analysis).history_user == section_manager
    notified = set(Notification.objects.filter(kind="analysis_assigned").values_list("recipient__username", flat=True))
    assert notified == {"unit_manager", "team_a", "team_b", "team_c"}
    page = client.get(response["Location"]).content.decode()
    assert "är beställd" in page


def test_commission_shows_the_ivo_warning_after_saving(client, org, section_manager, unit_manager, team, lex_sarah):
    deviation_services.ivo_notification_create(deviation=lex_sarah, actor=section_manager, sent_on=TODAY())
    client.force_login(section_manager)
    data = _commission_data(org, section_manager, unit_manager, team,
                            due_date=(TODAY() + datetime.timedelta(days=120)).isoformat(), deviations=[lex_sarah.pk])

    response = client.post(reverse("analyses:create"), data, follow=True)

    html = response.content.decode()
    assert "men utredningen ska vara hos IVO senast" in html
    assert "Flytta fram datumet." in html
    assert response.context["warnings"]


def test_commission_with_a_small_team_warns_about_team_size(client, org, section_manager, unit_manager, team):
    client.force_login(section_manager)
    response = client.post(reverse("analyses:create"),
                           _commission_data(org, section_manager, unit_manager, team[:1]), follow=True)
    assert "Ett analysteam brukar ha 3–5 personer" in response.content.decode()


def test_commission_errors_rerender_with_everything_typed(client, org, section_manager, unit_manager, team):
    client.force_login(section_manager)
    data = _commission_data(org, section_manager, unit_manager, [(team[0][0], "Socialsekreterare"),
                                                                 (team[0][0], "Dubblett"), (unit_manager, "Chef")],
                            lead="", team_profession_4="Jurist", due_date="2001-01-01")

    response = client.post(reverse("analyses:create"), data)

    assert response.status_code == 400
    assert not EventAnalysis.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"lead", "team_user_2", "team_user_4"}
    assert form.errors["team_user_2"] == ["Personen finns redan i teamet."]
    assert form.errors["team_user_4"] == ["Välj en person, eller töm fältet för yrke eller roll."]
    html = response.content.decode()
    assert "Det finns 3 fel att rätta" in html
    assert "Vad hände mellan anmälan fredag och skyddsbedömningen måndag" in html
    assert 'value="Skyddsbedömning som dröjde över helgen"' in html
    assert 'value="Dubblett"' in html
    assert 'value="Jurist"' in html


def test_commission_refuses_the_lead_in_the_team_and_a_past_date(client, org, section_manager, unit_manager, team):
    client.force_login(section_manager)
    data = _commission_data(org, section_manager, unit_manager, [(unit_manager, "Chef")], due_date="2001-01-01")

    response = client.post(reverse("analyses:create"), data)

    assert response.status_code == 400
    assert response.context["form"].errors["team_user_1"] == ["Analysledaren ingår redan och ska inte stå i teamet."]
    # The past date is the service's rule; it shows once the form itself is valid.
    data.pop("team_user_1")
    data.pop("team_profession_1")
    response = client.post(reverse("analyses:create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["due_date"] == ["Datumet kan inte ligga bakåt i tiden."]
    assert not EventAnalysis.objects.exists()


def test_commissioner_must_be_a_section_manager_or_management_over_the_unit(client, org, section_manager,
                                                                            unit_manager, management):
    client.force_login(management)
    data = _commission_data(org, section_manager, unit_manager, [])
    data["unit"] = org["miss"].pk  # Sara is section manager of Familjesektionen, not Vuxensektionen

    response = client.post(reverse("analyses:create"), data)

    assert response.status_code == 400
    assert response.context["form"].errors["commissioner"] == [
        "Uppdragsgivaren ska vara sektionschef eller ledningsgrupp för enheten."]


def test_commission_refuses_a_deviation_outside_the_unit(client, org, section_manager, unit_manager, reporter):
    plac_deviation = DeviationFactory(unit=org["plac"], reporter=reporter)
    client.force_login(section_manager)
    data = _commission_data(org, section_manager, unit_manager, [], deviations=[plac_deviation.pk])

    response = client.post(reverse("analyses:create"), data)

    assert response.status_code == 400
    assert "hör inte till enheten" in response.context["form"].errors["deviations"][0]
    # The ticked box stays visible and ticked, so the user can untick it.
    assert re.search(rf'<input type="checkbox" name="deviations" value="{plac_deviation.pk}"[^>]* checked',
                     response.content.decode())


def test_commission_add_row_keeps_what_was_typed_without_errors(client, org, section_manager, unit_manager, team):
    client.force_login(section_manager)
    data = _commission_data(org, section_manager, unit_manager, team, lead="", add_row="1")

    response = client.post(reverse("analyses:create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.rows == 6
    assert "team_user_6" in form.fields
    html = response.content.decode()
    assert "error-summary" not in html
    assert 'name="team_rows" value="6"' in html
    assert 'value="Familjehemssekreterare"' in html
    assert not EventAnalysis.objects.exists()


def test_commission_unit_change_refreshes_the_deviations_with_htmx(client, org, section_manager, reporter):
    mott = DeviationFactory(unit=org["mott"], reporter=reporter, title="Mottagningens avvikelse")
    plac = DeviationFactory(unit=org["plac"], reporter=reporter, title="Placeringens avvikelse")
    client.force_login(section_manager)

    full = client.get(reverse("analyses:create")).content.decode()
    assert mott.title in full
    assert plac.title in full
    response = client.get(reverse("analyses:create"), {"unit": org["plac"].pk, "deviations": [mott.pk]},
                          HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="deviation-choices"')
    assert plac.title in html
    assert mott.title not in html  # ticked in another unit: dropped when the unit changes


def test_commission_people_come_from_the_users_part_of_the_organisation(client, org, section_manager,
                                                                        other_manager, unit_manager):
    client.force_login(section_manager)
    form = client.get(reverse("analyses:create")).context["form"]
    leads = set(form.fields["lead"].queryset.values_list("username", flat=True))
    assert "unit_manager" in leads
    assert "section_manager" in leads
    assert "other_manager" not in leads
    assert set(form.fields["commissioner"].queryset.values_list("username", flat=True)) == {"section_manager"}
    assert set(form.fields["unit"].queryset.values_list("code", flat=True)) == {"fam", "mott", "plac"}


# ---------------------------------------------------------------- workspace access

EDITORS = ["unit_manager", "team_a"]  # the lead and a team member
READERS = ["section_manager", "quality", "management"]  # commissioner, oversight
STRANGERS = ["other_manager", "reporter", "outsider"]


def persona(request, name, team):
    if name == "team_a":
        return team[0][0]
    return request.getfixturevalue(name)


@pytest.mark.parametrize("name", EDITORS)
def test_lead_and_team_get_the_editors(client, request, analysis, team, name):
    client.force_login(persona(request, name, team))

    response = client.get(detail_url(analysis))

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["can_edit"] is True
    for url in (reverse("analyses:timeline-create", args=[analysis.pk]),
                reverse("analyses:cause-create", args=[analysis.pk]),
                reverse("analyses:save-report", args=[analysis.pk])):
        assert f'action="{url}"' in html
    assert "Lägg till åtgärd" in html


@pytest.mark.parametrize("name", READERS)
def test_commissioner_and_oversight_read_only(client, request, analysis, team, name):
    services.timeline_entry_save(analysis=analysis, actor=analysis.lead, at=timezone.now(),
                                 description="Anmälan kommer in")
    client.force_login(persona(request, name, team))

    response = client.get(detail_url(analysis))

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["can_edit"] is False
    assert "Anmälan kommer in" in html
    assert "Du kan läsa analysen" in html
    for url in (reverse("analyses:timeline-create", args=[analysis.pk]),
                reverse("analyses:cause-create", args=[analysis.pk]),
                reverse("analyses:save-report", args=[analysis.pk])):
        assert f'action="{url}"' not in html


@pytest.mark.parametrize("name", STRANGERS)
def test_others_get_404(client, request, analysis, team, name):
    client.force_login(persona(request, name, team))
    assert client.get(detail_url(analysis)).status_code == 404
    assert client.post(reverse("analyses:timeline-create", args=[analysis.pk]), {}).status_code == 404
    assert client.post(transition_url(analysis, "start")).status_code == 404


def test_workspace_shows_the_commission(client, analysis, section_manager, unit_manager, lex_sarah, team):
    analysis.deviations.add(lex_sarah)
    client.force_login(team[0][0])

    html = client.get(detail_url(analysis)).content.decode()

    assert "Sara Lindqvist" in html
    assert "Maria Ek" in html
    assert "Familjebehandlare" in html
    assert analysis.scope in html
    assert analysis.due_date.isoformat() in html
    # Staff in the team see which deviation it is, but its page is not theirs to open.
    assert lex_sarah.reference in html
    assert lex_sarah.get_absolute_url() not in html
    client.force_login(section_manager)
    assert lex_sarah.get_absolute_url() in client.get(detail_url(analysis)).content.decode()


def test_workspace_links_to_the_report_and_shows_the_pictures(client, analysis, unit_manager):
    client.force_login(unit_manager)
    html = client.get(detail_url(analysis)).content.decode()
    assert reverse("analyses:cause-diagram", args=[analysis.pk]) not in html  # nothing to draw yet

    services.timeline_entry_save(analysis=analysis, actor=unit_manager, at=timezone.now(), description="Anmälan")
    services.cause_save(analysis=analysis, actor=unit_manager, text="Ingen läste inkorgen")
    html = client.get(detail_url(analysis)).content.decode()
    assert f'<img src="{reverse("analyses:cause-diagram", args=[analysis.pk])}?v=' in html
    for name in ("report", "report-pdf", "cause-diagram", "timeline-diagram"):
        assert reverse(f"analyses:{name}", args=[analysis.pk]) in html


# ---------------------------------------------------------------- transitions

def test_transition_buttons_only_for_what_the_user_may_do_now(client, analysis, section_manager, unit_manager,
                                                               quality, team):
    shown = {}
    for user in (unit_manager, section_manager, quality, team[0][0]):
        client.force_login(user)
        shown[user.username] = [t["name"] for t in client.get(detail_url(analysis)).context["transitions"]]
    assert shown == {"unit_manager": ["start"], "section_manager": ["start", "cancel"], "quality": [],
                     "team_a": []}


def test_lead_starts_the_analysis(client, analysis, unit_manager):
    client.force_login(unit_manager)

    response = client.post(transition_url(analysis, "start"))

    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "in_progress"
    history = last_history(analysis)
    assert (history.history_change_reason, history.history_user) == ("start", unit_manager)
    assert transition_log_for(analysis).last().name == "start"
    assert f"{analysis.reference} är startad." in client.get(detail_url(analysis)).content.decode()


@pytest.mark.parametrize("name", ["team_a", "quality", "management"])
def test_others_in_scope_may_not_start(client, request, analysis, team, name):
    client.force_login(persona(request, name, team))
    assert client.post(transition_url(analysis, "start")).status_code == 403
    analysis.refresh_from_db()
    assert analysis.status == "commissioned"


def test_transition_needs_post_and_a_known_name(client, analysis, unit_manager):
    client.force_login(unit_manager)
    assert client.get(transition_url(analysis, "start")).status_code == 405
    assert client.post(transition_url(analysis, "reopen")).status_code == 404


def test_start_twice_is_409_with_the_reason(client, analysis, unit_manager):
    services.analysis_start(analysis=analysis, actor=unit_manager)
    client.force_login(unit_manager)

    response = client.post(transition_url(analysis, "start"))

    assert response.status_code == 409
    assert "Det går inte att starta analysen när status är ”Pågår”." in response.content.decode()


def _report_data(**extra):
    data = {"report-event_description": "En anmälan lästes först efter helgen.", "report-method": "Intervjuer",
            "report-summary": "", "report-lessons": "Bevaka inkorgen", "report-recurrence_probability": "3",
            "report-recurrence_consequence": "4"}
    data.update({f"report-{k}": v for k, v in extra.items()})
    return data


def test_submit_is_refused_naming_what_is_missing_and_keeps_the_text(client, analysis, unit_manager):
    services.analysis_start(analysis=analysis, actor=unit_manager)
    client.force_login(unit_manager)

    response = client.post(transition_url(analysis, "submit_report"), _report_data())

    assert response.status_code == 409
    html = response.content.decode()
    for message in ("Tidslinjen saknar händelser.", "Minst en grundorsak med orsaksområde behövs.",
                    "Föreslå minst en åtgärd.", "Skriv en sammanfattning."):
        assert message in html
    assert response.context["report_form"].errors["summary"] == ["Saknas."]
    assert "En anmälan lästes först efter helgen." in html
    analysis.refresh_from_db()
    assert analysis.status == "in_progress"
    assert analysis.event_description == "En anmälan lästes först efter helgen."  # the draft is kept


def test_lead_submits_the_report(client, analysis, unit_manager, section_manager):
    ready_for_submit(analysis, unit_manager)
    client.force_login(unit_manager)

    response = client.post(transition_url(analysis, "submit_report"), _report_data(summary="Rutin saknades"))

    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "report_submitted"
    assert analysis.summary == "Rutin saknades"
    assert analysis.recurrence_consequence == 4
    assert last_history(analysis).history_change_reason == "submit_report"
    assert Notification.objects.filter(kind="analysis_submitted", recipient=section_manager).exists()
    page = client.get(detail_url(analysis))
    assert page.context["can_edit"] is False
    assert "Rapporten är inlämnad, så analysen kan inte längre ändras." in page.content.decode()


@pytest.mark.parametrize("name", ["team_a", "section_manager"])
def test_only_the_lead_submits(client, request, analysis, unit_manager, team, name):
    ready_for_submit(analysis, unit_manager)
    client.force_login(persona(request, name, team))

    response = client.post(transition_url(analysis, "submit_report"), _report_data(summary="Rutin saknades"))

    assert response.status_code == 403
    analysis.refresh_from_db()
    assert analysis.status == "in_progress"
    assert analysis.summary == ""


def test_commissioner_decides_with_a_comment(client, analysis, unit_manager, section_manager):
    submitted(analysis, unit_manager)
    client.force_login(section_manager)
    page = client.get(detail_url(analysis))
    assert [t["name"] for t in page.context["transitions"]] == ["decide_actions", "cancel"]
    assert "Rutin för bevakning saknades" in page.content.decode()  # the summary in the decision step

    response = client.post(transition_url(analysis, "decide_actions"),
                           {"decide_actions-comment": "Genomförs före sommaren; följs upp i september"})

    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "actions_decided"
    assert analysis.decision_comment == "Genomförs före sommaren; följs upp i september"
    assert transition_log_for(analysis).last().comment == "Genomförs före sommaren; följs upp i september"
    assert (last_history(analysis).history_user, last_history(analysis).history_change_reason) == (
        section_manager, "decide_actions")


@pytest.mark.parametrize("name", ["unit_manager", "team_a", "quality"])
def test_only_the_commissioner_decides(client, request, analysis, unit_manager, team, name):
    submitted(analysis, unit_manager)
    client.force_login(persona(request, name, team))
    assert client.post(transition_url(analysis, "decide_actions"), {"decide_actions-comment": "Ja"}).status_code == 403
    analysis.refresh_from_db()
    assert analysis.status == "report_submitted"


def test_deciding_before_the_report_is_409_and_keeps_the_comment(client, analysis, section_manager):
    client.force_login(section_manager)

    response = client.post(transition_url(analysis, "decide_actions"), {"decide_actions-comment": "Mitt beslut"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Det går inte att besluta åtgärder när status är ”Beställd”." in html
    assert "Mitt beslut" in html


def test_decision_step_warns_when_all_actions_are_weak(client, analysis, unit_manager, section_manager):
    _root, _action = ready_for_submit(analysis, unit_manager, strength="weak")
    services.analysis_submit_report(analysis=analysis, actor=unit_manager, summary="S")
    client.force_login(section_manager)

    html = client.get(detail_url(analysis)).content.decode()

    assert "Alla föreslagna åtgärder är svaga." in html


def test_follow_up_is_refused_until_every_action_is_evaluated(client, analysis, unit_manager, section_manager):
    action = decided(analysis, unit_manager, section_manager)
    client.force_login(section_manager)
    page = client.get(detail_url(analysis))
    assert [t["name"] for t in page.context["transitions"]] == ["record_follow_up"]
    assert action.reference in page.content.decode()
    data = {"record_follow_up-feedback_given_on": TODAY().isoformat(),
            "record_follow_up-comment": "Inkorgen bevakas nu varje fredag"}

    response = client.post(transition_url(analysis, "record_follow_up"), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Alla åtgärder måste vara utvärderade (eller avbrutna) innan uppföljningen." in html
    assert "Inkorgen bevakas nu varje fredag" in html
    analysis.refresh_from_db()
    assert analysis.status == "actions_decided"

    evaluate(action, unit_manager)
    response = client.post(transition_url(analysis, "record_follow_up"), data)

    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "followed_up"
    assert analysis.feedback_given_on == TODAY()
    assert analysis.follow_up_comment == "Inkorgen bevakas nu varje fredag"
    assert "Personalen fick återkoppling" in client.get(detail_url(analysis)).content.decode()


def test_follow_up_needs_the_feedback_date(client, analysis, unit_manager, section_manager):
    action = decided(analysis, unit_manager, section_manager)
    evaluate(action, unit_manager)
    client.force_login(section_manager)

    response = client.post(transition_url(analysis, "record_follow_up"), {"record_follow_up-comment": "Klart"})

    assert response.status_code == 409
    assert "Ange när personalen fick återkoppling." in response.content.decode()
    assert response.context["transitions"][0]["form"].errors["feedback_given_on"] == ["Saknas."]
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()
    response = client.post(transition_url(analysis, "record_follow_up"),
                           {"record_follow_up-feedback_given_on": future})
    assert response.status_code == 400
    assert "Datumet kan inte ligga i framtiden." in response.content.decode()


def test_only_the_commissioner_follows_up(client, analysis, unit_manager, section_manager):
    decided(analysis, unit_manager, section_manager)
    client.force_login(unit_manager)
    response = client.post(transition_url(analysis, "record_follow_up"),
                           {"record_follow_up-feedback_given_on": TODAY().isoformat()})
    assert response.status_code == 403


def test_commissioner_cancels_with_a_reason(client, analysis, section_manager):
    client.force_login(section_manager)

    refused = client.post(transition_url(analysis, "cancel"), {"cancel-reason": ""})
    assert refused.status_code == 409
    assert "Ange varför analysen avbryts." in refused.content.decode()

    response = client.post(transition_url(analysis, "cancel"), {"cancel-reason": "Händelsen utreds i annan analys"})

    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "cancelled"
    assert analysis.cancel_reason == "Händelsen utreds i annan analys"
    html = client.get(detail_url(analysis)).content.decode()
    assert "Händelsen utreds i annan analys" in html
    assert "Analysen är avbruten." in html


@pytest.mark.parametrize("name", ["unit_manager", "team_a", "management"])
def test_only_the_commissioner_cancels(client, request, analysis, team, name):
    client.force_login(persona(request, name, team))
    assert client.post(transition_url(analysis, "cancel"), {"cancel-reason": "Nej"}).status_code == 403


def test_management_may_commission_and_then_decides_their_own(client, org, management, unit_manager):
    outside = UserFactory(username="extern")  # not a member anywhere: not offered as lead
    client.force_login(management)
    form = client.get(reverse("analyses:create")).context["form"]
    assert not form.fields["lead"].queryset.filter(pk=outside.pk).exists()
    response = client.post(reverse("analyses:create"), _commission_data(org, management, unit_manager, []))
    assert response.status_code == 302
    analysis = EventAnalysis.objects.get()
    assert analysis.commissioner == management


def test_decision_step_names_root_causes_no_action_addresses(client, analysis, unit_manager, section_manager):
    ready_for_submit(analysis, unit_manager)
    services.cause_save(analysis=analysis, actor=unit_manager, text="Bemanningen räcker inte på fredagar",
                        is_root=True, cause_areas=services.cause_areas_by_code(["organisation"]))
    services.analysis_submit_report(analysis=analysis, actor=unit_manager, summary="S")
    client.force_login(section_manager)

    context = client.get(detail_url(analysis)).context

    assert [c.text for c in context["roots_without_action"]] == ["Bemanningen räcker inte på fredagar"]
    html = client.get(detail_url(analysis)).content.decode()
    assert "Grundorsaker utan kopplad åtgärd:" in html


def test_team_members_find_their_analysis_on_the_start_page(client, analysis, team, reporter):
    from django.urls import reverse

    client.force_login(team[0][0])
    page = client.get(reverse("core:home")).content.decode()
    assert "Dina händelseanalyser" in page
    assert analysis.get_absolute_url() in page
    client.force_login(reporter)
    assert "Dina händelseanalyser" not in client.get(reverse("core:home")).content.decode()
