"""Demo deviations in every stage, filed and handled through the services (idempotent by title)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.organisation.models import Process, Unit

from . import services
from .models import Deviation


def _user(username):
    return get_user_model().objects.get(username=username)


def _file(code, username, kind, title, description, process=None, days_ago=0, **extra):
    unit = Unit.objects.get(code=code)
    existing = Deviation.objects.filter(unit=unit, title=title).first()
    if existing:
        return existing, False
    process_obj = Process.objects.filter(unit=unit, name=process).first() if process else None
    occurred = timezone.now() - datetime.timedelta(days=days_ago, hours=3)
    deviation = services.deviation_file(
        actor=_user(username), kind=kind, unit=unit, title=title, description=description,
        process=process_obj, occurred_at=occurred, **extra,
    )
    return deviation, True


def seed_deviations() -> None:
    today = timezone.localdate()

    # 1. Just filed: waiting for Maria to receive it (the flow to try by hand).
    _file("fam-mott", "anna", "lex_sarah", "Skyddsbedömning dröjde över helgen",
          "En anmälan om oro kom in fredag eftermiddag. Skyddsbedömningen gjordes först på måndagen "
          "eftersom ingen på jouren såg anmälan i systemet.",
          process="Skyddsbedömning", location="Mottagningsenheten, anmälningsmottagningen",
          immediate_actions="Skyddsbedömning gjord måndag morgon; barnet bedömdes inte vara i akut fara.")

    # 2. Under investigation.
    deviation, new = _file(
        "fam-plac", "sofia", "lex_sarah", "Placerat barn har inte fått besök på fyra månader",
        "Vid genomgång av akterna framkom att ett barn i familjehem inte har fått besök av socialsekreterare "
        "sedan i våras. Ärendet har bytt handläggare två gånger.",
        process="Placering i familjehem/HVB", days_ago=12)
    if new:
        services.deviation_receive(deviation=deviation, actor=_user("eva"),
                                   immediate_actions="Besök bokat inom en vecka; ansvarig handläggare utsedd.")
        services.deviation_start_investigation(deviation=deviation, actor=_user("eva"))

    # 3. Serious: concluded, notified to IVO, investigation due at IVO.
    deviation, new = _file(
        "fam-utr", "erik", "lex_sarah", "Utredning avslutades utan att barnets åsikt dokumenterades",
        "En utredning om vårdnadsöverflyttning avslutades utan samtal med barnet och utan att skälen "
        "till det dokumenterades.", process="Vårdnadsöverflyttning", days_ago=20)
    if new:
        services.deviation_receive(deviation=deviation, actor=_user("johan"),
                                   immediate_actions="Utredningen har öppnats igen och samtal med barnet bokats.")
        services.deviation_start_investigation(deviation=deviation, actor=_user("johan"))
        services.deviation_conclude(
            deviation=deviation, actor=_user("johan"),
            what_happened="Barnets inställning efterfrågades inte och skälet dokumenterades inte.",
            consequences="Beslut fattades utan att barnets bästa var tillräckligt belyst.",
            causes="Hög arbetsbelastning, ingen checklista för barnsamtal, ny handläggare utan introduktion.",
            classification="serious", decided_by="Sara Lindqvist, sektionschef", delegation_ref="Delegation 3.4.2",
        )
        services.ivo_notification_create(deviation=deviation, actor=_user("sara"),
                                         sent_on=today - datetime.timedelta(days=5), ivo_reference="8.5-41877/2026")
        action_services.action_create(
            source_obj=deviation, actor=_user("johan"), title="Obligatoriskt fält för barnets inställning i utredningsmallen",
            responsible=_user("johan"), due_date=today + datetime.timedelta(days=40), strength="strong",
            effect_measure="Aktgranskning av tio avslutade utredningar i mars.")

    # 4. Closed with feedback: Anna sees it in "Mina rapporter".
    deviation, new = _file(
        "fam-mott", "anna", "other", "Utskrift med ärendeuppgifter låg kvar i skrivaren",
        "En utskrift från ett ärende låg kvar i den gemensamma skrivaren över natten.",
        location="Skrivarrummet, plan 2", days_ago=30)
    if new:
        services.deviation_receive(deviation=deviation, actor=_user("maria"))
        services.deviation_start_investigation(deviation=deviation, actor=_user("maria"))
        services.deviation_conclude(deviation=deviation, actor=_user("maria"),
                                    conclusion="Skrivaren saknar inloggad utskrift (follow me).")
        action_services.action_create(
            source_obj=deviation, actor=_user("maria"), title="Införa inloggad utskrift på plan 2",
            responsible=_user("maria"), due_date=today + datetime.timedelta(days=60), strength="strong")
        services.deviation_close(deviation=deviation, actor=_user("maria"), feedback_given_on=today,
                                 feedback="Tack för rapporten! Vi inför inloggad utskrift så att papper inte kan "
                                          "bli liggande. Tills dess hämtar alla utskrifter direkt.")

    # 5. A complaint from the public form.
    _file("fam-oppen", "lisa", "complaint", "Synpunkt via webbformulär",
          "Jag är pappa till ett barn som har kontaktfamilj. Vi har inte fått besked om när nästa helg är "
          "trots att vi frågat flera gånger.", complainant_type="relative", public=True)

    # 6. Received, on the adult side.
    deviation, new = _file(
        "vux-ek", "fatima", "other", "Utbetalningar försenade på grund av IT-fel",
        "Utbetalningsfilen för ekonomiskt bistånd gick inte iväg på utbetalningsdagen; 34 hushåll fick "
        "pengarna en dag för sent.", process="Handläggning av ekonomiskt bistånd", days_ago=2)
    if new:
        services.deviation_receive(deviation=deviation, actor=_user("helena"),
                                   immediate_actions="Manuell utbetalning samma eftermiddag för dem som hörde av sig.")
