import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions.models import Action
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_mina_atgarder_lists_own_actions_overdue_first(client, org, reporter, unit_manager):
    late = ActionFactory(unit=org["mott"], responsible=reporter, title="Sen åtgärd",
                         due_date=TODAY() - datetime.timedelta(days=3))
    soon = ActionFactory(unit=org["mott"], responsible=reporter, title="Snart klar")
    ActionFactory(unit=org["mott"], responsible=unit_manager, title="Chefens åtgärd")
    client.force_login(reporter)
    page = client.get(reverse("actions:mine")).content.decode()
    assert page.index("Sen åtgärd") < page.index("Snart klar")
    assert "Chefens åtgärd" not in page
    assert "Försenad" in page
    assert late.reference in page
    assert soon.reference in page


def test_mina_atgarder_filters_by_state(client, org, reporter):
    ActionFactory(unit=org["mott"], responsible=reporter, title="Öppen åtgärd")
    done = ActionFactory(unit=org["mott"], responsible=reporter, title="Klar åtgärd")
    from riskmgmt.actions import services

    services.action_complete(action=done, actor=reporter, done_on=TODAY())
    client.force_login(reporter)
    open_page = client.get(reverse("actions:mine")).content.decode()
    done_page = client.get(reverse("actions:mine") + "?status=done").content.decode()
    assert "Öppen åtgärd" in open_page
    assert "Klar åtgärd" not in open_page
    assert "Klar åtgärd" in done_page
    assert "Öppen åtgärd" not in done_page


def test_mina_atgarder_needs_login(client):
    response = client.get(reverse("actions:mine"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_mina_atgarder_query_count_is_bounded(client, org, reporter, django_assert_max_num_queries):
    ActionFactory.create_batch(300, unit=org["mott"], responsible=reporter)
    client.force_login(reporter)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("actions:mine"))
    assert response.content.decode().count("ÅTG-") >= 50


def test_manager_list_shows_subtree_only(client, org, section_manager, reporter, other_manager):
    ActionFactory(unit=org["mott"], responsible=reporter, title="Mottagningens åtgärd")
    ActionFactory(unit=org["miss"], responsible=other_manager, title="Vuxens åtgärd")
    client.force_login(section_manager)
    page = client.get(reverse("actions:list")).content.decode()
    assert "Mottagningens åtgärd" in page
    assert "Vuxens åtgärd" not in page


def test_manager_list_query_count_is_bounded(client, org, section_manager, reporter,
                                             django_assert_max_num_queries):
    ActionFactory.create_batch(300, unit=org["mott"], responsible=reporter)
    client.force_login(section_manager)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("actions:list") + "?overdue=1").status_code == 200


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 200), ("unit_manager", 200), ("section_manager", 200), ("quality", 200),
    ("management", 200), ("other_manager", 404), ("outsider", 404),
])
def test_detail_visibility(request, client, action, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == status


def test_detail_shows_only_transitions_the_user_may_take(client, action, reporter, quality):
    client.force_login(reporter)
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "Påbörja" in page
    assert "Markera som genomförd" in page
    client.force_login(quality)
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "Påbörja" not in page
    assert "Det finns inget du behöver göra" in page


def test_complete_through_the_page(client, action, reporter):
    client.force_login(reporter)
    url = reverse("actions:transition", args=[action.pk, "complete"])
    response = client.post(url, {"complete-done_on": TODAY().isoformat(), "complete-comment": "Klart"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"


def test_transition_errors_rerender_with_typed_text(client, action, reporter):
    client.force_login(reporter)
    future = (TODAY() + datetime.timedelta(days=5)).isoformat()
    response = client.post(reverse("actions:transition", args=[action.pk, "complete"]),
                           {"complete-done_on": future, "complete-comment": "Mitt utkast till kommentar"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Datumet kan inte ligga i framtiden" in page
    assert "Mitt utkast till kommentar" in page
    assert "error-summary" in page
    action.refresh_from_db()
    assert action.status == "planned"


def test_transition_refused_for_read_only_roles(client, action, management):
    client.force_login(management)
    response = client.post(reverse("actions:transition", args=[action.pk, "start"]), {})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "planned"


def test_transition_needs_post(client, action, reporter):
    client.force_login(reporter)
    assert client.get(reverse("actions:transition", args=[action.pk, "start"])).status_code == 405


def test_unit_plan_add_action_without_js(client, org, unit_manager, reporter):
    client.force_login(unit_manager)
    plan_url = reverse("actions:unit-plan", args=[org["mott"].pk])
    assert "Lägg till åtgärd" in client.get(plan_url).content.decode()
    response = client.post(reverse("actions:create", args=["unit", org["mott"].pk]), {
        "title": "Dubbelkontroll av skyddsbedömningar", "description": "", "responsible": reporter.pk,
        "due_date": (TODAY() + datetime.timedelta(days=10)).isoformat(), "strength": "medium",
        "effect_measure": "", "next": plan_url,
    })
    assert response.status_code == 302
    assert response["Location"] == plan_url
    assert Action.objects.get().title == "Dubbelkontroll av skyddsbedömningar"


def test_unit_plan_add_action_with_htmx_swaps_panel(client, org, unit_manager, reporter):
    client.force_login(unit_manager)
    response = client.post(reverse("actions:create", args=["unit", org["mott"].pk]), {
        "title": "Checklista", "responsible": reporter.pk,
        "due_date": (TODAY() + datetime.timedelta(days=10)).isoformat(), "strength": "weak",
    }, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="action-panel"' in page
    assert "<html" not in page
    assert "Checklista" in page
    assert "Alla åtgärder är svaga" in page


def test_add_action_errors_keep_what_was_typed(client, org, unit_manager):
    client.force_login(unit_manager)
    response = client.post(reverse("actions:create", args=["unit", org["mott"].pk]), {
        "title": "Min långa titel som inte får försvinna", "strength": "weak", "due_date": "",
    })
    page = response.content.decode()
    assert response.status_code == 400
    assert "Min långa titel som inte får försvinna" in page
    assert "Ansvarig" in page
    assert "error-summary" in page
    assert not Action.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 403), ("quality", 403), ("other_manager", 404), ("outsider", 404),
])
def test_add_action_refused(request, client, org, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("actions:create", args=["unit", org["mott"].pk])).status_code == status


def test_unit_plan_hidden_from_staff(client, org, reporter):
    client.force_login(reporter)
    assert client.get(reverse("actions:unit-plan", args=[org["mott"].pk])).status_code == 404


def test_follow_up_prompt_after_no_effect(client, action, reporter, unit_manager):
    from riskmgmt.actions import services

    services.action_complete(action=action, actor=reporter, done_on=TODAY())
    services.action_evaluate(action=action, actor=unit_manager, effect="none", comment="Ingen effekt")
    client.force_login(unit_manager)
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "Skapa uppföljande åtgärd" in page
    form_page = client.get(reverse("actions:create", args=["unit", action.unit_id]) + f"?predecessor={action.pk}")
    assert "Uppföljning: " in form_page.content.decode()
