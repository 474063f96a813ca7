"""The risk overviews: the aggregated matrix, the risks behind a cell, this year against last
year, the ledningsgrupp's year view and the register export (issue 6, items 3, 6 and 7).

Every page is parse → scope → selector → render. The scope is the user's units in SQL (one
subquery), never a list of ids. A unit or analysis outside the scope answers 404; other bad
query parameters answer 400 with the page drawn on the defaults and the error said in words.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from riskmgmt.organisation.models import Process, Unit
from riskmgmt.organisation.selectors import unit_get_for_user, units_in_scope, user_roles

from . import export as register_export
from .matrix import CONSEQUENCE_SHORT, LEVEL_LABELS, PROBABILITY_SHORT, matrix_for, overview_url
from .models import APPROVE, LEVEL_ORDER, Level, Risk, RiskAnalysis
from .selectors import (
    HIGH_LEVELS,
    YEAR_VIEW_ROLES,
    analysis_get_for_user,
    empty_counts,
    live_risk_actions,
    risk_counts_by_unit,
    risk_filter,
    risk_list_for_user,
    risks_with_level,
)

PAGE_SIZE = 50
FIRST_YEAR, LAST_YEAR = 2000, 2100
STATUS_CHOICES = [("open", gettext_lazy("Öppna")), ("closed", gettext_lazy("Stängda")),
                  ("all", gettext_lazy("Alla"))]
ANALYSIS_MISSING = "missing"
ANALYSIS_STATUS_LABELS = {ANALYSIS_MISSING: gettext_lazy("Saknas"), **dict(RiskAnalysis.Status.choices)}


def _this_year() -> int:
    return timezone.localdate().year


# ---------------------------------------------------------------- filters

class OverviewFilterForm(forms.Form):
    """GET filters shared by the matrix, the risk list and the export. Each view keeps the
    fields it uses. A unit outside the user's scope is a 404 (the view checks that first)."""

    unit = forms.ModelChoiceField(label=gettext_lazy("Enhet eller sektion"), queryset=Unit.objects.none(),
                                  required=False, empty_label=gettext_lazy("Alla mina enheter"))
    year = forms.TypedChoiceField(label=gettext_lazy("År"), coerce=int, required=False, empty_value=None)
    probability = forms.TypedChoiceField(
        label=gettext_lazy("Sannolikhet"), coerce=int, required=False, empty_value=None,
        choices=[("", gettext_lazy("Alla")), *[(n, f"{n} – {label}") for n, label in PROBABILITY_SHORT.items()]])
    consequence = forms.TypedChoiceField(
        label=gettext_lazy("Konsekvens"), coerce=int, required=False, empty_value=None,
        choices=[("", gettext_lazy("Alla")), *[(n, f"{n} – {label}") for n, label in CONSEQUENCE_SHORT.items()]])
    level = forms.ChoiceField(label=gettext_lazy("Nivå"), required=False,
                              choices=[("", gettext_lazy("Alla nivåer")), *Level.choices])
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_CHOICES)
    process = forms.ModelChoiceField(label=gettext_lazy("Process"), queryset=Process.objects.none(),
                                     required=False, empty_label=gettext_lazy("Alla processer"))
    without_action = forms.BooleanField(label=gettext_lazy("Bara höga risker utan åtgärd"), required=False)

    def __init__(self, data, *, units: QuerySet[Unit], years: list[int], keep: tuple[str, ...]):
        super().__init__(data)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "unit" in self.fields:
            self.fields["unit"].queryset = units.order_by("path")
            self.fields["unit"].label_from_instance = lambda u: "\u2003" * max(u.depth, 0) + u.name
        if "year" in self.fields:
            self.fields["year"].choices = [(y, str(y)) for y in years]
        if "process" in self.fields:
            self.fields["process"].queryset = (Process.objects.filter(unit__in=units, is_active=True)
                                               .select_related("unit").order_by("unit__path", "name"))
            self.fields["process"].label_from_instance = lambda p: f"{p.name} ({p.unit.name})"

    def filters(self) -> dict:
        """The valid filters; an invalid one counts as not given (the page says so)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or "open"
        return {
            "unit": data.get("unit"),
            "year": data.get("year") or _this_year(),
            "probability": data.get("probability"),
            "consequence": data.get("consequence"),
            "level": data.get("level") or None,
            "status": None if status == "all" else status,
            "process": data.get("process"),
            "without_action": bool(data.get("without_action")),
        }


def _years_in_scope(units: QuerySet[Unit]) -> list[int]:
    years = set(RiskAnalysis.objects.filter(unit__in=units).order_by().values_list("year", flat=True).distinct())
    years.add(_this_year())
    return sorted(years, reverse=True)


def _widest_unit(user) -> Unit | None:
    """The one unit all the user's roles sit under, or None when they hold roles in separate
    branches (then the whole scope is shown, as "Alla mina enheter")."""
    paths = {held.unit_path for held in user_roles(user)}
    roots = {p for p in paths if not any(p != other and p.startswith(other) for other in paths)}
    if len(roots) != 1:
        return None
    return Unit.objects.filter(path=roots.pop(), is_active=True).first()


def _parse(request: HttpRequest, keep: tuple[str, ...]) -> tuple[OverviewFilterForm, dict]:
    """The filter form and its values for the user's scope: 404 for a unit outside it (or no
    scope at all); the widest unit, this year and open risks when nothing else is asked for."""
    user = request.user
    units = units_in_scope(user)
    raw_unit = request.GET.get("unit")
    if raw_unit:
        unit_get_for_user(user, raw_unit)  # 404 outside the scope, before anything else
    elif not user_roles(user):  # no role anywhere: nothing to show (the roles are cached)
        raise Http404
    data = request.GET.copy()
    if "unit" in keep and not raw_unit:
        widest = _widest_unit(user)
        data["unit"] = str(widest.pk) if widest else ""
    if not data.get("year"):
        data["year"] = str(_this_year())
    if "status" in keep and not data.get("status"):
        data["status"] = "open"
    form = OverviewFilterForm(data, units=units, years=_years_in_scope(units), keep=keep)
    return form, form.filters()


def _status_for(form: OverviewFilterForm) -> int:
    return 400 if form.errors else 200


def _link_params(filters: dict) -> dict:
    return {"unit": filters["unit"].pk if filters.get("unit") else None, "year": filters["year"]}


# ---------------------------------------------------------------- the matrix and the risks behind it

@login_required
def matrix_view(request: HttpRequest) -> HttpResponse:
    """The open risks of a unit, section or the whole administration for a year, as a matrix."""
    form, filters = _parse(request, keep=("unit", "year"))
    qs = risk_filter(risk_list_for_user(request.user), unit=filters["unit"], year=filters["year"])
    params = _link_params(filters)
    matrix = matrix_for(qs, link_params=params)
    by_level = dict.fromkeys(LEVEL_ORDER, 0)
    for row in matrix["rows"]:
        for cell in row["cells"]:
            by_level[cell["level"]] += cell["count"]
    levels = [{"level": str(level), "label": LEVEL_LABELS[level], "count": by_level[level],
               "url": overview_url("risks:risk-list", {**params, "level": level.value, "status": "open"})}
              for level in reversed(LEVEL_ORDER)]
    return render(request, "risks/matrix.html", {
        "form": form, "filters": filters, "matrix": matrix, "levels": levels,
        "scope_name": filters["unit"].name if filters["unit"] else _("Alla dina enheter"),
        "list_url": overview_url("risks:risk-list", {**params, "status": "open"}),
        "export_links": _export_links(params),
    }, status=_status_for(form))


def _export_links(params: dict) -> list[dict]:
    return [{"label": _("Ladda ner som Excel (XLSX)"), "url": overview_url("risks:export", params, fmt="xlsx")},
            {"label": _("Ladda ner som CSV"), "url": overview_url("risks:export", params, fmt="csv")}]


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    """The risks behind a matrix cell or a filter, most serious first, 50 a page."""
    keep = ("unit", "year", "probability", "consequence", "level", "status", "process", "without_action")
    form, filters = _parse(request, keep=keep)
    without_action = filters.pop("without_action")
    qs = (risk_filter(risk_list_for_user(request.user), **filters)
          .annotate(has_action=Exists(live_risk_actions()))
          .select_related("analysis__unit", "process")
          .order_by("-score", "analysis__unit__path", "pk"))
    if without_action:
        qs = qs.filter(risk_level__in=HIGH_LEVELS, has_action=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for risk in page.object_list:
        risk.level_label = LEVEL_LABELS[risk.risk_level]
    chosen = {k: v for k, v in filters.items() if v is not None and k not in ("unit", "year")}
    if without_action:
        chosen["without_action"] = True
    return render(request, "risks/risk_list.html", {
        "form": form, "filters": filters, "page": page, "high_levels": HIGH_LEVELS,
        "scope_name": filters["unit"].name if filters["unit"] else _("Alla dina enheter"),
        "filtered": bool(chosen) and chosen != {"status": "open"},
        "matrix_url": overview_url("risks:matrix", _link_params(filters)),
        "export_links": _export_links(_link_params(filters)),
    }, status=_status_for(form))


# ---------------------------------------------------------------- this year against last year

CHANGE_ORDER = ("rose", "new", "unchanged", "fell", "closed")
CHANGE_LABELS = {
    "rose": gettext_lazy("Har ökat"), "new": gettext_lazy("Ny i år"), "unchanged": gettext_lazy("Oförändrad"),
    "fell": gettext_lazy("Har minskat"), "closed": gettext_lazy("Avslutad"),
}
SUMMARY_LABELS = {
    "rose": gettext_lazy("Ökat"), "new": gettext_lazy("Nya"), "unchanged": gettext_lazy("Oförändrade"),
    "fell": gettext_lazy("Minskat"), "closed": gettext_lazy("Avslutade"),
}


def compare_changes(analysis: RiskAnalysis, previous: RiskAnalysis | None) -> list[dict]:
    """Each risk of this year by how its score moved since its predecessor, then last year's
    risks that did not come along (closed, or not carried over), in CHANGE_ORDER."""
    rows = []
    for risk in risks_with_level(analysis.risks.select_related("predecessor", "process")):
        before = risk.predecessor
        if before is None:
            change = "new"
        elif risk.score > before.score:
            change = "rose"
        elif risk.score < before.score:
            change = "fell"
        else:
            change = "unchanged"
        rows.append({"change": change, "label": CHANGE_LABELS[change], "risk": risk, "before": before,
                     "after": risk, "level_label": LEVEL_LABELS[risk.risk_level]})
    if previous is not None:
        carried = Risk.objects.filter(analysis=analysis, predecessor=OuterRef("pk"))
        for risk in risks_with_level(previous.risks.select_related("process")
                                         .annotate(carried=Exists(carried))):
            if not risk.carried:
                rows.append({"change": "closed", "label": CHANGE_LABELS["closed"], "risk": risk, "before": risk,
                             "after": None})
    rows.sort(key=lambda r: (CHANGE_ORDER.index(r["change"]), -r["risk"].score, r["risk"].pk))
    return rows


@login_required
def compare_view(request: HttpRequest, pk: int) -> HttpResponse:
    """This year's matrix beside last year's for the same unit, and how each risk moved."""
    analysis = analysis_get_for_user(request.user, pk)
    previous = RiskAnalysis.objects.filter(unit=analysis.unit, year=analysis.year - 1).first()
    rows = compare_changes(analysis, previous)
    summary = [{"change": c, "label": SUMMARY_LABELS[c], "count": sum(1 for r in rows if r["change"] == c)}
               for c in CHANGE_ORDER]
    unit_params = {"unit": analysis.unit_id}
    return render(request, "risks/compare.html", {
        "analysis": analysis, "previous": previous, "rows": rows, "summary": summary,
        "change_labels": CHANGE_LABELS,
        "matrix": matrix_for(analysis.risks.all(), link_params={**unit_params, "year": analysis.year}),
        "previous_matrix": (matrix_for(previous.risks.all(), link_params={**unit_params, "year": previous.year})
                            if previous else None),
    })


# ---------------------------------------------------------------- the ledningsgrupp's year view

@login_required
def year_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("risks:year", year=_this_year())


def _section_of(unit: Unit, sections: dict[str, Unit]) -> Unit | None:
    for code in reversed(unit.ancestor_codes()):
        if code in sections:
            return sections[code]
    return None


@login_required
def year_view(request: HttpRequest, year: int) -> HttpResponse:
    """Every unit in the user's oversight with its analysis status and open risks, grouped by
    section, in a fixed number of queries however many units there are."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    user = request.user
    scope = units_in_scope(user, YEAR_VIEW_ROLES).filter(is_active=True)
    sections = {s.code: s for s in scope.filter(kind=Unit.Kind.SECTION).order_by("path")}
    if not sections and not scope.exists():
        return render(request, "risks/year.html", {"year": year, "no_scope": True}, status=403)
    chosen = None
    if request.GET.get("section"):
        chosen = next((s for s in sections.values() if str(s.pk) == request.GET["section"]), None)
        if chosen is None:
            raise Http404
    units = scope.filter(kind=Unit.Kind.UNIT)
    if chosen is not None:
        units = units.filter(path__startswith=chosen.path)
    unit_list = list(units.order_by("path"))
    analyses = {a.unit_id: a for a in RiskAnalysis.objects.filter(year=year, unit__in=units)}
    counts = risk_counts_by_unit(units=units, year=year)
    next_url = request.get_full_path()

    groups: dict[int | None, dict] = {}
    for unit in unit_list:
        section = _section_of(unit, sections)
        group = groups.setdefault(section.pk if section else None, {
            "section": section, "rows": [], "totals": empty_counts(),
            "statuses": dict.fromkeys(ANALYSIS_STATUS_LABELS, 0)})
        analysis = analyses.get(unit.pk)
        if analysis is not None:
            analysis.unit = unit  # the approve check reads the unit's path; no query per row
        status = analysis.status if analysis else ANALYSIS_MISSING
        unit_counts = counts.get(unit.pk, empty_counts())
        for key, value in unit_counts.items():
            group["totals"][key] += value
        group["statuses"][status] += 1
        group["rows"].append({
            "unit": unit, "analysis": analysis, "status": status, "status_label": ANALYSIS_STATUS_LABELS[status],
            "counts": unit_counts, "levels": [(LEVEL_LABELS[level], unit_counts[level.value]) for level in LEVEL_ORDER],
            "high": unit_counts[Level.HIGH] + unit_counts[Level.VERY_HIGH],
            "bare_url": overview_url("risks:risk-list", {"unit": unit.pk, "year": year, "status": "open",
                                                         "without_action": "on"}),
            "may_approve": bool(analysis and analysis.status == RiskAnalysis.Status.HELD
                                and user.has_perm(APPROVE, analysis)),
        })
    for group in groups.values():
        totals = group["totals"]
        group["high"] = totals[Level.HIGH] + totals[Level.VERY_HIGH]
        group["done"] = group["statuses"][RiskAnalysis.Status.HELD] + group["statuses"][RiskAnalysis.Status.APPROVED]
        group["count"] = len(group["rows"])
    ordered = sorted(groups.values(), key=lambda g: (g["section"] is None, g["section"].path if g["section"] else ""))
    params = {"unit": chosen.pk if chosen else None, "year": year}
    return render(request, "risks/year.html", {
        "year": year, "groups": ordered, "sections": list(sections.values()), "chosen": chosen,
        "level_labels": [LEVEL_LABELS[level] for level in LEVEL_ORDER], "next_url": next_url,
        "unit_count": len(unit_list),
        "previous_year": year - 1 if year > FIRST_YEAR else None, "next_year": year + 1 if year < LAST_YEAR else None,
        "matrix_url": overview_url("risks:matrix", params), "export_links": _export_links(params),
    })


# ---------------------------------------------------------------- export

@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register of a unit, section or the whole scope for a year, as XLSX or CSV."""
    if fmt not in register_export.FORMATS:
        raise Http404
    form, filters = _parse(request, keep=("unit", "year"))
    if form.errors:
        return HttpResponse(_("Felaktigt filter: %(errors)s") % {"errors": form.errors.as_text()},
                            status=400, content_type="text/plain; charset=utf-8")
    qs = risk_filter(risk_list_for_user(request.user), unit=filters["unit"], year=filters["year"])
    return register_export.response(fmt, qs, scope=filters["unit"], year=filters["year"])
