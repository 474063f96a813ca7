""""Att hantera": whose reports each user sees, the filters, the order, the page size and a
query bound that holds with a thousand reports."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.deviations.models import Deviation
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
INBOX = reverse("deviations:inbox")


def refs(response) -> list[str]:
    """The references listed, in order."""
    return re.findall(r'class="inbox-table__ref">([^<]+)<', response.content.decode())


@pytest.fixture
def spread(org, reporter):
    """One open report in each unit, plus a closed and a withdrawn one on Mottagningsenheten."""
    return {
        "mott": DeviationFactory(reference="AVV-2026-0001", unit=org["mott"], reporter=reporter,
                                 title="Mottagningens rapport", status="reported"),
        "plac": DeviationFactory(reference="AVV-2026-0002", unit=org["plac"], reporter=reporter,
                                 title="Placeringens rapport", status="investigating"),
        "miss": DeviationFactory(reference="AVV-2026-0003", unit=org["miss"], reporter=reporter,
                                 title="Missbruksenhetens rapport", status="received"),
        "closed": DeviationFactory(reference="AVV-2026-0004", unit=org["mott"], reporter=reporter,
                                   title="Avslutad rapport", status="closed"),
        "withdrawn": DeviationFactory(reference="AVV-2026-0005", unit=org["mott"], reporter=reporter,
                                      title="Återkallad rapport", status="withdrawn"),
    }


# ---------------------------------------------------------------- scope

@pytest.mark.parametrize(("persona", "expected"), [
    ("unit_manager", {"AVV-2026-0001"}),
    ("section_manager", {"AVV-2026-0001", "AVV-2026-0002"}),
    ("other_manager", {"AVV-2026-0003"}),
    ("quality", {"AVV-2026-0001", "AVV-2026-0002", "AVV-2026-0003"}),
    ("management", {"AVV-2026-0001", "AVV-2026-0002", "AVV-2026-0003"}),
])
def test_each_user_sees_their_subtree(client, request, spread, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(INBOX)
    assert response.status_code == 200
    assert set(refs(response)) == expected


@pytest.mark.parametrize("persona", ["reporter", "outsider"])
def test_staff_without_a_handling_role_get_a_friendly_page(client, request, spread, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(INBOX)
    page = response.content.decode()
    assert response.status_code == 200
    assert refs(response) == []
    assert "Du har ingen sådan roll" in page
    assert reverse("deviations:mine") in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_row_shows_what_a_manager_needs(client, org, reporter, unit_manager):
    due = TODAY() - datetime.timedelta(days=2)
    DeviationFactory(reference="AVV-2026-0042", kind="lex_sarah", unit=org["mott"], reporter=reporter,
                     title="Skyddsbedömning gjordes inte samma dag", status="reported", next_due=due,
                     reported_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30)))
    client.force_login(unit_manager)
    page = client.get(INBOX).content.decode()
    row = page.split("<tbody>")[1].split("</tr>")[0]
    for part in ("AVV-2026-0042", "Skyddsbedömning gjordes inte samma dag", "Lex Sarah-rapport",
                 "Mottagningsenheten", "2026-03-02", "Rapporterad", due.isoformat(), "försenad", "Ta emot"):
        assert part in row
    assert "row--overdue" in row


def test_serious_concluded_rows_say_to_notify_ivo(client, org, reporter, section_manager):
    DeviationFactory(kind="lex_sarah", unit=org["mott"], reporter=reporter, status="concluded",
                     classification="serious", next_due=TODAY())
    client.force_login(section_manager)
    row = client.get(INBOX).content.decode().split("<tbody>")[1].split("</tr>")[0]
    assert "Allvarligt missförhållande" in row
    assert "Anmäl till IVO" in row


# ---------------------------------------------------------------- filters

def test_default_shows_open_reports_and_status_filter_narrows(client, spread, quality):
    client.force_login(quality)
    assert set(refs(client.get(INBOX))) == {"AVV-2026-0001", "AVV-2026-0002", "AVV-2026-0003"}
    assert refs(client.get(INBOX, {"status": "closed"})) == ["AVV-2026-0004"]
    assert refs(client.get(INBOX, {"status": "withdrawn"})) == ["AVV-2026-0005"]
    assert len(refs(client.get(INBOX, {"status": "all"}))) == 5
    assert refs(client.get(INBOX, {"status": "investigating"})) == ["AVV-2026-0002"]


def test_kind_filter(client, org, reporter, unit_manager):
    DeviationFactory(reference="AVV-2026-0010", kind="lex_sarah", unit=org["mott"], reporter=reporter)
    DeviationFactory(reference="AVV-2026-0011", kind="complaint", unit=org["mott"], reporter=reporter)
    DeviationFactory(reference="AVV-2026-0012", kind="other", unit=org["mott"], reporter=reporter)
    client.force_login(unit_manager)
    assert refs(client.get(INBOX, {"kind": "complaint"})) == ["AVV-2026-0011"]
    assert refs(client.get(INBOX, {"kind": "lex_sarah"})) == ["AVV-2026-0010"]


def test_unit_filter_takes_the_subtree_and_only_units_in_scope(client, org, spread, section_manager, quality):
    client.force_login(quality)
    assert set(refs(client.get(INBOX, {"unit": org["fam"].pk}))) == {"AVV-2026-0001", "AVV-2026-0002"}
    assert refs(client.get(INBOX, {"unit": org["miss"].pk})) == ["AVV-2026-0003"]
    client.force_login(section_manager)
    page = client.get(INBOX).content.decode()
    assert "Placeringsenheten</option>" in page
    assert "Missbruksenheten</option>" not in page
    # Another section's unit is not a choice: the filter is refused and the scope still holds.
    response = client.get(INBOX, {"unit": org["miss"].pk})
    assert "Filtret används inte." in response.content.decode()
    assert set(refs(response)) == {"AVV-2026-0001", "AVV-2026-0002"}


def test_process_filter(client, org, reporter, section_manager):
    DeviationFactory(reference="AVV-2026-0020", unit=org["mott"], process=org["mottagning"], reporter=reporter)
    DeviationFactory(reference="AVV-2026-0021", unit=org["plac"], process=org["placering"], reporter=reporter)
    DeviationFactory(reference="AVV-2026-0022", unit=org["plac"], reporter=reporter)
    client.force_login(section_manager)
    assert refs(client.get(INBOX, {"process": org["placering"].pk})) == ["AVV-2026-0021"]
    assert "Placering enligt LVM" not in client.get(INBOX).content.decode()  # another section's process


def test_year_filter(client, org, reporter, unit_manager):
    this_year = TODAY().year
    DeviationFactory(reference="AVV-2024-0001", unit=org["mott"], reporter=reporter,
                     reported_at=timezone.make_aware(datetime.datetime(2024, 5, 1, 12)))
    DeviationFactory(reference=f"AVV-{this_year}-0001", unit=org["mott"], reporter=reporter)
    client.force_login(unit_manager)
    assert refs(client.get(INBOX, {"year": 2024})) == ["AVV-2024-0001"]
    assert refs(client.get(INBOX, {"year": this_year})) == [f"AVV-{this_year}-0001"]
    page = client.get(INBOX).content.decode()
    assert '<option value="2024">2024</option>' in page


def test_overdue_filter(client, org, reporter, unit_manager):
    DeviationFactory(reference="AVV-2026-0030", unit=org["mott"], reporter=reporter,
                     next_due=TODAY() - datetime.timedelta(days=1))
    DeviationFactory(reference="AVV-2026-0031", unit=org["mott"], reporter=reporter, next_due=TODAY())
    DeviationFactory(reference="AVV-2026-0032", unit=org["mott"], reporter=reporter)
    client.force_login(unit_manager)
    assert refs(client.get(INBOX, {"overdue": "on"})) == ["AVV-2026-0030"]


def test_full_text_search(client, org, reporter, unit_manager):
    """icontains on SQLite, Swedish full text on PostgreSQL; both find a word in the title or text."""
    DeviationFactory(reference="AVV-2026-0040", unit=org["mott"], reporter=reporter,
                     title="Placeringen avbröts utan plan", description="Familjehemmet sade upp uppdraget.")
    DeviationFactory(reference="AVV-2026-0041", unit=org["mott"], reporter=reporter,
                     title="Journal saknades", description="Anteckningen om hembesöket saknades i journalen.")
    client.force_login(unit_manager)
    assert refs(client.get(INBOX, {"q": "placeringen"})) == ["AVV-2026-0040"]
    assert refs(client.get(INBOX, {"q": "familjehemmet"})) == ["AVV-2026-0040"]
    assert refs(client.get(INBOX, {"q": "AVV-2026-0041"})) == ["AVV-2026-0041"]
    assert refs(client.get(INBOX, {"q": "rymdskepp"})) == []
    assert "Inga rapporter matchar filtret." in client.get(INBOX, {"q": "rymdskepp"}).content.decode()


def test_filters_combine(client, org, reporter, quality):
    DeviationFactory(reference="AVV-2026-0050", kind="lex_sarah", unit=org["plac"], reporter=reporter,
                     title="Barnet inte besökt", next_due=TODAY() - datetime.timedelta(days=3))
    DeviationFactory(reference="AVV-2026-0051", kind="lex_sarah", unit=org["miss"], reporter=reporter,
                     title="Barnet inte besökt", next_due=TODAY() - datetime.timedelta(days=3))
    DeviationFactory(reference="AVV-2026-0052", kind="other", unit=org["plac"], reporter=reporter,
                     title="Barnet inte besökt", next_due=TODAY() - datetime.timedelta(days=3))
    client.force_login(quality)
    response = client.get(INBOX, {"kind": "lex_sarah", "unit": org["fam"].pk, "overdue": "on", "q": "besökt"})
    assert refs(response) == ["AVV-2026-0050"]
    assert "Rensa filter" in response.content.decode()


# ---------------------------------------------------------------- order and pages

def test_nearest_deadline_first_then_oldest_report(client, org, reporter, unit_manager):
    now = timezone.now()
    DeviationFactory(reference="AVV-2026-0061", unit=org["mott"], reporter=reporter, next_due=None,
                     reported_at=now - datetime.timedelta(days=30))
    DeviationFactory(reference="AVV-2026-0062", unit=org["mott"], reporter=reporter,
                     next_due=TODAY() + datetime.timedelta(days=5), reported_at=now - datetime.timedelta(days=1))
    DeviationFactory(reference="AVV-2026-0063", unit=org["mott"], reporter=reporter,
                     next_due=TODAY() - datetime.timedelta(days=4), reported_at=now)
    DeviationFactory(reference="AVV-2026-0064", unit=org["mott"], reporter=reporter,
                     next_due=TODAY() + datetime.timedelta(days=5), reported_at=now - datetime.timedelta(days=9))
    DeviationFactory(reference="AVV-2026-0065", unit=org["mott"], reporter=reporter, next_due=None,
                     reported_at=now - datetime.timedelta(days=40))
    client.force_login(unit_manager)
    assert refs(client.get(INBOX)) == ["AVV-2026-0063", "AVV-2026-0064", "AVV-2026-0062",
                                       "AVV-2026-0065", "AVV-2026-0061"]


def test_fifty_per_page(client, org, reporter, unit_manager):
    DeviationFactory.create_batch(51, unit=org["mott"], reporter=reporter)
    client.force_login(unit_manager)
    first = client.get(INBOX)
    assert len(refs(first)) == 50
    assert "Visar 1–50 av 51" in first.content.decode()
    assert len(refs(client.get(INBOX, {"page": 2}))) == 1


@pytest.mark.parametrize("params", [{}, {"q": "skrivaren", "overdue": "on"}, {"status": "all", "page": 3}])
def test_query_count_is_bounded_with_1000_deviations(client, org, reporter, section_manager,
                                                      django_assert_max_num_queries, params):
    units = [org["mott"], org["plac"]]
    Deviation.objects.bulk_create([
        DeviationFactory.build(unit=units[i % 2], reporter=reporter, kind=["lex_sarah", "other", "complaint"][i % 3],
                               process=org["mottagning"] if i % 2 == 0 else None,
                               next_due=TODAY() + datetime.timedelta(days=i % 40 - 20))
        for i in range(1000)
    ])
    client.force_login(section_manager)
    client.get(INBOX)  # warm the session and the template cache
    with django_assert_max_num_queries(12):
        response = client.get(INBOX, params)
    assert response.status_code == 200
    assert len(refs(response)) == 50
