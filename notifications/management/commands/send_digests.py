"""Run once a day from cron: `python manage.py send_digests`."""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from groups.models import Group
from notifications.digest import send_group_digests

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Email each member the daily digest of each of their groups."

    def handle(self, *args, **options):
        now = timezone.now()
        sent = failed = 0
        for group in Group.objects.order_by("pk"):
            try:
                sent += send_group_digests(group, now)
            except Exception:
                # One group's mail failing must not stop the others' digests.
                logger.exception("Digest for group %s failed; it is sent tomorrow", group.pk)
                failed += 1
        self.stdout.write(f"Sent {sent} digests.")
        if failed:
            # Non-zero, so cron mails the operator.
            raise CommandError(f"The digests of {failed} groups failed; see the log.")
