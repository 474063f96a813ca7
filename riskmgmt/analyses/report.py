"""The analysrapport (DOMAIN.md §3.5): one document for the screen, the printer and the PDF.

`report_context` gathers everything the template shows; `report_html` and `report_pdf`
render it. With `roles=True` every staff name is replaced by a role ("Analysledare",
"Socialsekreterare (deltagare 2)", "Enhetschef"), also where a full name of one of those
people was typed into a text, so the report can go to the nämnd or be published. Free texts
were checked for personnummer when written; they are masked here again all the same, and
linked deviations appear by reference only. Nothing about the client is added.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from riskmgmt.actions.models import Action
from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.core.personnummer import mask_personal_numbers
from riskmgmt.organisation.models import Membership

from .diagrams import cause_diagram_parts_for, timeline_parts_for
from .models import Cause, EventAnalysis
from .selectors import root_causes_by_area

# The printable area in CSS px (96 per inch) for the page sizes in report.html: A4 with
# margins of 16 mm at the sides and 20 mm at the top and the bottom. A picture taller than
# the room left beside the section heading and the caption is cut into parts (and the
# stylesheet's max-height, the same numbers, shrinks a part that still does not fit).
MM = 96 / 25.4
PORTRAIT_WIDTH = (210 - 32) * MM
LANDSCAPE_HEIGHT = 140 * MM
PORTRAIT_HEIGHT = 225 * MM

# Default risk levels of the matrix (DOMAIN.md A6); configuration belongs to the risk register,
# which does not exist yet, so the report shows the score with the defaults' words.
RISK_LEVELS = ((3, "låg"), (6, "måttlig"), (9, "hög"), (16, "mycket hög"))

ROLE_RANK = (Membership.Role.SECTION_MANAGER, Membership.Role.UNIT_MANAGER, Membership.Role.MANAGEMENT,
             Membership.Role.QUALITY, Membership.Role.STAFF)


def risk_level(probability: int, consequence: int) -> str:
    """The default level word for a score; any consequence of 4 is at least "hög"."""
    score = probability * consequence
    level = next(word for limit, word in RISK_LEVELS if score <= limit)
    if consequence >= 4 and level in ("låg", "måttlig"):
        level = "hög"
    return level


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


class _People:
    """Names or roles for everyone the report mentions, and the text scrubber that goes with it."""

    def __init__(self, analysis: EventAnalysis, *, roles: bool) -> None:
        self.analysis = analysis
        self.roles = roles
        self._positions: dict[int, str] = {}
        self._aliases: dict[str, str] = {}

    def position(self, user) -> str:
        """The person's befattning as written, or else their highest role over the analysis's unit
        ("enhetschef"); empty when they hold none."""
        if user.pk not in self._positions:
            position = (user.job_title or "").strip()
            if not position:
                held = {m.role: m for m in Membership.objects.filter(user=user, is_active=True).select_related("unit")}
                covering = [r for r in ROLE_RANK if r in held
                            and self.analysis.unit.path.startswith(held[r].unit.path)]
                chosen = (covering or [r for r in ROLE_RANK if r in held] or [None])[0]
                position = str(Membership.Role(chosen).label).lower() if chosen else ""
            self._positions[user.pk] = position
        return self._positions[user.pk]

    def name(self, user, *, role: str, alias: str) -> str:
        """The full name, or in the roles version `role`; `alias` replaces the full name in texts."""
        if not self.roles:
            return user.full_name
        name = (user.get_full_name() or "").strip()
        if len(name.split()) >= 2:  # a lone first name is too likely an ordinary word
            self._aliases.setdefault(name, alias)
        return role

    def scrub(self, text: str) -> str:
        """A free text as the report prints it: personnummer masked and, in the roles version,
        the full names of the people in the report replaced by their roles."""
        text = mask_personal_numbers(text or "")
        for name in sorted(self._aliases, key=len, reverse=True):
            text = text.replace(name, self._aliases[name])
        return text


def report_context(analysis: EventAnalysis, *, roles: bool = False, for_pdf: bool = False) -> dict:
    """Everything the analysrapport shows, in the order of DOMAIN.md §3.5."""
    people = _People(analysis, roles=roles)
    commissioner = {"position": people.position(analysis.commissioner)}
    commissioner["name"] = people.name(analysis.commissioner, alias=_("uppdragsgivaren"),
                                       role=_upper_first(commissioner["position"]) or _("Uppdragsgivare"))
    lead = {"position": people.position(analysis.lead)}
    lead["name"] = people.name(analysis.lead, alias=_("analysledaren"),
                               role=_upper_first(lead["position"]) or _("Analysledare"))
    team = []
    for number, member in enumerate(analysis.team.select_related("user").order_by("pk"), start=1):
        profession = member.profession.strip() or people.position(member.user)
        role = (_("%(profession)s (deltagare %(n)s)") % {"profession": _upper_first(profession), "n": number}
                if profession
                else _("Deltagare %(n)s") % {"n": number})
        name = people.name(member.user, role=role, alias=_("deltagare %(n)s") % {"n": number})
        team.append({"name": name, "profession": "" if roles else profession})

    actions = list(action_list_for_source(analysis))
    owners = {}
    for action in actions:
        if action.responsible_id not in owners:
            position = people.position(action.responsible) or _("ansvarig")
            owners[action.responsible_id] = people.name(action.responsible, role=_upper_first(position),
                                                        alias=position)
    scrub = people.scrub

    timeline_parts = timeline_parts_for(analysis, max_height=PORTRAIT_HEIGHT)
    timeline = []
    sources = []
    for part in timeline_parts:
        for entry in part.alternative:
            timeline.append({**entry, "description": scrub(entry["description"]), "source": scrub(entry["source"])})
            if entry["source"] and entry["source"] not in sources:
                sources.append(entry["source"])
    cause_parts = cause_diagram_parts_for(analysis, max_height=LANDSCAPE_HEIGHT)
    causes = {c.pk: c for c in Cause.objects.filter(analysis=analysis)}
    addressed: dict[int, list[Action]] = {}
    for action in actions:
        if action.addresses_id and action.addresses_id in causes and action.status != Action.Status.CANCELLED:
            addressed.setdefault(action.addresses_id, []).append(action)
    root_groups = [{"area": area.name,
                    "causes": [{"text": scrub(c.text), "actions": addressed.get(c.pk, [])} for c in in_area]}
                   for area, in_area in root_causes_by_area(analysis)]

    live = [a for a in actions if a.status != Action.Status.CANCELLED]
    action_rows = [{
        "action": action,
        "title": scrub(action.title),
        "description": scrub(action.description),
        "cause": scrub(causes[action.addresses_id].text) if action.addresses_id in causes else "",
        "owner": owners[action.responsible_id],
        "effect_measure": scrub(action.effect_measure),
        "evaluation_comment": scrub(action.evaluation_comment),
        "cancel_reason": scrub(action.cancel_reason),
    } for action in actions]

    recurrence = None
    p, k = analysis.recurrence_probability, analysis.recurrence_consequence
    if p and k:
        recurrence = {"probability": p, "consequence": k, "score": p * k, "level": risk_level(p, k)}
    submitted = analysis.status not in (EventAnalysis.Status.COMMISSIONED, EventAnalysis.Status.IN_PROGRESS)
    return {
        "analysis": analysis,
        "roles": roles,
        "for_pdf": for_pdf,
        "draft": not submitted and analysis.status != EventAnalysis.Status.CANCELLED,
        "generated_on": timezone.localdate(),
        "title": scrub(analysis.title),
        "scope": scrub(analysis.scope),
        "summary": scrub(analysis.summary),
        "event_description": scrub(analysis.event_description),
        "method": scrub(analysis.method),
        "lessons": scrub(analysis.lessons),
        "decision_comment": scrub(analysis.decision_comment),
        "follow_up_comment": scrub(analysis.follow_up_comment),
        "cancel_reason": scrub(analysis.cancel_reason),
        "commissioner": commissioner,
        "lead": lead,
        "team": team,
        "deviation_references": list(analysis.deviations.order_by("reference").values_list("reference", flat=True)),
        "timeline_parts": timeline_parts,
        "timeline": timeline,
        "sources": [scrub(s) for s in sources],
        "cause_parts": cause_parts,
        "cause_alternative_html": cause_parts[0].alternative_html if len(cause_parts) == 1
        else _joined_alternatives(cause_parts),
        "cause_wide": any(part.width > PORTRAIT_WIDTH for part in cause_parts),
        "timeline_wide": any(part.width > PORTRAIT_WIDTH for part in timeline_parts),
        "root_groups": root_groups,
        "recurrence": recurrence,
        "action_rows": action_rows,
        "actions_decided": analysis.decided_at is not None,
        "only_weak_actions": bool(live) and all(a.strength == Action.Strength.WEAK for a in live),
    }


def _joined_alternatives(parts) -> SafeString:
    # Each part's alternative is already escaped HTML built by format_html.
    return mark_safe("".join(str(part.alternative_html) for part in parts))  # noqa: S308


def report_html(analysis: EventAnalysis, *, roles: bool = False, for_pdf: bool = False, request=None) -> str:
    """The analysrapport as a self-contained HTML document; `for_pdf` leaves out the page's
    toolbar (links back into the application), as for the PDF and the API."""
    return render_to_string("analyses/report.html", report_context(analysis, roles=roles, for_pdf=for_pdf),
                            request=request)


def report_pdf(analysis: EventAnalysis, *, roles: bool = False, request=None) -> bytes:
    """The analysrapport as PDF (A4, page numbers), rendered by WeasyPrint."""
    from riskmgmt.deviations.pdf import html_to_pdf

    html = report_html(analysis, roles=roles, for_pdf=True, request=request)
    return html_to_pdf(html, base_url=str(settings.BASE_DIR))


def report_filename(analysis: EventAnalysis, *, roles: bool, extension: str) -> str:
    suffix = "-roller" if roles else ""
    return f"analysrapport-{analysis.reference}{suffix}.{extension}"
