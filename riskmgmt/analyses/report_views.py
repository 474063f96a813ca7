"""The cause diagram, the timeline picture and the analysis report (HTML and PDF).

All four answer 404 outside the caller's scope (the access gate `analysis_get_for_user`,
which is `analyses.view_analysis`). The pictures are stand-alone SVG files; the report
takes `?roles=1` to show roles instead of staff names (DOMAIN.md §3.5).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .diagrams import cause_diagram_for, timeline_picture_for
from .report import report_filename, report_html, report_pdf
from .selectors import analysis_get_for_user

TRUE_VALUES = ("1", "true", "ja", "yes", "on")


def wants_roles(value: str | None) -> bool:
    """Whether a `roles` query value asks for roles instead of names."""
    return (value or "").strip().lower() in TRUE_VALUES


def _private(response: HttpResponse) -> HttpResponse:
    # Socialtjänstsekretess: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _svg(document: str) -> HttpResponse:
    return _private(HttpResponse(document, content_type="image/svg+xml; charset=utf-8"))


@require_GET
@login_required
def cause_diagram_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The orsaksdiagram as an SVG file."""
    analysis = analysis_get_for_user(request.user, pk)
    return _svg(cause_diagram_for(analysis).svg_document)


@require_GET
@login_required
def timeline_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The tidslinje as an SVG file."""
    analysis = analysis_get_for_user(request.user, pk)
    return _svg(timeline_picture_for(analysis).svg_document)


@require_GET
@login_required
def analysis_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The analysrapport as a page (prints to A4 from the browser as well)."""
    analysis = analysis_get_for_user(request.user, pk)
    html = report_html(analysis, roles=wants_roles(request.GET.get("roles")), request=request)
    return _private(HttpResponse(html))


@require_GET
@login_required
def analysis_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The analysrapport as a PDF download."""
    analysis = analysis_get_for_user(request.user, pk)
    roles = wants_roles(request.GET.get("roles"))
    response = HttpResponse(report_pdf(analysis, roles=roles, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(analysis, roles=roles, extension="pdf")}"'
    return _private(response)
