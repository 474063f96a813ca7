"""Demo actions on the units' own plans, made through the services (idempotent by title)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from riskmgmt.organisation.models import Unit

from . import services
from .models import Action

# (unit, title, responsible, creator, strength, days from today, state, effect_measure)
DEMO_ACTIONS = [
    ("fam-mott", "Checklista för skyddsbedömning samma dag som anmälan kommer in", "anna", "maria",
     "medium", 21, "in_progress", "Stickprov på tio anmälningar per månad: skyddsbedömning dokumenterad samma dag."),
    ("fam-mott", "Veckovis genomgång av förhandsbedömningar som närmar sig 14 dagar", "maria", "sara",
     "medium", -3, "planned", "Andel förhandsbedömningar klara inom 14 dagar (mål 100 %)."),
    ("fam-mott", "Introduktion om anmälningsmottagning för nyanställda", "anna", "maria",
     "weak", 30, "evaluated_partly", "Enkät till nyanställda efter tre månader."),
    ("fam-plac", "Rutin för planering av umgänge vid vård enligt LVU", "sofia", "eva",
     "weak", 45, "planned", "Genomgång av umgängesplaner i alla LVU-placeringar i oktober."),
    ("fam-oppen", "Dubbelbemanning vid hembesök där hot har förekommit", "lisa", "ali",
     "medium", 10, "planned", "Antal hembesök med hot utan dubbelbemanning (mål 0)."),
]


def seed_actions() -> None:
    User = get_user_model()
    today = timezone.localdate()
    for code, title, responsible, creator, strength, days, state, measure in DEMO_ACTIONS:
        unit = Unit.objects.get(code=code)
        if Action.objects.filter(unit=unit, title=title).exists():
            continue
        owner, boss = User.objects.get(username=responsible), User.objects.get(username=creator)
        action = services.action_create(
            source_obj=unit, actor=boss, title=title, responsible=owner, strength=strength,
            due_date=today + datetime.timedelta(days=max(days, 0)), effect_measure=measure,
        )
        if days < 0:
            # Demo only: show an overdue action (the service refuses past dates for new ones).
            action.due_date = today + datetime.timedelta(days=days)
            action._change_reason = "demo"
            action.save()
        if state == "in_progress":
            services.action_start(action=action, actor=owner)
        if state == "evaluated_partly":
            services.action_complete(action=action, actor=owner, done_on=today - datetime.timedelta(days=20),
                                     comment="Introduktionen hölls för fyra nyanställda.")
            services.action_evaluate(action=action, actor=boss, effect="partly",
                                     comment="Två av fyra kände sig säkra på rutinen efter tre månader.")
