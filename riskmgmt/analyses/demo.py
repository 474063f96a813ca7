"""A demo händelseanalys in progress on the serious demo case (idempotent by title)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.deviations.models import Deviation

from . import services
from .models import EventAnalysis

TITLE = "Barnets inställning saknades i utredningen om vårdnadsöverflyttning"


def seed_analyses() -> None:
    if EventAnalysis.objects.filter(title=TITLE).exists():
        return
    deviation = Deviation.objects.filter(title__startswith="Utredning avslutades utan att barnets").first()
    if deviation is None:
        return
    user = get_user_model().objects.get
    sara, johan = user(username="sara"), user(username="johan")
    team = [(user(username="erik"), "Socialsekreterare"), (user(username="sofia"), "Familjehemssekreterare"),
            (user(username="lisa"), "Familjebehandlare")]
    analysis = services.analysis_create(
        actor=sara, title=TITLE, unit=deviation.unit, deviations=[deviation], commissioner=sara, lead=johan,
        team=team, due_date=timezone.localdate() + datetime.timedelta(days=30),
        scope="Vad hände från att utredningen inleddes till beslutet, varför dokumenterades inte barnets "
              "inställning, och hur förhindrar vi att det händer igen? Analysen gäller rutiner och "
              "förutsättningar, inte enskilda medarbetares skuld.",
    )
    services.analysis_start(analysis=analysis, actor=johan)
    now = timezone.now()
    for days_ago, text, source in [
        (70, "Utredningen om vårdnadsöverflyttning inleds; ny handläggare tar över ärendet.", "Journalanteckning"),
        (45, "Planerat barnsamtal ställs in när handläggaren är sjuk; ingen ny tid bokas.", "Kalender och journal"),
        (21, "Utredningen avslutas och beslut fattas utan barnsamtal och utan motivering.", "Beslut och utredning"),
    ]:
        services.timeline_entry_save(analysis=analysis, actor=johan, description=text, source=source,
                                     at=now - datetime.timedelta(days=days_ago))
    why = services.cause_save(analysis=analysis, actor=johan,
                              text="Barnsamtalet bokades inte om när det ställdes in")
    root = services.cause_save(
        analysis=analysis, actor=johan, parent=why, is_root=True,
        cause_areas=services.cause_areas_by_code(["procedures", "organisation"]),
        text="Utredningsmallen kräver inte att barnets inställning eller skälen till att den saknas dokumenteras",
    )
    services.cause_save(analysis=analysis, actor=johan, parent=why, is_root=True,
                        cause_areas=services.cause_areas_by_code(["organisation"]),
                        text="Ingen överlämning när ärendet bytte handläggare under hög arbetsbelastning")
    action_services.action_create(
        source_obj=analysis, actor=johan, addresses=root, responsible=johan, strength="strong",
        title="Obligatoriskt avsnitt om barnets inställning i utredningsmallen",
        due_date=timezone.localdate() + datetime.timedelta(days=60),
        effect_measure="Aktgranskning av tio avslutade utredningar efter tre månader.",
    )
