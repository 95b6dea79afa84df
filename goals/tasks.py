"""Background work of the goals app: the deadline reminders.

`manage.py send_reminders --enqueue`, run daily from cron, queues them for the task worker,
which makes the notifications and queues their e-mail (goals/mail.py); without --enqueue
the command does the work itself.
"""

from datetime import date

from django.tasks import task
from django.utils import timezone

from goals.services import send_reminders


@task
def send_due_reminders(day: str = "") -> int:
    """The reminders due on the day (YYYY-MM-DD, today when empty); how many were made.
    Safe to run twice: each person gets a period's reminder once."""
    return send_reminders(today=date.fromisoformat(day) if day else timezone.localdate())
