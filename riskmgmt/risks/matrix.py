"""The 4×4 risk matrix as data for templates/risks/_matrix.html (DOMAIN.md A6, §4.2).

    matrix = matrix_for(analysis.risks.all(), link_params={"unit": unit.pk, "year": 2026})
    {% include "risks/_matrix.html" with matrix=matrix %}

Rows run konsekvens 4 → 1 (the worst on top, as on paper), columns sannolikhet 1 → 4. Only open
risks are counted, in one grouped query; each cell's level comes from the current thresholds,
so the colours follow the admin's settings.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import CONSEQUENCE_LABELS, PROBABILITY_LABELS, Level, Risk, RiskMatrixSettings

SCALE = (1, 2, 3, 4)
PROBABILITY_SHORT = {1: _("Mycket liten"), 2: _("Liten"), 3: _("Stor"), 4: _("Mycket stor")}
CONSEQUENCE_SHORT = {1: _("Mindre"), 2: _("Måttlig"), 3: _("Betydande"), 4: _("Katastrofal")}
LEVEL_LABELS = dict(Level.choices)


def cell_counts(risks_qs: QuerySet[Risk]) -> dict[tuple[int, int], int]:
    """Open risks per (probability, consequence), one query."""
    rows = (risks_qs.filter(status=Risk.Status.OPEN).order_by()
            .values_list("probability", "consequence").annotate(n=Count("pk")))
    return {(probability, consequence): n for probability, consequence, n in rows}


def overview_url(name: str, params: dict, **kwargs) -> str:
    """The URL `name` with `params` as its query string; empty values are left out."""
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    base = reverse(name, kwargs=kwargs or None)
    return f"{base}?{query}" if query else base


def matrix_for(risks_qs: QuerySet[Risk], link_params: dict | None = None,
               settings: RiskMatrixSettings | None = None) -> dict:
    """The matrix of the open risks in `risks_qs`: rows (konsekvens 4→1) of cells
    (sannolikhet 1→4), each {probability, consequence, count, level, level_label, url}.
    `link_params` (unit, year, …) are kept in each cell's link to the risk list."""
    counts = cell_counts(risks_qs)
    settings = settings or RiskMatrixSettings.current()
    base = {**(link_params or {}), "status": Risk.Status.OPEN.value}
    rows = []
    for consequence in reversed(SCALE):
        cells = []
        for probability in SCALE:
            level = settings.level_for(probability, consequence)
            cells.append({
                "probability": probability, "consequence": consequence,
                "count": counts.get((probability, consequence), 0),
                "level": level, "level_label": LEVEL_LABELS[level],
                "url": overview_url("risks:risk-list", {**base, "probability": probability, "consequence": consequence}),
            })
        rows.append({"consequence": consequence, "label": CONSEQUENCE_SHORT[consequence],
                     "description": CONSEQUENCE_LABELS[consequence], "cells": cells})
    columns = [{"probability": p, "label": PROBABILITY_SHORT[p], "description": PROBABILITY_LABELS[p]}
               for p in SCALE]
    return {"rows": rows, "columns": columns, "total": sum(counts.values())}
