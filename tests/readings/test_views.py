"""The library (staff only) and the staff reading page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from readings.models import Reading
from tests.conftest import make_reading

INTERVIEW = (
    b"Skip to content\n\nBread and roses\n\nInterview with Jo Park\n\n"
    b"Ann Lee: Why bread?\n\nJo Park: Because <script>alert(1)</script> people eat.\n\n"
    b"AL: And roses?\n\nJP: Because they read."
)

LIBRARY_URLS = [
    ("get", "readings:library", False),
    ("get", "readings:preview", True),
    ("get", "readings:read", True),
    ("post", "readings:publish", True),
    ("post", "readings:delete", True),
]


def url_for(name, needs_slug, reading):
    return reverse(name, args=[reading.slug]) if needs_slug else reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "needs_slug"), LIBRARY_URLS)
def test_anonymous_is_sent_to_sign_in(client, method, name, needs_slug):
    reading = make_reading(status=Reading.Status.DRAFT)
    response = getattr(client, method)(url_for(name, needs_slug, reading))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "needs_slug"), LIBRARY_URLS)
def test_non_staff_learn_nothing(member_client, method, name, needs_slug):
    reading = make_reading(status=Reading.Status.DRAFT)
    response = getattr(member_client, method)(url_for(name, needs_slug, reading))
    assert response.status_code == 404
    assert Reading.objects.get().status == Reading.Status.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["readings:publish", "readings:delete"])
def test_writes_refuse_get(staff_client, name):
    reading = make_reading(status=Reading.Status.DRAFT)
    assert staff_client.get(reverse(name, args=[reading.slug])).status_code == 405
    assert Reading.objects.get().status == Reading.Status.DRAFT


@pytest.mark.django_db
def test_writes_need_csrf(staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    reading = make_reading(status=Reading.Status.DRAFT)
    assert client.post(reverse("readings:publish", args=[reading.slug])).status_code == 403
    upload = SimpleUploadedFile("i.txt", INTERVIEW)
    assert client.post(reverse("readings:library"), {"file": upload}).status_code == 403
    assert Reading.objects.count() == 1


@pytest.mark.django_db
def test_upload_file_then_preview(staff_client, staff):
    response = staff_client.post(
        reverse("readings:library"),
        {"file": SimpleUploadedFile("bread.txt", INTERVIEW), "format": ""},
    )
    reading = Reading.objects.get()
    assert response.status_code == 302
    response = staff_client.get(response.url)  # the upload's status page: done
    assert response.url == reverse("readings:preview", args=[reading.slug])
    assert reading.uploaded_by == staff and reading.status == Reading.Status.DRAFT

    page = staff_client.get(response.url).content.decode()
    assert "Bread and roses" in page
    assert "4 passages: 4 speaker turns." in " ".join(page.split())
    assert "Left out as page furniture (1)" in page and "<li>Skip to content</li>" in page
    assert '<span class="speaker">Jo Park</span>' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


@pytest.mark.django_db
def test_paste_text_with_chosen_format(staff_client):
    staff_client.post(
        reverse("readings:library"),
        {"pasted": "# Pasted title\n\nSome *Markdown*.", "format": "markdown", "author": "Kim"},
    )
    reading = Reading.objects.get()
    assert (reading.title, reading.author) == ("Pasted title", "Kim")
    assert reading.passages.get().html == "Some <em>Markdown</em>."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a file to upload, or paste the text."),
        ({"file": SimpleUploadedFile("x.odt", b"PK")}, "Unknown file type &#x27;.odt&#x27;"),
        ({"file": SimpleUploadedFile("x.txt", b"")}, "The submitted file is empty."),
        ({"pasted": "x" * 2000}, "the largest reading accepted is 1 KB"),
        ({"pasted": "T\n\nP.", "source_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_bad_uploads_get_a_clear_message_and_create_nothing(staff_client, settings, data, message):
    settings.READING_MAX_BYTES = 1024
    response = staff_client.post(reverse("readings:library"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Reading.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}, "This PDF is incomplete"),
        ({"file": SimpleUploadedFile("x.txt", b"\x89PNG ...")}, "This looks like a PNG image"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message_and_create_nothing(
    staff_client, data, message
):
    response = staff_client.post(reverse("readings:library"), data, follow=True)
    assert response.status_code == 200  # the upload's status page
    assert message in response.content.decode()
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_failed_paste_keeps_the_text(staff_client):
    pasted = "<nav>Only a menu &amp; nothing else</nav>"
    response = staff_client.post(
        reverse("readings:library"), {"pasted": pasted, "format": "html"}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200  # the upload's status page
    assert "No readable text was found in the file." in page
    assert "&lt;nav&gt;Only a menu &amp;amp; nothing else&lt;/nav&gt;</textarea>" in page


@pytest.mark.django_db
def test_pasted_null_characters_are_refused_alone(staff_client):
    response = staff_client.post(reverse("readings:library"), {"pasted": "a\x00b"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Null characters are not allowed." in page
    assert "Choose a file to upload" not in page


@pytest.mark.django_db
def test_size_limit_is_shown_on_the_form(staff_client, settings):
    settings.READING_MAX_BYTES = 5 * 1024 * 1024
    assert "up to 5.0 MB" in staff_client.get(reverse("readings:library")).content.decode()


@pytest.mark.django_db
def test_fix_details_then_publish(staff_client):
    reading = make_reading(status=Reading.Status.DRAFT)
    url = reverse("readings:preview", args=[reading.slug])
    response = staff_client.post(
        url,
        {
            "title": "  Better   title ",
            "author": "A. Author",
            "source_url": "https://example.org/a",
        },
    )
    assert response.status_code == 302
    reading.refresh_from_db()
    assert (reading.title, reading.author) == ("Better title", "A. Author")

    bad = staff_client.post(url, {"title": "   ", "source_url": "ftp://x"})
    assert bad.status_code == 400
    assert "This field is required." in bad.content.decode()
    assert "Enter a valid URL." in bad.content.decode()

    staff_client.post(reverse("readings:publish", args=[reading.slug]))
    reading.refresh_from_db()
    assert reading.status == Reading.Status.PUBLISHED and reading.published is not None
    assert "Published" in staff_client.get(url).content.decode()


@pytest.mark.django_db
def test_delete_draft_but_not_published(staff_client):
    draft = make_reading(title="Draft one", status=Reading.Status.DRAFT)
    published = make_reading(title="Live one")
    staff_client.post(reverse("readings:delete", args=[draft.slug]), {"confirm": "yes"})
    staff_client.post(reverse("readings:delete", args=[published.slug]), {"confirm": "yes"})
    assert list(Reading.objects.values_list("title", flat=True)) == ["Live one"]


@pytest.mark.django_db
def test_library_lists_readings(staff_client):
    make_reading(title="First text", passages=4)
    page = staff_client.get(reverse("readings:library")).content.decode()
    assert "First text" in page and "<td>4</td>" in page


@pytest.mark.django_db
def test_reading_page_shows_an_interview(staff_client):
    staff_client.post(reverse("readings:library"), {"file": SimpleUploadedFile("b.txt", INTERVIEW)})
    reading = Reading.objects.get()
    page = staff_client.get(reverse("readings:read", args=[reading.slug])).content.decode()
    first = reading.passages.first()
    assert f'id="{first.anchor}"' in page
    assert f'href="#{first.anchor}"' in page and 'aria-label="Link to this passage"' in page
    assert re.search(
        r'<span class="speaker">Ann Lee</span> <span class="passage-body"[^>]*>Why bread\?</span>',
        page,
    )
    assert "Interview with Jo Park" in page  # the standfirst
    assert 'media="print"' in page


@pytest.mark.django_db
def test_reading_page_table_of_contents(staff_client):
    staff_client.post(
        reverse("readings:library"),
        {"pasted": "# T\n\n## Part one\n\nText.\n\n## Part two\n\nMore.", "format": "markdown"},
    )
    reading = Reading.objects.get()
    page = staff_client.get(reverse("readings:read", args=[reading.slug])).content.decode()
    headings = reading.passages.filter(kind="heading")
    assert 'aria-labelledby="contents-heading"' in page
    for heading in headings:
        assert f'<a href="#{heading.anchor}">{heading.text}</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 2000])
def test_reading_page_queries_do_not_grow_with_passages(
    staff_client, django_assert_num_queries, count
):
    reading = make_reading(passages=count)
    # session, user, reading, passages, the header's inbox count
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("readings:read", args=[reading.slug]))
    assert response.content.decode().count('class="passage ') == count
