"""Factories and fixtures for internal control (egenkontroll).

Tests run on fixed dates (`at` from tests.notifications.conftest) so a period's state does not
depend on the day the suite runs: by default 2026-05-20, when January–April and the first
quarter have ended and May and the second quarter are running.
"""

import datetime

import factory
import pytest

from riskmgmt.controls.models import ControlCheck, ControlPoint, Frequency
from tests.factories import UnitFactory, UserFactory
from tests.notifications.conftest import at

TODAY = datetime.date(2026, 5, 20)


class ControlPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlPoint
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    year = 2026
    title = factory.Sequence(lambda n: f"Aktgranskning: förhandsbedömning inom 14 dagar {n}")
    method = ControlPoint.Method.FILE_REVIEW
    frequency = Frequency.QUARTERLY
    responsible = factory.SubFactory(UserFactory)


class ControlCheckFactory(factory.django.DjangoModelFactory):
    """A performed check; `period_start` defaults to the point's first period."""

    class Meta:
        model = ControlCheck
        skip_postgeneration_save = True

    control_point = factory.SubFactory(ControlPointFactory)
    period_start = factory.LazyAttribute(lambda c: c.control_point.periods()[0].start)
    performed_on = factory.LazyAttribute(lambda c: c.period_start + datetime.timedelta(days=3))
    performed_by = factory.SelfAttribute("control_point.responsible")
    findings = False


@pytest.fixture
def today():
    with at(TODAY, hour=10):
        yield TODAY


@pytest.fixture
def point(org, unit_manager, reporter):
    """Mottagningsenheten's quarterly file review, the staff member responsible."""
    return ControlPointFactory(unit=org["mott"], responsible=reporter,
                               title="Stickprov: skyddsbedömning dokumenterad samma dag")


@pytest.fixture
def check(point):
    """The first quarter's check of `point`, with findings."""
    return ControlCheckFactory(control_point=point, findings=True, performed_on=datetime.date(2026, 4, 3),
                               description="Två av tio skyddsbedömningar dokumenterades dagen efter.")
