"""The risk overviews: the matrix (data and partial), the matrix page, the risks behind a cell,
this year against last year and the ledningsgrupp's year view, by role and with bad input."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions.models import Action
from riskmgmt.organisation.models import Unit
from riskmgmt.risks import services
from riskmgmt.risks.matrix import matrix_for
from riskmgmt.risks.models import Risk, RiskAnalysis
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def add(analysis, actor, title, probability, consequence, **extra):
    extra.setdefault("risk_type", "process")
    extra.setdefault("perspective", "client")
    return services.risk_add(analysis=analysis, actor=actor, title=title, probability=probability,
                             consequence=consequence, **extra)


def action_on(risk, **extra):
    return ActionFactory(unit=risk.analysis.unit, source_content_type=ContentType.objects.get_for_model(Risk),
                         source_id=risk.pk, **extra)


@pytest.fixture
def register(org, unit_manager, other_manager):
    """This year: mott (planned) with a high, a medium, a consequence-4 and a closed risk;
    miss (other section) with a very high one; plac has no analysis."""
    mott = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=THIS_YEAR)
    miss = services.risk_analysis_create(actor=other_manager, unit=org["miss"], year=THIS_YEAR)
    risks = {
        "high": add(mott, unit_manager, "Anmälningar blir liggande över helgen", 3, 3, process=org["mottagning"]),
        "medium": add(mott, unit_manager, "Tolk saknas vid första samtalet", 2, 2),
        "cons4": add(mott, unit_manager, "Skyddsbedömning görs inte samma dag", 1, 4),
        "closed": add(mott, unit_manager, "Gammal rutin för post", 2, 3),
        "miss": add(miss, other_manager, "Abstinens utan läkarkontakt", 4, 4),
    }
    services.risk_update(risk=risks["closed"], actor=unit_manager, status=Risk.Status.CLOSED)
    return {"mott": mott, "miss": miss, **risks}


def login(client, user):
    client.force_login(user)
    return client


def matrix_url(**params):
    return reverse("risks:matrix") + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def list_url(**params):
    return reverse("risks:risk-list") + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def cell_counts(response):
    cells = {}
    for row in response.context["matrix"]["rows"]:
        for cell in row["cells"]:
            cells[(cell["probability"], cell["consequence"])] = cell["count"]
    return cells


# ---------------------------------------------------------------- matrix data and partial

def test_matrix_counts_open_risks_in_one_query(register, django_assert_num_queries):
    analysis = register["mott"]
    with django_assert_num_queries(2):  # the thresholds and the grouped counts
        matrix = matrix_for(analysis.risks.all(), link_params={"unit": analysis.unit_id, "year": THIS_YEAR})

    assert [row["consequence"] for row in matrix["rows"]] == [4, 3, 2, 1]
    assert [cell["probability"] for cell in matrix["rows"][0]["cells"]] == [1, 2, 3, 4]
    cells = {(c["probability"], c["consequence"]): c for row in matrix["rows"] for c in row["cells"]}
    assert cells[(3, 3)]["count"] == 1
    assert cells[(3, 3)]["level"] == "high"
    assert cells[(1, 4)]["count"] == 1
    assert cells[(1, 4)]["level"] == "high"  # a konsekvens of 4 is at least hög
    assert cells[(2, 3)]["count"] == 0  # the closed risk is not counted
    assert cells[(4, 4)]["level_label"] == "Mycket hög"
    assert cells[(1, 1)]["level"] == "low"
    assert cells[(2, 2)]["level"] == "medium"
    assert matrix["total"] == 3
    url = cells[(3, 3)]["url"]
    assert url.startswith(reverse("risks:risk-list") + "?")
    for part in (f"unit={analysis.unit_id}", f"year={THIS_YEAR}", "probability=3", "consequence=3", "status=open"):
        assert part in url


def test_matrix_partial_is_an_accessible_table(register):
    html = render_to_string("risks/_matrix.html", {"matrix": matrix_for(register["mott"].risks.all())})

    assert "<caption>" in html
    assert html.count('scope="col"') == 4
    assert html.count('scope="row"') == 4
    for label in ("Mycket liten", "Liten", "Stor", "Mycket stor", "Mindre", "Måttlig", "Betydande", "Katastrofal"):
        assert label in html
    assert len(re.findall(r'class="risk-matrix__cell level--(low|medium|high|very_high)', html)) == 16
    assert html.count('class="risk-matrix__count" href=') == 3  # only cells with risks link
    assert "Så läser du matrisen" in html
    compact = render_to_string("risks/_matrix.html", {"matrix": matrix_for(register["mott"].risks.all()),
                                                      "compact": True, "caption": "Årets risker"})
    assert "Så läser du matrisen" not in compact
    assert "Årets risker" in compact


# ---------------------------------------------------------------- the matrix page

def test_management_sees_the_whole_administration_by_default(client, register, management):
    response = login(client, management).get(reverse("risks:matrix"))

    assert response.status_code == 200
    assert response.context["filters"]["unit"].code == "sof"
    assert response.context["filters"]["year"] == THIS_YEAR
    cells = cell_counts(response)
    assert cells[(4, 4)] == 1
    assert cells[(3, 3)] == 1
    assert response.context["matrix"]["total"] == 4
    html = response.content.decode()
    assert reverse("risks:export", kwargs={"fmt": "xlsx"}) in html
    assert reverse("risks:export", kwargs={"fmt": "csv"}) in html


def test_section_manager_sees_their_section_and_404_outside(client, register, org, section_manager):
    login(client, section_manager)
    response = client.get(reverse("risks:matrix"))
    assert response.status_code == 200
    assert response.context["filters"]["unit"] == org["fam"]
    assert response.context["matrix"]["total"] == 3
    assert cell_counts(response)[(4, 4)] == 0

    assert client.get(matrix_url(unit=org["miss"].pk)).status_code == 404
    assert client.get(matrix_url(unit=org["sof"].pk)).status_code == 404
    assert client.get(matrix_url(unit=org["mott"].pk)).context["matrix"]["total"] == 3


def test_management_narrows_the_matrix_to_a_section(client, register, org, management):
    response = login(client, management).get(matrix_url(unit=org["vux"].pk, year=THIS_YEAR))
    assert response.context["matrix"]["total"] == 1
    assert cell_counts(response)[(4, 4)] == 1


@pytest.mark.parametrize("persona", ["outsider"])
def test_matrix_is_404_without_any_unit(client, register, personas, persona):
    assert login(client, personas[persona]).get(reverse("risks:matrix")).status_code == 404


def test_matrix_needs_login(client, register):
    response = client.get(reverse("risks:matrix"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(("query", "status"), [
    ("year=abc", 400), ("year=1999", 400), ("year=", 200), ("unit=999999", 404), ("unit=abc", 404),
    ("unit=", 200), ("year=2026&year=abc", 400),
])
def test_matrix_bad_parameters_never_500(client, register, management, query, status):
    response = login(client, management).get(reverse("risks:matrix") + "?" + query)
    assert response.status_code == status
    if status == 400:  # drawn on the defaults, with the error in words
        assert response.context["matrix"]["total"] == 4
        assert "Filtret används inte" in response.content.decode()


def test_matrix_of_another_year(client, register, org, unit_manager, management):
    last = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=THIS_YEAR - 1)
    add(last, unit_manager, "Förra årets risk", 4, 1)
    response = login(client, management).get(matrix_url(year=THIS_YEAR - 1))
    assert response.status_code == 200
    assert response.context["matrix"]["total"] == 1
    assert cell_counts(response)[(4, 1)] == 1


# ---------------------------------------------------------------- the risks behind a cell

def titles(response):
    return [risk.title for risk in response.context["page"].object_list]


def test_cell_link_lists_the_risks_behind_it(client, register, management):
    login(client, management)
    matrix = client.get(reverse("risks:matrix")).context["matrix"]
    cell = next(c for row in matrix["rows"] for c in row["cells"] if (c["probability"], c["consequence"]) == (3, 3))

    response = client.get(cell["url"])

    assert response.status_code == 200
    assert titles(response) == ["Anmälningar blir liggande över helgen"]
    assert reverse("risks:risk-detail", kwargs={"pk": register["high"].pk}) in response.content.decode()


def test_list_filters_by_level_in_sql_status_and_process(client, register, org, management):
    login(client, management)
    assert set(titles(client.get(list_url(level="high")))) == {
        "Anmälningar blir liggande över helgen", "Skyddsbedömning görs inte samma dag"}
    assert titles(client.get(list_url(status="closed"))) == ["Gammal rutin för post"]
    assert "Gammal rutin för post" not in titles(client.get(list_url()))  # open by default
    assert len(titles(client.get(list_url(status="all")))) == 5
    assert titles(client.get(list_url(process=org["mottagning"].pk))) == ["Anmälningar blir liggande över helgen"]
    assert titles(client.get(list_url(unit=org["vux"].pk))) == ["Abstinens utan läkarkontakt"]


def test_list_is_most_serious_first_and_marks_high_risks_without_action(client, register, management):
    login(client, management)
    response = client.get(list_url())
    assert titles(response)[0] == "Abstinens utan läkarkontakt"
    assert response.content.decode().count("Saknar åtgärd") == 3  # 4×4, 3×3 and 1×4

    action_on(register["high"])
    action_on(register["miss"], status=Action.Status.CANCELLED)  # a cancelled action does not count
    assert client.get(list_url()).content.decode().count("Saknar åtgärd") == 2


def test_list_of_high_risks_without_action_is_linked_from_the_year_view(client, register, management):
    action_on(register["high"])
    login(client, management)
    assert titles(client.get(list_url(without_action="on"))) == [
        "Abstinens utan läkarkontakt", "Skyddsbedömning görs inte samma dag"]

    year_page = client.get(reverse("risks:year", kwargs={"year": THIS_YEAR}))
    bare_url = rows_by_code(year_page)["mott"]["bare_url"]
    assert bare_url.replace("&", "&amp;") in year_page.content.decode()
    assert titles(client.get(bare_url)) == ["Skyddsbedömning görs inte samma dag"]


def test_list_scope_follows_the_user(client, register, org, section_manager, reporter, outsider):
    login(client, section_manager)
    assert "Abstinens utan läkarkontakt" not in titles(client.get(list_url(status="all")))
    assert client.get(list_url(unit=org["miss"].pk)).status_code == 404
    # Staff see their own unit's register (as they see its analysis), nothing wider.
    login(client, reporter)
    assert len(titles(client.get(list_url()))) == 3
    assert client.get(list_url(unit=org["fam"].pk)).status_code == 404
    login(client, outsider)
    assert client.get(list_url()).status_code == 404


@pytest.mark.parametrize(("query", "status"), [
    ("probability=9", 400), ("consequence=x", 400), ("level=purple", 400), ("status=gone", 400),
    ("process=999999", 400), ("year=abc", 400), ("page=abc", 200), ("page=999", 200), ("unit=999999", 404),
])
def test_list_bad_parameters_never_500(client, register, management, query, status):
    response = login(client, management).get(reverse("risks:risk-list") + "?" + query)
    assert response.status_code == status


def test_list_pages_in_a_bounded_number_of_queries(client, register, unit_manager, management):
    login(client, management)
    with CaptureQueriesContext(connection) as few:
        client.get(list_url(status="all"))
    for n in range(60):
        add(register["mott"], unit_manager, f"Risk nummer {n}", 1 + n % 4, 1 + n // 4 % 4)
    with CaptureQueriesContext(connection) as many:
        response = client.get(list_url(status="all"))

    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 65
    assert len(many) == len(few) <= 14


# ---------------------------------------------------------------- this year against last year

@pytest.fixture
def two_years(org, unit_manager):
    last = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=THIS_YEAR - 1)
    add(last, unit_manager, "Stiger", 2, 2)
    add(last, unit_manager, "Sjunker", 3, 3)
    add(last, unit_manager, "Står still", 2, 3)
    closed = add(last, unit_manager, "Stängd förra året", 4, 4)
    services.risk_update(risk=closed, actor=unit_manager, status=Risk.Status.CLOSED)
    this = services.risk_analysis_carry_forward(analysis=last, actor=unit_manager)
    add(last, unit_manager, "Kom aldrig med", 1, 1)  # added after the carry-forward: no successor
    by_title = {r.title: r for r in this.risks.all()}
    services.risk_update(risk=by_title["Stiger"], actor=unit_manager, probability=3, consequence=4)
    services.risk_update(risk=by_title["Sjunker"], actor=unit_manager, probability=1, consequence=3)
    add(this, unit_manager, "Helt ny", 2, 4)
    return last, this


def test_compare_classifies_each_risk_by_its_predecessor(client, two_years, management):
    _last, this = two_years
    response = login(client, management).get(reverse("risks:compare", kwargs={"pk": this.pk}))

    assert response.status_code == 200
    changes = {row["risk"].title: row["change"] for row in response.context["rows"]}
    assert changes == {"Stiger": "rose", "Sjunker": "fell", "Står still": "unchanged", "Helt ny": "new",
                       "Stängd förra året": "closed", "Kom aldrig med": "closed"}
    assert [row["change"] for row in response.context["rows"]] == [
        "rose", "new", "unchanged", "fell", "closed", "closed"]
    summary = {item["change"]: item["count"] for item in response.context["summary"]}
    assert summary == {"rose": 1, "new": 1, "unchanged": 1, "fell": 1, "closed": 2}
    html = response.content.decode()
    assert "2 × 2 = <strong>4</strong>" in html  # before
    assert "3 × 4 = <strong>12</strong>" in html  # after
    assert response.context["matrix"]["total"] == 4
    assert response.context["previous_matrix"]["total"] == 4  # the closed one is not counted


def test_compare_in_a_bounded_number_of_queries(client, two_years, unit_manager, management):
    last, this = two_years
    login(client, management)
    url = reverse("risks:compare", kwargs={"pk": this.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        add(last, unit_manager, f"Förra året {n}", 1 + n % 4, 1 + n // 4 % 4)
        add(this, unit_manager, f"I år {n}", 1 + n % 4, 1 + n // 4 % 4)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["rows"]) == 66
    assert len(many) == len(few) <= 16


def test_compare_without_last_year_says_so(client, register, management):
    response = login(client, management).get(reverse("risks:compare", kwargs={"pk": register["mott"].pk}))
    assert response.status_code == 200
    assert response.context["previous"] is None
    assert {row["change"] for row in response.context["rows"]} == {"new"}
    assert "ingen riskanalys för" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [
    ("unit_manager", 200), ("section_manager", 200), ("quality", 200), ("management", 200),
    ("reporter", 200), ("other_manager", 404), ("outsider", 404),
])
def test_compare_by_role(client, two_years, personas, persona, status):
    _last, this = two_years
    assert login(client, personas[persona]).get(reverse("risks:compare", kwargs={"pk": this.pk})).status_code == status


def test_compare_unknown_analysis_is_404(client, management):
    assert login(client, management).get(reverse("risks:compare", kwargs={"pk": 999999})).status_code == 404


# ---------------------------------------------------------------- the ledningsgrupp's year view

def year_url(year=THIS_YEAR, **params):
    url = reverse("risks:year", kwargs={"year": year})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def rows_by_code(response):
    return {row["unit"].code: row for group in response.context["groups"] for row in group["rows"]}


def hold(analysis, actor):
    return services.risk_analysis_hold(analysis=analysis, actor=actor, held_on=timezone.localdate(),
                                       participants=[actor], perspectives=["client"])


def test_year_current_redirects_to_this_year(client, management):
    response = login(client, management).get(reverse("risks:year-current"))
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:year", kwargs={"year": THIS_YEAR})


def test_year_view_shows_every_unit_with_status_and_counts(client, register, unit_manager, management):
    services.risk_update(risk=register["medium"], actor=unit_manager, escalated=True,
                         escalation_reason="Behöver sektionens beslut")
    response = login(client, management).get(year_url())

    assert response.status_code == 200
    rows = rows_by_code(response)
    assert set(rows) == {"mott", "plac", "miss"}
    assert rows["plac"]["status_label"] == "Saknas"
    assert rows["mott"]["status_label"] == "Planerad"
    assert rows["mott"]["counts"] == {"low": 0, "medium": 1, "high": 2, "very_high": 0, "escalated": 1,
                                      "without_action": 2}
    assert rows["miss"]["counts"]["very_high"] == 1
    assert rows["miss"]["counts"]["without_action"] == 1
    sections = [group["section"].code for group in response.context["groups"]]
    assert sections == ["fam", "vux"]
    fam = response.context["groups"][0]
    assert fam["high"] == 2
    assert fam["statuses"]["missing"] == 1
    html = response.content.decode()
    assert reverse("risks:detail", kwargs={"pk": register["mott"].pk}) in html
    assert reverse("risks:compare", kwargs={"pk": register["mott"].pk}) in html
    assert reverse("risks:export", kwargs={"fmt": "xlsx"}) in html
    assert reverse("risks:export", kwargs={"fmt": "csv"}) in html
    assert "Familjesektionen" in html


def test_year_view_counts_only_risks_without_a_live_action(client, register, management):
    login(client, management)
    action_on(register["high"])
    action_on(register["cons4"], status=Action.Status.CANCELLED)
    assert rows_by_code(client.get(year_url()))["mott"]["counts"]["without_action"] == 1


def test_approve_button_posts_to_the_transition_for_those_who_may(client, register, unit_manager, management,
                                                                   quality, section_manager):
    hold(register["mott"], unit_manager)
    transition = reverse("risks:transition", kwargs={"pk": register["mott"].pk, "name": "approve"})

    response = login(client, management).get(year_url())
    assert rows_by_code(response)["mott"]["may_approve"] is True
    assert rows_by_code(response)["miss"]["may_approve"] is False  # planned, not held
    html = response.content.decode()
    form = re.search(rf'<form method="post" action="{re.escape(transition)}".*?</form>', html, re.S).group(0)
    assert 'name="comment"' in form
    assert f'name="next" value="{year_url()}"' in form
    assert "csrfmiddlewaretoken" in form

    for persona in (quality, section_manager, unit_manager):
        client.force_login(persona)
        response = client.get(year_url())
        if response.status_code == 200:
            assert transition not in response.content.decode()


def test_approving_from_the_year_view_returns_to_it(client, register, unit_manager, management):
    hold(register["mott"], unit_manager)
    login(client, management)
    back = year_url(section=register["mott"].unit.parent_id)
    response = client.post(reverse("risks:transition", kwargs={"pk": register["mott"].pk, "name": "approve"}),
                           {"comment": "Följ helgbevakningen särskilt", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    register["mott"].refresh_from_db()
    assert register["mott"].status == RiskAnalysis.Status.APPROVED
    assert register["mott"].approval_comment == "Följ helgbevakningen särskilt"
    assert rows_by_code(client.get(back))["mott"]["status_label"] == "Godkänd"


def test_an_approval_comment_with_a_personnummer_is_refused(client, register, unit_manager, management):
    """DOMAIN.md A9: the comment is kept in the analysis and its history; the form's own check
    is missing, so the service refuses it (the API's body checks it too)."""
    hold(register["mott"], unit_manager)
    login(client, management)
    response = client.post(reverse("risks:transition", kwargs={"pk": register["mott"].pk, "name": "approve"}),
                           {"comment": "Följ upp 19121212-1212 särskilt", "next": year_url()})

    assert response.status_code == 400
    assert "personnummer" in response.content.decode()
    register["mott"].refresh_from_db()
    assert register["mott"].status == RiskAnalysis.Status.HELD
    assert register["mott"].approval_comment == ""


def test_section_manager_sees_their_section_only(client, register, org, section_manager):
    login(client, section_manager)
    response = client.get(year_url())
    assert response.status_code == 200
    assert set(rows_by_code(response)) == {"mott", "plac"}
    assert client.get(year_url(section=org["vux"].pk)).status_code == 404
    assert client.get(year_url(section=org["fam"].pk)).status_code == 200


def test_management_filters_by_section(client, register, org, management):
    login(client, management)
    response = client.get(year_url(section=org["vux"].pk))
    assert set(rows_by_code(response)) == {"miss"}
    assert f"?section={org['vux'].pk}" in response.content.decode()


@pytest.mark.parametrize("persona", ["unit_manager", "reporter", "other_manager", "outsider"])
def test_year_view_refuses_others_clearly(client, register, personas, persona):
    response = login(client, personas[persona]).get(year_url())
    assert response.status_code == 403
    assert "Årsöversikten är för ledningsgrupp" in response.content.decode()
    assert "Anmälningar" not in response.content.decode()


@pytest.mark.parametrize(("year", "params", "status"), [
    (THIS_YEAR, {"section": "abc"}, 404), (THIS_YEAR, {"section": 999999}, 404), (1999, {}, 404),
    (9999, {}, 404), (THIS_YEAR - 5, {}, 200),
])
def test_year_view_bad_input_never_500(client, register, management, year, params, status):
    assert login(client, management).get(year_url(year, **params)).status_code == status


@pytest.mark.parametrize(("year", "gone"), [(2000, 1999), (2100, 2101)])
def test_year_view_never_links_outside_the_years_it_shows(client, register, management, year, gone):
    page = login(client, management).get(year_url(year)).content.decode()
    assert f'href="{year_url(gone)}' not in page
    other = 2001 if year == 2000 else 2099
    assert f'href="{year_url(other)}' in page
    assert login(client, management).get(year_url(other)).status_code == 200


def test_year_view_for_300_units_in_a_bounded_number_of_queries(client, org, management, unit_manager,
                                                               django_assert_max_num_queries):
    """The ledningsgrupp's page must not cost a query per unit."""
    sections = [Unit.objects.create(code=f"sek{n}", name=f"Sektion {n}", kind=Unit.Kind.SECTION, parent=org["sof"])
                for n in range(10)]
    units = Unit.objects.bulk_create([
        Unit(code=f"enh{n}", name=f"Enhet {n:03d}", kind=Unit.Kind.UNIT, parent=sections[n % 10],
             path=f"{sections[n % 10].path}enh{n}/") for n in range(300)])
    statuses = [RiskAnalysis.Status.PLANNED, RiskAnalysis.Status.HELD, RiskAnalysis.Status.APPROVED]
    analyses = RiskAnalysis.objects.bulk_create([
        RiskAnalysis(unit=unit, year=THIS_YEAR, status=statuses[n % 3]) for n, unit in enumerate(units[:270])])
    risks = Risk.objects.bulk_create([
        Risk(analysis=analysis, title=f"Risk {n}", risk_type="process", perspective="client",
             probability=1 + n % 4, consequence=1 + (n // 4) % 4, escalated=n % 7 == 0)
        for n, analysis in enumerate(analyses * 3)])
    risk_type = ContentType.objects.get_for_model(Risk)
    Action.objects.bulk_create([
        Action(unit=r.analysis.unit, source_content_type=risk_type, source_id=r.pk, title="Åtgärd",
               responsible=unit_manager, created_by=unit_manager, due_date=timezone.localdate()
               + datetime.timedelta(days=30), strength="medium") for r in risks[::5]])
    login(client, management)

    with django_assert_max_num_queries(12):  # 9 today: session, user, roles, sections, units, analyses, …
        response = client.get(year_url())

    assert response.status_code == 200
    rows = rows_by_code(response)
    assert len(rows) == 303  # and mott, plac, miss
    assert sum(row["status"] == "missing" for row in rows.values()) == 33
    assert sum(row["may_approve"] for row in rows.values()) == 90
    assert sum(sum(n for _label, n in row["levels"]) for row in rows.values()) == 810
