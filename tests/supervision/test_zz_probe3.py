import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from riskmgmt.actions import services as action_services
from riskmgmt.supervision import services
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db


def test_queries(client, decided, org, section_manager, unit_manager):
    client.force_login(section_manager)
    for i in range(3):
        r = services.requirement_add(decision=decided, actor=section_manager, text=f"K{i}", due_date=TODAY() + days(5 + i),
                                     process=org["mottagning"])
        action_services.action_create(source_obj=r, actor=section_manager, title="Åtgärd", responsible=unit_manager,
                                      due_date=TODAY() + days(10), strength="strong")
    for u in [decided.get_absolute_url(), reverse("api:requirement-list")]:
        client.get(u)
        with CaptureQueriesContext(connection) as c:
            client.get(u)
        for q in c.captured_queries:
            print(q["sql"][-200:]) if "accounts_user" in q["sql"][:60] else None
        print("=====")
