import datetime

from django.core.management.base import BaseCommand, CommandError

from riskmgmt.notifications.services import deadlines_run


class Command(BaseCommand):
    help = "Skickar påminnelser, förseningsnotiser och eskaleringar för tidsfrister (för installationer utan celery beat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--date",
            help="Kör som om det vore detta datum (ÅÅÅÅ-MM-DD); standard är i dag.",
        )

    def handle(self, *args, date=None, **options) -> None:
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Ogiltigt datum: {date!r} (ange ÅÅÅÅ-MM-DD).") from None
        result = deadlines_run(today=today)
        self.stdout.write(
            f"Påminnelser: {result.reminders}, försenade: {result.overdue}, "
            f"eskaleringar: {result.escalations}, notiser: {result.notifications}"
        )
