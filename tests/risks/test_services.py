
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from riskmgmt.core.errors import TransitionNotAllowedError
from riskmgmt.risks import services
from riskmgmt.risks.models import Risk, RiskAnalysis, RiskMatrixSettings
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate

# DOMAIN.md A6: 1–3 låg, 4–6 måttlig, 8–9 hög, 12–16 mycket hög; konsekvens 4 är minst hög.
DEFAULT_LEVELS = {
    (1, 1): "low", (1, 2): "low", (1, 3): "low", (1, 4): "high",
    (2, 1): "low", (2, 2): "medium", (2, 3): "medium", (2, 4): "high",
    (3, 1): "low", (3, 2): "medium", (3, 3): "high", (3, 4): "very_high",
    (4, 1): "medium", (4, 2): "high", (4, 3): "very_high", (4, 4): "very_high",
}


@pytest.mark.parametrize(("cell", "level"), DEFAULT_LEVELS.items())
def test_every_cell_under_the_default_thresholds(cell, level):
    assert RiskMatrixSettings().level_for(*cell) == level


@pytest.mark.parametrize(("cell", "level"), [((1, 4), "medium"), ((2, 3), "high"), ((3, 3), "very_high"),
                                             ((2, 2), "low"), ((4, 4), "very_high")])
def test_cells_under_changed_thresholds(cell, level):
    settings = RiskMatrixSettings(medium_from=5, high_from=6, very_high_from=9, consequence_4_min_level="medium")
    assert settings.level_for(*cell) == level


def test_stored_score_and_level_follow_the_settings(org, unit_manager):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
    risk = services.risk_add(analysis=analysis, actor=unit_manager, title="Hot vid hembesök", risk_type="situation",
                             perspective="staff", probability=2, consequence=3)
    risk.refresh_from_db()
    assert risk.score == 6
    assert risk.level == "medium"
    RiskMatrixSettings.objects.create(high_from=6)
    assert Risk.objects.get(pk=risk.pk).level == "high"


def test_a_second_analysis_for_the_same_unit_and_year_is_refused(org, unit_manager):
    services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
    with pytest.raises(services.RiskValidationError) as exc:
        services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
    assert "year" in exc.value.errors
    assert "2026" in exc.value.message


def test_only_managers_plan(org, reporter):
    with pytest.raises(PermissionDenied):
        services.risk_analysis_create(actor=reporter, unit=org["mott"], year=2026)


def _held(org, unit_manager):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2025)
    services.risk_add(analysis=analysis, actor=unit_manager, title="Ingen familjehemsjour", risk_type="situation",
                      perspective="client", probability=3, consequence=4)
    closed = services.risk_add(analysis=analysis, actor=unit_manager, title="Papper i skrivaren",
                               risk_type="place", perspective="organisation", probability=2, consequence=2)
    services.risk_update(risk=closed, actor=unit_manager, status="closed")
    services.risk_analysis_hold(analysis=analysis, actor=unit_manager, held_on=TODAY(),
                                participants=[unit_manager], perspectives=["client", "staff", "organisation"])
    return analysis


def test_hold_needs_date_participants_and_perspectives(org, unit_manager):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.risk_analysis_hold(analysis=analysis, actor=unit_manager, held_on=None)
    assert set(exc.value.missing) == {"held_on", "participants", "perspectives"}


def test_only_management_approves_never_the_units_own_manager(org, unit_manager, management, section_manager):
    analysis = _held(org, unit_manager)
    for refused in (unit_manager, section_manager):
        with pytest.raises(PermissionDenied):
            services.risk_analysis_approve(analysis=analysis, actor=refused)
    MembershipFactory(user=unit_manager, unit=org["sof"], role="management")
    unit_manager._riskmgmt_roles = None
    with pytest.raises(PermissionDenied):
        services.risk_analysis_approve(analysis=analysis, actor=unit_manager)
    services.risk_analysis_approve(analysis=analysis, actor=management, comment="Godkänd i ledningsgruppen")
    assert analysis.status == "approved"
    assert analysis.approved_by == management


def test_carry_forward_copies_open_risks_with_predecessors(org, unit_manager):
    analysis = _held(org, unit_manager)
    new = services.risk_analysis_carry_forward(analysis=analysis, actor=unit_manager)
    assert new.year == 2026
    assert new.status == "planned"
    copied = list(new.risks.all())
    assert [r.title for r in copied] == ["Ingen familjehemsjour"]
    assert copied[0].predecessor.analysis == analysis
    with pytest.raises(TransitionNotAllowedError):
        services.risk_analysis_carry_forward(analysis=analysis, actor=unit_manager)
    assert RiskAnalysis.objects.filter(unit=org["mott"]).count() == 2


def test_raise_as_risk_links_once(org, reporter, unit_manager):
    from riskmgmt.deviations import services as deviation_services

    deviation = deviation_services.deviation_file(actor=reporter, kind="other", unit=org["mott"],
                                                  title="Grinden stod öppen", description="D")
    first = services.risk_raise_from(source_obj=deviation, unit=org["mott"], actor=unit_manager,
                                     title="Den låsta grinden står öppen", risk_type="place")
    second = services.risk_raise_from(source_obj=deviation, unit=org["mott"], actor=unit_manager,
                                      title="Samma igen", risk_type="place")
    assert first.pk == second.pk
    assert first.analysis.year == TODAY().year
    assert Risk.objects.filter(source_id=deviation.pk).count() == 1


def test_scores_outside_1_to_4_are_refused(org, unit_manager):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
    with pytest.raises(services.RiskValidationError) as exc:
        services.risk_add(analysis=analysis, actor=unit_manager, title="X", risk_type="place",
                          perspective="staff", probability=5, consequence=0)
    assert set(exc.value.errors) == {"probability", "consequence"}
    risk = services.risk_add(analysis=analysis, actor=unit_manager, title="X", risk_type="place",
                             perspective="staff", probability=2, consequence=2)
    with pytest.raises(services.RiskValidationError):
        services.risk_update(risk=risk, actor=unit_manager, escalated=True, escalation_reason=" ")


@pytest.mark.parametrize("thresholds", [{}, {"medium_from": 5, "high_from": 6, "very_high_from": 9,
                                          "consequence_4_min_level": "medium"},
                                         {"consequence_4_min_level": "very_high"}, {"consequence_4_min_level": "low"}])
def test_the_sql_level_matches_the_python_level_in_all_16_cells(org, unit_manager, thresholds,
                                                                 django_assert_max_num_queries):
    from riskmgmt.risks.selectors import risks_with_level

    settings = RiskMatrixSettings.objects.create(**thresholds)
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
    for p in range(1, 5):
        for c in range(1, 5):
            services.risk_add(analysis=analysis, actor=unit_manager, title=f"{p}x{c}", risk_type="place",
                              perspective="staff", probability=p, consequence=c)
    with django_assert_max_num_queries(2):
        risks = list(risks_with_level(Risk.objects.filter(analysis=analysis)))
        assert len(risks) == 16
        for risk in risks:
            assert risk.level == settings.level_for(risk.probability, risk.consequence), risk.title


def test_hold_refuses_a_personnummer_among_the_participants(org, unit_manager, analysis):
    with pytest.raises(services.RiskValidationError) as exc:
        services.risk_analysis_hold(analysis=analysis, actor=unit_manager, held_on=TODAY(),
                                    participants_text="Klienten 19121212-1212", perspectives=["client"])
    assert "participants_text" in exc.value.errors
    analysis.refresh_from_db()
    assert analysis.status == "planned"


def test_carry_forward_moves_unfinished_actions_to_this_years_risk(org, unit_manager):
    from django.contrib.contenttypes.models import ContentType

    from tests.factories import ActionFactory

    analysis = _held(org, unit_manager)
    old = analysis.risks.get(title="Ingen familjehemsjour")
    risk_type = ContentType.objects.get_for_model(Risk)
    ongoing = ActionFactory(unit=org["mott"], source_content_type=risk_type, source_id=old.pk, status="in_progress",
                            title="Avtal om jourhem med grannkommunen")
    finished = ActionFactory(unit=org["mott"], source_content_type=risk_type, source_id=old.pk, status="done",
                             title="Kartläggning av jourhem")
    new = services.risk_analysis_carry_forward(analysis=analysis, actor=unit_manager).risks.get()
    ongoing.refresh_from_db()
    finished.refresh_from_db()
    assert (ongoing.source_id, finished.source_id) == (new.pk, old.pk)
    assert ongoing.history.first().history_change_reason == "carry_forward"


def test_an_approved_register_keeps_its_scores_but_takes_the_assessment_after_actions(org, unit_manager, management):
    analysis = _held(org, unit_manager)
    services.risk_analysis_approve(analysis=analysis, actor=management)
    risk = analysis.risks.get(title="Ingen familjehemsjour")
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.risk_update(risk=risk, actor=unit_manager, probability=1)
    assert exc.value.missing == ["probability"]
    risk.refresh_from_db()
    assert risk.probability == 3
    # The same values sent again (as the edit form does) and the residual assessment are fine.
    services.risk_update(risk=risk, actor=unit_manager, probability=3, consequence=4,
                         residual_probability=2, residual_consequence=3)
    risk.refresh_from_db()
    assert (risk.residual_probability, risk.residual_consequence) == (2, 3)
