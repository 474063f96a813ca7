"""Planned periods follow from the frequency: 12 months, 4 quarters or the year."""

import datetime
import itertools

import pytest
from django.utils import translation

from riskmgmt.controls.models import Frequency, Period, periods_of


@pytest.mark.parametrize(("frequency", "count", "last_start", "last_end"), [
    (Frequency.MONTHLY, 12, datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)),
    (Frequency.QUARTERLY, 4, datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
    (Frequency.YEARLY, 1, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
])
def test_a_year_has_the_frequencys_periods(frequency, count, last_start, last_end):
    periods = periods_of(frequency, 2026)
    assert len(periods) == count
    assert periods[0].start == datetime.date(2026, 1, 1)
    assert (periods[-1].start, periods[-1].end) == (last_start, last_end)
    # Back to back: each period starts the day after the one before ends.
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + datetime.timedelta(days=1)


def test_february_ends_on_its_last_day():
    assert Period(Frequency.MONTHLY, datetime.date(2024, 2, 1)).end == datetime.date(2024, 2, 29)
    assert Period(Frequency.MONTHLY, datetime.date(2026, 2, 1)).end == datetime.date(2026, 2, 28)


def test_labels_are_swedish():
    with translation.override("sv"):
        assert Period(Frequency.MONTHLY, datetime.date(2026, 3, 1)).label == "Mars 2026"
        assert Period(Frequency.MONTHLY, datetime.date(2026, 3, 1)).short_label == "mar"
        assert Period(Frequency.QUARTERLY, datetime.date(2026, 7, 1)).label == "Kvartal 3 2026"
        assert Period(Frequency.QUARTERLY, datetime.date(2026, 7, 1)).short_label == "K3"
        assert Period(Frequency.YEARLY, datetime.date(2026, 1, 1)).label == "År 2026"


def test_due_date_adds_the_grace_days():
    period = Period(Frequency.QUARTERLY, datetime.date(2026, 1, 1))
    assert period.due_date() == datetime.date(2026, 3, 31)
    assert period.due_date(10) == datetime.date(2026, 4, 10)
