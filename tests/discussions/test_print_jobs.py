"""The print edition's PDF, made by the task worker: asking for it stores the
edition as the member sees it and sends them to the job's page, which waits
until the PDF is ready, then offers it, or says why there is none. A job is
its member's alone."""

import datetime
import io
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text

from discussions import tasks
from discussions.forms import PrintForm
from discussions.models import PrintJob
from groups.models import Membership
from groups.services import assign_reading
from tests.conftest import (
    add_member,
    browsing_as,
    form_with,
    make_annotation,
    make_reading,
    make_user,
    signed_in,
)
from tests.test_settings import django_in_subprocess

# The task is queued and left there, as when the worker is busy or stopped.
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
REFRESH = '<meta http-equiv="refresh" content="2">'  # without JavaScript
POLL = 'hx-trigger="every 2s"'
CHOICES = {"kinds": PrintForm.ALL_KINDS, "paper": "a4"}


def create_url(group, reading) -> str:
    return reverse("discussions:print_pdf", args=[group.slug, reading.slug])


def made_job(user, group, reading, **fields) -> PrintJob:
    return PrintJob.objects.create(user=user, group=group, reading=reading, paper="a4", **fields)


def done_job(user, group, reading) -> PrintJob:
    return made_job(user, group, reading, pdf=b"%PDF-1.7 theirs", finished=timezone.now())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("another member", 404),
        ("facilitator", 404),  # a group's facilitators do not see its members' PDFs
        ("organizer", 404),
        ("staff", 404),  # staff are outsiders to a group they are not in
        ("member", 200),  # the job's own
    ],
)
def test_a_job_is_its_members_alone(client, request, group, member, assigned_reading, who, status):
    job = done_job(member, group, assigned_reading)
    if who == "another member":
        signed_in(client, add_member(group, make_user("mo@example.org", "Mo Member")).user)
    elif who != "anonymous":
        signed_in(client, request.getfixturevalue(who))
    for url in (job.get_absolute_url(), job.get_absolute_url() + "file/"):
        response = client.get(url)
        assert response.status_code == status
        if who == "anonymous":
            assert response.url.startswith(reverse("account_login"))
    if status == 200:
        assert response.content == b"%PDF-1.7 theirs"


@pytest.mark.django_db
def test_while_the_worker_has_not_run_the_page_says_making_and_refreshes(
    django_app, group, member, assigned_reading
):
    make_annotation(group, assigned_reading, member, body="Asked while waiting")
    page = browsing_as(django_app, member).get(
        reverse("discussions:print", args=[group.slug, assigned_reading.slug])
    )
    with override_settings(TASKS=QUEUED_ONLY):
        waiting = form_with(page, "Download PDF").submit().follow()
    job = PrintJob.objects.get()
    assert waiting.request.path == job.get_absolute_url()
    # What is stored is the edition, without the page's forms or their token.
    assert "Asked while waiting" in job.html and "csrfmiddlewaretoken" not in job.html
    assert "Making your PDF…" in waiting
    assert REFRESH in waiting and POLL in waiting
    assert "Download the PDF" not in waiting
    # Until the PDF is made, its file is not there: the job's page says why.
    assert django_app.get(job.get_absolute_url() + "file/").location == job.get_absolute_url()
    poll = {"HX-Request": "true"}
    answer = django_app.get(waiting.request.path, headers=poll)
    assert answer.status_int == 204 and "HX-Refresh" not in answer.headers

    assert tasks.make_pdf.call(job.pk, "http://testserver/") is True  # the worker's turn
    answer = django_app.get(waiting.request.path, headers=poll)
    assert answer.status_int == 204 and answer.headers["HX-Refresh"] == "true"
    ready = django_app.get(waiting.request.path)  # as the refresh does
    assert REFRESH not in ready and POLL not in ready
    pdf = ready.click("Download the PDF").body
    assert pdf.startswith(b"%PDF-")
    assert "Asked while waiting" in " ".join(extract_text(io.BytesIO(pdf)).split())
    job.refresh_from_db()
    assert job.html == ""  # the stored page has served its turn


@pytest.mark.django_db
def test_asking_again_while_one_is_made_shows_the_same_job(client, group, member, assigned_reading):
    signed_in(client, member)
    with override_settings(TASKS=QUEUED_ONLY):
        first = client.post(create_url(group, assigned_reading), CHOICES)
        again = client.post(create_url(group, assigned_reading), {"paper": "letter"})
    assert first.url == again.url == PrintJob.objects.get().get_absolute_url()
    assert PrintJob.objects.get().paper == "a4"


@pytest.mark.django_db
def test_a_new_pdf_replaces_the_members_earlier_ones_for_that_reading(
    client, group, member, facilitator, organizer, assigned_reading
):
    other = make_reading(title="Another one")
    assign_reading(group=group, reading=other, meeting_date=None, notes="", actor=organizer)
    earlier = done_job(member, group, assigned_reading)
    elsewhere = done_job(member, group, other)
    theirs = done_job(facilitator, group, assigned_reading)
    response = signed_in(client, member).post(create_url(group, assigned_reading), CHOICES)
    kept = set(PrintJob.objects.values_list("pk", flat=True))
    assert earlier.pk not in kept and {elsewhere.pk, theirs.pk} <= kept
    assert (
        response.url
        == PrintJob.objects.get(user=member, reading=assigned_reading).get_absolute_url()
    )
    assert client.get(earlier.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_job_is_not_found_under_another_reading(
    client, group, member, organizer, assigned_reading
):
    other = make_reading(title="Another one")
    assign_reading(group=group, reading=other, meeting_date=None, notes="", actor=organizer)
    job = done_job(member, group, assigned_reading)
    signed_in(client, member)
    for tail in ("", "file/"):
        url = reverse("discussions:print_job", args=[group.slug, other.slug, job.pk]) + tail
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_after_leaving_the_group_the_job_is_gone(client, group, member, assigned_reading):
    job = done_job(member, group, assigned_reading)
    Membership.objects.filter(group=group, user=member).delete()
    signed_in(client, member)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(job.get_absolute_url() + "file/").status_code == 404
    assert client.post(create_url(group, assigned_reading), CHOICES).status_code == 404


@pytest.mark.django_db
def test_asking_by_get_makes_nothing(client, group, member, assigned_reading):
    response = signed_in(client, member).get(create_url(group, assigned_reading), CHOICES)
    assert response.status_code == 405
    assert not PrintJob.objects.exists()


@pytest.mark.django_db
def test_a_crash_says_so_plainly_and_offers_the_form_again(
    django_app, group, member, assigned_reading, monkeypatch, caplog
):
    def crash(*args):
        raise RuntimeError("Pango fell over")

    monkeypatch.setattr("discussions.printing.pdf", crash)
    page = browsing_as(django_app, member).get(
        reverse("discussions:print", args=[group.slug, assigned_reading.slug])
    )
    failed = form_with(page, "Download PDF").submit().follow()
    alert = failed.html.select_one('[role="alert"]').text
    assert "Something went wrong while making this PDF." in alert
    assert "Pango" not in failed  # the details go to the log, not to the page
    assert "Pango fell over" in caplog.text
    assert REFRESH not in failed and "Download the PDF" not in failed
    assert PrintJob.objects.get().html == ""

    monkeypatch.undo()
    again = form_with(failed, "Download PDF")
    again["paper"] = "letter"
    ready = again.submit().follow()
    assert "Your PDF is ready" in ready and "on Letter paper" in ready
    assert ready.click("Download the PDF").body.startswith(b"%PDF-")
    assert PrintJob.objects.count() == 1


@pytest.mark.django_db
def test_a_job_the_worker_never_finished_shows_as_failed(client, group, member, assigned_reading):
    job = made_job(member, group, assigned_reading, html="<p>Waiting</p>")
    signed_in(client, member)
    assert "Making your PDF…" in client.get(job.get_absolute_url()).content.decode()

    long_ago = timezone.now() - PrintJob.STALE_AFTER - datetime.timedelta(seconds=1)
    PrintJob.objects.filter(pk=job.pk).update(created=long_ago)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "The PDF was not made in time. Please try again" in page
    assert REFRESH not in page and POLL not in page and ">Download PDF</button>" in page

    # A worker that comes back late does not make what the page called failed.
    assert tasks.make_pdf.call(job.pk, "http://testserver/") is False
    assert "The PDF was not made in time." in client.get(job.get_absolute_url()).content.decode()
    # And asking again makes a new job, in place of the lost one.
    response = client.post(create_url(group, assigned_reading), CHOICES)
    assert response.url != job.get_absolute_url()
    assert PrintJob.objects.get().pdf.startswith(b"%PDF-")


WORKER_SCRIPT = """
from django.core.management import call_command
from django.test import Client
from discussions.models import PrintJob
from groups.services import assign_reading, create_group
from tests.conftest import make_reading, make_user

call_command("migrate", verbosity=0)
olga = make_user("olga@example.org", "Olga")
group = create_group(name="Night readers", description="", creator=olga)
reading = make_reading(title="On reading")
assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=olga)
client = Client(HTTP_HOST="localhost")
client.force_login(olga)
url = f"/g/{group.slug}/r/{reading.slug}/print/pdf/"
job_page = client.post(url, {"kinds": ["question"], "paper": "a4"}).url
page = client.get(job_page).content.decode()
print("queued:", PrintJob.objects.filter(finished=None).count(), "Making your PDF" in page)
call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
page = client.get(job_page).content.decode()
pdf = client.get(job_page + "file/").content
print("after the worker:", "Download the PDF" in page, pdf[:5].decode())
"""


def test_the_database_queue_and_its_worker_make_the_pdf(tmp_path):
    result = django_in_subprocess(
        WORKER_SCRIPT,
        TASK_BACKEND="database",
        DATABASE_URL=f"sqlite:///{tmp_path / 'q.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    # The request only queued the PDF: the page says so.
    assert re.search(r"^queued: 1 True$", result.stdout, re.M), result.stdout
    assert re.search(r"^after the worker: True %PDF-$", result.stdout, re.M), result.stdout
