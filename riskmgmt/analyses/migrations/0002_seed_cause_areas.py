"""Seeds the cause areas of DOMAIN.md A7 with their stable codes; rerunnable, edits kept."""

from django.db import migrations

CAUSE_AREAS = [
    ("communication", "Kommunikation och information"),
    ("competence", "Kunskap, kompetens och utbildning"),
    ("technology", "Teknik, utrustning och IT-stöd"),
    ("procedures", "Procedurer, rutiner och riktlinjer"),
    ("organisation", "Organisation, ledning, bemanning och arbetsbelastning"),
    ("environment", "Omgivning och arbetsmiljö"),
    ("client_factors", "Klient-/brukarrelaterade faktorer"),
    ("collaboration", "Samverkan"),
]


def seed(apps, schema_editor):
    CauseArea = apps.get_model("analyses", "CauseArea")
    for order, (code, name) in enumerate(CAUSE_AREAS, start=1):
        CauseArea.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("analyses", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
