"""Work done by the task worker (django-tasks: `manage.py db_worker` in
production, at once in development and tests), never inside a request."""

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from . import emails, services
from .models import Notification

logger = logging.getLogger(__name__)
ATTEMPTS = 5


def on_event(event: str, **ids: int) -> None:
    """Listens to discussions.events, after the write commits."""
    fan_out.enqueue(event, ids)


@task()
def fan_out(event: str, ids: dict) -> int:
    """The in-app notifications first, then their emails: a failed send never
    loses a notification."""
    to_email = services.fan_out(event, ids)
    for notification_id in to_email:
        send_email.enqueue(notification_id)
    return len(to_email)


@task()
def send_email(notification_id: int, attempt: int = 1) -> bool:
    """Email one notification. The notification is already in the inbox, so a
    failed send loses nothing: it is tried again later, and after the last
    attempt it waits for the daily digest (send_digests)."""
    notification = (
        Notification.objects.of_members()
        .select_related("user", "group", "reading")
        .filter(pk=notification_id, emailed=None)
        .first()
    )
    if notification is None:  # sent already, or its member left the group
        return False
    mail = emails.message(
        user=notification.user,
        group=notification.group,
        reading=notification.reading,
        template="notifications/email/notification.txt",
        context={"notification": notification},
        kind=notification.kind,
    )
    try:
        mail.send()
    except Exception:
        logger.warning("Notification %s: email failed (attempt %s)", notification_id, attempt)
        if attempt < ATTEMPTS:
            _retry(notification_id, attempt)
        return False
    Notification.objects.filter(pk=notification_id).update(emailed=timezone.now())
    return True


def _retry(notification_id: int, attempt: int) -> None:
    later = send_email
    if send_email.get_backend().supports_defer:
        # Backing off: 1, 4, 16, 64 minutes.
        delay = datetime.timedelta(minutes=4 ** (attempt - 1))
        later = send_email.using(run_after=timezone.now() + delay)
    later.enqueue(notification_id, attempt + 1)
