"""The start page's next steps: this year's riskanalys for the enhetschef, the user's own
egenkontroller, and the follow-up links for the ledningsgrupp and the sektionschefer.

The suite runs on a fixed day (2026-05-20, as tests/controls): January–April and the first
quarter have ended, May and the second quarter are running.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from riskmgmt.controls.integration import record_url
from riskmgmt.controls.models import Frequency
from riskmgmt.organisation.models import Membership
from riskmgmt.risks import services
from riskmgmt.risks.models import Risk, RiskAnalysis
from tests.controls.conftest import TODAY, ControlCheckFactory, ControlPointFactory
from tests.core.test_views import text_of
from tests.factories import ActionFactory, MembershipFactory, UnitFactory, UserFactory
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db
Role = Membership.Role
YEAR = TODAY.year
LAST_YEAR = YEAR - 1
NEW_CARDS = ("card-risk-year", "card-my-checks", "card-management", "card-follow-up")


@pytest.fixture(autouse=True)
def today():
    with at(TODAY, hour=10):
        yield TODAY


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response


def add_risk(analysis, actor, title, probability, consequence):
    return services.risk_add(analysis=analysis, actor=actor, title=title, probability=probability,
                             consequence=consequence, risk_type="process", perspective="client")


def action_on(risk):
    return ActionFactory(unit=risk.analysis.unit, source_content_type=ContentType.objects.get_for_model(Risk),
                         source_id=risk.pk)


def hold(analysis, actor):
    return services.risk_analysis_hold(analysis=analysis, actor=actor, held_on=TODAY, participants=[actor],
                                       perspectives=["client"])


def fresh(user):
    """The user read again, so roles added after a request are seen (they are cached per object)."""
    return get_user_model().objects.get(pk=user.pk)


# --------------------------------------------------------------------------- who sees which card

EXPECTED = {
    "reporter": {"card-my-checks"},
    "unit_manager": {"card-risk-year"},
    "section_manager": {"card-follow-up"},
    "other_manager": {"card-risk-year"},
    "quality": {"card-management"},
    "management": {"card-management"},
    "outsider": set(),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_next_step_card_is_shown_to_its_persona_only(client, org, personas, persona):
    services.risk_analysis_create(actor=personas["unit_manager"], unit=org["mott"], year=LAST_YEAR)
    ControlPointFactory(unit=org["mott"], responsible=personas["reporter"])

    response = home(client, personas[persona])

    assert {card for card in NEW_CARDS if text_of(response, card) is not None} == EXPECTED[persona]


def test_next_steps_come_before_the_other_cards(client, org, unit_manager):
    html = home(client, unit_manager).content.decode()

    assert html.index('id="card-risk-year"') < html.index('id="card-actions"') < html.index('id="card-roles"')


# --------------------------------------------------------------------------- Årets riskanalys

def test_without_any_analysis_the_enhetschef_is_asked_to_plan_one(client, org, unit_manager):
    response = home(client, unit_manager)

    card = text_of(response, "card-risk-year")
    assert "Mottagningsenheten Saknas" in card
    assert "Planera riskanalys för Mottagningsenheten" in card
    assert "Starta årets riskanalys" not in card
    plan_url = f"{reverse('risks:create')}?unit={org['mott'].pk}&year={YEAR}"
    assert f'href="{escape(plan_url)}"' in response.content.decode()


def test_carry_forward_from_the_start_page_starts_this_years_analysis(client, org, unit_manager):
    previous = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=LAST_YEAR)
    kept = add_risk(previous, unit_manager, "Anmälningar blir liggande över helgen", 3, 3)
    closed = add_risk(previous, unit_manager, "Gammal rutin för post", 2, 2)
    services.risk_update(risk=closed, actor=unit_manager, status=Risk.Status.CLOSED)

    response = home(client, unit_manager)
    card = text_of(response, "card-risk-year")
    assert "Starta årets riskanalys för Mottagningsenheten" in card
    assert f"De öppna riskerna från {LAST_YEAR} följer med." in card
    assert "Planera riskanalys" not in card
    action = re.search(r'<form class="next-step" method="post" action="([^"]+)"', response.content.decode()).group(1)
    assert action == reverse("risks:carry-forward", args=[previous.pk])

    started = client.post(action)

    new = RiskAnalysis.objects.get(unit=org["mott"], year=YEAR)
    assert started.status_code == 302
    assert started["Location"] == reverse("risks:detail", args=[new.pk])
    assert [(r.title, r.predecessor_id) for r in new.risks.all()] == [(kept.title, kept.pk)]
    card = text_of(home(client, unit_manager), "card-risk-year")
    assert "Mottagningsenheten Planerad" in card
    assert "Öppna riskanalysen för Mottagningsenheten" in card
    assert "Starta årets riskanalys" not in card


@pytest.mark.parametrize(("step", "label", "hint"), [
    ("planned", "Planerad", "Gå igenom riskerna"),
    ("held", "Genomförd", "Väntar på ledningsgruppens godkännande."),
    ("approved", "Godkänd", "Klar för i år."),
])
def test_this_years_analysis_shows_its_status_and_opens(client, org, unit_manager, management, step, label, hint):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=YEAR)
    if step in ("held", "approved"):
        hold(analysis, unit_manager)
    if step == "approved":
        services.risk_analysis_approve(analysis=analysis, actor=management)

    response = home(client, unit_manager)

    card = text_of(response, "card-risk-year")
    assert f"Mottagningsenheten {label}" in card
    assert hint in card
    assert f'href="{reverse("risks:detail", args=[analysis.pk])}"' in response.content.decode()


def test_high_and_very_high_open_risks_without_action_are_counted(client, org, unit_manager):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=YEAR)
    add_risk(analysis, unit_manager, "Anmälningar blir liggande över helgen", 3, 3)  # high
    add_risk(analysis, unit_manager, "Skyddsbedömning görs inte samma dag", 4, 4)  # very high
    add_risk(analysis, unit_manager, "Tolk saknas vid första samtalet", 2, 2)  # medium: not counted
    action_on(add_risk(analysis, unit_manager, "Jour saknas en helg", 3, 4))  # has an action
    closed = add_risk(analysis, unit_manager, "Gammal rutin för post", 4, 3)
    services.risk_update(risk=closed, actor=unit_manager, status=Risk.Status.CLOSED)

    response = home(client, unit_manager)

    assert "2 höga risker utan åtgärd i Mottagningsenheten" in text_of(response, "card-risk-year")
    list_url = (f"{reverse('risks:risk-list')}?unit={org['mott'].pk}&year={YEAR}&status=open"
                "&without_action=on")
    assert f'href="{escape(list_url)}"' in response.content.decode()


def test_while_this_years_analysis_is_missing_last_years_bare_risks_are_counted(client, org, unit_manager):
    previous = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=LAST_YEAR)
    add_risk(previous, unit_manager, "Anmälningar blir liggande över helgen", 3, 3)

    card = text_of(home(client, unit_manager), "card-risk-year")

    assert f"1 hög risk utan åtgärd i Mottagningsenheten (från {LAST_YEAR})" in card


def test_nothing_to_count_says_so_once_an_analysis_exists(client, org, unit_manager):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=YEAR)
    add_risk(analysis, unit_manager, "Tolk saknas vid första samtalet", 2, 2)

    assert "Inga höga risker utan åtgärd" in text_of(home(client, unit_manager), "card-risk-year")


def test_each_unit_of_an_enhetschef_has_its_own_row_and_named_step(client, org, unit_manager):
    MembershipFactory(user=unit_manager, unit=org["plac"], role=Role.UNIT_MANAGER)
    unit_manager = fresh(unit_manager)
    services.risk_analysis_create(actor=unit_manager, unit=org["plac"], year=LAST_YEAR)

    card = text_of(home(client, unit_manager), "card-risk-year")

    assert "Planera riskanalys för Mottagningsenheten" in card
    assert "Starta årets riskanalys för Placeringsenheten" in card
    assert "Missbruksenheten" not in card


def test_the_section_and_other_units_are_not_the_enhetschefs(client, org, other_manager):
    card = text_of(home(client, other_manager), "card-risk-year")

    assert "Missbruksenheten" in card
    assert "Mottagningsenheten" not in card
    assert "Vuxensektionen" not in card


# --------------------------------------------------------------------------- Mina egenkontroller

def test_responsible_sees_late_and_running_checks_with_links_to_record_them(client, org, reporter):
    point = ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.QUARTERLY,
                                title="Stickprov: skyddsbedömning dokumenterad samma dag")
    ControlPointFactory(unit=org["mott"], title="Någon annans kontroll")
    ControlPointFactory(unit=org["mott"], responsible=reporter, title="Inaktiv kontroll", is_active=False)

    response = home(client, reporter)

    card = text_of(response, "card-my-checks")
    assert card.startswith("Mina egenkontroller 2 kontroller att registrera, 1 försenad.")
    late, running = card.index("Kvartal 1 2026"), card.index("Kvartal 2 2026")
    assert late < running  # late first
    assert "Försenad" in card[:running]
    assert "Registrera kontrollen Stickprov: skyddsbedömning dokumenterad samma dag, Kvartal 2 2026" in card
    assert "Kvartal 3" not in card
    assert "Någon annans kontroll" not in card
    assert "Inaktiv kontroll" not in card
    html = response.content.decode()
    for start in (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)):
        assert f'href="{escape(record_url(point, start))}"' in html
    assert f'href="{reverse("controls:list")}"' in html


def test_staff_can_open_the_checks_links(client, org, reporter):
    point = ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.QUARTERLY)
    home(client, reporter)

    for url in (record_url(point, datetime.date(2026, 4, 1)), reverse("controls:list")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert point.title in response.content.decode()


def test_with_every_check_recorded_the_card_says_there_is_nothing_to_do(client, org, reporter):
    point = ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.QUARTERLY)
    for start in (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)):
        ControlCheckFactory(control_point=point, period_start=start, performed_on=TODAY)

    card = text_of(home(client, reporter), "card-my-checks")

    assert "Du har inga egenkontroller att registrera just nu." in card
    assert "Registrera kontrollen" not in card


def test_last_years_december_check_is_still_asked_for_in_january(client, org, reporter):
    point = ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.MONTHLY, year=2026)
    for period in point.periods()[:-1]:
        ControlCheckFactory(control_point=point, period_start=period.start)

    with at(datetime.date(2027, 1, 20), hour=10):
        card = text_of(home(client, reporter), "card-my-checks")

    assert "December 2026" in card
    assert "November 2026" not in card


def test_a_long_list_is_cut_with_a_pointer_to_the_plan(client, org, reporter):
    ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.MONTHLY)

    card = text_of(home(client, reporter), "card-my-checks")

    # January–April late and May running: five, all shown; a second point overflows.
    assert card.count("Registrera kontrollen") == 5
    ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.QUARTERLY)
    card = text_of(home(client, reporter), "card-my-checks")
    assert card.count("Registrera kontrollen") == 6
    assert "Och 1 till i egenkontrollplanen." in card


# --------------------------------------------------------------------------- Ledningsgruppen and Uppföljning

def _held_everywhere(org, unit_manager, other_manager):
    for unit, manager in ((org["mott"], unit_manager), (org["miss"], other_manager)):
        hold(services.risk_analysis_create(actor=manager, unit=unit, year=YEAR), manager)
    hold(services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=LAST_YEAR), unit_manager)
    services.risk_analysis_create(actor=other_manager, unit=org["miss"], year=LAST_YEAR)  # planned: not waiting


@pytest.mark.parametrize("persona", ["management", "quality"])
def test_ledningsgruppen_sees_held_analyses_waiting_for_approval(client, org, personas, persona):
    _held_everywhere(org, personas["unit_manager"], personas["other_manager"])

    response = home(client, personas[persona])

    card = text_of(response, "card-management")
    assert f"2 genomförda riskanalyser för {YEAR} väntar på godkännande" in card
    assert f"1 genomförd riskanalys för {LAST_YEAR} väntar på godkännande" in card
    html = response.content.decode()
    for url in (reverse("risks:year", args=[YEAR]), reverse("risks:year", args=[LAST_YEAR]),
                reverse("risks:year-current"), reverse("reports:dashboard"), reverse("reports:quality")):
        assert f'href="{url}"' in html


def test_quality_on_a_section_counts_only_that_sections_analyses(client, org, unit_manager, other_manager):
    _held_everywhere(org, unit_manager, other_manager)
    user = UserFactory(first_name="Kim")
    MembershipFactory(user=user, unit=org["vux"], role=Role.QUALITY)

    card = text_of(home(client, user), "card-management")

    assert f"1 genomförd riskanalys för {YEAR} väntar på godkännande" in card
    assert str(LAST_YEAR) not in card


def test_ledningsgruppen_is_told_when_nothing_waits(client, org, management):
    card = text_of(home(client, management), "card-management")

    assert "Inga genomförda riskanalyser väntar på godkännande." in card


def test_section_manager_gets_the_follow_up_links(client, org, section_manager):
    response = home(client, section_manager)

    card = text_of(response, "card-follow-up")
    for text in (f"Riskanalyser {YEAR} per enhet", "Kvalitet och statistik", "Kvalitetsberättelse"):
        assert text in card
    html = response.content.decode()
    for name in ("risks:year-current", "reports:dashboard", "reports:quality"):
        assert f'href="{reverse(name)}"' in html


@pytest.mark.parametrize("persona", ["section_manager", "quality", "management"])
def test_the_follow_up_links_open_for_those_who_get_them(client, org, personas, persona):
    client.force_login(personas[persona])

    for name in ("risks:year-current", "reports:dashboard", "reports:quality"):
        assert client.get(reverse(name), follow=True).status_code == 200, name


# --------------------------------------------------------------------------- bounded queries

def _grow(org, user, count: int) -> None:
    """`count` more units under Familjesektionen for `user` to run, each with analyses, risks,
    actions and a control point with checks."""
    for n in range(count):
        unit = UnitFactory(code=f"fam-extra-{n}", name=f"Extraenhet {n}", parent=org["fam"])
        MembershipFactory(user=user, unit=unit, role=Role.UNIT_MANAGER)
        user = fresh(user)
        previous = services.risk_analysis_create(actor=user, unit=unit, year=LAST_YEAR)
        add_risk(previous, user, f"Risk i fjol {n}", 4, 4)
        if n % 2:
            current = services.risk_analysis_create(actor=user, unit=unit, year=YEAR)
            action_on(add_risk(current, user, f"Risk i år {n}", 3, 3))
            add_risk(current, user, f"Annan risk i år {n}", 4, 3)
            hold(current, user)
        point = ControlPointFactory(unit=unit, responsible=user, frequency=Frequency.MONTHLY)
        ControlCheckFactory(control_point=point)


@pytest.mark.parametrize("persona", ["unit_manager", "management"])
def test_start_page_queries_do_not_grow_with_units_risks_or_checks(
    client, org, personas, persona, django_assert_max_num_queries
):
    user = personas[persona]
    manager = personas["unit_manager"]
    services.risk_analysis_create(actor=manager, unit=org["mott"], year=LAST_YEAR)
    ControlPointFactory(unit=org["mott"], responsible=user, frequency=Frequency.MONTHLY)
    home(client, user)  # warms the per-process caches (content types)
    with CaptureQueriesContext(connection) as small:
        home(client, fresh(user))

    _grow(org, manager, 12)
    ControlPointFactory(unit=org["plac"], responsible=user, frequency=Frequency.QUARTERLY)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = home(client, fresh(user))
    card = "card-risk-year" if persona == "unit_manager" else "card-management"
    assert "Extraenhet 11" in text_of(response, card) or "6 genomförda" in text_of(response, card)
