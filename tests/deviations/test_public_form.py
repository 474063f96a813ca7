"""The public synpunkt/klagomål form at /synpunkter/: no login, honeypot, rate limit."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from riskmgmt.deviations.models import Deviation
from riskmgmt.notifications.models import Notification

pytestmark = pytest.mark.django_db
FORM = reverse("public:complaint")
THANKS = reverse("public:complaint-thanks")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _data(org, **fields) -> dict:
    data = {
        "unit": org["mott"].pk,
        "complainant_type": "relative",
        "description": "Min mamma fick vänta tre veckor på ett svar om hemtjänst.",
        "contact": "Eva, 070-123 45 67",
        "website": "",
    }
    data.update(fields)
    return data


def test_the_form_needs_no_login_and_shows_no_internal_navigation(client, org, reporter):
    response = client.get(FORM)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Här kan du lämna synpunkter eller klagomål på socialtjänsten" in html
    assert "Du kan vara anonym" in html
    assert "Vi svarar inom två veckor om du lämnar kontaktuppgifter" in html
    assert "csrfmiddlewaretoken" in html
    # Units are grouped by section; sections themselves are not choices.
    assert '<optgroup label="Familjesektionen">' in html
    assert f'<option value="{org["miss"].pk}">Missbruksenheten</option>' in html
    assert f'value="{org["fam"].pk}"' not in html
    # The honeypot is hidden from people, screen readers and the tab order.
    assert 'class="hp-field" aria-hidden="true"' in html
    assert 'name="website" tabindex="-1" autocomplete="off"' in html

    client.force_login(reporter)  # staff visiting the public page still get the public layout
    html = client.get(FORM).content.decode()
    assert "main-nav" not in html
    assert "Logga ut" not in html
    assert "Anna Nilsson" not in html


def test_a_complaint_is_filed_by_the_system_user_and_managers_are_told(
        client, org, reporter, unit_manager, section_manager, other_manager):
    response = client.post(FORM, _data(org))
    assert response.status_code == 302
    assert response.url == THANKS
    deviation = Deviation.objects.get()
    assert deviation.kind == "complaint"
    assert deviation.status == "reported"
    assert deviation.reporter.username == "system"
    assert deviation.unit == org["mott"]
    assert deviation.complainant_type == "relative"
    assert deviation.contact == "Eva, 070-123 45 67"
    assert deviation.title == "Synpunkt eller klagomål via webbformulär"
    assert deviation.description.startswith("Min mamma")
    recipients = set(
        Notification.objects.filter(object_id=deviation.pk).values_list("recipient__username", flat=True)
    )
    assert recipients == {"unit_manager", "section_manager"}
    for subject, body in Notification.objects.values_list("subject", "body"):
        assert "Min mamma" not in subject + body

    thanks = client.get(THANKS).content.decode()
    assert "Tack" in thanks
    assert deviation.reference not in thanks


def test_the_title_never_comes_from_the_writer(client, org):
    client.post(FORM, _data(org, title="Anna Andersson är hemsk"))
    assert Deviation.objects.get().title == "Synpunkt eller klagomål via webbformulär"


def test_anonymous_drops_the_contact_details(client, org):
    client.post(FORM, _data(org, anonymous="on"))
    deviation = Deviation.objects.get()
    assert deviation.anonymous is True
    assert deviation.contact == ""


def test_a_filled_honeypot_says_thanks_and_files_nothing(client, org, unit_manager):
    response = client.post(FORM, _data(org, website="http://spam.example"))
    assert response.status_code == 302
    assert response.url == THANKS
    assert not Deviation.objects.exists()
    assert not Notification.objects.exists()


def test_the_rate_limit_answers_429_and_keeps_what_was_typed(client, org):
    for _ in range(5):
        assert client.post(FORM, _data(org), REMOTE_ADDR="203.0.113.7").status_code == 302
    response = client.post(FORM, _data(org, description="Sjätte gången skriver jag."), REMOTE_ADDR="203.0.113.7")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Vänta några minuter" in html
    assert "Sjätte gången skriver jag." in html
    assert 'value="relative" required id="id_complainant_type_1" checked' in html
    assert Deviation.objects.count() == 5
    # Another address is not affected.
    assert client.post(FORM, _data(org), REMOTE_ADDR="198.51.100.2").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, org, settings):
    settings.RISKMGMT_TRUSTED_PROXY_COUNT = 1
    settings.RISKMGMT_PUBLIC_FORM_RATE = (1, 600)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.post(FORM, _data(org), HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7", **proxy).status_code == 302
    assert client.post(FORM, _data(org), HTTP_X_FORWARDED_FOR="other, 203.0.113.7", **proxy).status_code == 429
    assert client.post(FORM, _data(org), HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 302


def test_without_a_trusted_proxy_setting_the_header_is_ignored(client, org, settings):
    settings.RISKMGMT_PUBLIC_FORM_RATE = (1, 600)
    assert client.post(FORM, _data(org), HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 302
    assert client.post(FORM, _data(org), HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429


def test_personnummer_is_refused_with_a_plain_message(client, org):
    response = client.post(FORM, _data(org, description="Det gäller mig, 19121212-1212."))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ta bort personnumret" in html
    assert "Det gäller mig, 19121212-1212." in html
    assert not Deviation.objects.exists()


def test_csrf_is_required(org):
    client = Client(enforce_csrf_checks=True)
    assert client.post(FORM, _data(org)).status_code == 403
    assert not Deviation.objects.exists()


def test_an_inactive_unit_cannot_be_chosen(client, org):
    org["plac"].is_active = False
    org["plac"].save()
    assert "Placeringsenheten" not in client.get(FORM).content.decode()
    response = client.post(FORM, _data(org, unit=org["plac"].pk))
    assert "Välj en verksamhet i listan." in response.content.decode()


@pytest.mark.parametrize("garbage", [
    {},
    {"unit": "abc", "complainant_type": "staff"},
    {"unit": "99999999", "description": ""},
    {"unit": "-1", "complainant_type": ["client", "relative"]},
    {"unit": "1e5", "anonymous": "kanske", "contact": "x" * 5000},
    {"description": "ö" * 50_000},
    {"unit": "\x00", "description": "\x00"},
    {"description": "Nolltecken \x00 i texten", "contact": "\x00"},
])
def test_garbage_never_gives_a_server_error(client, org, garbage):
    response = client.post(FORM, {**_data(org), **garbage} if garbage else {})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Deviation.objects.exists()


def test_a_section_cannot_be_chosen(client, org):
    response = client.post(FORM, _data(org, unit=org["fam"].pk))
    assert response.status_code == 200
    assert "Välj en verksamhet i listan." in response.content.decode()


def test_the_thanks_page_is_public(client):
    response = client.get(THANKS)
    assert response.status_code == 200
    assert "main-nav" not in response.content.decode()
