"""Process: a verksamhetsprocess under a unit, with an optional parent process."""

import pytest
from django.core.exceptions import ValidationError

from riskmgmt.organisation.models import Process
from tests.factories import ProcessFactory


def test_a_process_with_a_parent_in_the_same_unit_is_valid(org):
    child = Process(unit=org["mott"], name="Skyddsbedömning", parent=org["mottagning"])
    child.full_clean()


def test_the_parent_must_belong_to_the_same_unit(org):
    child = Process(unit=org["mott"], name="Skyddsbedömning", parent=org["placering"])
    with pytest.raises(ValidationError) as exc:
        child.full_clean()
    assert exc.value.message_dict["parent"] == [
        "Den överordnade processen måste höra till samma enhet."
    ]


def test_a_process_cannot_be_its_own_parent(org):
    process = org["mottagning"]
    process.parent = process
    with pytest.raises(ValidationError) as exc:
        process.full_clean()
    assert exc.value.message_dict["parent"] == ["En process kan inte ligga under sig själv."]


def test_a_process_cannot_be_placed_under_its_own_descendant(org):
    top = org["mottagning"]
    middle = ProcessFactory(unit=org["mott"], name="Skyddsbedömning", parent=top)
    bottom = ProcessFactory(unit=org["mott"], name="Akut skydd", parent=middle)
    top.parent = bottom
    with pytest.raises(ValidationError) as exc:
        top.full_clean()
    assert exc.value.message_dict["parent"] == ["En process kan inte ligga under sig själv."]
    top.refresh_from_db()
    assert top.parent is None


def test_two_processes_in_a_unit_cannot_share_a_name(org):
    duplicate = Process(unit=org["mott"], name=org["mottagning"].name)
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    Process(unit=org["plac"], name=org["mottagning"].name).full_clean()
