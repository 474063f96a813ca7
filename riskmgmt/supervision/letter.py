"""The report-back letter ("Redovisning till IVO, dnr …"): one document for the screen, the printer
and the PDF. Each requirement with the actions taken on it (what, status, who is responsible,
dates, effect) and the report text, signed for the nämnd. Free texts were checked for personnummer
when written; they are masked here again all the same, and nothing about a client is added.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from riskmgmt.actions.models import Action
from riskmgmt.core.personnummer import mask_personal_numbers
from riskmgmt.organisation.models import Unit

from .models import Requirement, SupervisionDecision
from .selectors import decision_get_for_user, requirements_for_decision

Authority = SupervisionDecision.Authority
AUTHORITY_NAMES = {
    Authority.IVO: _("Inspektionen för vård och omsorg (IVO)"),
    Authority.JO: _("Riksdagens ombudsmän (JO)"),
    Authority.COURT: _("Förvaltningsrätten"),
    Authority.AUDIT: _("Revisorerna"),
}


def _unit_chain(unit: Unit) -> tuple[Unit | None, Unit | None]:
    """The administration at the top and the nearest section (the unit itself when it is one)."""
    chain = [*Unit.objects.filter(code__in=unit.ancestor_codes()).order_by("path"), unit]
    administration = chain[0] if chain[0].kind == Unit.Kind.ADMINISTRATION else None
    section = next((u for u in reversed(chain) if u.kind == Unit.Kind.SECTION), None)
    return administration, section


def _action_row(action: Action) -> dict:
    responsible = action.responsible
    return {
        "action": action,
        "title": mask_personal_numbers(action.title),
        "responsible": f"{responsible.full_name}, {responsible.job_title}" if responsible.job_title
        else responsible.full_name,
        "effect_comment": mask_personal_numbers(action.evaluation_comment),
        "completion_comment": mask_personal_numbers(action.completion_comment),
    }


def letter_context(decision: SupervisionDecision, *, for_pdf: bool = False) -> dict:
    """Everything the letter shows, in a fixed number of queries."""
    requirements = list(requirements_for_decision(decision))
    actions: dict[int, list[dict]] = {}
    if requirements:
        for action in (Action.objects.filter(source_content_type=ContentType.objects.get_for_model(Requirement),
                                             source_id__in=[r.pk for r in requirements])
                       .exclude(status=Action.Status.CANCELLED)
                       .select_related("responsible").order_by("due_date", "pk")):
            actions.setdefault(action.source_id, []).append(_action_row(action))
    administration, section = _unit_chain(decision.unit)
    rows = [{
        "requirement": r,
        "number": number,
        "text": mask_personal_numbers(r.text),
        "summary": mask_personal_numbers(r.report_summary),
        "actions": actions.get(r.pk, []),
    } for number, r in enumerate(requirements, start=1)]
    return {
        "decision": decision,
        "authority_name": AUTHORITY_NAMES.get(decision.authority) or decision.get_authority_display(),
        "authority_short": decision.get_authority_display(),
        "subject": mask_personal_numbers(decision.subject),
        "administration": administration,
        "section": section,
        "rows": rows,
        "missing_summaries": sum(1 for row in rows if not row["summary"]),
        "generated_on": timezone.localdate(),
        "for_pdf": for_pdf,
    }


def letter_html(decision: SupervisionDecision, *, for_pdf: bool = False, request=None) -> str:
    """The letter as a self-contained HTML document; `for_pdf` leaves out the page's toolbar."""
    return render_to_string("supervision/letter.html", letter_context(decision, for_pdf=for_pdf), request=request)


def letter_pdf(decision: SupervisionDecision, *, request=None) -> bytes:
    """The letter as an A4 PDF (WeasyPrint), ready to send with the authority's reference."""
    from riskmgmt.deviations.pdf import html_to_pdf

    return html_to_pdf(letter_html(decision, for_pdf=True, request=request), base_url=str(settings.BASE_DIR))


def letter_filename(decision: SupervisionDecision) -> str:
    return f"redovisning-{decision.authority}-{slugify(decision.reference) or decision.pk}.pdf"


def _private(response: HttpResponse) -> HttpResponse:
    # Socialtjänstsekretess: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a page (prints to A4 from the browser as well)."""
    decision = decision_get_for_user(request.user, pk)
    return _private(HttpResponse(letter_html(decision, request=request)))


@require_GET
@login_required
def decision_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF download."""
    decision = decision_get_for_user(request.user, pk)
    response = HttpResponse(letter_pdf(decision, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter_filename(decision)}"'
    return _private(response)
