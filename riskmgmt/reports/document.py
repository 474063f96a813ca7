"""The kvalitetsberättelse as a document: one context for the page, the PDF, the HTML export and
the XLSX tables, and the writes behind it (the sections' texts and the background PDF job).

The document follows SOSFS 2011:9 7 kap. and its allmänna råd: how the quality work was done in
the year, which measures were taken and what they achieved. Each section prints the facts the
system knows (facts.py) and the verksamhet's own text for it. Nothing about a client is shown:
only counts, and texts that were checked for personnummer when written.
"""

from __future__ import annotations

import io
import logging
import secrets
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from riskmgmt.core.errors import ApplicationError
from riskmgmt.deviations.models import Deviation
from riskmgmt.organisation.models import Unit
from riskmgmt.risks.models import LEVEL_ORDER

from . import charts
from .dashboard import KIND_STYLE
from .facts import (
    KINDS,
    Answer,
    action_plan_facts,
    can_write_narrative,
    cutoff_date,
    monthly_deviations,
    open_risk_levels,
    process_count,
    quality_answers,
    quality_facts,
    report_units_for_user,
)
from .models import QualityNarrative, ReportJob, Section, job_file_path

logger = logging.getLogger(__name__)

STYLESHEET = "css/reports.css"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The charts' drawing widths in px. A4 less the PDF's margins is 174 mm, about 658 px, so the PDF
# draws a chart at about its own size (12 px text is 9 pt); a phone gets the narrow drawing.
CHART_WIDTH = 640
NARROW_CHART_WIDTH = 360
MONTHLY_TABLE_ID = "qdoc-per-manad-tabell"

SECTION_HINTS = {
    Section.PROCESSES: gettext_lazy("Beskriv hur verksamhetens processer och rutiner har identifierats, beskrivits "
                       "och hållits aktuella under året, och hur personalen fått del av dem."),
    Section.COLLABORATION: gettext_lazy("Beskriv hur samverkan inom och utanför organisationen har säkrats, till exempel "
                           "med skola, hälso- och sjukvård, polis och andra myndigheter."),
    Section.LEGAL_CERTAINTY: gettext_lazy("Kommentera internkontrollens resultat och tillsynsmyndigheternas beslut: "
                             "vad visade de, och vad har verksamheten gjort?"),
    Section.IMPROVEMENT: gettext_lazy("Beskriv vad riskanalyserna, synpunkterna, avvikelserna, händelseanalyserna och "
                         "lex Sarah-utredningarna visade, och vilka åtgärder som vidtogs."),
    Section.SELF_MONITORING: gettext_lazy("Beskriv vilken egenkontroll som gjorts (till exempel aktgranskning, "
                             "brukarundersökningar, jämförelser med Öppna jämförelser) och vad den visade."),
    Section.STATISTICS: gettext_lazy("Redovisa verksamhetens egna nyckeltal, till exempel antal ärenden, "
                        "utredningstider och placeringar, och hur de har utvecklats."),
    Section.ASSESSMENT: gettext_lazy("Sammanfatta året: vad fungerar, vad behöver förbättras och vilka mål "
                        "sätts för nästa år?"),
}


def answer_label(answer: str) -> str:
    return {Answer.YES: _("Ja"), Answer.PARTLY: _("Delvis"), Answer.NO: _("Nej")}[answer]


@dataclass
class AnswerRow:
    question: str
    answer: str  # facts.Answer: "yes" | "partly" | "no"
    detail: str = ""

    @property
    def label(self) -> str:
        return answer_label(self.answer)


@dataclass
class FactRow:
    label: str
    value: int | str
    sub: bool = False  # a "varav" row, indented under the one before


@dataclass
class FactGroup:
    title: str = ""
    answers: list[AnswerRow] = field(default_factory=list)
    rows: list[FactRow] = field(default_factory=list)
    trend: list[dict] | None = None  # the deviation table, year by year
    note: str = ""
    # A chart of the group's numbers. Its table, `table_id`, is the group's own (`rows` or `trend`)
    # or, when the group has neither, `chart.table` (made with that id).
    chart: charts.Chart | None = None
    table_id: str = ""

    @property
    def shows_chart_table(self) -> bool:
        return self.chart is not None and not self.rows and not self.trend


@dataclass
class SectionView:
    section: Section
    number: int
    groups: list[FactGroup]
    narrative: QualityNarrative | None = None
    versions: list = field(default_factory=list)  # historical records, newest first

    @property
    def slug(self) -> str:
        return self.section.value

    @property
    def title(self) -> str:
        return str(self.section.label)

    @property
    def hint(self) -> str:
        return str(SECTION_HINTS[self.section])

    @property
    def text(self) -> str:
        return self.narrative.text if self.narrative else ""

    @property
    def version(self) -> int:
        """The latest saved version's id (0 before any): an edit based on another is stale."""
        return self.versions[0].history_id if self.versions else 0

    @property
    def earlier_versions(self) -> list:
        return self.versions[1:]


def _yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nej")


def _date(value) -> str:
    return formats.date_format(value, "j F Y")


def answer_rows(facts: dict, plan: dict) -> dict[str, AnswerRow]:
    """The three questions with their answers and what each answer rests on."""
    answers = quality_answers(facts, plan)
    ra, ic = facts["risk_analysis"], facts["internal_control"]
    if plan["high_risks"]:
        plan_detail = _("%(covered)s av %(high)s öppna risker på hög eller mycket hög nivå har minst en åtgärd.") % {
            "covered": plan["high_risks_with_action"], "high": plan["high_risks"]}
    elif ra["units_held"]:
        plan_detail = _("Ingen öppen risk på hög eller mycket hög nivå behöver åtgärder.")
    else:
        plan_detail = _("Ingen riskanalys är genomförd för året, så det finns ingen handlingsplan.")
    if ra["units_total"]:
        risk_detail = _("%(held)s av %(total)s enheter har genomfört årets riskanalys.") % {
            "held": ra["units_held"], "total": ra["units_total"]}
    else:
        risk_detail = _("Det finns ingen enhet som ska göra riskanalys.")
    if ic["planned"]:
        control_detail = _("%(performed)s av %(planned)s planerade kontroller är genomförda.") % ic
    else:
        control_detail = _("Det finns ingen internkontrollplan för året.")
    return {
        "risk_analysis": AnswerRow(_("Har riskanalys gjorts?"), answers["risk_analysis"], risk_detail),
        "action_plan": AnswerRow(_("Har handlingsplan upprättats?"), answers["action_plan"], plan_detail),
        "internal_control": AnswerRow(_("Har internkontrollplanen följts?"), answers["internal_control"],
                                      control_detail),
    }


def kind_labels() -> dict[str, str]:
    """The deviation kinds' names as the document's table columns say them."""
    return {"complaint": _("Synpunkter och klagomål"), "lex_sarah": _("Lex Sarah-rapporter"),
            "other": _("Övriga avvikelser")}


def _kind_series(rows: list[dict], *, months: int = 12) -> list[charts.Series]:
    """One series per kind in the tables' order, each in its dashboard look; rows past `months`
    (months of the current year still to come) are gaps, not zeros."""
    labels = kind_labels()
    return [charts.Series(labels[kind], [row[kind] if i < months else None for i, row in enumerate(rows)],
                          KIND_STYLE[Deviation.Kind(kind)]) for kind in KINDS]


def month_name(month: int) -> str:
    return str(capfirst(MONTHS[month]))


def months_begun(year: int) -> int:
    """How many of the year's months have begun on its cut-off day (12 for a past year)."""
    return cutoff_date(year).month


def deviation_trend_chart(counts: list[dict]) -> charts.Chart:
    """The deviation table (year-3 .. year) as grouped bars; the table itself carries the numbers."""
    first, last = counts[0]["year"], counts[-1]["year"]
    drawing = {
        "categories": [str(row["year"]) for row in counts], "series": _kind_series(counts),
        "title": _("Synpunkter och avvikelser per år %(first)s–%(last)s") % {"first": first, "last": last},
        "row_heading": _("År"),
    }
    chart = charts.grouped_bar_chart(**drawing, id_prefix="qdoc-per-ar", width=CHART_WIDTH, height=270)
    chart.narrow = charts.grouped_bar_chart(**drawing, id_prefix="qdoc-per-ar-smal", width=NARROW_CHART_WIDTH,
                                            height=290)
    return chart


def monthly_chart(monthly: list[dict], year: int) -> charts.Chart:
    """The year's reports per month as stacked columns (months to come empty), with its own table."""
    series = _kind_series(monthly, months=months_begun(year))
    categories = [month_name(row["month"]) for row in monthly]
    drawing = {
        "categories": categories, "series": series,
        "ticks": [(i, str(MONTHS_3[row["month"]])) for i, row in enumerate(monthly)],
        "title": monthly_title(year), "empty_message": _("Inga rapporter under %(year)s.") % {"year": year},
    }
    chart = charts.stacked_column_chart(**drawing, id_prefix="qdoc-per-manad", width=CHART_WIDTH, height=280)
    chart.narrow = charts.stacked_column_chart(
        **{**drawing, "ticks": [(i, str(MONTHS_3[row["month"]])[0].upper()) for i, row in enumerate(monthly)]},
        id_prefix="qdoc-per-manad-smal", width=NARROW_CHART_WIDTH, height=300)
    # The chart's own table, captioned like the year table above it rather than repeating the title,
    # with the months that have begun (a month to come is no row: its total would read 0).
    chart.table = charts.data_table(
        caption=_("Antal per månad %(year)s") % {"year": year}, row_heading=_("Månad"),
        columns=[item.name for item in series], table_id=MONTHLY_TABLE_ID,
        rows=[(category, [item.values[i] for item in series])
              for i, category in enumerate(categories[:months_begun(year)])])
    return chart


def monthly_title(year: int) -> str:
    return _("Synpunkter och avvikelser per månad %(year)s") % {"year": year}


def risk_level_title(year: int) -> str:
    return _("Öppna risker per risknivå %(year)s") % {"year": year}


def risk_level_chart(levels: dict[str, int], year: int) -> charts.Chart:
    """Open risks per level as bars; the group's table carries the numbers."""
    drawing = {
        "categories": [str(level.label) for level in LEVEL_ORDER], "values": [levels[level] for level in LEVEL_ORDER],
        "series_name": _("Öppna risker"), "title": risk_level_title(year),
        "row_heading": _("Risknivå"),
        "empty_message": _("Inga öppna risker i årets riskanalyser."),
    }
    # Four bars need less than the full width; the value above each bar says what the axis would.
    chart = charts.bar_chart(**drawing, id_prefix="qdoc-risknivaer", width=CHART_WIDTH * 3 / 4, height=220)
    chart.narrow = charts.bar_chart(**drawing, id_prefix="qdoc-risknivaer-smal", width=NARROW_CHART_WIDTH,
                                    height=220)
    return chart


def _section_groups(facts: dict, plan: dict, processes: int, year: int, *, monthly: list[dict],
                    levels: dict[str, int]) -> dict[Section, list[FactGroup]]:
    """Every count, yes/no answer and chart of the document, grouped under the section that prints it."""
    ra, sup, ic = facts["risk_analysis"], facts["supervision"], facts["internal_control"]
    lex, analyses, actions = facts["lex_sarah"], facts["event_analyses"], facts["actions"]
    cutoff = _date(cutoff_date(year))
    three = answer_rows(facts, plan)
    monthly_note = _("Rapporterna räknas efter den månad de registrerades (svensk tid). Återkallade rapporter "
                     "räknas inte.")
    if months_begun(year) < 12:
        monthly_note += " " + _("Året pågår: månader som ännu inte har börjat saknas.")
    return {
        Section.PROCESSES: [FactGroup(rows=[FactRow(_("Beskrivna processer"), processes)])],
        Section.COLLABORATION: [],
        Section.LEGAL_CERTAINTY: [
            FactGroup(_("Internkontroll"), answers=[three["internal_control"]]),
            FactGroup(_("Tillsyn, JO-anmälningar och granskning: ärenden som kom in under året"), rows=[
                FactRow(_("Inspektionen för vård och omsorg (IVO)"), sup["ivo"]),
                FactRow(_("Justitieombudsmannen (JO)"), sup["jo"]),
                FactRow(_("Förvaltningsrätt och kammarrätt"), sup["court"]),
                FactRow(_("Revisionen"), sup["audit"]),
            ]),
            FactGroup(_("Krav att redovisa till tillsynsmyndigheten"), rows=[
                FactRow(_("Öppna krav den %(date)s") % {"date": cutoff}, sup["requirements_open"]),
                FactRow(_("varav försenade"), sup["requirements_overdue"], sub=True),
            ]),
        ],
        Section.IMPROVEMENT: [
            FactGroup(_("Riskanalys"), answers=[three["risk_analysis"], three["action_plan"]], rows=[
                FactRow(_("Enheter som ska göra riskanalys"), ra["units_total"]),
                FactRow(_("Enheter som har genomfört riskanalysen"), ra["units_held"]),
                FactRow(_("Enheter med åtgärder för sina risker"), ra["units_with_actions"]),
                FactRow(_("Alla riskanalyser godkända av ledningsgruppen"), _yes_no(ra["approved"])),
            ]),
            FactGroup(_("Synpunkter och avvikelser"), trend=[
                {**row, "total": row["complaint"] + row["lex_sarah"] + row["other"]}
                for row in facts["deviation_counts"]],
                      note=_("Rapporterna räknas efter det år de registrerades (svensk tid). Återkallade "
                             "rapporter (dubbletter och rapporter som skickats in av misstag) räknas inte."),
                      chart=deviation_trend_chart(facts["deviation_counts"]), table_id="qdoc-per-ar-tabell"),
            FactGroup(_("Händelseanalyser"), rows=[
                FactRow(_("Påbörjade under året"), analyses["started"]),
                FactRow(_("Avslutade under året (rapporten lämnad)"), analyses["completed"]),
            ]),
            FactGroup(_("Lex Sarah och anmälningar till IVO"), rows=[
                FactRow(_("Lex Sarah-rapporter"), lex["reported"]),
                FactRow(_("varav bedömda som allvarliga missförhållanden eller påtaglig risk för det"),
                        lex["serious"], sub=True),
                FactRow(_("varav anmälda till IVO"), lex["notified_to_ivo"], sub=True),
            ]),
            FactGroup(_("Åtgärder som beslutades under året"), rows=[
                FactRow(_("Pågående"), actions["open"]),
                FactRow(_("varav försenade"), actions["overdue"], sub=True),
                FactRow(_("Genomförda, effekten ännu inte utvärderad"), actions["done"]),
                FactRow(_("Genomförda och utvärderade"), actions["evaluated"]),
            ]),
        ],
        Section.SELF_MONITORING: [FactGroup(_("Egenkontroller enligt internkontrollplanen"), rows=[
            FactRow(_("Planerade kontroller"), ic["planned"]),
            FactRow(_("Genomförda kontroller"), ic["performed"]),
            FactRow(_("varav där brister hittades"), ic["with_findings"], sub=True),
        ])],
        Section.STATISTICS: [
            FactGroup(monthly_title(year), chart=monthly_chart(monthly, year), table_id=MONTHLY_TABLE_ID,
                      note=monthly_note),
            FactGroup(risk_level_title(year), rows=[FactRow(str(level.label), levels[level]) for level in LEVEL_ORDER],
                      chart=risk_level_chart(levels, year), table_id="qdoc-risknivaer-tabell",
                      note=_("Öppna risker i årets riskanalyser. Nivån följer riskmatrisens gränser som de är "
                             "när rapporten tas fram.")),
        ],
        Section.ASSESSMENT: [],
    }


def method_notes(year: int) -> list[str]:
    """How the numbers were counted, in the reader's words (facts.py's docstring says the same)."""
    return [
        _("Siffrorna gäller enheten och alla enheter under den, för kalenderåret %(year)s i svensk tid.")
        % {"year": year},
        _("Synpunkter, lex Sarah-rapporter och övriga avvikelser räknas efter när de registrerades. "
          "Återkallade rapporter (dubbletter och rapporter som skickats in av misstag) räknas inte."),
        _("Allvarliga lex Sarah-rapporter är de som bedömts som allvarligt missförhållande eller påtaglig "
          "risk för allvarligt missförhållande; anmälda till IVO är de av årets rapporter som anmälts."),
        _("Händelseanalyser räknas som påbörjade det år de beställdes och som avslutade det år rapporten "
          "lämnades till uppdragsgivaren. Avbrutna analyser räknas inte som avslutade."),
        _("Riskanalysen räknas som gjord för en enhet när årets riskanalys är genomförd eller godkänd. "
          "Handlingsplanen räknas som upprättad när varje öppen risk på hög eller mycket hög nivå har minst "
          "en åtgärd som inte är avbruten."),
        _("Internkontrollplanen räknas som följd när alla planerade kontroller är genomförda och som delvis "
          "följd när minst en är det."),
        _("Tillsynsärenden räknas det år de kom in. Krav räknas som öppna om de inte var redovisade den "
          "31 december (eller i dag, för innevarande år)."),
        _("Åtgärder räknas det år de beslutades, med den status de har när rapporten tas fram. "
          "Avbrutna åtgärder räknas inte."),
        _("Rapporterna per månad räknas på samma sätt som per år, efter den månad de registrerades, så "
          "månaderna summeras till årets siffror."),
        _("Risknivåerna gäller risker som är öppna i årets riskanalyser, med nivån räknad ur riskmatrisens "
          "gränser som de är när rapporten tas fram."),
    ]


def quality_context(unit: Unit, year: int, *, user=None) -> dict:
    """Everything the document shows, for the page (with `user`: who may edit) and the exports."""
    facts = quality_facts(unit, year)
    plan = action_plan_facts(unit, year)
    monthly = monthly_deviations(unit, year)
    groups = _section_groups(facts, plan, process_count(unit), year, monthly=monthly,
                             levels=open_risk_levels(unit, year))
    narratives = {n.section: n for n in QualityNarrative.objects.filter(unit=unit, year=year)}
    versions: dict[str, list] = {}
    for version in (QualityNarrative.history.filter(unit_id=unit.pk, year=year)
                    .select_related("history_user").order_by("-history_date", "-history_id")):
        versions.setdefault(version.section, []).append(version)
    sections = [
        SectionView(section, number, groups[section], narratives.get(section.value), versions.get(section.value, []))
        for number, section in enumerate(Section, start=1)
    ]
    return {
        "unit": unit,
        "year": year,
        "facts": facts,
        "plan": plan,
        "monthly": monthly,
        "answers": list(answer_rows(facts, plan).values()),
        "sections": sections,
        "method_notes": method_notes(year),
        "generated_at": timezone.localtime(),
        "can_edit": bool(user) and can_write_narrative(user, unit),
    }


def section_view(unit: Unit, year: int, section: Section) -> SectionView:
    """One section with its text and versions, for the htmx partial (its facts are not needed)."""
    narrative = QualityNarrative.objects.filter(unit=unit, year=year, section=section).first()
    versions = list(QualityNarrative.history.filter(unit_id=unit.pk, year=year, section=section)
                    .select_related("history_user").order_by("-history_date", "-history_id"))
    return SectionView(section, list(Section).index(section) + 1, [], narrative, versions)


def document_filename(unit: Unit, year: int, extension: str) -> str:
    return f"kvalitetsberattelse-{unit.code}-{year}.{extension}"


def _stylesheet() -> str:
    """reports.css, inlined so the HTML export and WeasyPrint need fetch nothing."""
    path = finders.find(STYLESHEET)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_html(context: dict, *, request=None) -> str:
    """The document as one self-contained HTML file (the export, and what the PDF is made of)."""
    return render_to_string("reports/quality_document.html",
                            {**context, "for_pdf": True, "can_edit": False, "stylesheet": _stylesheet()},
                            request=request)


def render_pdf(context: dict) -> bytes:
    """The document as an A4 PDF with page numbers, by WeasyPrint."""
    from riskmgmt.deviations.pdf import html_to_pdf

    return html_to_pdf(render_html(context), base_url=str(settings.BASE_DIR))


def render_xlsx(context: dict) -> bytes:
    """The document's tables in a workbook: the answers, the deviation trend, the months, every count."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    unit, year = context["unit"], context["year"]
    bold = Font(bold=True)
    title = _("Kvalitetsberättelse %(year)s – %(unit)s") % {"year": year, "unit": unit.name}
    made = _("Framtagen %(date)s ur riskmgmt.") % {"date": context["generated_at"].strftime("%Y-%m-%d %H:%M")}

    workbook = Workbook()
    workbook.properties.creator = "riskmgmt"
    workbook.properties.title = title

    answers = workbook.active
    answers.title = _("Svar")
    answers.append([title])
    answers["A1"].font = Font(bold=True, size=14)
    answers.append([made])
    answers.append([])
    answers.append([_("Fråga"), _("Svar"), _("Underlag")])
    for cell in answers[4]:
        cell.font = bold
    for row in context["answers"]:
        answers.append([row.question, row.label, row.detail])
    answers.column_dimensions["A"].width = 38
    answers.column_dimensions["B"].width = 10
    answers.column_dimensions["C"].width = 70

    trend = workbook.create_sheet(_("Avvikelser"))
    trend.append([_("Synpunkter och avvikelser per år")])
    trend["A1"].font = Font(bold=True, size=14)
    trend.append([])
    trend.append([_("År"), _("Synpunkter och klagomål"), _("Lex Sarah-rapporter"), _("Övriga avvikelser"),
                  _("Totalt")])
    for cell in trend[3]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True)
    for row in context["facts"]["deviation_counts"]:
        trend.append([row["year"], row["complaint"], row["lex_sarah"], row["other"],
                      row["complaint"] + row["lex_sarah"] + row["other"]])
    trend.append([])
    trend.append([_("Återkallade rapporter räknas inte. År = när rapporten registrerades (svensk tid).")])
    for column, width in zip("ABCDE", (8, 16, 16, 16, 10), strict=True):
        trend.column_dimensions[column].width = width

    labels = kind_labels()
    per_month = workbook.create_sheet(_("Per månad"))
    per_month.append([_("Synpunkter och avvikelser per månad %(year)s") % {"year": year}])
    per_month["A1"].font = Font(bold=True, size=14)
    per_month.append([])
    per_month.append([_("Månad"), *(labels[kind] for kind in KINDS), _("Totalt")])
    for cell in per_month[3]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True)
    begun = context["monthly"][:months_begun(year)]  # a month still to come is no row, not a row of zeros
    for row in begun:
        per_month.append([month_name(row["month"]), *(row[kind] for kind in KINDS),
                          sum(row[kind] for kind in KINDS)])
    per_month.append([_("Totalt"), *(sum(row[kind] for row in begun) for kind in KINDS),
                      sum(row[kind] for row in begun for kind in KINDS)])
    for cell in per_month[per_month.max_row]:
        cell.font = bold
    per_month.append([])
    per_month.append([_("Återkallade rapporter räknas inte. Månad = när rapporten registrerades (svensk tid).")])
    for column, width in zip("ABCDE", (12, 16, 16, 16, 10), strict=True):
        per_month.column_dimensions[column].width = width

    counts = workbook.create_sheet(_("Nyckeltal"))
    counts.append([_("Avsnitt"), _("Del"), _("Mått"), _("Värde")])
    for cell in counts[1]:
        cell.font = bold
    for section in context["sections"]:
        for group in section.groups:
            for row in group.rows:
                counts.append([section.title, group.title, row.label, row.value])
    for column, width in zip("ABCD", (30, 44, 60, 10), strict=True):
        counts.column_dimensions[column].width = width

    notes = workbook.create_sheet(_("Så har siffrorna räknats"))
    for note in context["method_notes"]:
        notes.append([note])
    notes.column_dimensions["A"].width = 120

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- writes: the sections' texts

class NarrativeConflictError(ApplicationError):
    """Someone saved the section after the editor opened it; their text would be lost."""

    status_code = 409
    code = "concurrent_change"


def section_from_slug(slug: str) -> Section:
    try:
        return Section(slug)
    except ValueError:
        raise Http404 from None


def narrative_save(*, unit: Unit, year: int, section: Section, text: str, actor, based_on: int) -> QualityNarrative:
    """Saves one section's text with a history row (reason "edit", by `actor`). Refuses an edit
    made on an older version than the saved one, so two writers never silently overwrite."""
    text = text.strip()
    try:
        with transaction.atomic():
            narrative = (QualityNarrative.objects.select_for_update()
                         .filter(unit=unit, year=year, section=section).first())
            latest = narrative.history.order_by("-history_date", "-history_id").first() if narrative else None
            if (latest.history_id if latest else 0) != based_on:
                raise NarrativeConflictError(_("Texten har ändrats av någon annan medan du skrev."))
            if narrative is None:
                narrative = QualityNarrative(unit=unit, year=year, section=section)
            elif narrative.text == text:
                return narrative
            narrative.text = text
            narrative.full_clean()
            narrative._history_user = actor
            narrative._change_reason = "edit"
            narrative.save()
    except IntegrityError:
        # Two first saves of the same section at once: the other one won.
        raise NarrativeConflictError(_("Texten har ändrats av någon annan medan du skrev.")) from None
    return narrative


# ---------------------------------------------------------------- writes: the background PDF

def report_job_start(*, unit: Unit, year: int, actor) -> ReportJob:
    """Queues the year's PDF for `actor` and enqueues the rendering after commit. A job for the
    same document that is still queued or running is returned instead of starting another."""
    running = (ReportJob.objects.filter(requested_by=actor, unit=unit, year=year, kind=ReportJob.Kind.QUALITY_PDF,
                                        status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING])
               .order_by("-created").first())
    if running is not None and not running.is_stale:
        return running
    with transaction.atomic():
        job = ReportJob.objects.create(unit=unit, year=year, requested_by=actor, kind=ReportJob.Kind.QUALITY_PDF)
        transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import report_job_run_task

    try:
        report_job_run_task.delay(job_id)
    except Exception as exc:
        # A broker that is down must not turn into an error page; the job says it failed.
        logger.warning("report job %s: enqueue failed (%s)", job_id, type(exc).__name__)
        ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
            status=ReportJob.Status.FAILED, finished_at=timezone.now(),
            error=_("Bakgrundstjänsten svarar inte just nu. Försök igen om en stund."))


def _progress(job_id: int, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(progress=percent)


def report_job_run(*, job_id: int) -> None:
    """Renders a queued job's PDF and stores it, reporting progress on the way. Idempotent: only
    a queued job is claimed (one conditional update), so a redelivered task does nothing."""
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
        status=ReportJob.Status.RUNNING, started_at=timezone.now(), progress=5)
    if not claimed:
        return
    job = ReportJob.objects.select_related("unit").get(pk=job_id)
    try:
        context = quality_context(job.unit, job.year)
        _progress(job_id, 30)
        html = render_html(context)
        _progress(job_id, 50)
        from riskmgmt.deviations.pdf import html_to_pdf

        pdf = html_to_pdf(html, base_url=str(settings.BASE_DIR))
        _progress(job_id, 90)
        storage = ReportJob._meta.get_field("file").storage
        name = storage.save(job_file_path(job, f"{secrets.token_hex(16)}.pdf"), ContentFile(pdf))
    except Exception:
        logger.exception("report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED, finished_at=timezone.now(),
            error=_("Pdf:en kunde inte skapas. Försök igen, eller kontakta systemförvaltningen om felet består."))
        return
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.DONE, progress=100, file=name, finished_at=timezone.now(),
        filename=document_filename(job.unit, job.year, "pdf"))


def report_job_get_for_user(user, pk) -> ReportJob:
    """The access gate for a job and its file: only the person who ordered it, and only while the
    unit is still in their report scope (a role given up takes its reports with it); 404 otherwise."""
    try:
        job = ReportJob.objects.select_related("unit").get(pk=int(pk))
    except (ReportJob.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not getattr(user, "is_authenticated", False) or job.requested_by_id != user.pk:
        raise Http404
    if not report_units_for_user(user).filter(pk=job.unit_id).exists():
        raise Http404
    return job
