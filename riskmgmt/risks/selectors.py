"""Reads of risks; the level is computed in the database from the current thresholds."""

from django.db.models import Case, CharField, Q, QuerySet, Value, When

from .models import Level, Risk, RiskMatrixSettings


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
