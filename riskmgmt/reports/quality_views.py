"""The kvalitetsberättelse pages: choose unit and year, read the document and write its texts,
and take it away as PDF (a background job) or as XLSX tables.

Each view: parse → access gate → service → render. A unit outside the user's report scope,
a year out of range, an unknown section and a job ordered by someone else all answer 404.
Quality and management read everything under them, section and unit managers what they manage;
managers and quality may write the texts, management only reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .document import (
    XLSX_TYPE,
    NarrativeConflictError,
    document_filename,
    narrative_save,
    quality_context,
    render_xlsx,
    report_job_get_for_user,
    report_job_start,
    section_from_slug,
    section_view,
)
from .facts import (
    FIRST_YEAR,
    can_write_narrative,
    last_year_allowed,
    report_unit_get_for_user,
    report_units_for_user,
)
from .forms import NarrativeForm, QualityChooseForm
from .models import QualityNarrative, ReportJob


def _private(response: HttpResponse) -> HttpResponse:
    # Socialtjänstsekretess: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= last_year_allowed():
        raise Http404
    return year


def _detail_url(unit_id: int, year: int, anchor: str = "") -> str:
    url = reverse("reports:quality-detail", args=[unit_id, year])
    return f"{url}#{anchor}" if anchor else url


@require_GET
@login_required
def report_choose(request: HttpRequest) -> HttpResponse:
    """Choose unit and year; a valid choice goes straight to the document."""
    units = report_units_for_user(request.user)
    asked = "unit" in request.GET or "year" in request.GET
    form = QualityChooseForm(request.GET if asked else None, user=request.user)
    if asked and form.is_valid():
        return redirect(_detail_url(form.cleaned_data["unit"].pk, form.cleaned_data["year"]))
    started = (
        QualityNarrative.objects.filter(unit__in=units).exclude(text="")
        .values("unit_id", "unit__name", "year").distinct().order_by("-year", "unit__path")[:30]
    )
    return render(request, "reports/quality_choose.html", {
        "form": form, "has_units": units.exists(), "started": started,
    }, status=400 if asked else 200)


@require_GET
@login_required
def report_detail(request: HttpRequest, unit: int, year: int) -> HttpResponse:
    """The document as a page, with the sections' texts editable for those who may write them."""
    report_unit = report_unit_get_for_user(request.user, unit)
    year = _year_or_404(year)
    context = quality_context(report_unit, year, user=request.user)
    latest_job = (ReportJob.objects.filter(requested_by=request.user, unit=report_unit, year=year)
                  .order_by("-created").first())
    return _private(render(request, "reports/quality_detail.html", {
        **context,
        "latest_job": latest_job,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < last_year_allowed() else None,
    }))


def _narrative_form_response(request, *, unit, year, view, form, status: int = 200,
                             conflict: bool = False) -> HttpResponse:
    context = {"unit": unit, "year": year, "section": view, "form": form, "conflict": conflict}
    template = "reports/_quality_narrative_form.html" if request.htmx else "reports/quality_narrative_edit.html"
    return _private(render(request, template, context, status=status))


def _narrative_response(request, *, unit, year, view, saved: bool = False) -> HttpResponse:
    return _private(render(request, "reports/_quality_narrative.html", {
        "unit": unit, "year": year, "section": view, "can_edit": True, "saved": saved,
    }))


@require_http_methods(["GET", "POST"])
@login_required
def narrative_edit(request: HttpRequest, unit: int, year: int, section: str) -> HttpResponse:
    """One section's text: the form (GET), or the save (POST). With htmx the section swaps in
    place; without JavaScript it is a page of its own that returns to the document."""
    report_unit = report_unit_get_for_user(request.user, unit)
    year = _year_or_404(year)
    chosen = section_from_slug(section)
    if not can_write_narrative(request.user, report_unit):
        # In scope (management reads every report) but not theirs to write.
        raise PermissionDenied
    view = section_view(report_unit, year, chosen)
    if request.method == "GET":
        if request.htmx and request.GET.get("visa"):
            return _narrative_response(request, unit=report_unit, year=year, view=view)
        form = NarrativeForm(initial={"text": view.text, "version": view.version})
        return _narrative_form_response(request, unit=report_unit, year=year, view=view, form=form)

    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return _narrative_form_response(request, unit=report_unit, year=year, view=view, form=form, status=400)
    try:
        narrative_save(unit=report_unit, year=year, section=chosen, text=form.cleaned_data["text"],
                       actor=request.user, based_on=form.cleaned_data["version"])
    except NarrativeConflictError as exc:
        # Keep what they wrote, show what was saved meanwhile, and let the next save go through.
        data = request.POST.copy()
        data["version"] = str(view.version)
        form = NarrativeForm(data)
        form.is_valid()
        form.add_error(None, exc.message)
        return _narrative_form_response(request, unit=report_unit, year=year, view=view, form=form, status=409,
                                        conflict=True)
    except ValidationError as exc:
        form.add_error("text", exc.messages)
        return _narrative_form_response(request, unit=report_unit, year=year, view=view, form=form, status=400)
    if request.htmx:
        view = section_view(report_unit, year, chosen)
        return _narrative_response(request, unit=report_unit, year=year, view=view, saved=True)
    messages.success(request, _("Texten under ”%(section)s” är sparad.") % {"section": view.title})
    return redirect(_detail_url(report_unit.pk, year, chosen.value))


@require_http_methods(["GET", "POST"])
@login_required
def report_pdf(request: HttpRequest, unit: int, year: int) -> HttpResponse:
    """GET: what the PDF will hold and a button; POST: start the background job and follow it."""
    report_unit = report_unit_get_for_user(request.user, unit)
    year = _year_or_404(year)
    if request.method == "GET":
        jobs = ReportJob.objects.filter(requested_by=request.user, unit=report_unit, year=year).order_by("-created")[:5]
        return _private(render(request, "reports/quality_pdf.html", {"unit": report_unit, "year": year, "jobs": jobs}))
    job = report_job_start(unit=report_unit, year=year, actor=request.user)
    return redirect(job.get_absolute_url())


@require_GET
@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx polls the partial until the job is done or failed."""
    job = report_job_get_for_user(request.user, pk)
    template = "reports/_quality_job.html" if request.htmx else "reports/quality_job.html"
    return _private(render(request, template, {"job": job}))


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished file, to the person who ordered it only."""
    job = report_job_get_for_user(request.user, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                            content_type="application/pdf")
    return _private(response)


@require_GET
@login_required
def report_xlsx(request: HttpRequest, unit: int, year: int) -> HttpResponse:
    """The document's tables as an Excel workbook."""
    report_unit = report_unit_get_for_user(request.user, unit)
    year = _year_or_404(year)
    response = HttpResponse(render_xlsx(quality_context(report_unit, year)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{document_filename(report_unit, year, "xlsx")}"'
    return _private(response)
