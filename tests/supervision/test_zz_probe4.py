import pytest
from django.urls import reverse

from riskmgmt.supervision import services
from riskmgmt.supervision.models import SupervisionDecision
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db


def _post(client, d, **over):
    data = {"authority": d.authority, "reference": d.reference, "kind": d.kind, "subject": d.subject,
            "unit": d.unit_id, "received_on": d.received_on.isoformat(),
            "decided_on": d.decided_on.isoformat() if d.decided_on else "", "outcome": d.outcome, "summary": d.summary}
    data.update(over)
    return client.post(reverse("supervision:edit", args=[d.pk]), data)


def test_blank_outcome_on_decided(client, decided, section_manager):
    client.force_login(section_manager)
    r = _post(client, decided, decided_on="", outcome="")
    decided.refresh_from_db()
    print("blank", r.status_code, decided.status, repr(decided.outcome), decided.decided_on)


def test_outcome_on_received(client, decision, section_manager):
    client.force_login(section_manager)
    r = _post(client, decision, decided_on=TODAY().isoformat(), outcome="criticism")
    decision.refresh_from_db()
    print("received", r.status_code, decision.status, repr(decision.outcome), decision.decided_on)
