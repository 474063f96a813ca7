"""The unit tree: subtrees, a user's scope, moving and renaming, and what the model refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404

from riskmgmt.organisation.models import Membership, Process, Unit, code_validator
from riskmgmt.organisation.selectors import (
    process_get_for_user,
    process_list_for_user,
    unit_get_for_user,
    unit_managers,
    units_for_filing,
    units_in_scope,
)
from tests.factories import MembershipFactory, ProcessFactory, UnitFactory, UserFactory

Role = Membership.Role
ALL = {"sof", "fam", "vux", "mott", "plac", "miss"}


def codes(queryset) -> set[str]:
    return {unit.code for unit in queryset}


# ---------------------------------------------------------------- Unit.subtree


def test_paths_are_the_codes_from_the_root(org):
    assert org["sof"].path == "sof/"
    assert org["mott"].path == "sof/fam/mott/"
    assert org["mott"].depth == 2
    assert org["mott"].ancestor_codes() == ["sof", "fam"]
    assert codes(org["mott"].ancestors()) == {"sof", "fam"}


def test_subtree_of_a_section_is_the_section_and_its_units(org):
    assert codes(org["fam"].subtree()) == {"fam", "mott", "plac"}
    assert codes(org["vux"].subtree()) == {"vux", "miss"}


def test_subtree_of_the_root_is_everything(org):
    assert codes(org["sof"].subtree()) == ALL


def test_subtree_of_a_leaf_is_the_leaf(org):
    assert codes(org["mott"].subtree()) == {"mott"}


def test_subtree_does_not_leak_into_a_unit_whose_code_extends_the_code(org):
    fam_x = UnitFactory(code="fam-x", kind="section", parent=org["sof"])
    UnitFactory(code="fam-x-mott", parent=fam_x)
    famx = UnitFactory(code="famx", kind="section", parent=org["sof"])
    assert codes(org["fam"].subtree()) == {"fam", "mott", "plac"}
    assert codes(fam_x.subtree()) == {"fam-x", "fam-x-mott"}
    assert codes(famx.subtree()) == {"famx"}


# ---------------------------------------------------------------- units_in_scope


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("reporter", {"mott"}),
        ("unit_manager", {"mott"}),
        ("section_manager", {"fam", "mott", "plac"}),
        ("other_manager", {"miss"}),
        ("quality", ALL),
        ("management", ALL),
        ("outsider", set()),
    ],
)
def test_units_in_scope_per_persona(personas, persona, expected):
    assert codes(units_in_scope(personas[persona])) == expected


def test_section_managers_scope_excludes_the_sibling_section(section_manager, org):
    scope = units_in_scope(section_manager)
    assert org["plac"] in scope
    assert org["vux"] not in scope
    assert org["miss"] not in scope
    assert org["sof"] not in scope


def test_anonymous_user_has_no_scope(org):
    assert not units_in_scope(AnonymousUser()).exists()


def test_scope_filtered_by_role(personas):
    assert codes(units_in_scope(personas["section_manager"], Membership.MANAGER_ROLES)) == {
        "fam",
        "mott",
        "plac",
    }
    # A section manager holds no staff role; quality manages nothing.
    assert codes(units_in_scope(personas["section_manager"], [Role.STAFF])) == set()
    assert codes(units_in_scope(personas["quality"], Membership.MANAGER_ROLES)) == set()
    assert codes(units_in_scope(personas["quality"], Membership.OVERSIGHT_ROLES)) == ALL
    assert codes(units_in_scope(personas["reporter"], [Role.STAFF])) == {"mott"}


def test_scope_is_the_union_of_several_memberships(org):
    user = UserFactory()
    MembershipFactory(user=user, unit=org["plac"], role=Role.STAFF)
    MembershipFactory(user=user, unit=org["vux"], role=Role.SECTION_MANAGER)
    assert codes(units_in_scope(user)) == {"plac", "vux", "miss"}
    assert codes(units_in_scope(user, [Role.STAFF])) == {"plac"}


def test_inactive_membership_gives_nothing(org):
    user = UserFactory()
    MembershipFactory(user=user, unit=org["fam"], role=Role.SECTION_MANAGER, is_active=False)
    assert codes(units_in_scope(user)) == set()
    assert not process_list_for_user(user).exists()


def test_membership_on_an_inactive_unit_gives_nothing(org):
    user = UserFactory()
    MembershipFactory(user=user, unit=org["fam"], role=Role.SECTION_MANAGER)
    org["fam"].is_active = False
    org["fam"].save()
    assert codes(units_in_scope(user)) == set()
    with pytest.raises(Http404):
        unit_get_for_user(user, org["mott"].pk)


def test_scope_does_not_leak_into_a_unit_whose_code_extends_the_code(org, section_manager):
    fam_x = UnitFactory(code="fam-x", kind="section", parent=org["sof"])
    UnitFactory(code="fam-x-mott", parent=fam_x)
    UnitFactory(code="famx", kind="section", parent=org["sof"])
    assert codes(units_in_scope(section_manager)) == {"fam", "mott", "plac"}
    other = UserFactory()
    MembershipFactory(user=other, unit=fam_x, role=Role.SECTION_MANAGER)
    assert codes(units_in_scope(other)) == {"fam-x", "fam-x-mott"}


@pytest.mark.parametrize(
    "code",
    ["fam_x", "fa_", "fam%", "%", "_", "Fam", "fam x", "-fam", "fam/x", "fam\n", "", "fåm"],
)
def test_code_validator_refuses_codes_that_could_break_a_path_prefix(code):
    with pytest.raises(ValidationError) as exc:
        code_validator(code)
    assert "små bokstäver" in exc.value.messages[0]


@pytest.mark.parametrize("code", ["fam", "fam-x", "sof2", "2024-nya", "a"])
def test_code_validator_accepts_lowercase_digits_and_hyphens(code):
    code_validator(code)


def test_full_clean_refuses_a_code_with_underscore(org):
    unit = Unit(code="fam_x", name="X", kind="section", parent=org["sof"])
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    assert "code" in exc.value.message_dict


def test_units_for_filing_are_units_of_kind_unit(personas):
    assert codes(units_for_filing(personas["section_manager"])) == {"mott", "plac"}
    assert codes(units_for_filing(personas["reporter"])) == {"mott"}
    assert codes(units_for_filing(personas["outsider"])) == set()


def test_unit_managers_are_the_managers_of_the_unit_and_its_ancestors(personas, org):
    assert {u.username for u in unit_managers(org["mott"])} == {"unit_manager", "section_manager"}
    assert {u.username for u in unit_managers(org["plac"])} == {"section_manager"}
    assert {u.username for u in unit_managers(org["miss"])} == {"other_manager"}
    assert {u.username for u in unit_managers(org["sof"])} == set()
    # Nearest level first: the unit's own manager before the section manager.
    assert [u.username for u in unit_managers(org["mott"])] == ["unit_manager", "section_manager"]


# ---------------------------------------------------------------- the access gates


def test_process_gates_follow_the_scope(personas, org):
    sm = personas["section_manager"]
    assert {p.name for p in process_list_for_user(sm)} == {
        org["mottagning"].name,
        org["placering"].name,
    }
    assert process_get_for_user(sm, org["placering"].pk) == org["placering"]
    for pk in (org["lvm"].pk, "abc", None, 10**30):
        with pytest.raises(Http404):
            process_get_for_user(sm, pk)


def test_unit_gate_follows_the_scope(personas, org):
    sm = personas["section_manager"]
    assert unit_get_for_user(sm, org["mott"].pk) == org["mott"]
    for user, pk in ((sm, org["miss"].pk), (personas["outsider"], org["mott"].pk), (sm, "x")):
        with pytest.raises(Http404):
            unit_get_for_user(user, pk)


def test_inactive_processes_are_not_listed(personas, org):
    org["placering"].is_active = False
    org["placering"].save()
    names = {p.name for p in process_list_for_user(personas["section_manager"])}
    assert names == {org["mottagning"].name}


# ---------------------------------------------------------------- query counts


def _tree(size: int) -> Unit:
    """A root with sections of ten units each, `size` units in all, one process per unit."""
    root = UnitFactory(code="root", kind="administration")
    made, section = 1, None
    while made < size:
        if section is None or made % 11 == 1:
            section = UnitFactory(code=f"s{made}", kind="section", parent=root)
        else:
            ProcessFactory(unit=UnitFactory(code=f"u{made}", parent=section))
        made += 1
    assert Unit.objects.count() == size
    return root


@pytest.mark.parametrize("size", [10, 300])
def test_scope_queries_do_not_grow_with_the_tree(db, django_assert_max_num_queries, size):
    root = _tree(size)
    overseer = UserFactory()
    MembershipFactory(user=overseer, unit=root, role=Role.QUALITY)
    section = Unit.objects.filter(kind="section").first()
    manager = UserFactory()
    MembershipFactory(user=manager, unit=section, role=Role.SECTION_MANAGER)
    cases = (
        (overseer, size, Process.objects.count()),
        (manager, section.subtree().count(), Process.objects.filter(unit__parent=section).count()),
    )
    for user, unit_count, process_count in cases:
        with django_assert_max_num_queries(2):
            units = list(units_in_scope(user))
            processes = list(Process.objects.filter(unit__in=units_in_scope(user)))
        assert len(units) == unit_count
        assert len(processes) == process_count


# ---------------------------------------------------------------- moving and renaming


def test_renaming_a_unit_rewrites_its_descendants_paths(org, section_manager):
    fam = org["fam"]
    fam.code = "familj"
    fam.save()
    paths = dict(Unit.objects.values_list("code", "path"))
    assert paths["familj"] == "sof/familj/"
    assert paths["mott"] == "sof/familj/mott/"
    assert paths["plac"] == "sof/familj/plac/"
    assert paths["miss"] == "sof/vux/miss/"
    assert codes(units_in_scope(section_manager)) == {"familj", "mott", "plac"}
    # Each rewritten unit keeps its history.
    assert org["mott"].history.first().path == "sof/familj/mott/"


def test_moving_a_unit_rewrites_its_descendants_paths(org):
    team = UnitFactory(code="mott-team", parent=org["mott"])
    mott = org["mott"]
    mott.parent = org["vux"]
    mott.save()
    team.refresh_from_db()
    assert Unit.objects.get(code="mott").path == "sof/vux/mott/"
    assert team.path == "sof/vux/mott/mott-team/"
    assert codes(org["fam"].subtree()) == {"fam", "plac"}
    assert codes(org["vux"].subtree()) == {"vux", "miss", "mott", "mott-team"}


def test_moving_a_section_moves_the_whole_subtree(org):
    team = UnitFactory(code="mott-team", parent=org["mott"])
    new_root = UnitFactory(code="ny", kind="administration")
    fam = org["fam"]
    fam.parent = new_root
    fam.save()
    team.refresh_from_db()
    assert team.path == "ny/fam/mott/mott-team/"
    assert codes(new_root.subtree()) == {"ny", "fam", "mott", "plac", "mott-team"}
    assert codes(org["sof"].subtree()) == {"sof", "vux", "miss"}


def test_moving_changes_who_sees_the_unit(org, section_manager, other_manager):
    vux_manager = UserFactory()
    MembershipFactory(user=vux_manager, unit=org["vux"], role=Role.SECTION_MANAGER)
    assert org["plac"] in units_in_scope(section_manager)
    plac = org["plac"]
    plac.parent = org["vux"]
    plac.save()
    assert org["plac"] not in units_in_scope(section_manager)
    assert org["plac"] in units_in_scope(vux_manager)
    assert org["plac"] not in units_in_scope(other_manager)


@pytest.mark.parametrize("new_parent", ["mott", "plac", "fam"])
def test_a_unit_cannot_be_placed_under_itself_or_its_descendant(org, new_parent):
    before = dict(Unit.objects.values_list("code", "path"))
    fam = Unit.objects.get(code="fam")
    fam.parent = Unit.objects.get(code=new_parent)
    with pytest.raises(ValidationError) as exc:
        fam.full_clean()
    assert exc.value.message_dict["parent"] == ["En enhet kan inte ligga under sig själv."]
    assert dict(Unit.objects.values_list("code", "path")) == before


def test_full_clean_accepts_a_real_move(org):
    mott = Unit.objects.get(code="mott")
    mott.parent = org["vux"]
    mott.full_clean()
