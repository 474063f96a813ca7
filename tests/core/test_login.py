"""Logging in and out, and the password pages, as a user meets them: in Swedish, with errors
summarised at the top of the form and the typed username kept."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.core.test_views import focusables, page_text, text_of

PASSWORD = "losen-123"  # tests/factories.py UserFactory


def test_login_page_explains_the_system_in_swedish(client, db):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "<title>Logga in – riskmgmt</title>" in html
    text = page_text(response)
    assert (
        "Systemet för avvikelser, lex Sarah, synpunkter och klagomål, riskanalyser och "
        "uppföljning av tillsyn" in text
    )
    assert "Användarnamn" in text
    assert "Lösenord" in text
    assert "Glömt lösenordet?" in text
    assert focusables(response)[0][1]["href"] == "#main"
    # Not logged in: no navigation and no logout button yet.
    assert "Huvudmeny" not in html
    assert "Logga ut" not in text


def test_good_credentials_lead_to_the_start_page(client, reporter):
    response = client.post(
        reverse("login"), {"username": "reporter", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("core:home"), 302)]
    assert text_of(response, "main").startswith("Hej Anna!")
    assert "Logga ut" in page_text(response)


def test_login_returns_to_the_page_asked_for(client, reporter):
    target = reverse("core:report-start")

    page = client.get(f"{reverse('login')}?next={target}")
    response = client.post(
        reverse("login"), {"username": "reporter", "password": PASSWORD, "next": target}
    )

    assert "Logga in för att fortsätta" in page_text(page)
    assert f'name="next" value="{target}"' in page.content.decode()
    assert response.url == target


def test_bad_credentials_show_a_swedish_error_and_keep_the_username(client, reporter):
    response = client.post(reverse("login"), {"username": "reporter", "password": "fel"})

    assert response.status_code == 200
    summary = text_of(response, "error-summary-title")
    assert summary == "Det finns 1 fel att rätta"
    assert "Ange ett korrekt användarnamn och lösenord" in page_text(response)
    assert re.search(
        r'<input type="text" name="username" value="reporter"', response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_empty_login_form_links_each_error_to_its_field(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    html = response.content.decode()
    assert text_of(response, "error-summary-title") == "Det finns 2 fel att rätta"
    assert '<a href="#id_username">Användarnamn: Det här fältet är obligatoriskt.</a>' in html
    assert '<a href="#id_password">Lösenord: Det här fältet är obligatoriskt.</a>' in html
    assert "Fel:</span> Det här fältet är obligatoriskt." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_username_error"' in html


def test_logged_in_user_visiting_login_goes_to_the_start_page(client, reporter):
    client.force_login(reporter)

    response = client.get(reverse("login"))

    assert response.url == reverse("core:home")


def test_logout_is_a_post_and_ends_the_session(client, reporter):
    client.force_login(reporter)

    response = client.post(reverse("logout"))

    assert response.status_code == 200
    assert "Du är utloggad" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:home")).url.startswith(reverse("login"))


def test_logout_by_get_does_not_log_out(client, reporter):
    client.force_login(reporter)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.get(reverse("core:home")).status_code == 200


def test_logged_out_page_offers_to_log_in_again(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()

    html = render_to_string("registration/logged_out.html", request=request)

    assert "Du är utloggad" in html
    assert f'href="{reverse("login")}"' in html


# --------------------------------------------------------------------------- dev demo box


def test_demo_accounts_are_listed_in_development(client, db, settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-losen-test"

    text = page_text(client.get(reverse("login")))

    assert "Demokonton" in text
    assert "demo-losen-test" in text
    for username in ("lena", "karin", "sara", "maria", "anna"):
        assert f" {username} " in text
    assert "enhetschef" in text


@pytest.mark.parametrize(("debug", "password"), [(False, "demo-losen-test"), (True, "")])
def test_demo_accounts_are_never_shown_outside_development(client, db, settings, debug, password):
    settings.DEBUG = debug
    settings.DEMO_PASSWORD = password

    text = page_text(client.get(reverse("login")))

    assert "Demokonton" not in text
    assert "demo-losen-test" not in text


# --------------------------------------------------------------------------- password reset


def test_password_reset_by_email_end_to_end(client, reporter):
    response = client.post(reverse("password_reset"), {"email": reporter.email}, follow=True)

    assert "Kolla din e-post" in page_text(response)
    [message] = mail.outbox
    assert message.subject == "Välj ett nytt lösenord för riskmgmt"
    assert "Ditt användarnamn är: reporter" in message.body
    link = re.search(r"http://testserver(/konto/aterstall/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Välj ett nytt lösenord" in page_text(form_page)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Ny-vinter-2026", "new_password2": "Ny-vinter-2026"},
        follow=True,
    )

    assert "Lösenordet är ändrat" in page_text(done)
    reporter.refresh_from_db()
    assert reporter.check_password("Ny-vinter-2026")


def test_password_reset_with_a_used_link_explains_what_to_do(client, db):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "fel-token"})
    )

    assert "Länken fungerar inte" in page_text(response)
    assert f'href="{reverse("password_reset")}"' in response.content.decode()


def test_password_reset_for_unknown_address_does_not_reveal_anything(client, db):
    response = client.post(reverse("password_reset"), {"email": "ingen@example.se"}, follow=True)

    assert "Kolla din e-post" in page_text(response)
    assert mail.outbox == []


# --------------------------------------------------------------------------- password change


def test_password_change_requires_login(client, db):
    response = client.get(reverse("password_change"))

    assert response.url.startswith(reverse("login"))


def test_password_change_mismatch_is_summarised_in_swedish(client, reporter):
    client.force_login(reporter)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Ny-vinter-2026", "new_password2": "annat"},
    )

    assert text_of(response, "error-summary-title") == "Det finns 1 fel att rätta"
    assert "De två lösenordsfälten stämmer inte överens" in text_of(response, "main")
    assert '<a href="#id_new_password2">' in response.content.decode()


def test_password_change_succeeds(client, reporter):
    client.force_login(reporter)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Ny-vinter-2026",
            "new_password2": "Ny-vinter-2026",
        },
        follow=True,
    )

    assert "Lösenordet är bytt" in page_text(response)
    reporter.refresh_from_db()
    assert reporter.check_password("Ny-vinter-2026")


def test_logging_in_adds_no_history_row(client, reporter):
    before = reporter.history.count()
    assert client.login(username="reporter", password="losen-123")
    reporter.refresh_from_db()
    assert reporter.last_login is not None
    assert reporter.history.count() == before
