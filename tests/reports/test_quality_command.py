"""`manage.py quality_report`: the same facts and documents as the page and the API."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("quality_report", *args, stdout=out)
    return out.getvalue()


def test_json_to_standard_output(family_history):
    facts = json.loads(run("--year", "2014", "--unit", "fam", "--format", "json"))
    assert facts["unit"] == family_history.pk
    assert facts["deviation_counts"][-1] == {"year": 2014, "complaint": 1, "lex_sarah": 2, "other": 1}


@pytest.mark.parametrize("fmt", ["json", "html", "xlsx", "pdf"])
def test_each_format_to_a_file(family_history, tmp_path, fmt):
    path = tmp_path / f"rapport.{fmt}"
    assert "Skrev" in run("--year", "2014", "--unit", "fam", "--format", fmt, "--output", str(path))
    content = path.read_bytes()
    if fmt == "json":
        assert json.loads(content)["deviation_counts"][1]["complaint"] == 1
    elif fmt == "html":
        assert "Bedömning och analys" in content.decode()
    elif fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content))["Avvikelser"]
        assert [c.value for c in sheet[6]] == [2013, 3, 2, 0, 5]
    else:
        assert content.startswith(b"%PDF")


def test_pdf_without_output_goes_to_a_named_file(family_history, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("--year", "2014", "--unit", "fam", "--format", "xlsx")
    assert (tmp_path / "kvalitetsberattelse-fam-2014.xlsx").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--year", "2014", "--unit", "finns-inte"], "ingen enhet"),
    (["--year", "1999", "--unit", "fam"], "Året"),
    (["--year", "3000", "--unit", "fam"], "Året"),
])
def test_bad_arguments_are_refused(org, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_an_unwritable_output_is_refused(org, tmp_path):
    with pytest.raises(CommandError, match="Kunde inte skriva"):
        run("--year", "2014", "--unit", "fam", "--format", "json", "--output", str(tmp_path / "saknas" / "x.json"))
