"""The demo's history: Familjesektionen 2012–2014 at exact counts whatever other seeds made,
a recent spread for the trend, and the same database however often seed_demo runs."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from riskmgmt.analyses.models import EventAnalysis
from riskmgmt.core.personnummer import find_personal_numbers
from riskmgmt.deviations.models import Deviation
from riskmgmt.organisation.demo import seed_organisation
from riskmgmt.organisation.models import Unit
from riskmgmt.reports.dashboard import Scope, statistics_deviations, yearly_counts
from riskmgmt.reports.demo import HISTORY_TARGETS, seed_reports
from tests.factories import DeviationFactory

TZ = timezone.get_default_timezone()
YEAR = timezone.localdate().year
EXPECTED = {  # synpunkter/klagomål 1/3/1, lex Sarah 2/2/2, övriga 0/0/1
    2012: {"complaint": 1, "lex_sarah": 2, "other": 0},
    2013: {"complaint": 3, "lex_sarah": 2, "other": 0},
    2014: {"complaint": 1, "lex_sarah": 2, "other": 1},
}


def counts(code: str, first: int = 2012, last: int = 2014) -> dict:
    section = Unit.objects.get(code=code)
    found = yearly_counts(statistics_deviations(Scope(Unit.objects.none(), section)), first_year=first, last_year=last)
    return {year: {kind: found.get(year, {}).get(kind, 0) for kind in ("complaint", "lex_sarah", "other")}
            for year in range(first, last + 1)}


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo_org(db, settings):
    seed_organisation(password=settings.DEMO_PASSWORD)


def test_the_targets_are_the_ones_asked_for():
    assert HISTORY_TARGETS == EXPECTED


def test_seed_demo_gives_exact_counts_and_running_it_again_changes_nothing(db):
    seed_demo()
    assert counts("fam") == EXPECTED
    total = Deviation.objects.count()
    references = set(Deviation.objects.values_list("reference", flat=True))
    analyses = set(EventAnalysis.objects.values_list("reference", flat=True))
    seed_demo()
    assert counts("fam") == EXPECTED
    assert Deviation.objects.count() == total
    assert set(Deviation.objects.values_list("reference", flat=True)) == references
    assert set(EventAnalysis.objects.values_list("reference", flat=True)) == analyses


def test_what_another_seed_made_is_topped_up_never_exceeded(demo_org):
    # The supervision demo's lex Sarah of 2014 on the mottagningsenhet, closed by IVO.
    DeviationFactory(unit=Unit.objects.get(code="fam-mott"), kind="lex_sarah", status="closed",
                     reference="AVV-2014-9001", reported_at=datetime.datetime(2014, 2, 3, 10, tzinfo=TZ))
    # And, say, more 2013 complaints than the target: nothing is added to them.
    for day in (1, 2, 3, 4):
        DeviationFactory(unit=Unit.objects.get(code="fam-oppen"), kind="complaint",
                         reported_at=datetime.datetime(2013, 5, day, tzinfo=TZ), reference=f"AVV-2013-900{day}")
    seed_reports()
    found = counts("fam")
    assert found[2014] == EXPECTED[2014]
    assert found[2012] == EXPECTED[2012]
    assert found[2013]["complaint"] == 4  # already over: left alone
    assert found[2013]["lex_sarah"] == 2
    assert Deviation.objects.filter(kind="lex_sarah", reported_at__year=2014, reporter__username="karin").count() == 1


def test_withdrawn_reports_do_not_count_towards_the_targets(demo_org):
    DeviationFactory(unit=Unit.objects.get(code="fam-mott"), kind="other", status="withdrawn",
                     reference="AVV-2014-9001", reported_at=datetime.datetime(2014, 2, 3, 10, tzinfo=TZ))
    seed_reports()
    assert counts("fam") == EXPECTED


def test_the_history_is_closed_realistic_and_free_of_personal_data(demo_org):
    seed_reports()
    history = Deviation.objects.filter(reported_at__year__lte=2014)
    assert history.count() == sum(sum(k.values()) for k in EXPECTED.values())
    units = set()
    for deviation in history.select_related("unit"):
        assert deviation.status == "closed"
        assert deviation.closed_at > deviation.reported_at
        assert deviation.reference.startswith(f"AVV-{timezone.localtime(deviation.reported_at).year}-")
        assert not find_personal_numbers(deviation.title + " " + deviation.description)
        assert deviation.unit.path.startswith("sof/fam/")
        units.add(deviation.unit.code)
        assert deviation.history.get().history_change_reason == "import"
    assert units == {"fam-mott", "fam-utr", "fam-plac", "fam-oppen"}
    assert Deviation.objects.filter(title="Förhandsbedömning klar efter 21 dagar").exists()
    # Nothing else in 2012–2014: not in the adult section either.
    assert counts("vux") == {y: {"complaint": 0, "lex_sarah": 0, "other": 0} for y in (2012, 2013, 2014)}


def test_the_last_two_years_and_this_year_have_reports_in_both_sections(demo_org):
    seed_reports()
    for code in ("fam", "vux"):
        found = counts(code, YEAR - 2, YEAR)
        assert sum(found[YEAR - 2].values()) >= 3, code
        assert sum(found[YEAR - 1].values()) >= 3, code
    now = timezone.now()
    assert not Deviation.objects.filter(reported_at__gt=now).exists()
    assert not Deviation.objects.filter(closed_at__gt=now).exists()
    before = Deviation.objects.count()
    seed_reports()
    assert Deviation.objects.count() == before


def test_the_demo_users_open_the_dashboard_and_the_patterns(client, db):
    seed_demo()
    for username in ("lena", "karin", "sara"):
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get(reverse("reports:dashboard"))
        assert response.status_code == 200, username
        assert response.context["trend"].table.count("<tr>") == 38
        response = client.get(reverse("reports:patterns"), {"first_year": 2012, "last_year": 2014})
        assert response.status_code == 200, username
        groups = {g["key"]: g["total"] for g in response.context["groups"]}
        assert groups == {"lex_sarah": 6, "complaint": 5, "other": 1}, username


def test_history_analyses_give_the_cause_areas_something_to_compare(demo_org):
    seed_reports()
    analysed = EventAnalysis.objects.filter(reference__startswith="HA-2013-")
    assert analysed.count() == 2
    assert all(a.status == "followed_up" for a in analysed)
    areas = set(EventAnalysis.objects.filter(deviations__isnull=False)
                .values_list("causes__cause_areas__code", flat=True))
    assert {"organisation", "procedures", "competence", "communication", "collaboration"} <= areas
    before = EventAnalysis.objects.count()
    seed_reports()
    assert EventAnalysis.objects.count() == before


def test_the_history_opens_in_the_deviation_and_analysis_pages(client, demo_org):
    seed_reports()
    client.force_login(get_user_model().objects.get(username="karin"))
    analysis = EventAnalysis.objects.get(title="Händelseanalys: utredning utan samtal med barnet")
    assert client.get(reverse("analyses:detail", args=[analysis.pk])).status_code == 200
    deviation = analysis.deviations.get()
    assert client.get(deviation.get_absolute_url()).status_code == 200
