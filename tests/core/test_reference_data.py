"""Reference data seeded by migrations survives transactional tests (see tests/conftest.py)."""

import pytest

from riskmgmt.analyses.models import CauseArea
from riskmgmt.notifications.models import DeadlineRule


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_seeded_rules():
    assert DeadlineRule.objects.filter(code="action_due").exists()
    assert CauseArea.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_and_so_does_the_next_one():
    assert DeadlineRule.objects.filter(code="lex_sarah_receipt").exists()
    assert list(CauseArea.objects.values_list("code", flat=True)[:2]) == ["communication", "competence"]
