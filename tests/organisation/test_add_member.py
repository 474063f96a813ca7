"""add_member: creates users with a role, adds roles, and refuses bad input changing nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from riskmgmt.organisation.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.organisation.dbstate import organisation_state

User = get_user_model()


def add_member(*args):
    out = io.StringIO()
    call_command("add_member", *args, stdout=out)
    return out.getvalue()


def test_creates_a_user_with_a_usable_password_from_the_environment(org, monkeypatch, client):
    monkeypatch.setenv("KALLE_PASSWORD", "ett-hemligt-losen")
    out = add_member("kalle", "mott", "staff", "--email", "kalle@kommun.se",
                     "--password-env", "KALLE_PASSWORD")
    user = User.objects.get(username="kalle")
    assert user.email == "kalle@kommun.se"
    assert user.has_usable_password()
    assert user.check_password("ett-hemligt-losen")
    assert "ett-hemligt-losen" not in out
    assert list(user.memberships.values_list("unit__code", "role", "is_active")) == [
        ("mott", "staff", True)
    ]
    assert user.history.get().history_change_reason == "add_member"
    assert client.login(username="kalle", password="ett-hemligt-losen")


def test_without_a_password_the_user_cannot_log_in_with_one(org):
    add_member("kalle", "mott", "staff")
    user = User.objects.get(username="kalle")
    assert not user.has_usable_password()


def test_adds_a_second_role_to_an_existing_user(org, reporter):
    add_member("reporter", "fam", "section_manager")
    assert set(reporter.memberships.values_list("unit__code", "role")) == {
        ("mott", "staff"),
        ("fam", "section_manager"),
    }
    assert User.objects.filter(username="reporter").count() == 1
    # The user's name and password are left as they were.
    reporter_after = User.objects.get(username="reporter")
    assert reporter_after.first_name == "Anna"
    assert reporter_after.check_password("losen-123")


def test_running_twice_changes_nothing(org, monkeypatch):
    monkeypatch.setenv("PW", "ett-hemligt-losen")
    args = ("kalle", "mott", "unit_manager", "--email", "kalle@kommun.se", "--password-env", "PW")
    add_member(*args)
    before = organisation_state()
    add_member(*args)
    assert organisation_state() == before


def test_reactivates_an_inactive_membership(org):
    user = UserFactory(username="kalle")
    membership = MembershipFactory(user=user, unit=org["mott"], role="staff", is_active=False)
    add_member("kalle", "mott", "staff")
    membership.refresh_from_db()
    assert membership.is_active
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("kalle", "finns-inte", "staff"), "Okänd enhetskod: ”finns-inte”"),
        (("kalle", "mott", "chef"), "Okänd roll: ”chef”"),
        (("kalle", "mott", "staff", "--email", "inte-en-adress"),
         "Ogiltig e-postadress: ”inte-en-adress”"),
        (("kalle", "mott", "staff", "--password-env", "RISKMGMT_UNSET_VARIABLE"),
         "Miljövariabeln RISKMGMT_UNSET_VARIABLE är inte satt"),
        (("reporter", "fam", "admin"), "Okänd roll"),
        (("  ", "mott", "staff"), "Användarnamn saknas"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(org, reporter, monkeypatch, args, fragment):
    monkeypatch.delenv("RISKMGMT_UNSET_VARIABLE", raising=False)
    before = organisation_state()
    with pytest.raises(CommandError) as exc:
        add_member(*args)
    assert fragment in str(exc.value)
    assert "Inget har ändrats" in str(exc.value)
    assert exc.value.returncode != 0
    assert organisation_state() == before


def test_unknown_role_message_lists_the_roles(org):
    with pytest.raises(CommandError) as exc:
        add_member("kalle", "mott", "chef")
    for role in Membership.Role.values:
        assert role in str(exc.value)


def test_an_empty_password_variable_is_refused(org, monkeypatch):
    monkeypatch.setenv("EMPTY_PW", "")
    with pytest.raises(CommandError, match="EMPTY_PW"):
        add_member("kalle", "mott", "staff", "--password-env", "EMPTY_PW")
    assert not User.objects.filter(username="kalle").exists()
