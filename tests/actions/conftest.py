import pytest

from tests.factories import ActionFactory


@pytest.fixture
def action(org, reporter, unit_manager):
    """A planned action on Mottagningsenheten's plan, the staff member responsible."""
    return ActionFactory(unit=org["mott"], responsible=reporter, created_by=unit_manager)
