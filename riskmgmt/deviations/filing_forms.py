"""Forms for filing: the staff report form and the public complaint form.

They only parse and check input; `services.deviation_file` writes. The checks the service
also makes (personnummer, file type and size, process of the unit) run here too, so the
person sees every problem at once instead of one per submission.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.forms import DateInput, TimeInput
from riskmgmt.core.personnummer import find_personal_numbers, no_personal_number
from riskmgmt.organisation.models import Process, Unit

from .models import Deviation
from .uploads import upload_check

Kind = Deviation.Kind
ComplainantType = Deviation.ComplainantType

# What the file picker offers; the content is still checked by uploads.upload_check.
ACCEPT = ",".join([
    ".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx",
    "application/pdf", "image/jpeg", "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
])
MAX_FILES = 10
DESCRIPTION_MAX = 20_000
TEXT_MAX = 10_000
EARLIEST = datetime.date(1900, 1, 1)

# Plain-language guidance shown on each kind's card (DOMAIN.md A2, §1.2–1.3).
KIND_GUIDANCE = {
    Kind.LEX_SARAH: {
        "title": _("Missförhållande eller risk för missförhållande (lex Sarah)"),
        "text": _("Något har hänt, eller riskerar att hända, som hotar eller har skadat en klients liv, "
                  "säkerhet eller hälsa. Till exempel att en skyddsbedömning inte gjordes, att någon "
                  "behandlades illa eller att en insats inte gavs."),
        "note": _("Rapportera genast, samma dag. Det är en skyldighet, och du kan aldrig straffas för att "
                  "du rapporterar. Du behöver inte veta allt – chefen utreder."),
    },
    Kind.COMPLAINT: {
        "title": _("Synpunkt eller klagomål"),
        "text": _("Något som en klient, en anhörig eller någon annan har berättat för dig och vill "
                  "framföra om verksamheten."),
        "note": "",
    },
    Kind.OTHER: {
        "title": _("Övrig avvikelse"),
        "text": _("Något gick fel men är inte ett missförhållande för en klient. Till exempel en rutin "
                  "som inte följdes, uppgifter som hamnade fel (sekretess) eller ett IT-fel."),
        "note": "",
    },
}
KIND_ORDER = (Kind.LEX_SARAH, Kind.COMPLAINT, Kind.OTHER)
PUBLIC_COMPLAINANT_TYPES = (ComplainantType.CLIENT, ComplainantType.RELATIVE, ComplainantType.OTHER)


class RadioGroup(forms.RadioSelect):
    """Radios whose group "label" is the first option, so the error summary links to it."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (up to MAX_FILES), each checked by upload_check."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_FILES:
            raise ValidationError(_("Du kan bifoga högst %(max)s filer.") % {"max": MAX_FILES}, code="too_many")
        cleaned, messages = [], []
        for upload in files:
            try:
                upload = super().clean(upload, initial)
                upload_check(upload)
            except ValidationError as exc:
                messages.extend(exc.messages)
            else:
                cleaned.append(upload)
        if messages:
            raise ValidationError(messages)
        return cleaned


def _grouped(items: Iterable, group_of) -> list:
    """Choices grouped by `group_of(item)`, in the items' order: [(group, [(pk, name)…])…]."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(group_of(item), []).append((str(item.pk), item.name))
    return list(groups.items())


def process_choices(processes: list[Process], *, grouped: bool) -> list:
    """The process <select>'s choices: flat for one unit, one <optgroup> per unit otherwise."""
    blank = [("", _("Vet inte eller ingen särskild process"))]
    if grouped:
        return blank + _grouped(processes, lambda p: p.unit.name)
    return blank + [(str(p.pk), p.name) for p in processes]


def _local_datetime(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, time))


def _error_field(name: str, field_names) -> str | None:
    """The form field a service error key belongs on (None: the whole form)."""
    aliases = {"occurred_at": "occurred_date"}
    name = aliases.get(name, name)
    return name if name in field_names else None


class ServiceErrorsMixin:
    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Puts the service's {field: message} on the matching fields (unknown ones on the form)."""
        for name, message in errors.items():
            field = _error_field(name, self.fields)
            if field is not None and field in self.errors and message in self.errors[field]:
                continue
            self.add_error(field, message)


class DeviationFileForm(ServiceErrorsMixin, forms.Form):
    """A staff member's report: kind first, then what happened, then optional details."""

    kind = forms.ChoiceField(
        label=_("Vad vill du rapportera?"), choices=[(k.value, k.label) for k in KIND_ORDER],
        widget=RadioGroup, error_messages={"required": _("Välj vad du vill rapportera."),
                                                  "invalid_choice": _("Välj vad du vill rapportera.")},
    )
    unit = forms.TypedChoiceField(
        label=_("Enhet"), coerce=int, help_text=_("Där det hände, eller den enhet det gäller."),
        error_messages={"required": _("Välj enhet."),
                        "invalid_choice": _("Välj en av dina enheter i listan.")},
    )
    process = forms.TypedChoiceField(
        label=_("Process"), coerce=int, required=False, empty_value=None,
        help_text=_("Vilken del av arbetet det gäller. Hoppa över om du inte vet."),
        error_messages={"invalid_choice": _("Processen hör inte till den valda enheten.")},
    )
    title = forms.CharField(
        label=_("Rubrik"), max_length=200, validators=[no_personal_number],
        help_text=_("Några ord om vad det gäller. Skriv inte namn eller personnummer."),
        error_messages={"required": _("Skriv en rubrik."),
                        "max_length": _("Rubriken får vara högst %(limit_value)d tecken (den har %(show_value)d).")},
    )
    description = forms.CharField(
        label=_("Vad har hänt?"), max_length=DESCRIPTION_MAX, validators=[no_personal_number],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Beskriv vad som hände, så som du vet det. Skriv inte namn eller personnummer på klienter. "
                    "Hänvisa hellre till ärendets nummer i verksamhetssystemet."),
        error_messages={"required": _("Beskriv vad som har hänt."),
                        "max_length": _("Texten får vara högst %(limit_value)d tecken (den har %(show_value)d).")},
    )
    occurred_date = forms.DateField(
        label=_("Datum"), widget=DateInput(),
        error_messages={"required": _("Ange vilket datum det hände."),
                        "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-14.")},
    )
    occurred_time = forms.TimeField(
        label=_("Ungefärlig tid"), widget=TimeInput(),
        error_messages={"required": _("Ange ungefär vilken tid det hände."),
                        "invalid": _("Ange tiden som TT:MM, till exempel 14:30.")},
    )
    location = forms.CharField(
        label=_("Var hände det?"), required=False, max_length=200, validators=[no_personal_number],
        help_text=_("Till exempel ”mottagningen”, ”hembesök” eller ”telefon”. Inte en klients adress."),
        error_messages={"max_length": _("Högst %(limit_value)d tecken (det står %(show_value)d).")},
    )
    immediate_actions = forms.CharField(
        label=_("Vad har du eller någon annan redan gjort?"), required=False, max_length=TEXT_MAX,
        validators=[no_personal_number], widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel att du har ringt chefen eller att klienten är i säkerhet."),
        error_messages={"max_length": _("Texten får vara högst %(limit_value)d tecken (den har %(show_value)d).")},
    )
    consequences = forms.CharField(
        label=_("Vad blev följden, eller vad kunde ha hänt?"), required=False, max_length=TEXT_MAX,
        validators=[no_personal_number], widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Texten får vara högst %(limit_value)d tecken (den har %(show_value)d).")},
    )
    complainant_type = forms.ChoiceField(
        # Required for complaints only: __init__ relaxes it when another kind is sent.
        label=_("Vem lämnade synpunkten?"), widget=RadioGroup, choices=ComplainantType.choices,
        error_messages={"required": _("Välj vem synpunkten kommer från."),
                        "invalid_choice": _("Välj vem synpunkten kommer från.")},
    )
    anonymous = forms.BooleanField(label=_("Personen vill vara anonym"), required=False)
    contact = forms.CharField(
        label=_("Kontaktuppgifter för svar"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Telefon, e-post eller adress, om personen vill ha svar."),
        error_messages={"max_length": _("Högst %(limit_value)d tecken (det står %(show_value)d).")},
    )
    attachments = MultipleFileField(
        label=_("Bilagor"), required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Du kan välja flera filer: pdf, jpg, png, docx eller xlsx, högst 10 MB per fil."),
    )

    COMPLAINT_FIELDS = ("complainant_type", "anonymous", "contact")

    def __init__(self, *args, units: list[Unit], processes: list[Process], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.processes = {p.pk: p for p in processes}
        many = len(units) > 1
        unit_field = self.fields["unit"]
        if many:
            unit_field.choices = [("", _("Välj enhet")), *_grouped(units, lambda u: u.parent.name if u.parent else "")]
            # htmx narrows the process list to the chosen unit; without JS the full grouped list stays.
            unit_field.widget.attrs.update({
                "hx-get": reverse("deviations:process-options"), "hx-trigger": "change",
                "hx-target": "#id_process", "hx-swap": "innerHTML", "hx-include": "#id_process",
            })
        else:
            # One unit: nothing to choose, the template shows its name.
            unit_field.choices = [(str(u.pk), u.name) for u in units]
            unit_field.widget = forms.HiddenInput()
            self.initial.setdefault("unit", units[0].pk if units else None)
        self.single_unit = None if many or not units else units[0]
        self.fields["process"].choices = process_choices(processes, grouped=many)
        if self.is_bound and self.data.get("kind") != Kind.COMPLAINT:
            self.fields["complainant_type"].required = False
        now = timezone.localtime()
        self.initial.setdefault("occurred_date", now.date())
        self.initial.setdefault("occurred_time", now.time().replace(second=0, microsecond=0))

    def clean(self):
        data = super().clean()
        unit_pk, process_pk = data.get("unit"), data.get("process")
        if unit_pk is not None and process_pk is not None and self.processes[process_pk].unit_id != unit_pk:
            self.add_error("process", _("Processen hör inte till den valda enheten."))
        date, time = data.get("occurred_date"), data.get("occurred_time")
        if date and date < EARLIEST:
            # Year 1 would overflow when converted to UTC: a 500, not a message.
            self.add_error("occurred_date", _("Kontrollera årtalet."))
        elif date and time:
            occurred_at = _local_datetime(date, time)
            if occurred_at > timezone.now():
                self.add_error("occurred_date", _("Tidpunkten kan inte ligga i framtiden."))
            data["occurred_at"] = occurred_at
        return data

    def service_kwargs(self) -> dict:
        """Keyword arguments for services.deviation_file."""
        data = self.cleaned_data
        complaint = data["kind"] == Kind.COMPLAINT
        anonymous = complaint and data["anonymous"]
        return {
            "kind": data["kind"],
            "unit": self.units[data["unit"]],
            "process": self.processes.get(data["process"]) if data["process"] else None,
            "title": data["title"],
            "description": data["description"],
            "occurred_at": data["occurred_at"],
            "location": data["location"],
            "immediate_actions": data["immediate_actions"],
            "consequences": data["consequences"],
            "complainant_type": data["complainant_type"] if complaint else "",
            "anonymous": anonymous,
            "contact": "" if anonymous or not complaint else data["contact"],
            "attachments": data["attachments"],
        }

    def note_files_to_choose_again(self, files) -> None:
        """After any error: browsers never send a chosen file twice, so the person must pick
        the acceptable ones again (a refused file already has its own message)."""
        names = []
        for upload in files.getlist("attachments"):
            try:
                upload_check(upload)
            except ValidationError:
                continue
            names.append(upload.name)
        if not names:
            return
        message = _("Välj filerna igen innan du skickar (%(names)s). Av säkerhetsskäl sparas de inte "
                    "förrän rapporten har skickats.") % {"names": ", ".join(names)}
        self.add_error("attachments", message)


class PublicComplaintForm(ServiceErrorsMixin, forms.Form):
    """The public synpunkt/klagomål form; the honeypot `website` is checked by the view."""

    unit = forms.TypedChoiceField(
        label=_("Vilken verksamhet gäller det?"), coerce=int,
        help_text=_("Välj den som ligger närmast om du inte är säker."),
        error_messages={"required": _("Välj vilken verksamhet det gäller."),
                        "invalid_choice": _("Välj en verksamhet i listan.")},
    )
    complainant_type = forms.ChoiceField(
        label=_("Vem är du?"), widget=RadioGroup,
        choices=[(t.value, label) for t, label in zip(
            PUBLIC_COMPLAINANT_TYPES,
            (_("Jag får stöd eller hjälp av socialtjänsten"), _("Jag är anhörig eller närstående"), _("Annan")),
            strict=True)],
        error_messages={"required": _("Välj vem du är."), "invalid_choice": _("Välj vem du är.")},
    )
    description = forms.CharField(
        label=_("Din synpunkt eller ditt klagomål"), max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Berätta vad som hänt och vad du tycker. Skriv inte personnummer."),
        error_messages={"required": _("Skriv din synpunkt eller ditt klagomål."),
                        "max_length": _("Texten får vara högst %(limit_value)d tecken (den har %(show_value)d).")},
    )
    anonymous = forms.BooleanField(
        label=_("Jag vill vara anonym"), required=False,
        help_text=_("Då kan vi inte svara dig. Dina kontaktuppgifter sparas inte."),
    )
    contact = forms.CharField(
        label=_("Hur når vi dig?"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "on"}),
        help_text=_("Namn och telefonnummer, e-post eller adress. Lämna tomt om du inte vill ha svar."),
        error_messages={"max_length": _("Högst %(limit_value)d tecken (det står %(show_value)d).")},
    )
    # The honeypot: people never see it, simple bots fill it in.
    website = forms.CharField(
        label=_("Lämna det här fältet tomt"), required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, units: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [
            ("", _("Välj verksamhet")), *_grouped(units, lambda u: u.parent.name if u.parent else ""),
        ]

    def clean_description(self):
        text = self.cleaned_data["description"]
        if find_personal_numbers(text):
            raise ValidationError(_("Ta bort personnumret ur texten. Vi frågar efter det om vi behöver det."),
                                  code="personnummer")
        return text

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": Kind.COMPLAINT,
            "unit": self.units[data["unit"]],
            # Titles go into notifications and lists: never the writer's own words (DOMAIN.md A9).
            "title": str(_("Synpunkt eller klagomål via webbformulär")),
            "description": data["description"],
            "complainant_type": data["complainant_type"],
            "anonymous": data["anonymous"],
            "contact": "" if data["anonymous"] else data["contact"],
        }
