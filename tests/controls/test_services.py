"""Services: planning points, recording checks, reporting a finding as a deviation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from riskmgmt.controls import services
from riskmgmt.controls.models import ControlCheck, ControlPoint, Frequency
from riskmgmt.core.errors import TransitionNotAllowedError
from riskmgmt.deviations.models import Deviation
from riskmgmt.notifications.models import Notification
from tests.controls.conftest import ControlCheckFactory

pytestmark = pytest.mark.django_db
PNR = "Se akt för 19121212-1212."


def _create(actor, unit, **extra):
    fields = {"year": 2026, "title": "Aktgranskning: förhandsbedömning inom 14 dagar", "method": "aktgranskning",
              "frequency": Frequency.MONTHLY, "responsible": actor, **extra}
    return services.control_point_create(actor=actor, unit=unit, **fields)


# ---------------------------------------------------------------- control points

@pytest.mark.parametrize(("persona", "unit", "allowed"), [
    ("unit_manager", "mott", True), ("unit_manager", "plac", False), ("section_manager", "plac", True),
    ("quality", "miss", True), ("management", "mott", False), ("reporter", "mott", False),
    ("other_manager", "mott", False),
])
def test_who_plans_control_points(request, org, persona, unit, allowed, unit_manager):
    actor = request.getfixturevalue(persona)
    if allowed:
        point = _create(actor, org[unit], responsible=actor)
        assert point.unit == org[unit]
        entry = point.history.get()
        assert (entry.history_change_reason, entry.history_user) == ("create", actor)
    else:
        with pytest.raises(PermissionDenied):
            _create(actor, org[unit], responsible=unit_manager)
        assert not ControlPoint.objects.exists()


def test_points_belong_to_units_not_sections(org, section_manager):
    with pytest.raises(services.ControlValidationError) as exc:
        _create(section_manager, org["fam"])
    assert "unit" in exc.value.errors


def test_responsible_must_have_a_role_in_the_unit(org, unit_manager, other_manager):
    with pytest.raises(services.ControlValidationError) as exc:
        _create(unit_manager, org["mott"], responsible=other_manager)
    assert "responsible" in exc.value.errors


def test_personal_numbers_are_refused(org, unit_manager):
    with pytest.raises(services.ControlValidationError) as exc:
        _create(unit_manager, org["mott"], description=PNR)
    assert "description" in exc.value.errors


def test_bad_choices_and_year_are_refused(org, unit_manager):
    with pytest.raises(services.ControlValidationError) as exc:
        _create(unit_manager, org["mott"], method="gissning", frequency="weekly", year=1999)
    assert set(exc.value.errors) == {"year"}
    with pytest.raises(services.ControlValidationError) as exc:
        _create(unit_manager, org["mott"], method="gissning", frequency="weekly")
    assert set(exc.value.errors) == {"method", "frequency"}


def test_update_keeps_history_and_checks_permission(org, point, unit_manager, management):
    services.control_point_update(point=point, actor=unit_manager, title="Ny rubrik", is_active=False)
    point.refresh_from_db()
    assert (point.title, point.is_active) == ("Ny rubrik", False)
    assert point.history.latest().history_change_reason == "update"
    assert point.history.latest().history_user == unit_manager
    with pytest.raises(PermissionDenied):
        services.control_point_update(point=point, actor=management, title="Ledningens rubrik")


def test_frequency_is_fixed_once_a_check_is_recorded(point, check, unit_manager):
    with pytest.raises(services.ControlValidationError) as exc:
        services.control_point_update(point=point, actor=unit_manager, frequency=Frequency.MONTHLY)
    assert "frequency" in exc.value.errors
    point.refresh_from_db()
    assert point.frequency == Frequency.QUARTERLY


def test_frequency_may_change_before_any_check(point, unit_manager):
    services.control_point_update(point=point, actor=unit_manager, frequency=Frequency.MONTHLY)
    assert point.planned_count == 12


# ---------------------------------------------------------------- recording checks

def _record(point, actor, **extra):
    fields = {"period_start": datetime.date(2026, 1, 1), "performed_on": datetime.date(2026, 4, 2),
              "findings": False, "sample_size": 10, **extra}
    return services.control_check_record(point=point, actor=actor, **fields)


@pytest.mark.parametrize(("persona", "allowed"), [
    ("reporter", True), ("unit_manager", True), ("section_manager", True), ("quality", False),
    ("management", False), ("other_manager", False),
])
def test_who_records_a_check(request, today, point, persona, allowed):
    actor = request.getfixturevalue(persona)
    if allowed:
        check = _record(point, actor)
        assert (check.performed_by, check.period.label) == (actor, "Kvartal 1 2026")
        entry = check.history.get()
        assert (entry.history_change_reason, entry.history_user) == ("record", actor)
    else:
        with pytest.raises(PermissionDenied):
            _record(point, actor)
        assert not ControlCheck.objects.exists()


def test_an_inactive_point_takes_no_checks(today, point, unit_manager):
    services.control_point_update(point=point, actor=unit_manager, is_active=False)
    with pytest.raises(PermissionDenied):
        _record(point, unit_manager)


@pytest.mark.parametrize(("extra", "field"), [
    ({"period_start": datetime.date(2026, 2, 1)}, "period_start"),  # not a quarter
    ({"period_start": datetime.date(2025, 1, 1)}, "period_start"),  # another year
    ({"period_start": None}, "period_start"),
    ({"performed_on": None}, "performed_on"),
    ({"performed_on": datetime.date(2026, 5, 21)}, "performed_on"),  # tomorrow
    ({"performed_on": datetime.date(2025, 12, 31)}, "performed_on"),  # before the period
    ({"findings": True, "description": "  "}, "description"),
    ({"findings": True, "description": PNR}, "description"),
])
def test_bad_checks_are_refused_with_the_field_named(today, point, reporter, extra, field):
    with pytest.raises(services.ControlValidationError) as exc:
        _record(point, reporter, **extra)
    assert field in exc.value.errors
    assert not ControlCheck.objects.exists()


def test_one_check_per_period(today, point, reporter, unit_manager):
    _record(point, reporter)
    with pytest.raises(services.ControlValidationError) as exc:
        _record(point, unit_manager)
    assert "period_start" in exc.value.errors
    assert ControlCheck.objects.count() == 1


def test_performer_may_be_someone_else_in_the_unit(today, point, unit_manager, reporter, other_manager):
    check = _record(point, unit_manager, performed_by=reporter)
    assert check.performed_by == reporter
    with pytest.raises(services.ControlValidationError) as exc:
        _record(point, unit_manager, performed_by=other_manager, period_start=datetime.date(2026, 4, 1),
                performed_on=datetime.date(2026, 5, 2))
    assert "performed_by" in exc.value.errors


# ---------------------------------------------------------------- a finding as a deviation

def test_finding_becomes_an_other_deviation_linked_to_the_check(check, reporter, unit_manager):
    deviation = services.control_check_report_deviation(check=check, actor=reporter)
    check.refresh_from_db()
    assert check.deviation == deviation
    assert (deviation.kind, deviation.unit, deviation.reporter) == (Deviation.Kind.OTHER, check.control_point.unit,
                                                                    reporter)
    assert deviation.title == "Fynd vid egenkontroll: Stickprov: skyddsbedömning dokumenterad samma dag"
    assert "Två av tio skyddsbedömningar" in deviation.description
    assert "Kvartal 1 2026" in deviation.description
    assert check.history.latest().history_change_reason == "report_deviation"
    # Through the filing service: the unit's manager is told, as for any report.
    assert Notification.objects.filter(recipient=unit_manager, kind="deviation_filed").exists()


def test_a_finding_is_reported_once(check, reporter, unit_manager):
    services.control_check_report_deviation(check=check, actor=reporter)
    with pytest.raises(TransitionNotAllowedError):
        services.control_check_report_deviation(check=check, actor=unit_manager)
    assert Deviation.objects.count() == 1


def test_a_check_without_findings_has_nothing_to_report(point, reporter):
    check = ControlCheckFactory(control_point=point, findings=False)
    with pytest.raises(TransitionNotAllowedError):
        services.control_check_report_deviation(check=check, actor=reporter)
    assert not Deviation.objects.exists()


@pytest.mark.parametrize("persona", ["quality", "management", "other_manager"])
def test_only_the_responsible_or_a_manager_reports_a_finding(request, check, persona):
    with pytest.raises(PermissionDenied):
        services.control_check_report_deviation(check=check, actor=request.getfixturevalue(persona))
    assert not Deviation.objects.exists()
