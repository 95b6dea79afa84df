"""Notification e-mail, sent by the task worker.

A notification is stored in the transaction that causes it. Its e-mail is queued once that
transaction has committed, so a rolled-back change mails nobody, and a slow or unreachable
mail server neither holds up the page (the SMTP timeout is seconds) nor undoes the change:
the notification in the app stands. With the database task backend (make serve) the worker
sends it; with the immediate backend (make run, the tests) it is sent at the commit, in the
process that made the change.
"""

import logging

from django.core.mail import send_mass_mail
from django.db import transaction
from django.tasks import task

logger = logging.getLogger(__name__)

# subject, body, sender, recipients: what send_mass_mail takes for one message.
Message = tuple[str, str, str, list[str]]


@task
def send_notification_mail(messages: list[list]) -> int:
    """Send the messages; the number sent. A refused connection fails the task, whose
    result keeps the error for operations, after it is logged."""
    try:
        return send_mass_mail([tuple(message) for message in messages])
    except OSError:  # smtplib's errors and a refused connection
        logger.exception("Notification e-mail to %d recipient(s) not sent", len(messages))
        raise


def mail_after_commit(messages: list[Message]) -> None:
    """Queue the messages for sending once the current transaction commits."""
    if not messages:
        return
    # A task's arguments are stored as JSON: lists, not tuples.
    payload = [[subject, body, sender, list(to)] for subject, body, sender, to in messages]
    transaction.on_commit(lambda: send_notification_mail.enqueue(messages=payload))
