"""How much of a request body the site takes: an oversize body is refused before
it is read, an oversize file is let go as it arrives, and the library's form
says what was wrong and keeps what else was typed."""

from io import BytesIO

import pytest
from django.conf import settings
from django.http.multipartparser import MultiPartParser
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from webtest import Upload

from config.limits import LimitedUploadHandler
from readings.models import Reading

MB = 1024 * 1024
MULTIPART = "multipart/form-data; boundary=B"


class Body:
    """A request body of `size` bytes, `head` and then x's, made as it is read
    and counting how much of it was."""

    def __init__(self, size: int, head: bytes = b""):
        self.size, self.head, self.read_bytes = size, head, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n < 0 else min(n, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + n
        data = self.head[start : start + n]
        return data + b"x" * (n - len(data))

    readline = read  # WSGI requires it; nothing here reads by lines


def send(client, url: str, body: Body, content_type: str, length: int):
    """POST `body` as it comes, saying it is `length` bytes long."""
    environ = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(length), "wsgi.input": body}
    return client.generic("POST", url, **environ)


def upload_form(page):
    return next(form for form in page.forms.values() if "file" in form.fields)


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_on_the_form_and_the_rest_is_kept(django_app, staff):
    page = django_app.get(reverse("readings:library"), user=staff)
    form = upload_form(page)
    form["file"] = Upload("long.txt", b"x" * (settings.READING_MAX_BYTES + MB // 2))
    form["title"] = "The title I typed"
    form["author"] = "Ann Author"
    response = form.submit(status=400)

    assert "The file is 5.5 MB; the largest reading accepted is 5.0 MB." in response.text
    form = upload_form(response)
    assert (form["title"].value, form["author"].value) == ("The title I typed", "Ann Author")
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_a_file_too_large_to_take_gets_a_clear_page_and_nothing_is_saved(django_app, staff):
    page = django_app.get(reverse("readings:library"), user=staff)
    form = upload_form(page)
    form["file"] = Upload("huge.txt", b"x" * settings.REQUEST_MAX_BYTES)
    response = form.submit(status=413)

    assert (
        "The file is larger than 5.0 MB, the largest this site accepts. Nothing was saved."
        in response.text
    )
    assert not Reading.objects.exists()
    assert upload_form(response.click("start again with an empty form"))


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_before_any_of_it_is_read(staff_client):
    body = Body(200 * MB)
    response = send(staff_client, reverse("readings:library"), body, MULTIPART, body.size)
    assert response.status_code == 413
    assert "The file is larger than 5.0 MB" in response.content.decode()
    assert body.read_bytes == 0
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_a_body_is_read_no_further_than_its_stated_length(staff_client):
    head = b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
    body = Body(200 * MB, head)
    response = send(staff_client, reverse("readings:library"), body, MULTIPART, 1000)
    assert response.status_code == 400
    assert body.read_bytes == 1000
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_a_json_body_over_the_limit_is_refused_in_json(member_client):
    body = Body(settings.REQUEST_MAX_BYTES + 1)
    response = send(member_client, "/api/annotations", body, "application/json", body.size)
    assert response.status_code == 413
    assert response.json() == {
        "error": "The request body is larger than 6.0 MB, the most this site accepts."
    }
    assert body.read_bytes == 0


def test_a_file_past_the_limit_is_let_go_as_it_arrives():
    size = settings.READING_MAX_BYTES + MB // 2
    data = encode_multipart(
        "BoUnDaRyStRiNg",
        {"file": BytesIO(b"x" * size), "title": "Sent after the file"},
    )
    held = []

    class Watched(LimitedUploadHandler):
        def receive_data_chunk(self, raw_data, start):
            super().receive_data_chunk(raw_data, start)
            held.append(self.file.tell())

    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(data))}
    post, files = MultiPartParser(meta, BytesIO(data), [Watched()]).parse()

    assert max(held) <= settings.READING_MAX_BYTES
    assert held[-1] == 0
    assert (files["file"].size, files["file"].read()) == (size, b"")
    assert post["title"] == "Sent after the file"
