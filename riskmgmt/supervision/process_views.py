"""The process page: everything about one verksamhetsprocess in one place (ARCHITECTURE.md §5):
its risks with their levels, its deviations counted by year and kind, the supervision decisions
and requirements that touch it, and the open actions on all of those.

Anyone with a role over the process's unit opens the page (404 otherwise); each section then shows
only what the user may see of its kind, through that kind's own scope. Every section is a count
and a bounded slice computed in SQL, and the actions are found with subqueries on the sources, so
the page takes the same number of queries for a process with five items or five thousand.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from riskmgmt.actions.models import Action
from riskmgmt.actions.selectors import action_list_for_user
from riskmgmt.deviations.models import Deviation
from riskmgmt.deviations.selectors import deviation_list_for_user
from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import process_get_for_user, user_has_role
from riskmgmt.risks.models import LEVEL_ORDER, Level, Risk
from riskmgmt.risks.selectors import risk_list_for_user, risks_with_level

from .models import Requirement, SupervisionDecision
from .selectors import decisions_for_user, requirements_for_user
from .views import days_left_text

RISKS_SHOWN = 15
DEVIATIONS_SHOWN = 5
DECISIONS_SHOWN = 10
REQUIREMENTS_SHOWN = 15
ACTIONS_SHOWN = 15
YEARS_SHOWN = 5
# Column heads short enough for a phone.
KIND_SHORT = {Deviation.Kind.LEX_SARAH: gettext_lazy("Lex Sarah"),
              Deviation.Kind.COMPLAINT: gettext_lazy("Synpunkter, klagomål"),
              Deviation.Kind.OTHER: gettext_lazy("Övriga")}


def _deviation_counts(deviations) -> dict:
    """Deviations per year and kind, newest year first, in one grouped query."""
    rows = (deviations.order_by().annotate(year=ExtractYear("reported_at")).values("year", "kind")
            .annotate(n=Count("pk")).order_by("-year", "kind"))
    kinds = list(Deviation.Kind)
    by_year: dict[int, dict[str, int]] = {}
    for row in rows:
        by_year.setdefault(row["year"], dict.fromkeys(kinds, 0))[row["kind"]] = row["n"]
    years = sorted(by_year, reverse=True)
    older = years[YEARS_SHOWN:]
    table = [{"year": year, "counts": [by_year[year][k] for k in kinds], "total": sum(by_year[year].values())}
             for year in years[:YEARS_SHOWN]]
    if older:
        counts = [sum(by_year[y][k] for y in older) for k in kinds]
        table.append({"year": _("%(first)s–%(last)s") % {"first": older[-1], "last": older[0]},
                      "counts": counts, "total": sum(counts)})
    return {"kinds": [KIND_SHORT.get(k, k.label) for k in kinds], "rows": table,
            "total": sum(row["total"] for row in table)}


def _risk_levels(risks) -> list[dict]:
    """Open risks per level, highest level first, in one grouped query."""
    counts = dict(risks.filter(status=Risk.Status.OPEN).order_by().values("risk_level")
                  .annotate(n=Count("pk")).values_list("risk_level", "n"))
    return [{"level": level.value, "label": level.label, "n": counts.get(level.value, 0)}
            for level in reversed(LEVEL_ORDER)]


@login_required
def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    process = process_get_for_user(user, pk)
    unit = process.unit
    today = timezone.localdate()

    risks = risks_with_level(risk_list_for_user(user).filter(process=process))
    risk_count = risks.count()
    risk_list = list(risks.select_related("analysis__unit").order_by("-analysis__year", "-score", "pk")[:RISKS_SHOWN])
    for risk in risk_list:
        risk.level_label = Level(risk.risk_level).label

    deviations = deviation_list_for_user(user).filter(process=process)
    deviation_counts = _deviation_counts(deviations)
    latest_deviations = list(deviations.order_by("-reported_at", "-pk")[:DEVIATIONS_SHOWN])

    decisions = decisions_for_user(user).filter(processes=process)
    decision_count = decisions.count()
    decision_list = list(decisions.order_by("-received_on", "-pk")[:DECISIONS_SHOWN])

    requirements = requirements_for_user(user).filter(process=process)
    requirement_count = requirements.count()
    open_first = Case(When(status=Requirement.Status.OPEN, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    requirement_list = list(requirements.annotate(open_first=open_first)
                            .order_by("open_first", "due_date", "pk")[:REQUIREMENTS_SHOWN])
    requirement_rows = [{
        "requirement": r,
        "overdue": r.status == Requirement.Status.OPEN and r.due_date < today,
        "days_left": days_left_text(r.due_date, today) if r.status == Requirement.Status.OPEN else "",
    } for r in requirement_list]

    # An action's source is generic: one condition per source kind, each a subquery on that kind's
    # visible rows of this process, so nothing is collected in Python.
    types = ContentType.objects.get_for_models(Deviation, Risk, Requirement)
    on_sources = (Q(source_content_type=types[Deviation], source_id__in=deviations.values("pk"))
                  | Q(source_content_type=types[Risk], source_id__in=risks.values("pk"))
                  | Q(source_content_type=types[Requirement], source_id__in=requirements.values("pk")))
    actions = action_list_for_user(user).filter(on_sources, status__in=Action.OPEN_STATUSES)
    action_count = actions.count()
    source_labels = {types[Deviation].pk: _("Avvikelse"), types[Risk].pk: _("Risk"),
                     types[Requirement].pk: _("Tillsynskrav")}
    action_rows = [{"action": a, "source_label": source_labels.get(a.source_content_type_id, "")}
                   for a in actions.order_by("due_date", "pk")[:ACTIONS_SHOWN]]

    handles = user_has_role(user, [*Membership.MANAGER_ROLES, *Membership.OVERSIGHT_ROLES])
    return render(request, "processes/process_detail.html", {
        "process": process,
        "unit": unit,
        "parent": process.parent,
        "children": list(process.children.filter(is_active=True).order_by("name")),
        "risk_count": risk_count,
        "risks": risk_list,
        "risk_levels": _risk_levels(risks),
        "deviation_counts": deviation_counts,
        "latest_deviations": latest_deviations,
        "decision_count": decision_count,
        "decisions": decision_list,
        "requirement_count": requirement_count,
        "requirement_rows": requirement_rows,
        "action_count": action_count,
        "action_rows": action_rows,
        "handles": handles,
        "shown": {"risks": RISKS_SHOWN, "decisions": DECISIONS_SHOWN, "requirements": REQUIREMENTS_SHOWN,
                  "actions": ACTIONS_SHOWN},
        "decision_status": dict(SupervisionDecision.Status.choices),
    })
