"""The risk demo: last year's approved analyses, this year left for Maria to start, idempotent."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.core.personnummer import find_personal_numbers
from riskmgmt.risks import services
from riskmgmt.risks.models import Risk, RiskAnalysis

pytestmark = pytest.mark.django_db
User = get_user_model()
FAMILY_UNITS = {"fam-mott", "fam-utr", "fam-plac", "fam-oppen"}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def _state() -> list:
    return sorted(
        (a.unit.code, a.year, a.status, tuple(sorted(a.risks.values_list("title", "status", "escalated"))))
        for a in RiskAnalysis.objects.select_related("unit")
    )


def test_last_year_every_family_unit_held_and_approved_its_analysis(seeded):
    last_year = timezone.localdate().year - 1
    analyses = RiskAnalysis.objects.filter(year=last_year, unit__parent__code="fam").select_related("unit")
    assert {a.unit.code for a in analyses} == FAMILY_UNITS
    for analysis in analyses:
        assert analysis.status == RiskAnalysis.Status.APPROVED
        assert analysis.approved_by.username == "lena"
        assert analysis.held_on.year == last_year
        assert analysis.approved_on.year == last_year
        assert analysis.participants.exists()
        assert analysis.participants_text
        assert 5 <= analysis.risks.count() <= 8, analysis.unit.code
        assert analysis.risks.filter(process__isnull=False).exists()


def test_high_risks_have_actions_some_are_closed_and_one_is_escalated(seeded):
    risks = Risk.objects.filter(analysis__year=timezone.localdate().year - 1)
    for risk in risks:
        if risk.level in ("high", "very_high"):
            # Unfinished actions move on with a carried-forward risk (Utredningsenheten's this year).
            carried = list(risk.successors.all())
            assert any(action_list_for_source(r).exists() for r in [risk, *carried]), risk.title
    assert {r.level for r in risks} >= {"low", "medium", "high", "very_high"}
    assert 1 <= risks.filter(status=Risk.Status.CLOSED).count() <= 2
    escalated = risks.get(escalated=True)
    assert "jourhem" in escalated.title
    assert escalated.escalation_reason
    assert escalated.analysis.unit.code == "fam-plac"


def test_no_personal_numbers_in_the_risk_texts(seeded):
    for title, description in Risk.objects.values_list("title", "description"):
        assert not find_personal_numbers(f"{title} {description}")


def test_this_year_maria_has_not_started_and_one_vux_unit_has_no_analysis_at_all(seeded):
    year = timezone.localdate().year
    assert not RiskAnalysis.objects.filter(unit__code="fam-mott", year=year).exists()
    assert not RiskAnalysis.objects.filter(unit__code="vux-ek").exists()
    assert RiskAnalysis.objects.get(unit__code="fam-utr", year=year).status == RiskAnalysis.Status.PLANNED
    assert RiskAnalysis.objects.get(unit__code="vux-miss", year=year).status == RiskAnalysis.Status.HELD


def test_seeding_twice_changes_nothing(seeded):
    before = _state()
    call_command("seed_demo", stdout=io.StringIO())
    assert _state() == before


def test_maria_carries_last_years_analysis_forward_with_its_open_risks(seeded):
    maria = User.objects.get(username="maria")
    year = timezone.localdate().year
    last = RiskAnalysis.objects.get(unit__code="fam-mott", year=year - 1)
    open_titles = set(last.risks.filter(status=Risk.Status.OPEN).values_list("title", flat=True))
    new = services.risk_analysis_carry_forward(analysis=last, actor=maria)
    assert new.year == year
    assert new.status == RiskAnalysis.Status.PLANNED
    assert set(new.risks.values_list("title", flat=True)) == open_titles
    assert all(risk.predecessor.analysis_id == last.pk for risk in new.risks.all())
    # Seeding again leaves Maria's analysis alone.
    call_command("seed_demo", stdout=io.StringIO())
    assert RiskAnalysis.objects.get(unit__code="fam-mott", year=year).risks.count() == len(open_titles)
