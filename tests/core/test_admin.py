"""Every admin list page opens for a superuser, and read-only records cannot be added or deleted."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    return user


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_changelist_opens(client, superuser, model):
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("label", ["core.Transition", "deviations.Deviation", "deviations.DeviationAccess",
                                   "notifications.DeadlineNotice", "actions.Action"])
def test_evidence_cannot_be_added(client, superuser, label):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert client.get(url).status_code == 403
