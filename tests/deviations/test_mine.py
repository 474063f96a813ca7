"""Mina rapporter at /avvikelser/mina/: the user's own reports and the manager's feedback."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.deviations.models import Deviation
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db
MINE = reverse("deviations:mine")


def test_login_required(client):
    response = client.get(MINE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_only_the_users_own_reports_newest_first(client, reporter, unit_manager, org):
    now = timezone.now()
    older = DeviationFactory(reporter=reporter, unit=org["mott"], reference="AVV-2026-0001",
                             reported_at=now - datetime.timedelta(days=3), kind="lex_sarah")
    newer = DeviationFactory(reporter=reporter, unit=org["mott"], reference="AVV-2026-0002",
                             reported_at=now - datetime.timedelta(days=1), kind="complaint")
    DeviationFactory(reporter=unit_manager, unit=org["mott"], reference="AVV-2026-0003")
    client.force_login(reporter)
    html = client.get(MINE).content.decode()
    assert html.index(newer.reference) < html.index(older.reference)
    assert "AVV-2026-0003" not in html
    assert "Lex Sarah-rapport" in html
    assert "Synpunkt eller klagomål" in html
    assert "Mottagningsenheten" in html
    assert "Väntar på att chefen tar emot den" in html  # the status in plain words


def test_feedback_shows_once_the_report_is_closed(client, reporter, org):
    DeviationFactory(reporter=reporter, unit=org["mott"], status="closed",
                     feedback="Vi har infört en ny rutin för utskrifter.",
                     feedback_given_on=datetime.date(2026, 3, 2))
    DeviationFactory(reporter=reporter, unit=org["mott"], status="investigating",
                     feedback="Utkast som chefen inte har skickat än.")
    client.force_login(reporter)
    html = client.get(MINE).content.decode()
    assert "Återkoppling från chefen" in html
    assert "Vi har infört en ny rutin för utskrifter." in html
    assert "2 mars 2026" in html
    assert "Avslutad" in html
    assert "Utkast som chefen inte har skickat än." not in html


def test_a_closed_report_without_written_feedback_says_how_it_was_given(client, reporter, org):
    DeviationFactory(reporter=reporter, unit=org["mott"], status="closed", feedback="",
                     feedback_given_on=datetime.date(2026, 3, 2))
    client.force_login(reporter)
    assert "muntligt" in client.get(MINE).content.decode()


def test_a_withdrawn_report_shows_why(client, reporter, org):
    DeviationFactory(reporter=reporter, unit=org["mott"], status="withdrawn", withdraw_reason="Dubblett av en annan")
    client.force_login(reporter)
    html = client.get(MINE).content.decode()
    assert "Återkallad" in html
    assert "Dubblett av en annan" in html


def test_nothing_reported_yet(client, outsider):
    client.force_login(outsider)
    html = client.get(MINE).content.decode()
    assert "Du har inte rapporterat något ännu." in html


def test_a_thousand_reports_stay_within_a_fixed_number_of_queries(
        client, reporter, org, django_assert_max_num_queries):
    now = timezone.now()
    Deviation.objects.bulk_create([
        Deviation(reference=f"AVV-2025-{n:04d}", kind="other", unit=org["mott"], process=org["mottagning"],
                  title=f"Händelse {n}", description="Rutinen följdes inte.", reporter=reporter,
                  reported_at=now - datetime.timedelta(minutes=n), status="closed" if n % 3 else "reported",
                  feedback="Återkoppling på APT." if n % 3 else "", feedback_given_on=now.date())
        for n in range(1, 1001)
    ])
    client.force_login(reporter)
    # Six today (session, user, count, page, the user's roles, unread notifications); an N+1
    # over the 25 rows of a page would be far more.
    with django_assert_max_num_queries(8):
        response = client.get(MINE)
    html = response.content.decode()
    assert "AVV-2025-0001" in html  # the newest
    assert "AVV-2025-0026" not in html  # page two
    assert "av 1000" in html
    with django_assert_max_num_queries(8):
        page_40 = client.get(MINE, {"page": 40}).content.decode()
    assert "AVV-2025-1000" in page_40
    assert client.get(MINE, {"page": "nonsense"}).status_code == 200
