"""The kvalitetsberättelse's facts and its three derived answers (riskmgmt/reports/facts.py)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from riskmgmt.deviations.models import Deviation
from riskmgmt.reports.facts import (
    Answer,
    action_plan_facts,
    answer_action_plan,
    answer_risk_analysis,
    quality_answers,
    quality_facts,
)
from tests.reports.conftest import local

pytestmark = pytest.mark.django_db

API_KEYS = {"year", "unit", "deviation_counts", "lex_sarah", "event_analyses", "risk_analysis", "supervision",
            "actions", "internal_control"}


def trend(facts):
    return [(row["year"], row["complaint"], row["lex_sarah"], row["other"]) for row in facts["deviation_counts"]]


# ---------------------------------------------------------------- shape

def test_the_facts_have_exactly_the_shape_of_the_api_contract(org):
    facts = quality_facts(org["fam"], 2014)
    assert set(facts) == API_KEYS
    assert facts["year"] == 2014
    assert facts["unit"] == org["fam"].pk
    assert [row["year"] for row in facts["deviation_counts"]] == [2011, 2012, 2013, 2014]
    assert set(facts["deviation_counts"][0]) == {"year", "complaint", "lex_sarah", "other"}
    assert set(facts["lex_sarah"]) == {"reported", "serious", "notified_to_ivo"}
    assert set(facts["event_analyses"]) == {"started", "completed"}
    assert facts["risk_analysis"] == {"units_total": 2, "units_held": 0, "units_with_actions": 0, "approved": False}
    assert set(facts["supervision"]) == {"ivo", "jo", "court", "audit", "requirements_open", "requirements_overdue"}
    assert facts["actions"] == {"open": 0, "overdue": 0, "done": 0, "evaluated": 0}
    assert facts["internal_control"] == {"planned": 0, "performed": 0, "with_findings": 0, "followed": "no"}


# ---------------------------------------------------------------- deviations

def test_the_family_sections_history_gives_the_demo_table(family_history):
    """The 2014 report for Familjesektionen shows synpunkter 1/3/1, lex Sarah 2/2/2 and övriga
    0/0/1 for 2012–2014: the section's units count, withdrawn reports and other sections do not."""
    assert trend(quality_facts(family_history, 2014)) == [
        (2011, 0, 0, 0), (2012, 1, 2, 0), (2013, 3, 2, 0), (2014, 1, 2, 1)]


def test_a_unit_counts_only_its_own_subtree(family_history, org):
    assert trend(quality_facts(org["plac"], 2014))[-1] == (2014, 0, 1, 0)
    assert trend(quality_facts(org["sof"], 2014))[-1] == (2014, 2, 2, 1)  # Missbruksenheten's complaint too


def test_years_are_counted_in_swedish_time(org, make_deviation):
    # 23:30 on New Year's Eve in Stockholm is 22:30 UTC; 00:30 on New Year's Day is 23:30 UTC the day before.
    make_deviation(org["mott"], "complaint", local(2014, 12, 31, 23, 30))
    make_deviation(org["mott"], "lex_sarah", local(2015, 1, 1, 0, 30))
    facts = quality_facts(org["fam"], 2015)
    assert trend(facts)[-2:] == [(2014, 1, 0, 0), (2015, 0, 1, 0)]
    with timezone.override(datetime.UTC):  # a request in another zone changes nothing
        assert trend(quality_facts(org["fam"], 2015))[-2:] == [(2014, 1, 0, 0), (2015, 0, 1, 0)]


def test_the_trend_ends_with_the_year_and_leaves_later_reports_out(org, make_deviation):
    make_deviation(org["mott"], "other", local(2010, 6, 1))  # before year-3
    make_deviation(org["mott"], "other", local(2011, 1, 1, 0, 0))
    make_deviation(org["mott"], "other", local(2015, 1, 1, 0, 0))
    assert trend(quality_facts(org["fam"], 2014)) == [
        (2011, 0, 0, 1), (2012, 0, 0, 0), (2013, 0, 0, 0), (2014, 0, 0, 0)]


def test_every_status_but_withdrawn_counts(org, make_deviation):
    for status in Deviation.Status.values:
        make_deviation(org["mott"], "other", local(2014), status=status)
    assert trend(quality_facts(org["fam"], 2014))[-1] == (2014, 0, 0, len(Deviation.Status.values) - 1)


def test_lex_sarah_serious_and_notified_to_ivo(org, make_deviation, notify_ivo):
    make_deviation(org["mott"], "lex_sarah", classification="serious")
    notify_ivo(make_deviation(org["mott"], "lex_sarah", classification="serious_risk"))
    make_deviation(org["plac"], "lex_sarah", classification="missforhallande")
    make_deviation(org["plac"], "lex_sarah", status="investigating")
    withdrawn = make_deviation(org["plac"], "lex_sarah", classification="serious", status="withdrawn")
    notify_ivo(make_deviation(org["mott"], "lex_sarah", local(2013), classification="serious"))  # last year's
    make_deviation(org["mott"], "other", classification="serious")  # not lex Sarah
    assert withdrawn.status == "withdrawn"
    assert quality_facts(org["fam"], 2014)["lex_sarah"] == {"reported": 4, "serious": 2, "notified_to_ivo": 1}


# ---------------------------------------------------------------- event analyses

def test_event_analyses_started_and_completed_in_the_year(org, make_event_analysis):
    make_event_analysis(org["mott"], created=local(2014, 2, 1))  # started, not done
    make_event_analysis(org["mott"], created=local(2013, 11, 1), status="followed_up",
                        submitted_at=local(2014, 1, 20))  # started last year, completed this year
    make_event_analysis(org["plac"], created=local(2014, 3, 1), status="actions_decided",
                        submitted_at=local(2014, 5, 1))
    make_event_analysis(org["plac"], created=local(2014, 3, 1), status="cancelled",
                        submitted_at=local(2014, 5, 1))  # handed in, then cancelled
    make_event_analysis(org["miss"], created=local(2014, 3, 1))  # another section
    assert quality_facts(org["fam"], 2014)["event_analyses"] == {"started": 3, "completed": 2}


# ---------------------------------------------------------------- risk analysis

def test_risk_analysis_units_held_with_actions_and_approval(org, make_risk_analysis, make_risk, make_action):
    held = make_risk_analysis(org["mott"], status="held")
    make_risk_analysis(org["plac"], status="planned")
    make_action(org["mott"], source=make_risk(held))
    make_risk_analysis(org["mott"], year=2013, status="approved")  # another year
    assert quality_facts(org["fam"], 2014)["risk_analysis"] == {
        "units_total": 2, "units_held": 1, "units_with_actions": 1, "approved": False}


def test_a_cancelled_action_does_not_give_a_unit_actions(org, make_risk_analysis, make_risk, make_action):
    analysis = make_risk_analysis(org["mott"], status="held")
    make_action(org["mott"], source=make_risk(analysis), status="cancelled")
    assert quality_facts(org["fam"], 2014)["risk_analysis"]["units_with_actions"] == 0


def test_approved_only_when_every_unit_has_an_approved_analysis(org, make_risk_analysis):
    make_risk_analysis(org["mott"], status="approved")
    plac = make_risk_analysis(org["plac"], status="held")
    assert quality_facts(org["fam"], 2014)["risk_analysis"]["approved"] is False
    type(plac).objects.filter(pk=plac.pk).update(status="approved")
    facts = quality_facts(org["fam"], 2014)["risk_analysis"]
    assert facts == {"units_total": 2, "units_held": 2, "units_with_actions": 0, "approved": True}


def test_a_unit_is_its_own_total_and_a_closed_unit_counts_for_its_year(org, make_risk_analysis):
    assert quality_facts(org["mott"], 2014)["risk_analysis"]["units_total"] == 1
    org["plac"].is_active = False
    org["plac"].save()
    assert quality_facts(org["fam"], 2014)["risk_analysis"]["units_total"] == 1
    make_risk_analysis(org["plac"], status="held")
    assert quality_facts(org["fam"], 2014)["risk_analysis"]["units_total"] == 2


# ---------------------------------------------------------------- supervision

def test_decisions_received_in_the_year_per_authority(org, make_decision):
    for authority in ("ivo", "ivo", "jo", "court", "audit", "other"):
        make_decision(org["mott"], authority)
    make_decision(org["mott"], "ivo", received_on=datetime.date(2013, 12, 31))
    make_decision(org["mott"], "jo", received_on=datetime.date(2015, 1, 1))
    make_decision(org["miss"], "ivo")
    supervision = quality_facts(org["fam"], 2014)["supervision"]
    assert (supervision["ivo"], supervision["jo"], supervision["court"], supervision["audit"]) == (2, 1, 1, 1)


def test_requirements_open_and_overdue_at_the_end_of_the_year(org, make_decision, make_requirement):
    decision = make_decision(org["mott"], decided_on=datetime.date(2014, 6, 1))
    make_requirement(decision, datetime.date(2014, 10, 1))  # open, overdue
    make_requirement(decision, datetime.date(2015, 2, 1))  # open, not yet due
    make_requirement(decision, datetime.date(2014, 10, 1), status="accepted",
                     reported_on=datetime.date(2015, 1, 10))  # reported after the year: open then, overdue
    make_requirement(decision, datetime.date(2014, 10, 1), status="reported",
                     reported_on=datetime.date(2014, 9, 20))  # reported in time
    later = make_decision(org["mott"], received_on=datetime.date(2014, 12, 1), decided_on=datetime.date(2015, 2, 1))
    make_requirement(later, datetime.date(2015, 5, 1))  # decided after the year: not there yet
    supervision = quality_facts(org["fam"], 2014)["supervision"]
    assert (supervision["requirements_open"], supervision["requirements_overdue"]) == (3, 2)


@time_machine.travel(datetime.datetime(2026, 5, 10, 12, 0, tzinfo=datetime.UTC))
def test_requirements_of_the_current_year_are_judged_today(org, make_decision, make_requirement):
    decision = make_decision(org["mott"], received_on=datetime.date(2026, 2, 1), decided_on=datetime.date(2026, 3, 1))
    make_requirement(decision, datetime.date(2026, 5, 1))
    make_requirement(decision, datetime.date(2026, 6, 1))
    supervision = quality_facts(org["fam"], 2026)["supervision"]
    assert (supervision["requirements_open"], supervision["requirements_overdue"]) == (2, 1)


# ---------------------------------------------------------------- actions and internal control

@time_machine.travel(datetime.datetime(2015, 3, 1, 12, 0, tzinfo=datetime.UTC))
def test_actions_decided_in_the_year_by_their_status_now(org, make_action):
    make_action(org["mott"], status="planned", due_date=datetime.date(2015, 2, 1))  # overdue
    make_action(org["mott"], status="in_progress", due_date=datetime.date(2015, 6, 1))
    make_action(org["plac"], status="done")
    make_action(org["plac"], status="evaluated")
    make_action(org["plac"], status="cancelled")
    make_action(org["mott"], status="planned", created=local(2013, 12, 31, 23, 59))  # decided last year
    make_action(org["miss"], status="planned")  # another section
    assert quality_facts(org["fam"], 2014)["actions"] == {"open": 2, "overdue": 1, "done": 1, "evaluated": 1}


def test_internal_control_comes_from_the_controls_app(org, make_control_point, make_check):
    point = make_control_point(org["mott"])  # quarterly: four planned checks
    make_check(point, datetime.date(2014, 1, 1))
    make_check(point, datetime.date(2014, 4, 1), findings=True)
    make_control_point(org["miss"])  # another section
    assert quality_facts(org["fam"], 2014)["internal_control"] == {
        "planned": 4, "performed": 2, "with_findings": 1, "followed": "partly"}


# ---------------------------------------------------------------- the derived answers

@pytest.mark.parametrize(("held", "total", "answer"), [
    (2, 2, Answer.YES), (1, 2, Answer.PARTLY), (0, 2, Answer.NO), (0, 0, Answer.NO),
])
def test_answer_riskanalys_gjord(held, total, answer):
    assert answer_risk_analysis({"units_total": total, "units_held": held}) == answer


@pytest.mark.parametrize(("held", "high", "covered", "answer"), [
    (1, 3, 3, Answer.YES),
    (1, 0, 0, Answer.YES),  # held, and nothing at high level needed a plan
    (1, 3, 1, Answer.PARTLY),
    (1, 3, 0, Answer.NO),
    (0, 0, 0, Answer.NO),  # no analysis, no risks: no plan
])
def test_answer_handlingsplan_upprattad(held, high, covered, answer):
    plan = {"high_risks": high, "high_risks_with_action": covered}
    assert answer_action_plan({"units_held": held}, plan) == answer


def test_the_action_plan_counts_open_high_and_very_high_risks(org, make_risk_analysis, make_risk, make_action):
    analysis = make_risk_analysis(org["mott"], status="held")
    very_high = make_risk(analysis, probability=4, consequence=4)
    make_action(org["mott"], source=very_high)
    make_risk(analysis, probability=2, consequence=4)  # high by the consequence-4 floor, no action
    make_risk(analysis, probability=1, consequence=2)  # low: needs none
    make_risk(analysis, probability=4, consequence=4, status="closed")  # closed: out
    covered_by_cancelled = make_risk(make_risk_analysis(org["plac"], status="held"), probability=3, consequence=3)
    make_action(org["plac"], source=covered_by_cancelled, status="cancelled")
    assert action_plan_facts(org["fam"], 2014) == {"high_risks": 3, "high_risks_with_action": 1}
    answers = quality_answers(quality_facts(org["fam"], 2014), action_plan_facts(org["fam"], 2014))
    assert answers["action_plan"] == Answer.PARTLY


@pytest.mark.parametrize(("performed", "answer"), [(4, Answer.YES), (1, Answer.PARTLY), (0, Answer.NO)])
def test_answer_internkontrollplan_foljd(org, make_control_point, make_check, performed, answer):
    point = make_control_point(org["mott"])
    for month in (1, 4, 7, 10)[:performed]:
        make_check(point, datetime.date(2014, month, 1))
    facts = quality_facts(org["fam"], 2014)
    assert quality_answers(facts, action_plan_facts(org["fam"], 2014))["internal_control"] == answer


def test_all_three_answers_from_the_database(org, make_risk_analysis, make_risk, make_action, make_control_point,
                                             make_check):
    for unit in (org["mott"], org["plac"]):
        analysis = make_risk_analysis(unit, status="approved")
        make_action(unit, source=make_risk(analysis, probability=3, consequence=4))
    point = make_control_point(org["plac"], frequency="yearly")
    make_check(point, datetime.date(2014, 1, 1))
    answers = quality_answers(quality_facts(org["fam"], 2014), action_plan_facts(org["fam"], 2014))
    assert answers == {"risk_analysis": "yes", "action_plan": "yes", "internal_control": "yes"}


# ---------------------------------------------------------------- cost

def _bulk_deviations(org, reporter, n):
    units = [org["mott"], org["plac"], org["miss"]]
    kinds = ["complaint", "lex_sarah", "other"]
    Deviation.objects.bulk_create([
        Deviation(reference=f"AVV-B{n}-{i:06d}", kind=kinds[i % 3], unit=units[i % 3], title="Rapport",
                  description="Något hände.", reporter=reporter, reported_at=local(2011 + i % 4, 1 + i % 12, 10),
                  status="withdrawn" if i % 10 == 0 else "closed",
                  classification="serious" if i % 7 == 0 else "")
        for i in range(n)
    ], batch_size=2000)


def _queries(unit, year) -> int:
    with CaptureQueriesContext(connection) as queries:
        quality_facts(unit, year)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(org, author):
    _bulk_deviations(org, author, 10)
    few = _queries(org["sof"], 2014)
    _bulk_deviations(org, author, 10_000)
    many = _queries(org["sof"], 2014)
    assert few == many
    assert many <= 8
    facts = quality_facts(org["sof"], 2014)
    assert sum(row["complaint"] + row["lex_sarah"] + row["other"] for row in facts["deviation_counts"]) == 9_009
