"""The workspace editors: the timeline, the why-chains, the report texts and actions against a root
cause, with htmx (a section swapped in place) and without (a POST that redirects back)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.actions.models import Action
from riskmgmt.analyses import services
from riskmgmt.analyses.models import Cause, EventAnalysis, TimelineEntry
from riskmgmt.core.errors import ConcurrentChangeError

from .test_views import detail_url, persona, ready_for_submit, submitted

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate
# A checksum-valid personnummer (the Skatteverket test number).
PERSONNUMMER = "19121212-1212"


def at(hours_ago: int) -> str:
    return (timezone.localtime() - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def entry_data(prefix="entry-new", **fields):
    data = {"at": at(70), "description": "Anmälan kommer in fredag 15.40", "source": "Ärendesystemets logg"}
    data.update(fields)
    return {f"{prefix}-{k}": v for k, v in data.items()}


@pytest.fixture
def lead(analysis, unit_manager):
    return unit_manager


@pytest.fixture
def member(team):
    return team[0][0]


def timeline_url(analysis, name="timeline-create", *args):
    return reverse(f"analyses:{name}", args=[analysis.pk, *args])


# ---------------------------------------------------------------- timeline

def test_add_to_the_timeline_without_htmx_redirects_back(client, analysis, member):
    client.force_login(member)

    response = client.post(timeline_url(analysis), entry_data(approximate="on"))

    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(analysis)}#tidslinje"
    entry = TimelineEntry.objects.get()
    assert entry.analysis == analysis
    assert entry.approximate is True
    assert entry.source == "Ärendesystemets logg"
    history = entry.history.first()
    assert (history.history_user, history.history_change_reason) == (member, "timeline")
    page = client.get(response["Location"]).content.decode()
    assert "Händelsen är tillagd i tidslinjen." in page
    assert "Anmälan kommer in fredag 15.40" in page


def test_add_to_the_timeline_with_htmx_swaps_the_section(client, analysis, member):
    client.force_login(member)

    response = client.post(timeline_url(analysis), entry_data(), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="card ws-section" id="tidslinje"')
    assert "Anmälan kommer in fredag 15.40" in html
    assert 'id="workspace-status"' in html
    assert "Händelsen är tillagd i tidslinjen." in html
    assert 'id="readiness" class="ws-readiness" hx-swap-oob="true"' in html
    # The add form is empty again, ready for the next entry.
    assert response.context["timeline_form"].is_bound is False
    assert TimelineEntry.objects.count() == 1


def test_timeline_is_ordered_by_time_not_by_entry(client, analysis, member):
    client.force_login(member)
    for hours, text in [(2, "Tredje"), (70, "Första"), (30, "Andra")]:
        client.post(timeline_url(analysis), entry_data(at=at(hours), description=text))

    html = client.get(detail_url(analysis)).content.decode()

    assert html.index("Första") < html.index("Andra") < html.index("Tredje")


@pytest.mark.parametrize("htmx", [False, True])
def test_timeline_errors_keep_what_was_typed(client, analysis, member, htmx):
    client.force_login(member)
    data = entry_data(at=at(-48), description="", source="Intervju med handläggare")

    response = client.post(timeline_url(analysis), data, **(HTMX if htmx else {}))

    assert response.status_code == 400
    form = response.context["timeline_form"]
    assert form.errors["at"] == ["Tidpunkten kan inte ligga i framtiden."]
    assert "description" in form.errors
    html = response.content.decode()
    assert 'value="Intervju med handläggare"' in html
    assert html.startswith("<section") is htmx
    assert not TimelineEntry.objects.exists()


def test_timeline_refuses_a_personnummer(client, analysis, member):
    client.force_login(member)
    response = client.post(timeline_url(analysis), entry_data(description=f"Barnet {PERSONNUMMER} var hemma"))
    assert response.status_code == 400
    assert "personnummer" in " ".join(response.context["timeline_form"].errors["description"]).lower()


@pytest.mark.parametrize("htmx", [False, True])
def test_edit_a_timeline_entry(client, analysis, member, htmx):
    entry = services.timeline_entry_save(analysis=analysis, actor=member, at=timezone.now(), description="Fel text")
    client.force_login(member)
    prefix = f"entry-{entry.pk}"

    response = client.post(timeline_url(analysis, "timeline-edit", entry.pk),
                           entry_data(prefix, description="Rätt text", source=""), **(HTMX if htmx else {}))

    assert response.status_code == (200 if htmx else 302)
    entry.refresh_from_db()
    assert entry.description == "Rätt text"
    if htmx:
        assert "Händelsen i tidslinjen är ändrad." in response.content.decode()


def test_edit_errors_reopen_that_entrys_form(client, analysis, member):
    entry = services.timeline_entry_save(analysis=analysis, actor=member, at=timezone.now(), description="Text")
    client.force_login(member)

    response = client.post(timeline_url(analysis, "timeline-edit", entry.pk),
                           entry_data(f"entry-{entry.pk}", description=""))

    assert response.status_code == 400
    row = response.context["timeline_rows"][0]
    assert row["open"] is True
    assert row["form"].errors["description"]


@pytest.mark.parametrize("htmx", [False, True])
def test_delete_a_timeline_entry(client, analysis, member, htmx):
    entry = services.timeline_entry_save(analysis=analysis, actor=member, at=timezone.now(), description="Bort")
    client.force_login(member)

    response = client.post(timeline_url(analysis, "timeline-delete", entry.pk), **(HTMX if htmx else {}))

    assert response.status_code == (200 if htmx else 302)
    assert not TimelineEntry.objects.exists()
    assert TimelineEntry.history.filter(history_type="-").get().history_user == member


def test_timeline_entry_of_another_analysis_is_404(client, org, analysis, member, section_manager, unit_manager):
    other = services.analysis_create(actor=section_manager, title="Annan", unit=org["mott"], scope="S",
                                     commissioner=section_manager, lead=unit_manager)
    entry = services.timeline_entry_save(analysis=other, actor=unit_manager, at=timezone.now(), description="X")
    client.force_login(member)
    assert client.post(timeline_url(analysis, "timeline-edit", entry.pk), entry_data(f"entry-{entry.pk}")
                       ).status_code == 404
    assert client.post(timeline_url(analysis, "timeline-delete", entry.pk)).status_code == 404


@pytest.mark.parametrize("name", ["section_manager", "quality", "management"])
def test_readers_may_not_edit_the_timeline(client, request, analysis, team, name):
    entry = services.timeline_entry_save(analysis=analysis, actor=analysis.lead, at=timezone.now(), description="X")
    client.force_login(persona(request, name, team))
    assert client.post(timeline_url(analysis), entry_data()).status_code == 403
    assert client.post(timeline_url(analysis, "timeline-delete", entry.pk)).status_code == 403
    assert TimelineEntry.objects.count() == 1


def test_timeline_is_closed_once_the_report_is_submitted(client, analysis, lead, section_manager):
    submitted(analysis, lead)
    client.force_login(lead)

    response = client.post(timeline_url(analysis), entry_data())

    assert response.status_code == 409
    assert "Analysen är inlämnad och kan inte längre ändras." in response.content.decode()
    assert TimelineEntry.objects.count() == 1


def test_get_on_a_form_url_goes_back_to_the_section(client, analysis, member):
    client.force_login(member)
    assert client.get(timeline_url(analysis))["Location"] == f"{detail_url(analysis)}#tidslinje"
    response = client.get(reverse("analyses:cause-create", args=[analysis.pk]), **HTMX)
    assert response.content.decode().startswith('<section class="card ws-section" id="orsaker"')
    assert client.get(reverse("analyses:save-report", args=[analysis.pk]))["Location"].endswith("#rapporttexter")


# ---------------------------------------------------------------- why-chains

def cause_data(prefix, text="Anmälan lästes inte förrän måndag", *, root=False, areas=(), under=None, **extra):
    """A cause form's POST; `under` is the cause a new "varför?" answers, the rest is prefixed."""
    data = {f"{prefix}-text": text, f"{prefix}-cause_areas": list(areas)}
    if root:
        data[f"{prefix}-is_root"] = "on"
    if under is not None:
        data["parent"] = under.pk
    data.update({f"{prefix}-{k}": v for k, v in extra.items()})
    return data


def cause_create_url(analysis):
    return reverse("analyses:cause-create", args=[analysis.pk])


def cause_url(analysis, cause, name="cause-edit"):
    return reverse(f"analyses:{name}", args=[analysis.pk, cause.pk])


def test_build_a_two_level_why_chain_without_htmx(client, analysis, member):
    client.force_login(member)

    first = client.post(cause_create_url(analysis), cause_data("cause-new"))
    why = Cause.objects.get()
    second = client.post(cause_create_url(analysis),
                         cause_data(f"why-{why.pk}", "Ingen bevakar inkorgen efter 16 på fredagar", root=True,
                                    areas=["procedures", "organisation"], under=why))

    assert first.status_code == second.status_code == 302
    root = Cause.objects.get(parent=why)
    assert second["Location"] == f"{detail_url(analysis)}#orsak-{why.pk}"
    assert root.is_root
    assert sorted(root.cause_areas.values_list("code", flat=True)) == ["organisation", "procedures"]
    html = client.get(detail_url(analysis)).content.decode()
    assert "Grundorsak" in html
    assert "Procedurer, rutiner och riktlinjer" in html
    assert "Ingen åtgärd kopplad ännu." in html
    assert html.index("Anmälan lästes inte förrän måndag") < html.index("Ingen bevakar inkorgen")


def test_add_a_why_with_htmx_swaps_the_tree(client, analysis, member):
    why = services.cause_save(analysis=analysis, actor=member, text="Anmälan lästes inte")
    client.force_login(member)

    response = client.post(cause_create_url(analysis), cause_data(f"why-{why.pk}", "Ingen bevakning", under=why),
                           **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="card ws-section" id="orsaker"')
    assert "Ingen bevakning" in html
    assert "Orsaken är tillagd." in html
    tree = response.context["tree"]
    assert tree[0]["children"][0]["cause"].text == "Ingen bevakning"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_root_cause_needs_a_cause_area(client, analysis, member, htmx):
    why = services.cause_save(analysis=analysis, actor=member, text="Anmälan lästes inte")
    client.force_login(member)

    response = client.post(cause_create_url(analysis), cause_data(f"why-{why.pk}", "Ingen rutin", root=True,
                                                                  under=why), **(HTMX if htmx else {}))

    assert response.status_code == 400
    node = response.context["tree"][0]
    assert node["open"] == "why"
    assert node["why_form"].errors["cause_areas"] == ["Välj minst ett orsaksområde för en grundorsak."]
    assert "Ingen rutin" in response.content.decode()
    assert Cause.objects.count() == 1


def test_edit_a_cause_and_mark_it_as_root(client, analysis, member):
    cause = services.cause_save(analysis=analysis, actor=member, text="Stressigt")
    client.force_login(member)

    response = client.post(cause_url(analysis, cause), cause_data(f"cause-{cause.pk}", "Tre av fem tjänster vakanta",
                                                                  root=True, areas=["organisation"], parent=""))

    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.text == "Tre av fem tjänster vakanta"
    assert cause.is_root
    assert list(cause.cause_areas.values_list("code", flat=True)) == ["organisation"]


@pytest.mark.parametrize("htmx", [False, True])
def test_moving_a_cause_under_its_own_child_is_refused(client, analysis, member, htmx):
    top = services.cause_save(analysis=analysis, actor=member, text="Överst")
    child = services.cause_save(analysis=analysis, actor=member, text="Under", parent=top)
    client.force_login(member)

    response = client.post(cause_url(analysis, top), cause_data(f"cause-{top.pk}", "Överst", parent=child.pk),
                           **(HTMX if htmx else {}))

    assert response.status_code == 400
    node = response.context["tree"][0]
    assert node["open"] == "cause"
    assert node["edit_form"].errors["parent"] == ["En orsak kan inte ligga under sig själv."]
    assert "En orsak kan inte ligga under sig själv." in response.content.decode()
    top.refresh_from_db()
    assert top.parent is None


def test_move_a_cause_to_another_chain(client, analysis, member):
    a = services.cause_save(analysis=analysis, actor=member, text="Kedja A")
    b = services.cause_save(analysis=analysis, actor=member, text="Kedja B")
    moved = services.cause_save(analysis=analysis, actor=member, text="Flyttas", parent=a)
    client.force_login(member)

    client.post(cause_url(analysis, moved), cause_data(f"cause-{moved.pk}", "Flyttas", parent=b.pk))

    moved.refresh_from_db()
    assert moved.parent == b


@pytest.mark.parametrize("htmx", [False, True])
def test_a_cause_with_a_why_under_it_cannot_be_removed(client, analysis, member, htmx):
    top = services.cause_save(analysis=analysis, actor=member, text="Överst")
    services.cause_save(analysis=analysis, actor=member, text="Under", parent=top)
    client.force_login(member)
    page = client.get(detail_url(analysis)).content.decode()
    assert "Kan inte tas bort: har orsaker under sig." in page
    assert cause_url(analysis, top, "cause-delete") not in page

    response = client.post(cause_url(analysis, top, "cause-delete"), **(HTMX if htmx else {}))

    assert response.status_code == 409
    assert "Orsaken har underliggande orsaker. Ta bort eller flytta dem först." in response.content.decode()
    assert Cause.objects.count() == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_remove_a_leaf_cause(client, analysis, member, htmx):
    top = services.cause_save(analysis=analysis, actor=member, text="Överst")
    leaf = services.cause_save(analysis=analysis, actor=member, text="Under", parent=top)
    client.force_login(member)

    response = client.post(cause_url(analysis, leaf, "cause-delete"), **(HTMX if htmx else {}))

    assert response.status_code == (200 if htmx else 302)
    assert list(Cause.objects.all()) == [top]
    assert Cause.history.filter(history_type="-").get().history_user == member


def test_a_cause_an_action_addresses_cannot_be_removed(client, analysis, member, lead):
    root = services.cause_save(analysis=analysis, actor=member, text="Rutin saknas", is_root=True,
                               cause_areas=services.cause_areas_by_code(["procedures"]))
    action_services.action_create(source_obj=analysis, actor=lead, title="Ny rutin", responsible=lead,
                                  due_date=TODAY() + datetime.timedelta(days=20), strength="weak", addresses=root)
    client.force_login(member)
    assert "Kan inte tas bort: en åtgärd är kopplad." in client.get(detail_url(analysis)).content.decode()

    response = client.post(cause_url(analysis, root, "cause-delete"))

    assert response.status_code == 409
    assert "En åtgärd är kopplad till orsaken." in response.content.decode()


@pytest.mark.parametrize("name", ["section_manager", "quality"])
def test_readers_may_not_edit_causes(client, request, analysis, team, name):
    cause = services.cause_save(analysis=analysis, actor=analysis.lead, text="X")
    client.force_login(persona(request, name, team))
    assert client.post(cause_create_url(analysis), cause_data("cause-new")).status_code == 403
    assert client.post(cause_url(analysis, cause), cause_data(f"cause-{cause.pk}", "Y")).status_code == 403
    assert client.post(cause_url(analysis, cause, "cause-delete")).status_code == 403


def test_a_parent_from_another_analysis_is_404(client, org, analysis, member, section_manager, unit_manager):
    other = services.analysis_create(actor=section_manager, title="Annan", unit=org["mott"], scope="S",
                                     commissioner=section_manager, lead=unit_manager)
    foreign = services.cause_save(analysis=other, actor=unit_manager, text="Främmande")
    client.force_login(member)
    assert client.post(cause_create_url(analysis), cause_data(f"why-{foreign.pk}", under=foreign)).status_code == 404
    assert client.post(cause_url(analysis, foreign), cause_data(f"cause-{foreign.pk}")).status_code == 404


# ---------------------------------------------------------------- an action against a root cause

def action_data(cause, **extra):
    prefix = f"action-{cause.pk}"
    data = {"form": "action", f"{prefix}-title": "Bevakning av inkorgen till 17 på fredagar",
            f"{prefix}-description": "", f"{prefix}-responsible": "", f"{prefix}-strength": "strong",
            f"{prefix}-due_date": (TODAY() + datetime.timedelta(days=30)).isoformat(), f"{prefix}-effect_measure": ""}
    data.update({f"{prefix}-{k}": v for k, v in extra.items()})
    return data


@pytest.fixture
def root(analysis, member):
    why = services.cause_save(analysis=analysis, actor=member, text="Anmälan lästes inte förrän måndag")
    return services.cause_save(analysis=analysis, actor=member, text="Ingen bevakning av inkorgen", parent=why,
                               is_root=True, cause_areas=services.cause_areas_by_code(["procedures"]))


def test_propose_an_action_that_addresses_the_root_cause(client, analysis, member, root, lead):
    client.force_login(member)
    assert f"action-{root.pk}-title" in client.get(detail_url(analysis)).content.decode()

    response = client.post(cause_url(analysis, root), action_data(root, responsible=lead.pk))

    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(analysis)}#orsak-{root.pk}"
    action = Action.objects.get()
    assert action.source == analysis
    assert action.addresses == root
    assert action.created_by == member
    html = client.get(detail_url(analysis)).content.decode()
    assert "Åtgärden är föreslagen och kopplad till grundorsaken." in html
    assert f'<a href="{action.get_absolute_url()}">{action.reference}</a> Bevakning av inkorgen' in html


def test_action_errors_rerender_under_the_cause(client, analysis, member, root):
    client.force_login(member)

    response = client.post(cause_url(analysis, root), action_data(root, title=""))

    assert response.status_code == 400
    node = response.context["tree"][0]["children"][0]
    assert node["open"] == "action"
    assert set(node["action_form"].errors) == {"title", "responsible"}
    assert not Action.objects.exists()


def test_action_responsible_outside_the_unit_is_refused(client, analysis, member, root, other_manager):
    client.force_login(member)
    response = client.post(cause_url(analysis, root), action_data(root, responsible=other_manager.pk))
    assert response.status_code == 400
    assert not Action.objects.exists()


def test_readers_may_not_propose_actions(client, analysis, root, quality):
    client.force_login(quality)
    assert client.post(cause_url(analysis, root), action_data(root, responsible=quality.pk)).status_code == 403
    assert not Action.objects.exists()


def test_all_weak_actions_are_flagged_in_the_workspace(client, analysis, member, root, lead):
    action_services.action_create(source_obj=analysis, actor=lead, title="Informera personalen", responsible=lead,
                                  due_date=TODAY() + datetime.timedelta(days=20), strength="weak", addresses=root)
    client.force_login(member)
    assert "Alla åtgärder är svaga" in client.get(detail_url(analysis)).content.decode()


# ---------------------------------------------------------------- report texts

def report_data(**fields):
    data = {"event_description": "En anmälan lästes först efter helgen.", "method": "", "summary": "",
            "lessons": "", "recurrence_probability": "", "recurrence_consequence": ""}
    data.update(fields)
    return {f"report-{k}": v for k, v in data.items()}


@pytest.mark.parametrize("htmx", [False, True])
def test_save_the_report_texts_as_a_draft(client, analysis, member, htmx):
    client.force_login(member)

    response = client.post(reverse("analyses:save-report", args=[analysis.pk]),
                           report_data(summary="Rutin saknades", recurrence_probability="2"),
                           **(HTMX if htmx else {}))

    assert response.status_code == (200 if htmx else 302)
    analysis.refresh_from_db()
    assert analysis.summary == "Rutin saknades"
    assert analysis.recurrence_probability == 2
    assert analysis.recurrence_consequence is None
    assert analysis.status == "commissioned"
    assert analysis.history.order_by("-history_id").first().history_change_reason == "save_report"
    if htmx:
        html = response.content.decode()
        assert html.startswith('<section class="card ws-section" id="rapporttexter"')
        assert "Utkastet sparades kl." in html
        assert "Rutin saknades" in html


@pytest.mark.parametrize("htmx", [False, True])
def test_report_text_errors_keep_what_was_typed(client, analysis, member, htmx):
    client.force_login(member)

    response = client.post(reverse("analyses:save-report", args=[analysis.pk]),
                           report_data(lessons=f"Ring {PERSONNUMMER}", recurrence_consequence="5"),
                           **(HTMX if htmx else {}))

    assert response.status_code == 400
    form = response.context["report_form"]
    assert set(form.errors) == {"lessons", "recurrence_consequence"}
    assert "En anmälan lästes först efter helgen." in response.content.decode()
    analysis.refresh_from_db()
    assert analysis.event_description == ""


def test_readers_see_the_report_texts_read_only(client, analysis, member, section_manager):
    services.analysis_save_report(analysis=analysis, actor=member, summary="Rutin saknades", recurrence_probability=3)
    client.force_login(section_manager)

    response = client.get(detail_url(analysis))

    assert response.context["report_form"] is None
    html = response.content.decode()
    assert "Rutin saknades" in html
    assert "Sannolikhet 3, konsekvens –" in html
    assert client.post(reverse("analyses:save-report", args=[analysis.pk]), report_data()).status_code == 403


def test_readiness_list_follows_the_work(client, analysis, member, lead):
    services.analysis_start(analysis=analysis, actor=lead)
    client.force_login(member)
    done = {item["label"]: item["done"] for item in client.get(detail_url(analysis)).context["readiness"]}
    assert not any(done.values())

    response = client.post(timeline_url(analysis), entry_data(), **HTMX)

    done = {item["label"]: item["done"] for item in response.context["readiness"]}
    assert done["Tidslinjen har minst en händelse"] is True
    assert done["Sammanfattningen är skriven"] is False


def test_workspace_queries_do_not_grow_with_the_timeline_or_the_tree(client, analysis, member, root):
    services.timeline_entry_save(analysis=analysis, actor=member, at=timezone.now(), description="Första")
    client.force_login(member)
    client.get(detail_url(analysis))  # warm the per-process caches (content types, deadline rules)
    with CaptureQueriesContext(connection) as small:
        client.get(detail_url(analysis))
    for n in range(8):
        services.timeline_entry_save(analysis=analysis, actor=member, at=timezone.now(), description=f"Händelse {n}")
        services.cause_save(analysis=analysis, actor=member, text=f"Orsak {n}", parent=root)
    with CaptureQueriesContext(connection) as large:
        response = client.get(detail_url(analysis))

    assert response.context["tree"][0]["children"][0]["children"][7]["cause"].text == "Orsak 7"
    assert len(large.captured_queries) == len(small.captured_queries) <= 45


def test_saving_drafts_after_the_report_was_handed_in_meanwhile_is_a_conflict(analysis, lead, member):
    ready_for_submit(analysis, lead)
    stale = EventAnalysis.objects.get(pk=analysis.pk)  # a team member's page, loaded before the submit
    services.analysis_submit_report(analysis=analysis, actor=lead, summary="Rutin saknades")

    with pytest.raises(ConcurrentChangeError):
        services.analysis_save_report(analysis=stale, actor=member, summary="Ändrad")

    analysis.refresh_from_db()
    assert analysis.summary == "Rutin saknades"
    assert analysis.status == "report_submitted"
