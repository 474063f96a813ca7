import datetime

import pytest
from django.utils import timezone

from riskmgmt.analyses import services
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def team(org):
    """Three colleagues from the section who were not involved in the event."""
    people = []
    for username, profession in [("team_a", "Socialsekreterare"), ("team_b", "Familjebehandlare"),
                                 ("team_c", "Familjehemssekreterare")]:
        user = UserFactory(username=username)
        MembershipFactory(user=user, unit=org["plac"], role="staff")
        people.append((user, profession))
    return people


@pytest.fixture
def analysis(org, section_manager, unit_manager, team):
    """Commissioned by the section manager, led by the unit manager of Mottagningsenheten."""
    return services.analysis_create(
        actor=section_manager, title="Skyddsbedömning som dröjde över helgen", unit=org["mott"],
        scope="Vad hände mellan anmälan fredag och skyddsbedömningen måndag, och varför?",
        commissioner=section_manager, lead=unit_manager, team=team,
        due_date=timezone.localdate() + datetime.timedelta(days=40),
    )
