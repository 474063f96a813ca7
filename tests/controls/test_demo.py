"""The demo plans: this year's with one late check, 2014's only partly followed; idempotent."""

import datetime

import pytest
from django.conf import settings

from riskmgmt.actions.models import Action
from riskmgmt.controls.demo import seed_controls
from riskmgmt.controls.models import ControlCheck, ControlPoint
from riskmgmt.controls.selectors import (
    PeriodState,
    control_plan_points,
    internal_control_summary,
    point_rows,
)
from riskmgmt.organisation.demo import seed_organisation
from riskmgmt.organisation.models import Unit
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db


def _counts():
    return (ControlPoint.objects.count(), ControlCheck.objects.count(),
            ControlCheck.objects.filter(deviation__isnull=False).count(), Action.objects.count())


def test_demo_plans_tell_the_story_and_seed_twice_is_the_same(db):
    day = datetime.date(2026, 11, 22)
    with at(day, hour=12):
        seed_organisation(password=settings.DEMO_PASSWORD)
        seed_controls()
        first = _counts()
        seed_controls()
        assert _counts() == first
    fam = Unit.objects.get(code="fam")
    history = internal_control_summary(fam, 2014)
    assert history["followed"] == "partly"
    assert 0 < history["with_findings"] < history["performed"] < history["planned"]
    this_year = internal_control_summary(fam, 2026)
    assert this_year["followed"] == "partly"  # the year is not over
    assert this_year["with_findings"] >= 3
    rows = point_rows(control_plan_points(ControlPoint.objects.all(), year=2026), today=day, grace=0)
    late = [(row.point.title, p.period.label) for row in rows for p in row.periods if p.state == PeriodState.LATE]
    assert late == [("Genomgång av placerade barns vårdplaner", "Kvartal 3 2026")]
    assert first[2] == 1  # one finding reported as a deviation
    assert Action.objects.filter(source_id__in=ControlCheck.objects.values("pk")).exists()


@pytest.mark.parametrize("day", [datetime.date(2026, 1, 5), datetime.date(2026, 4, 3), datetime.date(2026, 7, 15)])
def test_demo_works_on_any_day_of_the_year(db, day):
    with at(day, hour=12):
        seed_organisation(password=settings.DEMO_PASSWORD)
        seed_controls()
        seed_controls()
    assert internal_control_summary(Unit.objects.get(code="fam"), 2014)["followed"] == "partly"
