from django.core.management.base import BaseCommand

from riskmgmt.notifications.services import RETRY_BATCH, notifications_retry


class Command(BaseCommand):
    help = "Skickar notiser som väntar på leverans (för installationer utan celery beat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=RETRY_BATCH, help="Högst så många per omgång.")
        parser.add_argument(
            "--all", dest="drain", action="store_true", help="Fortsätt tills inga fler väntande notiser finns."
        )

    def handle(self, *args, limit: int, drain: bool, **options) -> None:
        total = 0
        while True:
            sent = notifications_retry(limit=limit)
            total += sent
            if not drain or sent == 0:
                break
        self.stdout.write(f"Skickade notiser: {total}")
