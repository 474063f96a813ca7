"""import_deviations: a good file imports every row with its history; one bad row imports
nothing and names the row; a bad file gives a clear message, never a traceback."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from riskmgmt.core.models import Transition
from riskmgmt.deviations.models import Deviation
from riskmgmt.notifications.models import Notification
from riskmgmt.organisation.models import Membership
from riskmgmt.reports.importing import DeviationImportError, deviations_import, parse_when
from tests.factories import DeviationFactory, MembershipFactory, UserFactory

TZ = timezone.get_default_timezone()

GOOD_SV = (
    "typ;enhet;rubrik;beskrivning;inträffade;rapporterad;status;avslutad\n"
    "lex sarah;mott;Förhandsbedömning klar efter 21 dagar;Fristen på 14 dagar överskreds.;2013-03-01;"
    "2013-03-04 09:15;avslutad;2013-04-20\n"
    "klagomål;plac;Klagomål på bemötande vid hembesök;Anhörig upplevde bemötandet som nedlåtande.;;"
    "2012-11-02;avslutad;2012-11-30\n"
    "övrig;mott;Utskrift låg kvar i skrivaren;En utskrift låg kvar över natten.;;2013-01-10;återkallad;\n"
    "other;plac;Rapport som fortfarande är öppen;Ingen hann ta emot den i det gamla systemet.;;2013-06-01;;\n"
)


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, name: str = "historik.csv", encoding: str = "utf-8", bom: bool = False):
        path = tmp_path / name
        data = text.encode(encoding)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path
    return write


def run(path, user="quality", *extra):
    out = io.StringIO()
    call_command("import_deviations", str(path), *(["--as", user] if user else []), *extra, stdout=out)
    return out.getvalue()


def refused(path, user="quality", *extra) -> str:
    with pytest.raises(CommandError) as exc:
        run(path, user, *extra)
    assert Deviation.objects.count() == 0
    return str(exc.value)


# ---------------------------------------------------------------- good files

def test_a_good_csv_with_swedish_headers_and_a_bom_imports_every_row(csv_file, quality, org):
    out = run(csv_file(GOOD_SV, bom=True))
    assert "Importerade 4 avvikelser (2012: 1, 2013: 3)" in out
    lex = Deviation.objects.get(title="Förhandsbedömning klar efter 21 dagar")
    assert lex.kind == "lex_sarah"
    assert lex.unit == org["mott"]
    assert lex.reported_at == datetime.datetime(2013, 3, 4, 9, 15, tzinfo=TZ)
    assert lex.occurred_at == datetime.datetime(2013, 3, 1, tzinfo=TZ)
    assert lex.status == "closed"
    assert lex.closed_at == datetime.datetime(2013, 4, 20, tzinfo=TZ)
    assert lex.reporter == quality
    # References in each report's own year, numbered in report order.
    refs = dict(Deviation.objects.values_list("title", "reference"))
    assert refs["Klagomål på bemötande vid hembesök"] == "AVV-2012-0001"
    assert refs["Utskrift låg kvar i skrivaren"] == "AVV-2013-0001"
    assert refs["Förhandsbedömning klar efter 21 dagar"] == "AVV-2013-0002"
    assert refs["Rapport som fortfarande är öppen"] == "AVV-2013-0003"
    assert Deviation.objects.get(title="Utskrift låg kvar i skrivaren").status == "withdrawn"
    # The history notes the import, by whom, and the log names file and row.
    record = lex.history.get()
    assert (record.history_change_reason, record.history_user) == ("import", quality)
    log = Transition.objects.get(object_id=lex.pk, name="create")
    assert (log.target, log.by) == ("closed", quality)
    assert log.comment == "Importerad från tidigare system (historik.csv, rad 2)."
    assert not Notification.objects.exists()


def test_history_gets_no_deadlines_but_an_open_row_does(csv_file, quality):
    run(csv_file(GOOD_SV))
    closed = Deviation.objects.get(title="Förhandsbedömning klar efter 21 dagar")
    assert (closed.receipt_due, closed.conclusion_due, closed.next_due) == (None, None, None)
    still_open = Deviation.objects.get(title="Rapport som fortfarande är öppen")
    assert still_open.status == "reported"
    assert still_open.receipt_due == datetime.date(2013, 6, 4)
    assert still_open.next_due == still_open.receipt_due


def test_a_comma_separated_file_with_english_headers_and_a_process(csv_file, quality, org):
    text = (
        "Kind,Unit code,Title,Description,Reported at,Status,Closed at,Process\n"
        'complaint,plac,"Synpunkt på, och klagomål om, umgänget",Umgänget ställdes in två gånger.,'
        "2014-05-05 14:00,closed,2014-05-20,Placering i familjehem/HVB\n"
    )
    run(csv_file(text))
    deviation = Deviation.objects.get()
    assert deviation.title == "Synpunkt på, och klagomål om, umgänget"
    assert deviation.process == org["placering"]
    assert deviation.reference == "AVV-2014-0001"


def test_a_good_xlsx_imports_every_row_with_excel_dates_or_text_dates(tmp_path, quality, org):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Typ", "Enhet", "Rubrik", "Beskrivning", "Rapporterad", "Status", "Avslutad"])
    sheet.append(["lex_sarah", "mott", "Skyddsbedömning dröjde", "Gjordes först nästa vecka.",
                  datetime.datetime(2012, 2, 3, 8, 30), "closed", datetime.datetime(2012, 3, 1)])
    sheet.append(["complaint", "plac", "Klagomål på handläggningstid", "Beslut dröjde.", "2012-09-10",
                  "avslutad", "2012-10-01"])
    sheet.append([None, None, None, None, None, None, None])  # an empty row is skipped
    path = tmp_path / "historik.xlsx"
    workbook.save(path)
    assert "Importerade 2 avvikelser (2012: 2)" in run(path)
    first = Deviation.objects.get(title="Skyddsbedömning dröjde")
    assert first.reported_at == datetime.datetime(2012, 2, 3, 8, 30, tzinfo=TZ)
    assert first.reference == "AVV-2012-0001"
    assert Deviation.objects.get(title="Klagomål på handläggningstid").reference == "AVV-2012-0002"


def test_references_continue_after_the_years_existing_ones(csv_file, quality, org):
    run(csv_file(GOOD_SV))
    more = ("typ;enhet;rubrik;beskrivning;rapporterad;status;avslutad\n"
            "lex_sarah;mott;Ännu en gammal rapport;Text.;2013-12-01;closed;2013-12-20\n")
    run(csv_file(more, name="mer.csv"))
    assert Deviation.objects.get(title="Ännu en gammal rapport").reference == "AVV-2013-0004"


def test_a_dry_run_checks_the_file_and_imports_nothing(csv_file, quality):
    out = run(csv_file(GOOD_SV), "quality", "--dry-run")
    assert "4 rader kan importeras" in out
    assert not Deviation.objects.exists()


def test_unknown_columns_are_named_and_left_out(csv_file, quality):
    text = GOOD_SV.replace("avslutad\n", "avslutad;handläggare\n", 1)
    out = run(csv_file(text))
    assert "Kolumnen 'handläggare' känns inte igen" in out
    assert Deviation.objects.count() == 4


# ---------------------------------------------------------------- bad rows: nothing imported

def test_one_bad_row_imports_nothing_and_names_the_row(csv_file, quality):
    text = GOOD_SV + "other;xyz;Rubrik;Text.;;2013-02-01;closed;2013-02-02\n"
    message = refused(csv_file(text))
    assert "Inget importerades." in message
    assert "Rad 6: okänd enhet 'xyz'." in message


@pytest.mark.parametrize(("row", "expected"), [
    ("okänd;mott;R;T;;2013-02-01;closed;2013-02-02", "Rad 2: okänd typ 'okänd'"),
    ("other;fam;R;T;;2013-02-01;closed;2013-02-02", "Rad 2: 'fam' är en sektion, inte en enhet"),
    ("other;mott;;T;;2013-02-01;closed;2013-02-02", "Rad 2: rubriken saknas."),
    ("other;mott;R;T;;13-02-01;closed;2013-02-02", "Rad 2: Rapporterad '13-02-01' är inget datum"),
    ("other;mott;R;T;;2099-02-01;reported;", "Rad 2: Rapporterad 2099-02-01 ligger i framtiden."),
    ("other;mott;R;T;;;closed;2013-02-02", "Rad 2: Rapporterad saknas."),
    ("other;mott;R;T;;2013-02-01;klar;", "Rad 2: okänd status 'klar'"),
    ("other;mott;R;T;;2013-02-01;closed;", "Rad 2: en avslutad rapport behöver ett datum"),
    ("other;mott;R;T;;2013-02-01;reported;2013-03-01", "Rad 2: avslutad får bara fyllas i när status är avslutad."),
    ("other;mott;R;T;;2013-02-01;closed;2013-01-01", "Rad 2: avslutad ligger före rapporterad."),
    ("other;mott;R;T;2013-03-01;2013-02-01;closed;2013-04-01", "Rad 2: inträffade ligger efter rapporterad."),
    ("other;mott;" + "R" * 201 + ";T;;2013-02-01;closed;2013-02-02", "Rad 2: rubriken är 201 tecken"),
])
def test_each_kind_of_bad_row_is_explained(csv_file, quality, row, expected):
    header = "typ;enhet;rubrik;beskrivning;inträffade;rapporterad;status;avslutad\n"
    assert expected in refused(csv_file(header + row + "\n"))


def test_a_personnummer_is_refused_without_being_repeated(csv_file, quality):
    text = ("typ;enhet;rubrik;beskrivning;rapporterad;status;avslutad\n"
            "other;mott;Rubrik;Gäller barnet 121212-1212.;2013-02-01;closed;2013-02-02\n")
    message = refused(csv_file(text))
    assert "Rad 2: beskrivningen innehåller ett personnummer" in message
    assert "1212" not in message


def test_a_personnummer_shifted_into_another_column_is_not_repeated_either(csv_file, quality):
    # An unquoted ";" in the description moves the number into "rapporterad", and others into
    # the columns whose unknown values the messages quote.
    text = ("typ;enhet;rubrik;beskrivning;rapporterad;status;process\n"
            "other;mott;Rubrik;Gäller barnet;121212-1212;closed;2013-02-02\n"
            "19121212-1212;121212-1212;Rubrik;Text;2013-02-01;121212-1212;\n"
            "other;mott;Rubrik;Text;2013-02-01;;121212-1212\n")
    message = refused(csv_file(text))
    assert "Rad 2: Rapporterad (ett värde som liknar ett personnummer och därför inte visas) är inget datum" in message
    assert "Rad 3: okänd typ (ett värde som liknar" in message
    assert "Rad 3: okänd enhet (ett värde som liknar" in message
    assert "Rad 3: okänd status (ett värde som liknar" in message
    assert "Rad 4: okänd process (ett värde som liknar" in message
    assert "1212" not in message


def test_every_bad_row_is_listed_at_once(csv_file, quality):
    text = ("typ;enhet;rubrik;beskrivning;rapporterad\n"
            "other;xyz;R;T;2013-02-01\n"
            "other;mott;R;T;2013-02-01\n"
            "fel;mott;R;T;2013-02-01\n")
    message = refused(csv_file(text))
    assert "Rad 2: okänd enhet 'xyz'." in message
    assert "Rad 4: okänd typ 'fel'" in message
    assert "Rad 3" not in message


def test_the_same_file_twice_is_refused_the_second_time(csv_file, quality):
    run(csv_file(GOOD_SV))
    with pytest.raises(CommandError, match=r"Rad 2: finns redan som AVV-2013-0002"):
        run(csv_file(GOOD_SV))
    assert Deviation.objects.count() == 4


def test_a_row_twice_in_the_file_is_refused(csv_file, quality):
    row = "other;mott;R;T;2013-02-01\n"
    assert "Rad 3: samma rapport som rad 2." in refused(csv_file("typ;enhet;rubrik;beskrivning;rapporterad\n"
                                                                  + row + row))


def test_a_unit_outside_the_importers_scope_is_refused(csv_file, org):
    local_quality = UserFactory(username="fam_quality")
    MembershipFactory(user=local_quality, unit=org["fam"], role=Membership.Role.QUALITY)
    text = "typ;enhet;rubrik;beskrivning;rapporterad\nother;miss;R;T;2013-02-01\n"
    assert "Rad 2: enheten 'miss' ligger utanför" in refused(csv_file(text), "fam_quality")


def test_a_failure_while_saving_rolls_back_every_row(csv_file, quality, org, monkeypatch):
    from riskmgmt.reports import importing

    original = importing._deadlines
    calls = []

    def fail_on_third(deviation):
        calls.append(deviation)
        if len(calls) == 3:
            raise DeviationImportError(["Rad 9: något gick fel"])
        original(deviation)

    monkeypatch.setattr(importing, "_deadlines", fail_on_third)
    refused(csv_file(GOOD_SV))
    assert not Transition.objects.exists()


# ---------------------------------------------------------------- who may import

def test_only_a_quality_coordinator_may_import(csv_file, personas):
    path = csv_file(GOOD_SV)
    assert "Ange --as" in refused(path, None)
    assert "finns inte" in refused(path, "nobody")
    for persona in ("unit_manager", "section_manager", "management", "reporter"):
        assert "inte kvalitetssamordnare" in refused(path, persona)
    personas["quality"].is_active = False
    personas["quality"].save()
    assert "inte kvalitetssamordnare" in refused(path, "quality")


def test_the_service_refuses_anyone_but_quality(personas):
    with pytest.raises(DeviationImportError, match="kvalitetssamordnare"):
        deviations_import(data=GOOD_SV.encode(), filename="x.csv", actor=personas["section_manager"])


# ---------------------------------------------------------------- bad files: a message, never a traceback

@pytest.mark.parametrize(("name", "data", "expected"), [
    ("historik.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Äldre Excel-filer (.xls)"),
    ("historik.pdf", b"%PDF-1.4 ...", "Filtypen .pdf kan inte importeras"),
    ("historik.xlsx", b"PK\x03\x04 this is not a zip", "kunde inte läsas som en Excel-fil"),
    ("historik.xlsx", b"plain text", "kunde inte läsas som en Excel-fil"),
    ("historik.csv", GOOD_SV.encode("utf-16"), "inte en textfil i UTF-8"),
    ("historik.csv", GOOD_SV.encode("latin-1"), "inte sparad som UTF-8"),
    ("historik.csv", b"", "Filen är tom"),
    ("historik.csv", b"typ;enhet;rubrik;beskrivning;rapporterad\n", "inga rader att importera"),
    ("historik.csv", b"typ;enhet;rubrik\nother;mott;R\n", "kolumner saknas: beskrivning, rapporterad"),
    ("historik.csv", b"bara en rubrik utan kolumner\n", "Hittar inga kolumner"),
    ("historik.csv", b"typ;typ;enhet;rubrik;beskrivning;rapporterad\n", "kolumnen typ finns två gånger"),
])
def test_a_bad_file_gives_a_clear_message(tmp_path, quality, org, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    message = refused(path)
    assert expected in message
    assert "Traceback" not in message


def test_a_missing_file_is_named(tmp_path, quality):
    assert "Filen finns inte" in refused(tmp_path / "saknas.csv")


def test_existing_deviations_are_not_touched_by_a_refused_import(csv_file, quality, org):
    DeviationFactory(unit=org["mott"])
    with pytest.raises(CommandError):
        run(csv_file(GOOD_SV + "fel;mott;R;T;;2013-02-01;;\n"))
    assert Deviation.objects.count() == 1


def test_dates_are_read_as_swedish_time():
    assert parse_when("2013-07-01 00:30") == datetime.datetime(2013, 7, 1, 0, 30, tzinfo=TZ)
    assert parse_when(datetime.date(2013, 1, 2)) == datetime.datetime(2013, 1, 2, tzinfo=TZ)
    with pytest.raises(ValueError):  # noqa: PT011
        parse_when("2013-13-01")


def test_an_imported_report_opens_with_its_history(client, csv_file, quality):
    run(csv_file(GOOD_SV))
    deviation = Deviation.objects.get(title="Förhandsbedömning klar efter 21 dagar")
    client.force_login(quality)
    response = client.get(deviation.get_absolute_url())
    assert response.status_code == 200
    assert "Importerad från tidigare system (historik.csv, rad 2)." in response.content.decode()
