"""The shell and the start pages, as each persona sees them.

Assertions read the rendered page the way a user would: which headings, names and links are
there, and which are not. `text_of` and `focusables` parse the HTML with the standard library.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from riskmgmt.organisation.models import Membership

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: dict[str, list[str]] = {}
        self.focusable: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if _is_focusable(tag, attrs):
            self.focusable.append((tag, attrs))
        if tag in VOID:
            return
        element_id = attrs.get("id")
        if element_id:
            self.texts.setdefault(element_id, [])
        self.stack.append((tag, element_id))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        for _, element_id in self.stack:
            if element_id:
                self.texts[element_id].append(data)


def _is_focusable(tag, attrs) -> bool:
    if "disabled" in attrs or attrs.get("tabindex") == "-1":
        return False
    if tag == "a":
        return "href" in attrs
    if tag == "input":
        return attrs.get("type") != "hidden"
    return tag in {"button", "select", "textarea", "summary"} or "tabindex" in attrs


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def text_of(response_or_html, element_id: str) -> str | None:
    """Whitespace-normalised text inside the element with this id, or None if absent."""
    html = getattr(response_or_html, "content", response_or_html)
    html = html.decode() if isinstance(html, bytes) else html
    parts = _parse(html).texts.get(element_id)
    return None if parts is None else re.sub(r"\s+", " ", "".join(parts)).strip()


def focusables(response_or_html) -> list[tuple[str, dict]]:
    """Focusable elements in document order: what Tab walks through."""
    html = getattr(response_or_html, "content", response_or_html)
    html = html.decode() if isinstance(html, bytes) else html
    return _parse(html).focusable


def page_text(response) -> str:
    html = response.content.decode()
    body = html.split("<body", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# --------------------------------------------------------------------------- login required


@pytest.mark.parametrize("name", ["core:home", "core:report-start"])
def test_pages_send_anonymous_visitors_to_the_login_page(client, db, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


# --------------------------------------------------------------------------- the shell


def test_page_is_swedish_with_skip_link_first_and_landmarks(client, reporter):
    client.force_login(reporter)

    response = client.get(reverse("core:home"))

    html = response.content.decode()
    assert '<html lang="sv">' in html
    tag, attrs = focusables(response)[0]
    assert (tag, attrs["href"]) == ("a", "#main")
    assert "Hoppa till huvudinnehållet" in html
    assert '<main id="main"' in html
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in html
    assert "<title>Start – riskmgmt</title>" in html
    assert 'name="viewport"' in html


def test_header_names_the_user_and_logs_out_with_a_post_form(client, reporter):
    client.force_login(reporter)

    response = client.get(reverse("core:home"))

    html = response.content.decode()
    assert "Anna Nilsson" in html
    logout = re.search(r'<form[^>]*action="/konto/logga-ut/"[^>]*>(.*?)</form>', html, re.S)
    assert logout
    assert 'method="post"' in logout.group(0)
    assert "csrfmiddlewaretoken" in logout.group(1)
    assert "Logga ut" in logout.group(1)


def test_htmx_is_vendored_and_sends_the_csrf_token(client, reporter):
    client.force_login(reporter)

    html = client.get(reverse("core:home")).content.decode()

    assert re.search(r'<script src="/static/vendor/htmx/htmx\.min\.js" defer>', html)
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'>", html)


def test_navigation_offers_reporting_actions_and_notifications_to_everyone(client, reporter):
    client.force_login(reporter)

    response = client.get(reverse("core:home"))

    nav = focusables(response)
    hrefs = [attrs.get("href") for tag, attrs in nav if tag == "a"]
    assert reverse("deviations:create") in hrefs
    assert reverse("deviations:mine") in hrefs
    assert reverse("actions:mine") in hrefs
    assert reverse("notifications:list") in hrefs
    assert reverse("admin:index") not in hrefs
    assert 'aria-current="page">Start<' in response.content.decode()


def test_administration_link_only_for_admins(client, reporter):
    reporter.is_staff = True
    reporter.save()
    client.force_login(reporter)

    response = client.get(reverse("core:home"))

    assert "Administration" in page_text(response)
    assert f'href="{reverse("admin:index")}"' in response.content.decode()


def _render_home_with_unread(user, count):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "core/home.html",
        {"unread_notifications_count": count, "memberships": [], "managed_units": []},
        request=request,
    )


def test_unread_notifications_show_as_a_badge_with_screen_reader_text(reporter):
    html = _render_home_with_unread(reporter, 3)

    assert '<span class="count-badge" aria-hidden="true">3</span>' in html
    assert '<span class="visually-hidden">3 olästa</span>' in html
    assert '<span class="visually-hidden">1 oläst</span>' in _render_home_with_unread(reporter, 1)


def test_no_badge_without_unread_notifications(reporter):
    html = _render_home_with_unread(reporter, 0)

    assert "count-badge" not in html
    assert "oläst" not in html


def test_messages_are_rendered_in_a_live_region(rf):
    request = rf.get("/")
    request.user = AnonymousUser()

    html = render_to_string("base.html", {"messages": ["Rapporten är skickad."]}, request=request)

    region = re.search(r'<div id="messages"[^>]*>(.*?)</div>', html, re.S)
    assert 'role="status"' in region.group(0)
    assert 'aria-live="polite"' in region.group(0)
    assert "Rapporten är skickad." in region.group(1)


# --------------------------------------------------------------------------- start page per role


CARDS = ("card-actions", "card-units", "card-roles", "card-organisation")
EXPECTED_CARDS = {
    "reporter": {"card-actions", "card-roles"},
    "unit_manager": {"card-actions", "card-units", "card-roles"},
    "section_manager": {"card-actions", "card-units", "card-roles"},
    "other_manager": {"card-actions", "card-units", "card-roles"},
    "quality": {"card-actions", "card-roles", "card-organisation"},
    "management": {"card-actions", "card-roles", "card-organisation"},
    "outsider": {"card-actions", "card-roles"},
}


@pytest.mark.parametrize("persona", list(EXPECTED_CARDS))
def test_start_page_shows_only_the_cards_the_role_allows(client, personas, persona):
    user = personas[persona]
    client.force_login(user)

    response = client.get(reverse("core:home"))

    assert response.status_code == 200
    shown = {card for card in CARDS if text_of(response, card) is not None}
    assert shown == EXPECTED_CARDS[persona]
    assert text_of(response, "main").startswith(f"Hej {user.first_name}!")


def test_start_page_puts_reporting_first_with_a_large_button(client, reporter):
    client.force_login(reporter)

    response = client.get(reverse("core:home"))

    report = text_of(response, "main")
    assert "Rapportera missförhållanden" in report
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    first_link = re.search(r'<a class="([^"]*)" href="([^"]*)"', main)
    assert first_link.group(2) == reverse("deviations:create")
    assert "button--large" in first_link.group(1)


def test_staff_start_page_lists_their_role_and_links_to_actions(client, reporter):
    client.force_login(reporter)

    response = client.get(reverse("core:home"))

    assert text_of(response, "card-roles").startswith("Dina roller Medarbetare, Mottagningsenheten")
    assert "Visa mina åtgärder" in text_of(response, "card-actions")
    assert f'href="{reverse("actions:mine")}"' in response.content.decode()


def test_unit_manager_sees_their_unit_with_links_to_the_handling_pages(client, unit_manager):
    client.force_login(unit_manager)

    response = client.get(reverse("core:home"))
    units = text_of(response, "card-units")

    assert "Mottagningsenheten" in units
    assert "Placeringsenheten" not in units
    assert "Rapporter att hantera" in units
    html = response.content.decode()
    for name in ("deviations:inbox", "analyses:list", "actions:list"):
        assert f'href="{reverse(name)}"' in html


def test_section_manager_sees_the_section_and_the_units_under_it(client, section_manager):
    client.force_login(section_manager)

    units = text_of(client.get(reverse("core:home")), "card-units")

    for name in ("Familjesektionen", "Mottagningsenheten", "Placeringsenheten"):
        assert name in units
    assert "Missbruksenheten" not in units
    assert "Vuxensektionen" not in units


@pytest.mark.parametrize("persona", ["quality", "management"])
def test_oversight_roles_see_the_whole_organisation_with_its_managers(client, personas, persona):
    client.force_login(personas[persona])

    overview = text_of(client.get(reverse("core:home")), "card-organisation")

    for name in (
        "Socialförvaltningen",
        "Familjesektionen",
        "Vuxensektionen",
        "Mottagningsenheten",
        "Placeringsenheten",
        "Missbruksenheten",
    ):
        assert name in overview
    assert "Maria Ek (enhetschef)" in overview
    assert "Sara Lindqvist (sektionschef)" in overview
    assert "Nils Forsberg (enhetschef)" in overview
    assert "Placeringsenheten Ingen chef registrerad" in overview


def test_quality_on_a_section_sees_only_that_section(client, org):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(first_name="Kim")
    MembershipFactory(user=user, unit=org["vux"], role=Membership.Role.QUALITY)
    client.force_login(user)

    overview = text_of(client.get(reverse("core:home")), "card-organisation")

    assert "Missbruksenheten" in overview
    assert "Familjesektionen" not in overview
    assert "Socialförvaltningen" not in overview


def test_user_without_a_unit_is_told_what_to_do(client, outsider):
    client.force_login(outsider)

    text = page_text(client.get(reverse("core:home")))

    assert "Du är inte kopplad till någon enhet" in text
    assert "Rapportera avvikelse" in text


def test_start_page_query_count_does_not_grow_with_the_organisation(
    client, personas, django_assert_max_num_queries
):
    client.force_login(personas["management"])

    # The cards for the ledningsgrupp (analyses awaiting approval, own control points) cost a few
    # fixed queries; tests/core/test_home_next_steps.py shows the count does not grow with units.
    with django_assert_max_num_queries(14):
        client.get(reverse("core:home"))


# --------------------------------------------------------------------------- report start


def test_report_start_lists_the_nearest_manager_first(
    client, reporter, unit_manager, section_manager, other_manager
):
    client.force_login(reporter)

    response = client.get(reverse("core:report-start"))

    text = page_text(response)
    assert "genast" in text
    assert "skyldighet" in text
    assert "aldrig straffas" in text
    assert "Maria Ek" in text
    assert "Sara Lindqvist" in text
    assert text.index("Maria Ek") < text.index("Sara Lindqvist")
    assert "Nils Forsberg" not in text
    assert "mailto:unit_manager@example.se" in response.content.decode()
    contacts = response.context["contacts"]
    assert [unit.name for unit, _ in contacts] == ["Mottagningsenheten"]
    assert [m.user for m in contacts[0][1]] == [unit_manager, section_manager]


def test_a_manager_is_pointed_to_their_own_manager_not_to_themselves(
    client, unit_manager, section_manager
):
    client.force_login(unit_manager)

    response = client.get(reverse("core:report-start"))

    [(_unit, managers)] = response.context["contacts"]
    assert [m.user for m in managers] == [section_manager]
    assert "Maria Ek" not in text_of(response, "main")


def test_report_start_says_when_no_manager_is_registered(client, org, quality):
    client.force_login(quality)

    text = page_text(client.get(reverse("core:report-start")))

    assert "Socialförvaltningen" in text
    assert "Ingen chef är registrerad här" in text


def test_report_start_without_a_unit_tells_who_to_ask(client, outsider):
    client.force_login(outsider)

    text = page_text(client.get(reverse("core:report-start")))

    assert "Du är inte kopplad till någon enhet" in text


def test_inactive_manager_is_not_listed(client, reporter, unit_manager, section_manager):
    unit_manager.is_active = False
    unit_manager.save()
    client.force_login(reporter)

    response = client.get(reverse("core:report-start"))

    assert [m.user for m in response.context["contacts"][0][1]] == [section_manager]


# --------------------------------------------------------------------------- shared partials


def _render(template, context, query=""):
    request = RequestFactory().get(f"/lista/{query}")
    request.user = AnonymousUser()
    return render_to_string(template, context, request=request)


def test_pagination_keeps_the_filters_and_marks_the_current_page():
    from django.core.paginator import Paginator

    page_obj = Paginator(range(100), 10).page(5)

    html = _render("_partials/pagination.html", {"page_obj": page_obj}, "?status=open&page=5")

    assert 'aria-label="Sidor"' in html
    assert "Visar 41–50 av 100" in html
    assert 'href="?status=open&amp;page=4" rel="prev">Föregående' in html
    assert 'href="?status=open&amp;page=6" rel="next">Nästa' in html
    assert re.search(r'aria-current="page"><span class="visually-hidden">Sida </span>5<', html)
    assert "…" in html


def test_pagination_is_absent_with_a_single_page():
    from django.core.paginator import Paginator

    html = _render("_partials/pagination.html", {"page_obj": Paginator(range(5), 10).page(1)})

    assert html.strip() == ""


def _example_form(data=None):
    from django import forms

    class ExampleForm(forms.Form):
        title = forms.CharField(label="Rubrik", help_text="Skriv inga personnummer.")
        kind = forms.ChoiceField(
            label="Typ", choices=[("a", "Avvikelse"), ("b", "Klagomål")], widget=forms.RadioSelect
        )
        urgent = forms.BooleanField(label="Brådskande", required=False)
        note = forms.CharField(label="Anteckning", required=False)
        token = forms.CharField(widget=forms.HiddenInput)

        def clean(self):
            raise forms.ValidationError("Något gick fel med formuläret.")

    return ExampleForm(data=data)


def test_form_fields_partial_labels_helps_and_errors_each_field():
    form = _example_form({"title": "", "kind": "", "note": "", "token": ""})
    form.is_valid()

    html = _render("_partials/form_fields.html", {"form": form})

    assert '<label class="field__label" for="id_title">Rubrik</label>' in html
    assert '<div class="field__help" id="id_title_helptext">Skriv inga personnummer.</div>' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert '<span class="field__error-prefix">Fel:</span> Det här fältet är obligatoriskt.' in html
    assert re.search(r"<fieldset[^>]*>\s*<legend class=\"field__label\">Typ</legend>", html)
    assert 'Anteckning <span class="field__optional">(frivilligt)</span>' in html
    assert re.search(r'type="checkbox"[^>]*id="id_urgent"[^>]*>\s*<label for="id_urgent">', html)
    assert 'type="hidden" name="token"' in html


def test_error_summary_links_field_errors_and_lists_form_errors_first():
    form = _example_form({"title": "", "kind": "a", "token": ""})
    form.is_valid()

    html = _render("_partials/error_summary.html", {"form": form})

    assert 'role="alert"' in html
    assert "Det finns 3 fel att rätta" in html
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items[0] == "Något gick fel med formuläret."
    assert '<a href="#id_title">Rubrik: Det här fältet är obligatoriskt.</a>' in items
    # A hidden field cannot be reached, so its error is listed without a link.
    assert any("obligatoriskt" in item and "href" not in item for item in items)


def test_error_summary_is_absent_for_a_valid_or_unbound_form():
    assert _render("_partials/error_summary.html", {"form": _example_form()}).strip() == ""
