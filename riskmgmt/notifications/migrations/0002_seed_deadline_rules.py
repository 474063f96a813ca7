"""Seeds the default deadline rules of DOMAIN.md A5.

Rerunnable: a rule that already exists (perhaps edited in the admin) is left as it is.
Each created rule also gets its first history row, so the audit trail starts at the seed.
Legal bases are described in words; paragraph numbers are for the admin to add (DOMAIN.md A1).
"""

import datetime

from django.db import migrations
from django.utils import timezone

VALID_FROM = datetime.date(2000, 1, 1)

RULES = [
    {
        "code": "lex_sarah_receipt",
        "name": "Lex Sarah-rapport mottagen av chef",
        "applies_to": "Rapport om missförhållande eller påtaglig risk (lex Sarah)",
        "days": 1,
        "reminder_offsets": [0],
        "escalation_after_days": 0,
        "escalate_to": "next_manager",
        "legal_basis": "Lex Sarah (socialtjänstlagen, SOSFS 2011:5): rapporten ska lämnas genast.",
    },
    {
        "code": "deviation_receipt",
        "name": "Avvikelse eller klagomål mottagen",
        "applies_to": "Övrig avvikelse och klagomål/synpunkt",
        "days": 3,
        "reminder_offsets": [1],
        "escalation_after_days": 2,
        "escalate_to": "next_manager",
        "legal_basis": "Lokal rutin (SOSFS 2011:9, ledningssystem för systematiskt kvalitetsarbete).",
    },
    {
        "code": "lex_sarah_investigation",
        "name": "Lex Sarah-utredning avslutad",
        "applies_to": "Utredning av lex Sarah-rapport, från rapportdagen",
        "days": 30,
        "reminder_offsets": [7, 1],
        "escalation_after_days": 3,
        "escalate_to": "next_manager",
        "legal_basis": "Lex Sarah (socialtjänstlagen, SOSFS 2011:5): utreda utan dröjsmål. "
        "Antalet dagar är lokal rutin.",
    },
    {
        "code": "ivo_notification",
        "name": "Anmälan till IVO",
        "applies_to": "Allvarligt missförhållande eller påtaglig risk för ett sådant, "
        "från ställningstagandet",
        "days": 7,
        "reminder_offsets": [3, 1],
        "escalation_after_days": 0,
        "escalate_to": "management",
        "legal_basis": "Lex Sarah (socialtjänstlagen, SOSFS 2011:5): anmälan ska göras snarast. "
        "Antalet dagar är lokal rutin.",
    },
    {
        "code": "ivo_investigation",
        "name": "Utredning skickad till IVO",
        "applies_to": "Lex Sarah-utredning som inte bifogades anmälan, från anmälningsdagen",
        "months": 2,
        "reminder_offsets": [14, 7, 1],
        "escalation_after_days": 0,
        "escalate_to": "management",
        "legal_basis": "SOSFS 2011:5: utredningen ska ges in senast två månader efter anmälan.",
    },
    {
        "code": "complaint_answer",
        "name": "Klagomål besvarat",
        "applies_to": "Klagomål och synpunkter, från mottagandet",
        "days": 14,
        "reminder_offsets": [3],
        "escalation_after_days": 3,
        "escalate_to": "next_manager",
        "legal_basis": "Lokal rutin (SOSFS 2011:9, klagomål och synpunkter).",
    },
    {
        "code": "event_analysis_report",
        "name": "Händelseanalys rapporterad",
        "applies_to": "Händelseanalys, från uppdraget (och före en IVO-frist på två månader)",
        "days": 56,
        "reminder_offsets": [14, 7],
        "escalation_after_days": 7,
        "escalate_to": "next_manager",
        "legal_basis": "Lokal rutin.",
    },
    {
        "code": "requirement_report_back",
        "name": "Återrapportering till tillsynsmyndighet",
        "applies_to": "Krav i tillsynsbeslut (IVO, JO, domstol, revision): myndighetens datum",
        "reminder_offsets": [30, 14, 7, 1],
        "escalation_after_days": 0,
        "escalate_to": "management",
        "legal_basis": "Tillsynsbeslutet anger datumet.",
    },
    {
        "code": "action_due",
        "name": "Åtgärd klar",
        "applies_to": "Åtgärd i handlingsplan: åtgärdens eget slutdatum",
        "reminder_offsets": [7],
        "escalation_after_days": 14,
        "escalate_to": "next_manager",
        "legal_basis": "SOSFS 2011:9: åtgärder med tidsplan och uppföljning.",
    },
    {
        "code": "risk_analysis_yearly",
        "name": "Årlig riskanalys",
        "applies_to": "Riskanalys per enhet och år",
        "annual_due": "03-31",
        "reminder_offsets": [30, 7],
        "escalation_after_days": 14,
        "escalate_to": "next_manager",
        "legal_basis": "SOSFS 2011:9: riskanalys fortlöpande. Datumet är lokal rutin.",
    },
    {
        "code": "control_check",
        "name": "Egenkontroll genomförd",
        "applies_to": "Kontrollpunkt i egenkontrollplanen: planerat datum",
        "reminder_offsets": [7],
        "escalation_after_days": 14,
        "escalate_to": "next_manager",
        "legal_basis": "SOSFS 2011:9: egenkontroll i den omfattning som behövs.",
    },
]


def seed_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("notifications", "DeadlineRule")
    HistoricalDeadlineRule = apps.get_model("notifications", "HistoricalDeadlineRule")
    fields = [
        "code", "name", "applies_to", "days", "months", "annual_due", "reminder_offsets",
        "escalation_after_days", "escalate_to", "legal_basis", "valid_from", "valid_to",
        "is_active",
    ]
    for spec in RULES:
        defaults = {"valid_from": VALID_FROM, "is_active": True, **spec}
        code = defaults.pop("code")
        rule, created = DeadlineRule.objects.get_or_create(code=code, defaults=defaults)
        if created:
            HistoricalDeadlineRule.objects.create(
                id=rule.pk,
                **{field: getattr(rule, field) for field in fields},
                history_date=timezone.now(),
                history_type="+",
                history_change_reason="seed_deadline_rules",
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed_rules, migrations.RunPython.noop)]
