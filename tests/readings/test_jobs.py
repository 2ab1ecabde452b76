"""A job on the task worker (readings/jobs.py), seen through an upload's status
page: its poll, its page and the query for jobs still running agree, at every
age, on whether it is still running, and a job unfinished past STALE_AFTER
counts as lost everywhere."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readings.models import Reading, Upload
from tests.conftest import make_reading, signed_in

STALE_SECONDS = int(Upload.STALE_AFTER.total_seconds())


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Whole seconds clear of the boundary itself, which a request's own clock may cross.
@given(
    age=st.integers(0, 3 * STALE_SECONDS).filter(lambda s: abs(s - STALE_SECONDS) > 5),
    ending=st.sampled_from(["none yet", "failed", "imported"]),
)
def test_the_poll_the_page_and_the_running_query_agree(client, staff, age, ending):
    Reading.objects.all().delete()  # an earlier example's slug is free again
    Upload.objects.all().delete()
    upload = Upload.objects.create(filename="essay.txt", data=b"text", uploaded_by=staff)
    Upload.objects.filter(pk=upload.pk).update(
        created=timezone.now() - datetime.timedelta(seconds=age),
        finished=None if ending == "none yet" else timezone.now(),
        problem="That file is empty." if ending == "failed" else "",
        reading=make_reading(title=f"Essay {age}") if ending == "imported" else None,
    )
    upload.refresh_from_db()
    running = ending == "none yet" and age < STALE_SECONDS
    assert Upload.objects.running().filter(pk=upload.pk).exists() == running

    url = reverse("readings:upload", args=[upload.pk])
    signed_in(client, staff)
    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll.content == b""
    assert poll.has_header("HX-Refresh") == (not running)

    page = client.get(url)
    if ending == "imported":
        assert page.status_code == 302 and page.url == upload.reading.get_absolute_url()
        return
    text = page.content.decode()
    assert ("Importing essay.txt…" in text) == running
    failure = "That file is empty." if ending == "failed" else Upload.LOST
    assert (failure in text) == (not running)
