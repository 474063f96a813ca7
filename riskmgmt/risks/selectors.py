"""Reads of risks; the level is computed in the database from the current thresholds."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from riskmgmt.actions.models import Action
from riskmgmt.organisation.models import Membership, Process, Unit
from riskmgmt.organisation.selectors import units_in_scope

from .models import Level, Risk, RiskAnalysis, RiskMatrixSettings
from .rules import sees_analysis

Role = Membership.Role


def risks_with_level(qs: QuerySet[Risk] | None = None) -> QuerySet[Risk]:
    """Annotates `risk_level` in SQL (one settings read), so lists and the ?level= filter
    never ask per row. Mirrors RiskMatrixSettings.level_for."""
    qs = Risk.objects.all() if qs is None else qs
    settings = RiskMatrixSettings.current()
    by_score = Case(
        When(score__gte=settings.very_high_from, then=Value(Level.VERY_HIGH.value)),
        When(score__gte=settings.high_from, then=Value(Level.HIGH.value)),
        When(score__gte=settings.medium_from, then=Value(Level.MEDIUM.value)),
        default=Value(Level.LOW.value), output_field=CharField(),
    )
    floor = settings.consequence_4_min_level
    level = Case(
        When(Q(consequence=4) & Q(score__lt=_threshold(settings, floor)), then=Value(floor)),
        default=by_score, output_field=CharField(),
    ) if floor != Level.LOW else by_score
    return qs.annotate(risk_level=level)


def _threshold(settings: RiskMatrixSettings, level: str) -> int:
    return {Level.MEDIUM: settings.medium_from, Level.HIGH: settings.high_from,
            Level.VERY_HIGH: settings.very_high_from}[Level(level)]


# ---------------------------------------------------------------- overviews (matrix, list, year view, export)

# Who sees the ledningsgrupp's year view, each for the units under where they sit.
YEAR_VIEW_ROLES = (Role.MANAGEMENT, Role.QUALITY, Role.SECTION_MANAGER)
HIGH_LEVELS = (Level.HIGH.value, Level.VERY_HIGH.value)


def risk_list_for_user(user) -> QuerySet[Risk]:
    """Risks of the analyses the user may see (any role on the unit or above), one subquery."""
    return Risk.objects.filter(analysis__unit__in=units_in_scope(user))


def risk_filter(qs: QuerySet[Risk], *, unit: Unit | None = None, year: int | None = None,
                probability: int | None = None, consequence: int | None = None, level: str | None = None,
                status: str | None = None, process: Process | None = None) -> QuerySet[Risk]:
    """Narrows `qs`; `unit` takes its whole subtree. Always annotates `risk_level`."""
    if unit is not None:
        qs = qs.filter(analysis__unit__path__startswith=unit.path)
    if year is not None:
        qs = qs.filter(analysis__year=year)
    if probability is not None:
        qs = qs.filter(probability=probability)
    if consequence is not None:
        qs = qs.filter(consequence=consequence)
    if status:
        qs = qs.filter(status=status)
    if process is not None:
        qs = qs.filter(process=process)
    qs = risks_with_level(qs)
    if level:
        qs = qs.filter(risk_level=level)
    return qs


def live_risk_actions() -> QuerySet:
    """Actions owned by the outer risk that still count (anything but cancelled). The content type
    is matched by a join, not looked up first, so query counts stay fixed with a cold cache."""
    return Action.objects.filter(
        source_content_type__app_label=Risk._meta.app_label, source_content_type__model=Risk._meta.model_name,
        source_id=OuterRef("pk"),
    ).exclude(status=Action.Status.CANCELLED)


def risk_counts_by_unit(*, units: QuerySet[Unit], year: int) -> dict[int, dict]:
    """Open risks of `year` per unit: {unit_id: {level: n, ..., "escalated": n, "without_action": n}}.
    One grouped query; "without_action" counts high and very high risks with no live action."""
    rows = (
        risks_with_level(Risk.objects.filter(analysis__year=year, analysis__unit__in=units,
                                             status=Risk.Status.OPEN))
        .order_by()
        .values("analysis__unit_id", "risk_level")
        .annotate(n=Count("pk"), escalated_n=Count("pk", filter=Q(escalated=True)),
                  bare_n=Count("pk", filter=~Exists(live_risk_actions())))
    )
    counts: dict[int, dict] = {}
    for row in rows:
        unit_counts = counts.setdefault(row["analysis__unit_id"], empty_counts())
        unit_counts[row["risk_level"]] += row["n"]
        unit_counts["escalated"] += row["escalated_n"]
        if row["risk_level"] in HIGH_LEVELS:
            unit_counts["without_action"] += row["bare_n"]
    return counts


def empty_counts() -> dict[str, int]:
    return {**{level.value: 0 for level in Level}, "escalated": 0, "without_action": 0}


def risk_register_rows(qs: QuerySet[Risk]) -> list[tuple[Risk, list[Action]]]:
    """The register for export: risks with unit, analysis and process, and their actions, in a
    bounded number of queries (risks, then every action of those risks at once)."""
    risks = list(qs.select_related("analysis__unit", "process").order_by("analysis__unit__path", "-analysis__year",
                                                                          "-score", "pk"))
    risk_type = ContentType.objects.get_for_model(Risk)
    actions: dict[int, list[Action]] = {}
    if risks:
        for action in (Action.objects.filter(source_content_type=risk_type, source_id__in=qs.values("pk"))
                       .order_by("due_date", "pk").only("pk", "source_id", "title", "status")):
            actions.setdefault(action.source_id, []).append(action)
    return [(risk, actions.get(risk.pk, [])) for risk in risks]


def analysis_get_for_user(user, pk) -> RiskAnalysis:
    """The access gate for a risk analysis: 404 unless the user may see it (its unit or above)."""
    try:
        analysis = RiskAnalysis.objects.select_related("unit", "approved_by").get(pk=int(pk))
    except (RiskAnalysis.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not sees_analysis(user, analysis):
        raise Http404
    return analysis


def risk_get_for_user(user, pk) -> Risk:
    """The access gate for a single risk: 404 unless the user may see its analysis."""
    try:
        risk = Risk.objects.select_related("analysis__unit").get(pk=int(pk))
    except (Risk.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not sees_analysis(user, risk.analysis):
        raise Http404
    return risk
