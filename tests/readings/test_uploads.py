"""Imports on the task worker: an upload waits on its status page, which sends
its uploader on to what it made, or says why nothing was made."""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from webtest import Upload as File

from readings import tasks
from readings.models import Reading, Revision, Upload
from tests.conftest import browsing_as, form_with, make_reading, make_user
from tests.test_settings import django_in_subprocess

ESSAY = b"On walking\n\nA walk is a way of reading a town.\n\nEach street is a sentence."
# The task is queued and left there, as when the worker is busy or stopped.
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
REFRESH = '<meta http-equiv="refresh" content="2">'  # without JavaScript
POLL = 'hx-trigger="every 2s"'


def upload_through_the_library(app, name: str, data: bytes):
    form = form_with(app.get(reverse("readings:library")), "Import")
    form["file"] = File(name, data)
    return form.submit()


@pytest.mark.django_db
def test_upload_then_status_page_then_preview(django_app, staff):
    browsing_as(django_app, staff)
    status = upload_through_the_library(django_app, "walking.txt", ESSAY)
    upload = Upload.objects.get()
    assert status.location == f"/library/uploads/{upload.pk}/"

    preview = status.follow().follow()
    reading = Reading.objects.get()
    assert preview.request.path == reading.get_absolute_url()
    assert "Imported. Check how it was split, then publish it." in preview
    assert (reading.title, reading.uploaded_by) == ("On walking", staff)
    assert reading.passages.count() == 2
    upload.refresh_from_db()
    assert upload.reading == reading and bytes(upload.data) == b""  # the file is not kept


@pytest.mark.django_db
def test_a_bad_file_says_why_creates_nothing_and_offers_the_form_again(django_app, staff):
    browsing_as(django_app, staff)
    page = upload_through_the_library(django_app, "scan.pdf", b"%PDF-1.4").follow()
    assert page.status_int == 200
    alert = page.html.select_one('[role="alert"]').text
    assert "This PDF is incomplete" in alert
    assert REFRESH not in page
    assert not Reading.objects.exists()

    form = form_with(page, "Import")
    form["file"] = File("walking.txt", ESSAY)
    preview = form.submit().follow().follow()
    assert "Imported." in preview and Reading.objects.get().title == "On walking"


@pytest.mark.django_db
def test_a_revision_that_fails_offers_the_revision_form_again(django_app, staff):
    reading = make_reading(title="Published one")
    browsing_as(django_app, staff)
    form = form_with(django_app.get(reading.get_absolute_url()), "Upload a revised text")
    form["file"] = File("junk.txt", b"\x00\x01\x02binary\xff" * 20)
    page = form.submit().follow()
    assert "binary" in page.html.select_one('[role="alert"]').text
    assert not Revision.objects.exists()

    again = form_with(page, "Upload a revised text")
    again["file"] = File("revised.txt", b"A new first passage.\n\nAnd a second.")
    review = again.submit().follow().follow()
    assert "Uploaded. Check what it changes, then publish it." in review
    assert review.request.path == Revision.objects.get().get_absolute_url()


@pytest.mark.django_db
def test_while_the_worker_has_not_run_the_page_says_importing_and_refreshes(django_app, staff):
    browsing_as(django_app, staff)
    with override_settings(TASKS=QUEUED_ONLY):
        page = upload_through_the_library(django_app, "walking.txt", ESSAY).follow()
    assert page.status_int == 200
    assert "Importing walking.txt…" in page
    assert REFRESH in page and POLL in page
    assert not Reading.objects.exists()
    poll = {"HX-Request": "true"}
    answer = django_app.get(page.request.path, headers=poll)
    assert answer.status_int == 204 and "HX-Refresh" not in answer.headers

    tasks.import_upload.call(Upload.objects.get().pk)  # the worker's turn
    answer = django_app.get(page.request.path, headers=poll)
    assert answer.status_int == 204 and answer.headers["HX-Refresh"] == "true"
    preview = django_app.get(page.request.path).follow()  # as the refresh does
    assert "Imported." in preview and Reading.objects.get().title == "On walking"


@pytest.mark.django_db
def test_a_task_run_twice_imports_once(staff):
    upload = Upload.objects.create(filename="walking.txt", data=ESSAY, uploaded_by=staff)
    assert tasks.import_upload.call(upload.pk) is True
    assert tasks.import_upload.call(upload.pk) is False
    assert Reading.objects.count() == 1


@pytest.mark.django_db
def test_a_crash_leaves_the_upload_failed_with_a_plain_message(
    django_app, staff, monkeypatch, caplog
):
    def crash(*args, **kwargs):
        raise RuntimeError("pdfminer fell over")

    monkeypatch.setattr("readings.services.parse", crash)
    browsing_as(django_app, staff)
    page = upload_through_the_library(django_app, "walking.txt", ESSAY).follow()
    alert = page.html.select_one('[role="alert"]').text
    assert "Something went wrong while importing this file, and nothing was created." in alert
    assert "pdfminer" not in page  # the details go to the log, not to the page
    assert "pdfminer fell over" in caplog.text
    assert REFRESH not in page
    assert not Reading.objects.exists()
    assert bytes(Upload.objects.get().data) == b""


@pytest.mark.django_db
def test_an_upload_the_worker_never_finished_shows_as_failed(staff_client, staff):
    upload = Upload.objects.create(filename="long.pdf", data=b"%PDF", uploaded_by=staff)
    url = upload.get_absolute_url()
    assert "Importing long.pdf…" in staff_client.get(url).content.decode()

    long_ago = timezone.now() - Upload.STALE_AFTER - datetime.timedelta(seconds=1)
    Upload.objects.filter(pk=upload.pk).update(created=long_ago)
    page = staff_client.get(url).content.decode()
    assert "The import did not finish. Please try again" in page
    assert REFRESH not in page and POLL not in page and ">Import</button>" in page

    # A worker that comes back late does not import what the page called failed.
    assert tasks.import_upload.call(upload.pk) is False
    assert not Reading.objects.exists()
    assert "The import did not finish." in staff_client.get(url).content.decode()


@pytest.mark.django_db
def test_another_member_of_staff_may_follow_an_upload(django_app, staff):
    browsing_as(django_app, staff)
    status = upload_through_the_library(django_app, "walking.txt", ESSAY)
    colleague = make_user("colleague@example.org", "Cal Colleague", is_staff=True)
    django_app.reset()
    browsing_as(django_app, colleague)
    preview = django_app.get(status.location).follow()
    assert preview.request.path == Reading.objects.get().get_absolute_url()


@pytest.mark.django_db
def test_non_staff_cannot_see_an_upload(member_client, staff):
    upload = Upload.objects.create(filename="secret.txt", data=ESSAY, uploaded_by=staff)
    assert member_client.get(upload.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_deleting_the_draft_deletes_its_upload_record(django_app, staff):
    browsing_as(django_app, staff)
    status = upload_through_the_library(django_app, "walking.txt", ESSAY)
    preview = status.follow().follow()
    form = form_with(preview, "Delete this draft")
    form["confirm"].checked = True
    form.submit()
    assert not Upload.objects.exists()
    assert django_app.get(status.location, expect_errors=True).status_int == 404


WORKER_SCRIPT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from readings.models import Reading
from tests.conftest import make_user
from tests.fixtures import documents

call_command("migrate", verbosity=0)
client = Client(HTTP_HOST="localhost")
client.force_login(make_user("staff@example.org", "Stella", is_staff=True))
document = documents.docx_bytes([("Title", "On walking"), ("Normal", "A walk is reading.")])
response = client.post("/library/", {"file": SimpleUploadedFile("walking.docx", document)})
status = response.url
page = client.get(status).content.decode()
print("queued:", Reading.objects.count(), "Importing walking.docx" in page)
call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
response = client.get(status)
print("after the worker:", Reading.objects.get().title, response.url)
"""


def test_the_database_queue_and_its_worker_import_an_upload(tmp_path):
    result = django_in_subprocess(
        WORKER_SCRIPT,
        TASK_BACKEND="database",
        DATABASE_URL=f"sqlite:///{tmp_path / 'q.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    # The request only queued the import: the page says so.
    assert re.search(r"^queued: 0 True$", result.stdout, re.M), result.stdout
    assert re.search(r"^after the worker: On walking /library/on-walking/$", result.stdout, re.M)
