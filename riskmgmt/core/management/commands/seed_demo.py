from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from riskmgmt.actions.demo import seed_actions
from riskmgmt.analyses.demo import seed_analyses
from riskmgmt.controls.demo import seed_controls
from riskmgmt.deviations.demo import seed_deviations
from riskmgmt.organisation.demo import demo_users, seed_organisation
from riskmgmt.reports.demo import seed_reports
from riskmgmt.risks.demo import seed_risks
from riskmgmt.supervision.demo import seed_supervision


class Command(BaseCommand):
    help = "Lägger in demoorganisationen, demoanvändare och demodata. Kan köras flera gånger."

    def handle(self, *args, **options) -> None:
        password = settings.DEMO_PASSWORD
        if not password:
            raise CommandError("Sätt DEMO_PASSWORD (demodata läggs aldrig in i produktion).")
        # The demo's notifications stay in the in-app list; mailing them to the console would
        # bury the logins printed below.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), \
                transaction.atomic():
            seed_organisation(password=password)
            seed_actions()
            seed_deviations()
            seed_analyses()
            seed_risks()
            seed_supervision()
            seed_controls()
            seed_reports()
        self.stdout.write(self.style.SUCCESS("Demodata är inlagd. Logga in på http://127.0.0.1:8000/ som:"))
        for spec in demo_users():
            self.stdout.write(f"  {spec['username']:<8} {spec['job_title']:<24} ({spec['unit']}, {spec['role']})")
        self.stdout.write(f"  {'admin':<8} {'Systemadministratör':<24} (/admin/)")
        self.stdout.write(f"Lösenord för alla: {password}")
