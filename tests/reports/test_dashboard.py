"""The dashboard and the pattern view: who sees them, what they count, and that their queries
stay bounded however many rows there are."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from riskmgmt.analyses.models import Cause, CauseArea, EventAnalysis
from riskmgmt.deviations.models import Deviation
from riskmgmt.risks.models import Risk, RiskAnalysis
from riskmgmt.supervision.models import Requirement, SupervisionDecision
from tests.factories import ActionFactory, DeviationFactory, ProcessFactory, UnitFactory

TZ = timezone.get_default_timezone()
TODAY = timezone.localdate()
YEAR = TODAY.year
DASHBOARD = reverse("reports:dashboard")
PATTERNS = reverse("reports:patterns")


def at(year, month, day=15, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=TZ)


def this_year(minute=0):
    """A moment early on 1 January this year: never in the future, always this year."""
    return datetime.datetime(YEAR, 1, 1, 0, minute, tzinfo=TZ)


def deviation(unit, kind="other", when=None, reporter=None, **extra):
    return DeviationFactory(unit=unit, kind=kind, reported_at=when or this_year(), **extra)


@pytest.fixture
def data(org, personas):
    """Reports in both sections, this year and the years before."""
    mott, plac, miss = org["mott"], org["plac"], org["miss"]
    rows = [
        deviation(mott, "lex_sarah", this_year(5), process=org["mottagning"]),
        deviation(mott, "complaint", this_year(6), process=org["mottagning"]),
        deviation(plac, "other", this_year(7), process=org["placering"]),
        deviation(plac, "lex_sarah", at(YEAR - 1, 3)),
        deviation(plac, "lex_sarah", at(YEAR - 2, 11), process=org["placering"]),
        deviation(miss, "complaint", this_year(8), process=org["lvm"]),  # another section
        deviation(mott, "other", this_year(9), status=Deviation.Status.WITHDRAWN),  # never counted
    ]
    return rows


def get(client, user, url=DASHBOARD, **params):
    client.force_login(user)
    return client.get(url, params)


def cards(response):
    return {card["kind"]: card["this"] for card in response.context["kind_cards"]}


# ---------------------------------------------------------------- who sees what

@pytest.mark.parametrize(("persona", "status"), [
    ("quality", 200), ("management", 200), ("section_manager", 200),
    ("unit_manager", 403), ("other_manager", 403), ("reporter", 403), ("outsider", 403),
])
@pytest.mark.parametrize("url", [DASHBOARD, PATTERNS])
def test_only_quality_management_and_section_managers_see_the_pages(client, personas, persona, status, url):
    assert get(client, personas[persona], url).status_code == status


@pytest.mark.parametrize("url", [DASHBOARD, PATTERNS])
def test_anonymous_users_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_quality_counts_the_whole_administration_and_never_withdrawn_reports(client, personas, data):
    response = get(client, personas["quality"])
    assert cards(response) == {"lex_sarah": 1, "complaint": 2, "other": 1}


def test_a_section_manager_sees_only_their_section(client, personas, data):
    response = get(client, personas["section_manager"])
    assert cards(response) == {"lex_sarah": 1, "complaint": 1, "other": 1}
    assert "Missbruksenheten" not in response.content.decode()


def test_a_unit_outside_the_scope_is_refused_as_a_filter_and_shows_nothing_of_it(client, personas, org, data):
    response = get(client, personas["section_manager"], unit=org["miss"].pk)
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert response.context["unit"] is None
    assert cards(response) == {"lex_sarah": 1, "complaint": 1, "other": 1}


def test_the_unit_filter_narrows_to_the_units_subtree(client, personas, org, data):
    response = get(client, personas["quality"], unit=org["vux"].pk)
    assert cards(response) == {"lex_sarah": 0, "complaint": 1, "other": 0}
    response = get(client, personas["quality"], unit=org["fam"].pk)
    assert cards(response) == {"lex_sarah": 1, "complaint": 1, "other": 1}


# ---------------------------------------------------------------- what it counts

def test_the_trend_has_three_years_of_months_with_the_counts(client, personas, data):
    response = get(client, personas["quality"])
    trend = response.context["trend"]
    table = str(trend.table)
    assert f"jan {YEAR - 2}" in table
    assert f"dec {YEAR}" in table
    assert table.count("<tr>") == 36 + 2  # header, 36 months, total row
    assert f"<title id=\"trend-title\">Rapporter per månad {YEAR - 2}–{YEAR}</title>" in str(trend.svg)
    # January this year: lex Sarah 1, complaints 2, other 1 (the withdrawn one is not counted).
    jan = re.search(rf"<th scope=\"row\">jan {YEAR}</th>(.*?)</tr>", table).group(1)
    assert re.findall(r">(\d+)<", jan) == ["1", "2", "1", "4"]
    yearly = str(response.context["yearly_table"])
    lex = re.search(r"<th scope=\"row\">Lex Sarah</th>(.*?)</tr>", yearly).group(1)
    assert re.findall(r">(\d+)<", lex) == ["1", "1", "1", "3"]


def test_months_still_to_come_are_gaps_not_zeros(client, personas, data):
    if TODAY.month == 12:
        pytest.skip("no month left this year")
    table = str(get(client, personas["quality"]).context["trend"].table)
    dec = re.search(rf"<th scope=\"row\">dec {YEAR}</th>(.*?)</tr>", table).group(1)
    assert "–" in dec


def test_units_and_processes_are_ranked_by_their_reports(client, personas, data):
    response = get(client, personas["quality"])
    units = [(row["name"], row["total"]) for row in response.context["unit_rows"]]
    assert units == [("Mottagningsenheten", 2), ("Missbruksenheten", 1), ("Placeringsenheten", 1)]
    processes = [(row["name"], row["total"]) for row in response.context["process_rows"]]
    assert processes[0] == ("Mottagning och förhandsbedömning", 2)
    assert response.context["without_process"] == 0
    svg = str(response.context["by_unit"].svg)
    assert "Mottagningsenheten" in svg
    assert ">2</text>" in svg


def test_a_past_year_is_compared_with_the_whole_year_before(client, personas, data):
    response = get(client, personas["quality"], year=YEAR - 1)
    assert response.context["year"] == YEAR - 1
    by_kind = {card["kind"]: (card["this"], card["last"]) for card in response.context["kind_cards"]}
    assert by_kind["lex_sarah"] == (1, 1)


def test_handling_times_count_reports_within_their_deadlines(client, personas, org):
    early = this_year(2)
    deviation(org["mott"], "lex_sarah", early, receipt_due=early.date(), received_at=early)  # in time
    deviation(org["mott"], "lex_sarah", early, receipt_due=early.date(),
              received_at=early + datetime.timedelta(days=3))  # late
    deviation(org["mott"], "lex_sarah", early)  # imported history: no deadline, not counted
    handling = {row["key"]: row for row in get(client, personas["quality"]).context["handling"]}
    assert (handling["receipt"]["ok"], handling["receipt"]["late"], handling["receipt"]["percent"]) == (1, 1, 50)


def test_open_and_overdue_actions_per_unit(client, personas, org):
    ActionFactory(unit=org["mott"], due_date=TODAY - datetime.timedelta(days=2))
    ActionFactory(unit=org["mott"])
    ActionFactory(unit=org["miss"], due_date=TODAY - datetime.timedelta(days=2))
    ActionFactory(unit=org["mott"], status="done")
    response = get(client, personas["section_manager"])
    actions = response.context["actions"]
    assert (actions["open"], actions["overdue"]) == (2, 1)
    assert [(r["name"], r["open"], r["overdue"]) for r in actions["rows"]] == [("Mottagningsenheten", 2, 1)]


def _analysis(unit, year, status="planned"):
    return RiskAnalysis.objects.create(unit=unit, year=year, status=status)


def _risk(analysis, p, c, status="open"):
    return Risk.objects.create(analysis=analysis, title=f"Risk {p}×{c}", risk_type="process", perspective="client",
                               probability=p, consequence=c, status=status)


def test_risks_this_year_by_level_and_units_without_a_held_analysis(client, personas, org):
    held = _analysis(org["mott"], YEAR, "held")
    _risk(held, 4, 4)  # very high
    _risk(held, 1, 4)  # konsekvens 4: at least high
    _risk(held, 1, 1)  # low
    _risk(held, 3, 3, status="closed")  # closed: not counted
    _risk(_analysis(org["mott"], YEAR - 1, "approved"), 4, 4)  # last year's: not counted
    planned = _analysis(org["plac"], YEAR)
    response = get(client, personas["section_manager"])
    levels = {row["level"]: row["count"] for row in response.context["risks"]["levels"]}
    assert levels == {"very_high": 1, "high": 1, "medium": 0, "low": 1}
    missing = [(u.name, u.analysis_status) for u in response.context["missing"]]
    assert missing == [("Placeringsenheten", "planned")]
    assert reverse("risks:detail", args=[planned.pk]) in response.content.decode()
    assert "risk-matrix" in response.content.decode()


def test_report_backs_due_within_sixty_days_or_overdue(client, personas, org):
    decision = SupervisionDecision.objects.create(
        authority="ivo", reference="8.5-12345/2026", unit=org["plac"], subject="Tillsyn av placeringar",
        kind="supervision", received_on=TODAY - datetime.timedelta(days=90), recorded_by=personas["quality"])
    other = SupervisionDecision.objects.create(
        authority="jo", reference="3673-2026", unit=org["miss"], subject="JO-anmälan", kind="jo_complaint",
        received_on=TODAY - datetime.timedelta(days=90), recorded_by=personas["quality"])

    def requirement(text, days, on=decision, status="open"):
        return Requirement.objects.create(decision=on, text=text, due_date=TODAY + datetime.timedelta(days=days),
                                          status=status)

    requirement("Redovisa rutin för uppföljning av placeringar", 30)
    requirement("Redovisa hur barnets åsikt dokumenteras", -5)
    requirement("Redovisa handledning för familjehem", 90)  # later than 60 days
    requirement("Redovisa besöksfrekvens", 10, status="accepted")  # already settled
    requirement("Redovisa LVM-rutin", 10, on=other)  # another section
    response = get(client, personas["section_manager"])
    backs = response.context["backs"]
    assert (backs["total"], backs["overdue"]) == (2, 1)
    assert [r.text for r in backs["rows"]] == ["Redovisa hur barnets åsikt dokumenteras",
                                               "Redovisa rutin för uppföljning av placeringar"]
    page = response.content.decode()
    assert "5 dagar sen" in page
    assert "om 30 dagar" in page


# ---------------------------------------------------------------- bounded queries

def _bulk(org, n):
    units = [UnitFactory(parent=org["fam"]) for _ in range(3)]
    processes = [ProcessFactory(unit=unit) for unit in units]
    for i in range(n):
        unit = units[i % 3]
        deviation(unit, ("lex_sarah", "complaint", "other")[i % 3], at(YEAR - i % 3, 1 + i % 12 if i % 3 else 1),
                  process=processes[i % 3] if i % 2 else None)
        ActionFactory(unit=unit, due_date=TODAY + datetime.timedelta(days=(i % 5) - 2))
    for unit in units:
        _risk(_analysis(unit, YEAR, "held"), 2, 3)


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("url", "params"), [
    (DASHBOARD, {}), (PATTERNS, {"by": "process", "period": "quarter"}), (PATTERNS, {"by": "cause"}),
    (PATTERNS, {"by": "unit"}),
])
def test_the_number_of_queries_does_not_grow_with_the_rows(client, personas, org, url, params,
                                                           django_assert_max_num_queries):
    client.force_login(personas["quality"])
    _bulk(org, 3)
    small = _queries(client, url, params)
    _bulk(org, 60)
    with django_assert_max_num_queries(small):
        client.get(url, params)
    assert small <= 30


# ---------------------------------------------------------------- patterns

def test_patterns_by_kind_per_year(client, personas, data):
    response = get(client, personas["quality"], PATTERNS)
    assert response.context["by"] == "kind"
    assert response.context["periods"] == [str(y) for y in range(YEAR - 4, YEAR + 1)]
    groups = {g["key"]: g["values"] for g in response.context["groups"]}
    assert groups["lex_sarah"] == [0, 0, 1, 1, 1]
    assert groups["complaint"] == [0, 0, 0, 0, 2]
    table = str(response.context["table"])
    assert "<th scope=\"row\">Lex Sarah</th>" in table
    assert "Lex Sarah" in str(response.context["chart"].svg)


def test_patterns_by_process_per_quarter_with_filters(client, personas, org, data):
    response = get(client, personas["quality"], PATTERNS, by="process", period="quarter",
                   first_year=YEAR - 2, last_year=YEAR, unit=org["fam"].pk)
    assert len(response.context["periods"]) == 12
    assert response.context["periods"][0] == f"K1 {YEAR - 2}"
    groups = {g["label"]: g["total"] for g in response.context["groups"]}
    assert groups == {"Mottagning och förhandsbedömning (Mottagningsenheten)": 2,
                      "Placering i familjehem/HVB (Placeringsenheten)": 2}
    response = get(client, personas["quality"], PATTERNS, by="unit", kind="lex_sarah", first_year=YEAR - 2)
    assert {g["label"]: g["total"] for g in response.context["groups"]} == {
        "Placeringsenheten": 2, "Mottagningsenheten": 1}


def test_patterns_by_cause_area_count_each_report_once_per_area(client, personas, org):
    first = deviation(org["plac"], "lex_sarah", this_year(3))
    second = deviation(org["plac"], "other", this_year(4))
    deviation(org["plac"], "other", this_year(4))  # not analysed
    analysis = EventAnalysis.objects.create(
        reference="HA-2026-0001", title="Brister i uppföljning", unit=org["plac"], scope="Två händelser",
        commissioner=personas["section_manager"], lead=personas["quality"], due_date=TODAY)
    analysis.deviations.set([first, second])
    areas = {a.code: a for a in CauseArea.objects.all()}
    why = Cause.objects.create(analysis=analysis, text="Ingen rutin", is_root=True)
    why.cause_areas.set([areas["procedures"], areas["organisation"]])
    also = Cause.objects.create(analysis=analysis, text="Otydlig rutin", is_root=True)
    also.cause_areas.set([areas["procedures"]])
    response = get(client, personas["quality"], PATTERNS, by="cause")
    groups = {g["key"]: g["total"] for g in response.context["groups"]}
    assert groups == {"procedures": 2, "organisation": 2}
    assert response.context["totals"] == {"total": 3, "analysed": 2}
    assert "<tfoot>" not in str(response.context["table"])  # areas overlap: no sum over them


def test_a_too_long_quarter_range_is_shortened_and_said(client, personas, data):
    response = get(client, personas["quality"], PATTERNS, period="quarter", first_year=YEAR - 4, last_year=YEAR)
    assert response.status_code == 200
    assert len(response.context["periods"]) == 20


def test_a_bad_filter_is_reported_and_ignored(client, personas, data):
    response = get(client, personas["quality"], PATTERNS, by="nonsense", kind="fel", first_year="abc")
    assert response.status_code == 200
    assert response.context["by"] == "kind"
    assert response.context["form"].errors
