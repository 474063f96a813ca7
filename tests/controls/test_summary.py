"""internal_control_summary: planned from the frequencies, performed and findings counted in SQL,
and "followed" yes / partly / no for a unit's subtree or a queryset of units."""

import datetime

import pytest

from riskmgmt.controls.models import Frequency
from riskmgmt.controls.selectors import followed_from, internal_control_summary
from riskmgmt.organisation.models import Unit
from tests.controls.conftest import ControlCheckFactory, ControlPointFactory

pytestmark = pytest.mark.django_db


def _perform(point, numbers, findings=()):
    for period in point.periods():
        if period.number in numbers:
            ControlCheckFactory(control_point=point, period_start=period.start,
                                findings=period.number in findings, description="Brister" if findings else "")


def test_every_planned_check_performed_is_followed(org, reporter):
    monthly = ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.MONTHLY, year=2014)
    yearly = ControlPointFactory(unit=org["plac"], responsible=reporter, frequency=Frequency.YEARLY, year=2014)
    _perform(monthly, range(1, 13), findings=[3, 7])
    _perform(yearly, [1])
    assert internal_control_summary(org["fam"], 2014) == {
        "planned": 13, "performed": 13, "with_findings": 2, "followed": "yes"}


def test_some_checks_performed_is_partly_followed(org, reporter):
    quarterly = ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.QUARTERLY, year=2014)
    ControlPointFactory(unit=org["plac"], responsible=reporter, frequency=Frequency.MONTHLY, year=2014)
    _perform(quarterly, [1, 2], findings=[2])
    assert internal_control_summary(org["fam"], 2014) == {
        "planned": 16, "performed": 2, "with_findings": 1, "followed": "partly"}


def test_nothing_performed_is_not_followed(org, reporter):
    ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.QUARTERLY, year=2014)
    assert internal_control_summary(org["mott"], 2014) == {
        "planned": 4, "performed": 0, "with_findings": 0, "followed": "no"}


def test_no_plan_at_all_is_not_followed(org):
    assert internal_control_summary(org["sof"], 2014) == {
        "planned": 0, "performed": 0, "with_findings": 0, "followed": "no"}


@pytest.mark.parametrize(("planned", "performed", "followed"), [
    (4, 4, "yes"), (4, 5, "yes"), (4, 3, "partly"), (4, 1, "partly"), (4, 0, "no"), (0, 0, "no")])
def test_followed_from_counts(planned, performed, followed):
    assert followed_from(planned, performed) == followed


def test_only_the_subtree_the_year_and_active_points_count(org, reporter, other_manager):
    mine = ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.YEARLY, year=2014)
    _perform(mine, [1])
    other_section = ControlPointFactory(unit=org["miss"], responsible=other_manager, year=2014)
    _perform(other_section, [1, 2, 3, 4])
    next_year = ControlPointFactory(unit=org["mott"], responsible=reporter, year=2015)
    _perform(next_year, [1])
    inactive = ControlPointFactory(unit=org["plac"], responsible=reporter, year=2014, is_active=False)
    _perform(inactive, [1])
    assert internal_control_summary(org["fam"], 2014) == {
        "planned": 1, "performed": 1, "with_findings": 0, "followed": "yes"}
    assert internal_control_summary(org["sof"], 2014)["planned"] == 5
    assert internal_control_summary(org["vux"], 2014)["followed"] == "yes"


def test_a_queryset_of_units_works_like_a_subtree(org, reporter, other_manager):
    _perform(ControlPointFactory(unit=org["mott"], responsible=reporter, year=2014), [1])
    _perform(ControlPointFactory(unit=org["miss"], responsible=other_manager, year=2014), [1, 2])
    units = Unit.objects.filter(code__in=["mott", "miss"])
    assert internal_control_summary(units, 2014) == {
        "planned": 8, "performed": 3, "with_findings": 0, "followed": "partly"}
    assert internal_control_summary(Unit.objects.filter(code="plac"), 2014)["planned"] == 0


def test_summary_is_two_queries_however_large_the_plan(org, reporter, django_assert_num_queries):
    for index in range(30):
        point = ControlPointFactory(unit=org["mott" if index % 2 else "plac"], responsible=reporter, year=2014,
                                    frequency=Frequency.MONTHLY)
        _perform(point, range(1, 1 + index % 12), findings=[1])
    with django_assert_num_queries(2):
        summary = internal_control_summary(org["fam"], 2014)
    assert summary["planned"] == 360
    assert summary["performed"] == sum(index % 12 for index in range(30))
    assert summary["with_findings"] == sum(1 for index in range(30) if index % 12)


def test_performed_checks_of_a_period_are_counted_once(org, reporter):
    point = ControlPointFactory(unit=org["mott"], responsible=reporter, year=2014, frequency=Frequency.YEARLY)
    ControlCheckFactory(control_point=point, period_start=datetime.date(2014, 1, 1), findings=True)
    summary = internal_control_summary(org["mott"], 2014)
    assert (summary["performed"], summary["with_findings"]) == (1, 1)
