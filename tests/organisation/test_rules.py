"""Every predicate in riskmgmt/organisation/rules.py for every persona, allowed and refused."""

import pytest
import rules as django_rules
from django.contrib.auth.models import AnonymousUser

from riskmgmt.organisation import rules
from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import units_in_scope
from tests.factories import MembershipFactory, UserFactory

ALL = {"sof", "fam", "vux", "mott", "plac", "miss"}
FAM = {"fam", "mott", "plac"}
NONE: set[str] = set()

# predicate -> persona -> the units on which it holds (every other unit: refused).
UNIT_MATRIX = {
    "is_member_of_unit": {
        "reporter": {"mott"},
        "unit_manager": {"mott"},
        "section_manager": FAM,
        "other_manager": {"miss"},
        "quality": ALL,
        "management": ALL,
        "outsider": NONE,
    },
    "manages_unit": {
        "reporter": NONE,
        "unit_manager": {"mott"},
        "section_manager": FAM,
        "other_manager": {"miss"},
        "quality": NONE,
        "management": NONE,
        "outsider": NONE,
    },
    "oversees_unit": {
        "reporter": NONE,
        "unit_manager": NONE,
        "section_manager": NONE,
        "other_manager": NONE,
        "quality": ALL,
        "management": ALL,
        "outsider": NONE,
    },
    "is_section_manager_over": {
        "reporter": NONE,
        "unit_manager": NONE,
        "section_manager": FAM,
        "other_manager": NONE,
        "quality": NONE,
        "management": NONE,
        "outsider": NONE,
    },
}
UNIT_MATRIX["can_file_for_unit"] = UNIT_MATRIX["is_member_of_unit"]
UNIT_MATRIX["can_view_unit"] = UNIT_MATRIX["is_member_of_unit"]

# predicate -> the personas for whom it holds.
USER_MATRIX = {
    "is_manager": {"unit_manager", "section_manager", "other_manager"},
    "is_quality": {"quality"},
    "is_management": {"management"},
    "sees_everything": {"quality", "management"},
}

PERMS = {
    "organisation.file_for_unit": "is_member_of_unit",
    "organisation.view_unit": "is_member_of_unit",
    "organisation.manage_unit": "manages_unit",
    "organisation.oversee_unit": "oversees_unit",
}

PERSONAS = ["reporter", "unit_manager", "section_manager", "other_manager", "quality",
            "management", "outsider"]


def test_the_matrix_covers_every_predicate_in_the_module():
    declared = {
        name for name, value in vars(rules).items() if isinstance(value, django_rules.Predicate)
    }
    assert declared == set(UNIT_MATRIX) | set(USER_MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("predicate", sorted(UNIT_MATRIX))
def test_unit_predicates(personas, org, predicate, persona):
    check = getattr(rules, predicate)
    user = personas[persona]
    allowed = {code for code in ALL if check(user, org[code])}
    assert allowed == UNIT_MATRIX[predicate][persona]
    assert check(user, None) is False


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("predicate", sorted(USER_MATRIX))
def test_user_predicates(personas, predicate, persona):
    assert getattr(rules, predicate)(personas[persona]) is (persona in USER_MATRIX[predicate])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("perm", sorted(PERMS))
def test_permissions_through_the_auth_backend(personas, org, perm, persona):
    user = personas[persona]
    allowed = {code for code in ALL if user.has_perm(perm, org[code])}
    assert allowed == UNIT_MATRIX[PERMS[perm]][persona]


def test_manage_unit_through_has_perm_both_ways(personas, org):
    assert personas["unit_manager"].has_perm("organisation.manage_unit", org["mott"])
    assert not personas["unit_manager"].has_perm("organisation.manage_unit", org["plac"])
    assert personas["section_manager"].has_perm("organisation.manage_unit", org["plac"])
    assert not personas["section_manager"].has_perm("organisation.manage_unit", org["miss"])
    assert not personas["quality"].has_perm("organisation.manage_unit", org["mott"])
    assert not personas["reporter"].has_perm("organisation.manage_unit", org["mott"])


def test_anonymous_user_has_no_permission(org):
    anonymous = AnonymousUser()
    for perm in PERMS:
        assert not anonymous.has_perm(perm, org["mott"])
    for predicate in USER_MATRIX:
        assert getattr(rules, predicate)(anonymous) is False


def test_inactive_membership_grants_nothing(org):
    user = UserFactory()
    MembershipFactory(user=user, unit=org["fam"], role=Membership.Role.SECTION_MANAGER,
                      is_active=False)
    assert not user.has_perm("organisation.manage_unit", org["mott"])
    assert not user.has_perm("organisation.view_unit", org["mott"])
    assert not rules.is_manager(user)


def test_deactivated_user_has_no_permission(section_manager, org):
    section_manager.is_active = False
    section_manager.save()
    assert not section_manager.has_perm("organisation.manage_unit", org["mott"])
    assert not section_manager.has_perm("organisation.view_unit", org["mott"])
    assert not units_in_scope(section_manager).exists()
