"""load_organisation: create, update by code, idempotent, and every bad input refused."""

import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from riskmgmt.organisation.models import Process, Unit
from tests.organisation.dbstate import organisation_state

ORGANISATION = """\
- code: sof
  name: Socialförvaltningen
  kind: administration
  children:
    - code: fam
      name: Familjesektionen
      kind: section
      children:
        - code: fam-mott
          name: Mottagningsenheten
          kind: unit
          processes:
            - name: Mottagning och förhandsbedömning
            - name: Skyddsbedömning
              parent: Mottagning och förhandsbedömning
        - code: fam-plac
          name: Placeringsenheten
          kind: unit
          processes:
            - name: Placering i familjehem/HVB
            - name: Umgänge vid vård enligt LVU
              parent: Placering i familjehem/HVB
    - code: vux
      name: Vuxensektionen
      kind: section
      children:
        - code: vux-miss
          name: Enheten för missbruk och beroende
          kind: unit
          processes:
            - name: Placering enligt LVM
"""


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "org.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def loaded(db, write):
    call_command("load_organisation", write(ORGANISATION), stdout=_Null())


class _Null:
    def write(self, *args) -> None:
        pass

    def flush(self) -> None:
        pass


def tree() -> dict[str, tuple]:
    return {u.code: (u.name, u.kind, u.path, u.is_active) for u in Unit.objects.all()}


def processes() -> dict[tuple[str, str], str | None]:
    return {
        (p.unit.code, p.name): (p.parent.name if p.parent else None)
        for p in Process.objects.select_related("unit", "parent")
    }


# ---------------------------------------------------------------- create


def test_creates_units_and_processes(db, write, capsys):
    call_command("load_organisation", write(ORGANISATION))
    assert tree() == {
        "sof": ("Socialförvaltningen", "administration", "sof/", True),
        "fam": ("Familjesektionen", "section", "sof/fam/", True),
        "fam-mott": ("Mottagningsenheten", "unit", "sof/fam/fam-mott/", True),
        "fam-plac": ("Placeringsenheten", "unit", "sof/fam/fam-plac/", True),
        "vux": ("Vuxensektionen", "section", "sof/vux/", True),
        "vux-miss": ("Enheten för missbruk och beroende", "unit", "sof/vux/vux-miss/", True),
    }
    assert processes() == {
        ("fam-mott", "Mottagning och förhandsbedömning"): None,
        ("fam-mott", "Skyddsbedömning"): "Mottagning och förhandsbedömning",
        ("fam-plac", "Placering i familjehem/HVB"): None,
        ("fam-plac", "Umgänge vid vård enligt LVU"): "Placering i familjehem/HVB",
        ("vux-miss", "Placering enligt LVM"): None,
    }
    assert "Enheter: 6 nya" in capsys.readouterr().out
    assert Unit.objects.get(code="fam-mott").history.first().history_change_reason == (
        "load_organisation"
    )


def test_the_demo_file_loads(db):
    from django.conf import settings

    call_command("load_organisation", str(settings.BASE_DIR / "fixtures" / "organisation.yaml"),
                 stdout=_Null())
    assert Unit.objects.filter(kind="unit").count() >= 4


# ---------------------------------------------------------------- update by code


def test_renames_a_unit(loaded, write):
    call_command(
        "load_organisation",
        write(ORGANISATION.replace("name: Mottagningsenheten", "name: Mottagning barn och unga")),
        stdout=_Null(),
    )
    assert Unit.objects.get(code="fam-mott").name == "Mottagning barn och unga"
    assert Unit.objects.count() == 6


def test_moves_a_unit_and_its_processes_with_it(loaded, write):
    moved = """\
    - code: sof
      name: Socialförvaltningen
      kind: administration
      children:
        - code: vux
          name: Vuxensektionen
          kind: section
          children:
            - code: fam-plac
              name: Placeringsenheten
              kind: unit
    """
    call_command("load_organisation", write(moved), stdout=_Null())
    plac = Unit.objects.get(code="fam-plac")
    assert plac.parent.code == "vux"
    assert plac.path == "sof/vux/fam-plac/"
    assert plac.processes.count() == 2
    assert {u.code for u in Unit.objects.get(code="fam").subtree()} == {"fam", "fam-mott"}


def test_moves_a_section_and_rewrites_the_paths_below(loaded, write):
    moved = """\
    - code: sof
      name: Socialförvaltningen
      kind: administration
    - code: fam
      name: Familjesektionen
      kind: administration
    """
    call_command("load_organisation", write(moved), stdout=_Null())
    assert Unit.objects.get(code="fam-mott").path == "fam/fam-mott/"
    assert Unit.objects.get(code="fam").kind == "administration"


def test_adds_a_process_to_an_existing_unit(loaded, write):
    text = ORGANISATION.replace(
        "            - name: Placering enligt LVM\n",
        "            - name: Placering enligt LVM\n"
        "            - name: Boendestöd\n"
        "              parent: Placering enligt LVM\n",
    )
    call_command("load_organisation", write(text), stdout=_Null())
    assert processes()[("vux-miss", "Boendestöd")] == "Placering enligt LVM"
    assert Process.objects.count() == 6


def test_a_process_may_name_a_parent_listed_after_it(db, write):
    text = """\
    - code: u
      name: Enhet
      kind: unit
      processes:
        - name: C
          parent: B
        - name: B
          parent: A
        - name: A
    """
    call_command("load_organisation", write(text), stdout=_Null())
    assert processes() == {("u", "A"): None, ("u", "B"): "A", ("u", "C"): "B"}
    before = organisation_state()
    call_command("load_organisation", write(text), stdout=_Null())
    assert organisation_state() == before


def test_reactivates_a_deactivated_unit(loaded, write):
    Unit.objects.filter(code="vux-miss").update(is_active=False)
    call_command("load_organisation", write(ORGANISATION), stdout=_Null())
    assert Unit.objects.get(code="vux-miss").is_active


def test_running_twice_changes_nothing(loaded, write, capsys):
    before = organisation_state()
    call_command("load_organisation", write(ORGANISATION))
    assert organisation_state() == before
    assert "0 nya, 0 uppdaterade. Processer: 0 nya, 0 uppdaterade" in capsys.readouterr().out


def test_running_an_update_twice_changes_nothing_the_second_time(loaded, write):
    text = ORGANISATION.replace("name: Vuxensektionen", "name: Sektionen för vuxna")
    call_command("load_organisation", write(text), stdout=_Null())
    before = organisation_state()
    call_command("load_organisation", write(text), stdout=_Null())
    assert organisation_state() == before


# ---------------------------------------------------------------- refused input

BAD = {
    "unknown_key": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          colour: red
        """,
        ["okända nycklar: colour"],
    ),
    "unknown_process_key": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - name: P
              owner: x
        """,
        ["okända nycklar: owner"],
    ),
    "missing_code": (
        """\
        - name: Socialförvaltningen
          kind: administration
        """,
        ["code saknas"],
    ),
    "missing_name": (
        """\
        - code: sof
          kind: administration
        """,
        ["name saknas"],
    ),
    "missing_kind": (
        """\
        - code: sof
          name: Socialförvaltningen
        """,
        ["kind saknas"],
    ),
    "missing_process_name": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - parent: P
        """,
        ["process 1: name saknas"],
    ),
    "unknown_kind": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: department
        """,
        ["okänd typ ”department”", "administration, section, unit"],
    ),
    "duplicate_code": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          children:
            - code: sof
              name: Igen
              kind: section
        """,
        ["koden ”sof” förekommer två gånger"],
    ),
    "invalid_code": (
        """\
        - code: Sof_1
          name: Socialförvaltningen
          kind: administration
        """,
        ["ogiltig kod ”Sof_1”"],
    ),
    "process_parent_missing": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - name: Utredning
              parent: Mottagning
        """,
        ["överordnad process ”Mottagning” finns inte i enheten"],
    ),
    "process_parent_in_another_unit": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - name: Mottagning
          children:
            - code: fam
              name: Familjesektionen
              kind: section
              processes:
                - name: Utredning
                  parent: Mottagning
        """,
        ["överordnad process ”Mottagning” finns inte i enheten"],
    ),
    "process_parent_of_wrong_type": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - name: Utredning
              parent: [Mottagning]
        """,
        ["överordnad process"],
    ),
    "process_is_its_own_parent": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - name: Utredning
              parent: Utredning
        """,
        ["Utredning", "sig själv"],
    ),
    "process_cycle": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - name: A
              parent: B
            - name: B
              parent: A
        """,
        ["sig själv"],
    ),
    "duplicate_process": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          processes:
            - name: A
            - name: A
        """,
        ["processen ”A” förekommer två gånger"],
    ),
    "code_too_long": (
        f"""\
        - code: {"a" * 51}
          name: Socialförvaltningen
          kind: administration
        """,
        ["högst 50 tecken"],
    ),
    "name_too_long": (
        f"""\
        - code: sof
          name: {"N" * 201}
          kind: administration
        """,
        ["högst 200 tecken"],
    ),
    "children_not_a_list": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          children: fam
        """,
        ["children måste vara en lista"],
    ),
    "not_a_list": (
        """\
        code: sof
        name: Socialförvaltningen
        kind: administration
        """,
        ["en lista med minst en rotenhet"],
    ),
    "empty_file": ("", ["en lista med minst en rotenhet"]),
    "invalid_yaml": (
        """\
        - code: sof
          name: Socialförvaltningen
          kind: administration
          children:
            - code: fam
             name: Familjesektionen
        """,
        ["inte giltig YAML (rad 6)"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_and_nothing_changes(loaded, write, case):
    text, fragments = BAD[case]
    # A valid change in the same file must not be applied either.
    valid_rename = "- code: vux-miss\n  name: Omdöpt\n  kind: unit\n"
    before = organisation_state()
    with pytest.raises(CommandError) as exc:
        call_command("load_organisation", write(valid_rename + textwrap.dedent(text)
                                                if case not in {"not_a_list", "empty_file",
                                                                "invalid_yaml"}
                                                else text))
    message = str(exc.value)
    assert "Inget har ändrats" in message
    for fragment in fragments:
        assert fragment in message
    assert exc.value.returncode != 0
    assert organisation_state() == before


def test_every_problem_in_a_file_is_reported_at_once(loaded, write):
    text = """\
    - code: sof
      name: Socialförvaltningen
      kind: department
      children:
        - name: Utan kod
          kind: section
    """
    with pytest.raises(CommandError) as exc:
        call_command("load_organisation", write(text))
    assert "okänd typ ”department”" in str(exc.value)
    assert "code saknas" in str(exc.value)


def test_a_file_that_does_not_exist_is_refused(loaded, tmp_path):
    before = organisation_state()
    with pytest.raises(CommandError) as exc:
        call_command("load_organisation", str(tmp_path / "saknas.yaml"))
    assert "Filen finns inte" in str(exc.value)
    assert organisation_state() == before


def test_a_file_that_is_not_utf8_is_refused(loaded, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("- code: sof\n  name: Socialförvaltningen\n  kind: administration\n"
                     .encode("latin-1"))
    before = organisation_state()
    with pytest.raises(CommandError) as exc:
        call_command("load_organisation", str(path))
    assert "UTF-8" in str(exc.value)
    assert organisation_state() == before
