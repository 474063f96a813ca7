"""seed_demo: the demo organisation and users, the same database however often it runs."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from riskmgmt.organisation.demo import demo_users
from riskmgmt.organisation.models import Membership, Unit
from tests.organisation.dbstate import organisation_state

User = get_user_model()


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_gives_the_same_database(db):
    seed()
    before = organisation_state()
    for table in ("unit", "process", "membership", "user"):
        assert before[table], table
    seed()
    assert organisation_state() == before


def test_every_demo_user_can_log_in_with_the_demo_password(db, client, settings):
    seed()
    usernames = [spec["username"] for spec in demo_users()] + ["admin"]
    for username in usernames:
        assert client.login(username=username, password=settings.DEMO_PASSWORD), username
        client.logout()
        assert not client.login(username=username, password="fel-losen"), username


def test_demo_users_have_their_roles(db):
    seed()
    for spec in demo_users():
        assert Membership.objects.filter(
            user__username=spec["username"], unit__code=spec["unit"], role=spec["role"],
            is_active=True,
        ).exists(), spec["username"]
    assert User.objects.get(username="admin").is_superuser
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)


def test_demo_organisation_is_a_tree_under_one_root(db):
    seed()
    root = Unit.objects.get(parent=None)
    assert set(root.subtree()) == set(Unit.objects.all())


def test_seed_demo_prints_the_logins_but_never_in_production(db, settings):
    out = seed()
    assert "anna" in out
    assert settings.DEMO_PASSWORD in out
    settings.DEMO_PASSWORD = ""
    before = organisation_state()
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        seed()
    assert organisation_state() == before


def test_seed_demo_resets_a_changed_demo_password(db, client, settings):
    seed()
    anna = User.objects.get(username="anna")
    anna.set_password("ett-annat-losen")
    anna.save()
    seed()
    assert client.login(username="anna", password=settings.DEMO_PASSWORD)
