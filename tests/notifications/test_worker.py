"""The production path: TASK_BACKEND=database queues the fan-out in the
database, and `manage.py db_worker` does it, emails and all."""

import re

from tests.test_settings import django_in_subprocess

SCRIPT = """
from django.core.management import call_command
from discussions.services import post_reply
from groups.services import assign_reading, create_group
from notifications.models import Notification
from tests.conftest import add_member, make_annotation, make_reading, make_user

call_command("migrate", verbosity=0)
asker, replier = make_user("a@example.org", "Ada"), make_user("r@example.org", "Rex")
group = create_group(name="Circle", description="", creator=asker)
add_member(group, replier)
reading = make_reading()
assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=asker)
question = make_annotation(group, reading, asker)
post_reply(annotation=question, parent=None, body="Hello", author=replier)
print("queued:", Notification.objects.count())
call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
sent = Notification.objects.get().emailed is not None
print("after the worker:", Notification.objects.count(), sent)
"""


def test_the_database_queue_and_its_worker(tmp_path):
    result = django_in_subprocess(
        SCRIPT, TASK_BACKEND="database", DATABASE_URL=f"sqlite:///{tmp_path / 'q.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^queued: 0$", result.stdout, re.M)  # nothing done inside the request
    assert re.search(r"^after the worker: 1 True$", result.stdout, re.M), result.stdout
    assert "Subject: [Circle] A reading" in result.stdout  # the console's email
