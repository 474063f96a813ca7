import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from riskmgmt.actions import services as action_services
from riskmgmt.supervision import services
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["section_manager", "unit_manager", "quality"])
def test_queries(client, decided, personas, org, who, section_manager, unit_manager):
    user = personas[who]
    client.force_login(user)
    def add(n):
        for i in range(n):
            d = services.decision_create(actor=section_manager, unit=org["mott"], authority="ivo", reference=f"R{i}",
                                         subject="S", kind="supervision", received_on=TODAY(), processes=[org["mottagning"]])
            services.decision_request_statement(decision=d, actor=section_manager, requested_on=TODAY(), due_date=TODAY() + days(3))
            r = services.requirement_add(decision=decided, actor=section_manager, text=f"K{i}", due_date=TODAY() + days(5 + i),
                                         process=org["mottagning"])
            action_services.action_create(source_obj=r, actor=section_manager, title="Åtgärd", responsible=unit_manager,
                                          due_date=TODAY() + days(10), strength="strong")
    urls = lambda: [reverse("supervision:upcoming"), reverse("supervision:list"), "/", decided.get_absolute_url(),
            reverse("api:supervision-decision-detail", args=[decided.pk]), reverse("api:requirement-list"),
            reverse("api:supervision-decision-list"),
            reverse("supervision:letter", args=[decided.pk]), reverse("processes:detail", args=[org["mottagning"].pk])]
    add(2)
    for u in urls():
        client.get(u)
    first = {}
    for u in urls():
        with CaptureQueriesContext(connection) as c:
            code = client.get(u).status_code
        first[u] = (code, len(c.captured_queries))
    add(10)
    for u in urls():
        with CaptureQueriesContext(connection) as c:
            code = client.get(u).status_code
        print(who, u, first[u], code, len(c.captured_queries))
