"""Send the deadline reminders that are due; run it daily from cron."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus
from django.utils import timezone

from goals.services import send_reminders
from goals.tasks import send_due_reminders


class Command(BaseCommand):
    help = (
        "Remind units with unanswered form rows when an open period's deadline is within "
        "their agency's reminder days. Safe to run often: each person gets a period's "
        "reminder once. With --enqueue the task worker does it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to judge deadlines on (YYYY-MM-DD); today")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the reminders for the task worker (manage.py db_worker) and return",
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        today = today or timezone.localdate()
        if options["enqueue"]:
            result = send_due_reminders.enqueue(day=today.isoformat())
            # The immediate backend (make run) has run it already.
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"{result.return_value} reminders sent.")
            elif result.status == TaskResultStatus.FAILED:
                raise CommandError(f"the reminders failed: {result.errors[-1].traceback}")
            else:
                self.stdout.write(f"Reminders for {today.isoformat()} queued as task {result.id}.")
            return
        sent = send_reminders(today=today)
        self.stdout.write(f"{sent} reminders sent.")
