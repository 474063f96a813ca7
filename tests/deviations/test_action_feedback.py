"""The reporter follows the actions taken on their own report; colleagues do not see them."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from riskmgmt.deviations.models import Deviation
from tests.factories import ActionFactory, DeviationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_reporter_opens_the_actions_on_their_report_a_colleague_gets_404(client, org, reporter, unit_manager):
    deviation = DeviationFactory(unit=org["mott"], reporter=reporter, status="investigating")
    action = ActionFactory(unit=org["mott"], title="Inloggad utskrift på plan 2", responsible=unit_manager,
                           source_content_type=ContentType.objects.get_for_model(Deviation), source_id=deviation.pk)
    colleague = UserFactory(username="kollega")
    MembershipFactory(user=colleague, unit=org["mott"], role="staff")

    client.force_login(reporter)
    response = client.get(reverse("actions:detail", args=[action.pk]))
    assert response.status_code == 200
    assert "Inloggad utskrift på plan 2" in response.content.decode()

    client.force_login(colleague)
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 404
