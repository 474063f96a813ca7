"""The API answers bad input in Swedish, also where REST framework's own catalogue is English."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_list_where_text_belongs_gets_a_swedish_message(api_client, org, unit_manager):
    api_client.force_authenticate(unit_manager)
    response = api_client.post(reverse("api:risk-analysis-list"), {"unit": org["mott"].pk, "year": 2026},
                               format="json")
    analysis = response.json()["id"]
    response = api_client.post(reverse("api:risk-list"), {
        "analysis": analysis, "title": ["inte", "en", "text"], "risk_type": "process", "perspective": "staff",
        "probability": 2, "consequence": 2}, format="json")
    assert response.status_code == 400
    assert response.json()["title"] == ["Ange en text."]
