"""Raise as risk: a deviation becomes a risk in its unit's analysis for this year, linked both
ways, once; only the unit's managers raise (ARCHITECTURE.md §5)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.deviations import services as deviation_services
from riskmgmt.risks import services
from riskmgmt.risks.models import Risk, RiskAnalysis
from riskmgmt.risks.raise_views import RAISE_SOURCES, risk_source, risks_raised_from

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def deviation(org, reporter):
    return deviation_services.deviation_file(
        actor=reporter, kind="other", unit=org["mott"], process=org["mottagning"],
        title="Förhandsbedömningen blev klar efter 20 dagar",
        description="Tre förhandsbedömningar blev inte klara inom 14 dagar under semestern.")


def _url(deviation):
    return reverse("risks:raise", args=["deviation", deviation.pk])


def _form(**extra):
    fields = {"title": "Förhandsbedömning inte klar inom 14 dagar", "risk_type": "process",
              "perspective": "client", "probability": "3", "consequence": "3", **extra}
    return {f"risk-{name}": value for name, value in fields.items()}


def test_the_form_is_prefilled_from_the_deviation(client, deviation, unit_manager, org):
    client.force_login(unit_manager)
    response = client.get(_url(deviation))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == deviation.title
    assert form.initial["process"] == org["mottagning"]
    assert list(form.fields["process"].queryset) == [org["mottagning"]]  # the unit's processes only
    assert deviation.reference in response.content.decode()


def test_raising_creates_this_years_analysis_and_links_both_ways(client, deviation, unit_manager, org):
    client.force_login(unit_manager)
    response = client.post(_url(deviation), _form(process=org["mottagning"].pk))
    risk = Risk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:risk-detail", args=[risk.pk])
    assert risk.analysis.unit == org["mott"]
    assert risk.analysis.year == YEAR
    assert risk.analysis.status == RiskAnalysis.Status.PLANNED
    assert (risk.probability, risk.consequence, risk.process) == (3, 3, org["mottagning"])
    assert risk_source(risk) == deviation
    assert risks_raised_from(deviation) == [risk]
    assert risk.history.first().history_user == unit_manager

    page = client.get(deviation.get_absolute_url()).content.decode()
    assert "Redan lyft som risk:" in page
    assert reverse("risks:risk-detail", args=[risk.pk]) in page


def test_raising_twice_gives_one_risk(client, deviation, unit_manager):
    client.force_login(unit_manager)
    first = client.post(_url(deviation), _form())
    second = client.post(_url(deviation), _form(title="Ett annat namn"))
    assert Risk.objects.count() == 1
    assert first["Location"] == second["Location"]
    # Once raised this year, the page shows the risk instead of the form.
    response = client.get(_url(deviation))
    assert response.context["raised_this_year"] == Risk.objects.get()
    assert 'name="risk-title"' not in response.content.decode()


def test_a_double_click_gives_one_risk_not_an_error(deviation, unit_manager, org, monkeypatch):
    """The other click's risk is saved just after this one looked for it: the unique
    constraint stops the second insert, and the service answers with the first risk."""
    real_filter = Risk.objects.filter

    class OtherClickLandsAfterTheCheck:
        def __init__(self, qs):
            self.qs = qs

        def first(self):
            services.risk_add(analysis=RiskAnalysis.objects.get(), actor=unit_manager, title="Den andra klickningen",
                              risk_type="process", perspective="client", probability=2, consequence=2,
                              source_obj=deviation)
            return None

        def get(self):
            return self.qs.get()

    monkeypatch.setattr(Risk.objects, "filter", lambda **kw: OtherClickLandsAfterTheCheck(real_filter(**kw)))
    risk = services.risk_raise_from(source_obj=deviation, unit=org["mott"], actor=unit_manager,
                                    title="Förhandsbedömning inte klar inom 14 dagar")
    monkeypatch.undo()

    assert risk.title == "Den andra klickningen"
    assert list(Risk.objects.all()) == [risk]


def test_an_existing_analysis_for_the_year_is_used(client, deviation, unit_manager, org):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=YEAR)
    client.force_login(unit_manager)
    client.post(_url(deviation), _form())
    assert Risk.objects.get().analysis == analysis
    assert RiskAnalysis.objects.count() == 1


def test_deviation_page_offers_the_panel_to_managers_only(client, deviation, unit_manager, section_manager,
                                                          reporter):
    for user in (unit_manager, section_manager):
        client.force_login(user)
        page = client.get(deviation.get_absolute_url()).content.decode()
        assert "Lyft som risk" in page, user
        assert _url(deviation) in page, user
    client.force_login(reporter)
    page = client.get(deviation.get_absolute_url()).content.decode()
    assert "Lyft som risk" not in page


def test_staff_see_that_it_was_raised(client, deviation, unit_manager, reporter):
    client.force_login(unit_manager)
    client.post(_url(deviation), _form())
    client.force_login(reporter)
    page = client.get(deviation.get_absolute_url()).content.decode()
    assert "Redan lyft som risk:" in page
    assert "Förhandsbedömning inte klar inom 14 dagar" in page


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 403), ("quality", 403), ("management", 403), ("other_manager", 404), ("outsider", 404),
])
def test_only_the_units_managers_raise(client, deviation, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(_url(deviation)).status_code == status
    assert client.post(_url(deviation), _form()).status_code == status
    assert not Risk.objects.exists()


def test_unknown_sources_and_objects_are_404(client, deviation, unit_manager):
    client.force_login(unit_manager)
    assert client.get(reverse("risks:raise", args=["requirement-x", deviation.pk])).status_code == 404
    assert client.get(reverse("risks:raise", args=["deviation", deviation.pk + 1000])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, deviation):
    response = client.get(_url(deviation))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("bad", [
    {"probability": "5"}, {"consequence": "x"}, {"perspective": "neighbours"}, {"title": ""},
    {"title": "Gäller 811218-9876"}, {"process": "999999"},
])
def test_bad_input_shows_the_form_again(client, deviation, unit_manager, bad):
    client.force_login(unit_manager)
    response = client.post(_url(deviation), _form(**bad))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Risk.objects.exists()


def test_an_approved_analysis_for_the_year_is_explained(client, deviation, unit_manager, management, reporter, org):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=YEAR)
    services.risk_analysis_hold(analysis=analysis, actor=unit_manager, held_on=timezone.localdate(),
                                participants=[reporter], perspectives=["client"])
    services.risk_analysis_approve(analysis=analysis, actor=management)
    client.force_login(unit_manager)
    response = client.post(_url(deviation), _form())
    assert response.status_code == 400
    assert "godkänd" in response.content.decode()
    assert not Risk.objects.exists()


def test_the_registry_knows_deviations():
    assert RAISE_SOURCES["deviation"].label
