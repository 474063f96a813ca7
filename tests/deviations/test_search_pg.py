"""Swedish full-text search on PostgreSQL: stemmed, so "placering" finds "placeringen".

SQLite searches with icontains instead (tested in test_api.py); these skip there, unless
REQUIRE_POSTGRES is set (CI), where they fail.
"""

import os

import pytest
from django.db import connection

from riskmgmt.deviations.models import Deviation
from riskmgmt.deviations.selectors import deviation_filter
from tests.factories import DeviationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
URL = "/api/v1/deviations/"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"REQUIRE_POSTGRES is set but the database is {connection.vendor}")
        pytest.skip("needs PostgreSQL: Swedish full-text search")


@pytest.fixture
def reports(org, reporter):
    return {
        "placement": DeviationFactory(
            unit=org["plac"], reporter=reporter, title="Sammanbrott i familjehem",
            description="Familjehemmet sade upp uppdraget och placeringen bröts samma kväll."),
        "printer": DeviationFactory(
            unit=org["mott"], reporter=reporter, title="Akten låg kvar i skrivaren",
            description="En utskrift låg kvar i skrivaren över natten."),
        "conclusion": DeviationFactory(
            unit=org["mott"], reporter=reporter, title="Sen återkoppling",
            description="Återkopplingen till anmälaren dröjde.", conclusion="Rutinerna för placeringar ses över."),
    }


def test_stemmed_search_finds_the_inflected_word(reports):
    found = deviation_filter(Deviation.objects.all(), q="placering")
    assert set(found) == {reports["placement"], reports["conclusion"]}
    assert reports["printer"] not in found
    assert set(deviation_filter(Deviation.objects.all(), q="skrivare")) == {reports["printer"]}


def test_the_api_searches_within_scope(api_client, reports, quality, unit_manager):
    api_client.force_authenticate(quality)
    data = api_client.get(URL, {"q": "placering"}).json()
    assert {row["id"] for row in data["results"]} == {reports["placement"].pk, reports["conclusion"].pk}
    api_client.force_authenticate(unit_manager)  # Placeringsenheten is not theirs
    data = api_client.get(URL, {"q": "placering"}).json()
    assert [row["id"] for row in data["results"]] == [reports["conclusion"].pk]


def test_search_combines_with_filters_and_web_syntax(api_client, org, reports, quality):
    api_client.force_authenticate(quality)
    data = api_client.get(URL, {"q": "placering", "unit": org["plac"].pk}).json()
    assert [row["id"] for row in data["results"]] == [reports["placement"].pk]
    data = api_client.get(URL, {"q": "placering -familjehem"}).json()
    assert [row["id"] for row in data["results"]] == [reports["conclusion"].pk]
    assert api_client.get(URL, {"q": reports["printer"].reference}).json()["count"] == 1


@pytest.mark.parametrize("q", ['"', "&|!:*()", "'; drop table x; --", "placering:*", "<->", "ö" * 200, "  "])
def test_odd_search_text_is_never_a_500(api_client, reports, quality, q):
    api_client.force_authenticate(quality)
    assert api_client.get(URL, {"q": q}).status_code == 200
