"""Send the deadline reminders that are due; run it daily from cron or the task worker."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from goals.services import send_reminders


class Command(BaseCommand):
    help = (
        "Remind units with unanswered form rows when an open period's deadline is within "
        "their agency's reminder days. Safe to run often (cron or the task worker): each "
        "person gets a period's reminder once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to judge deadlines on (YYYY-MM-DD); today")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        sent = send_reminders(today=today or timezone.localdate())
        self.stdout.write(f"{sent} reminders sent.")
