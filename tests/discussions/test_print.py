"""The print edition of a reading: the text with its marks, the threads beside
their passage (long ones as endnotes), the agenda first, the kinds chosen, as
the viewer may see them; and the same page as a PDF."""

import io
import socket

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from pdfminer.high_level import extract_text
from pypdf import PdfReader

from discussions import printing
from discussions.forms import PrintForm
from discussions.models import Annotation, ModerationEvent, PrintJob
from discussions.services import moderate, post_reply
from facilitation.services import add_agenda_item, publish_agenda
from groups.models import Assignment
from groups.services import assign_reading, create_group
from tests.conftest import browsing_as, form_with, make_annotation, make_reading, signed_in


def print_url(group, reading, query=""):
    return reverse("discussions:print", args=[group.slug, reading.slug]) + query


def made_pdf(client, group, reading, kinds=PrintForm.ALL_KINDS, paper="a4"):
    """The PDF file, asked for as the page's button does (the task runs at once
    in tests), fetched from the job's page."""
    url = reverse("discussions:print_pdf", args=[group.slug, reading.slug])
    job_page = client.post(url, {"kinds": kinds, "paper": paper})
    assert job_page.status_code == 302, job_page.status_code
    return client.get(job_page.url + "file/")


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return " ".join(extract_text(io.BytesIO(response.content)).split())


def notes_beside(page: str, passage) -> str:
    """The text of the notes printed beside `passage`."""
    row = BeautifulSoup(page, "html.parser").find(id=passage.anchor).parent
    notes = row.find(class_="edition-notes")
    return notes.get_text(" ", strip=True) if notes else ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("member", 200),
        ("facilitator", 200),
        ("organizer", 200),
        ("staff", 404),  # staff are outsiders to a group they are not in
    ],
)
def test_who_may_open_it(client, request, group, assigned_reading, who, status):
    if who != "anonymous":
        signed_in(client, request.getfixturevalue(who))
    response = client.get(print_url(group, assigned_reading))
    assert response.status_code == status
    if who == "anonymous":
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_threads_beside_their_passage_with_their_words_marked(
    client, group, member, facilitator, assigned_reading
):
    first, second, third = assigned_reading.passages.all()
    question = make_annotation(
        group, assigned_reading, member, body="Worth *what*?", passage=second, words="worth"
    )
    post_reply(annotation=question, parent=None, body="Worth a meeting.", author=facilitator)
    page = signed_in(client, member).get(print_url(group, assigned_reading)).content.decode()
    assert f'<mark class="anno" data-annotations="{question.pk}">worth</mark>' in page
    beside = notes_beside(page, second)
    assert "Question Maya Member" in beside
    assert "Worth what ?" in beside and "Worth a meeting." in beside
    assert notes_beside(page, first) == notes_beside(page, third) == ""
    # No site navigation or forms of the reading page come along.
    assert "Ask a question" not in page and "Mark answered" not in page


@pytest.mark.django_db
def test_the_reading_page_links_to_it(client, group, member, assigned_reading):
    page = signed_in(client, member).get(
        reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    )
    assert f'href="{print_url(group, assigned_reading)}"' in page.content.decode()


@pytest.mark.django_db
def test_another_members_private_note_is_never_printed(
    client, group, member, facilitator, assigned_reading
):
    make_annotation(group, assigned_reading, facilitator, kind="note", body="Femi's own plan")
    make_annotation(group, assigned_reading, member, kind="note", body="Maya's own thought")
    signed_in(client, member)
    page = client.get(print_url(group, assigned_reading)).content.decode()
    text = pdf_text(made_pdf(client, group, assigned_reading))
    for printed in (page, text):
        assert "Maya's own thought" in printed.replace("&#x27;", "'")
        assert "Femi" not in printed.replace("&#x27;", "'")


@pytest.mark.django_db
def test_a_hidden_post_is_printed_as_the_moderation_rules_show_it(
    client, group, member, facilitator, organizer, assigned_reading
):
    rude = make_annotation(group, assigned_reading, organizer, kind="comment", body="Rude words")
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    page = signed_in(client, member).get(print_url(group, assigned_reading)).content.decode()
    assert "Rude words" not in page
    assert "This was hidden by a moderator." in page
    assert "Rude words" not in pdf_text(made_pdf(client, group, assigned_reading))
    for who in (organizer, facilitator):  # its author, and a moderator
        page = signed_in(client, who).get(print_url(group, assigned_reading)).content.decode()
        assert "Rude words" in page and "Hidden by a moderator" in page


@pytest.mark.django_db
def test_a_hidden_thread_long_enough_for_an_endnote_stays_hidden(
    client, group, member, facilitator, organizer, assigned_reading
):
    rude = make_annotation(group, assigned_reading, organizer, kind="comment", body="Rude " * 20)
    for n in range(12):
        post_reply(annotation=rude, parent=None, body=f"Answer {n}. " * 10, author=member)
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    page = signed_in(client, member).get(print_url(group, assigned_reading)).content.decode()
    assert "Continued in note 1" in page and "Answer 11." in page
    assert "Rude" not in page
    assert page.count("This was hidden by a moderator.") == 2  # in the margin and the note


@pytest.mark.django_db
def test_kinds_chosen_in_the_form(django_app, group, member, facilitator, assigned_reading):
    question = make_annotation(group, assigned_reading, member, body="Asked aloud")
    post_reply(annotation=question, parent=None, body="Answered aloud", author=facilitator)
    make_annotation(group, assigned_reading, facilitator, kind="comment", body="Said aside")
    make_annotation(group, assigned_reading, member, kind="note", body="Kept to myself")
    page = browsing_as(django_app, member).get(print_url(group, assigned_reading))
    assert all(text in page.text for text in ("Asked aloud", "Answered aloud", "Said aside"))
    assert "Kept to myself" in page.text

    form = form_with(page, "Show")
    form["kinds"] = ["question", "note"]
    page = form.submit()
    assert "Asked aloud" in page.text and "Kept to myself" in page.text
    assert "Answered aloud" not in page.text and "Said aside" not in page.text
    assert "questions, my private notes" in page.text

    form = form_with(page, "Show")
    form["kinds"] = []
    page = form.submit()
    assert "the text alone" in page.text and "Asked aloud" not in page.text
    assert "Passage number 1 says something worth discussing." in page.text


@pytest.mark.django_db
def test_the_pdf_has_the_passages_and_the_questions(django_app, group, member, assigned_reading):
    make_annotation(group, assigned_reading, member, body="What is worth discussing?")
    page = browsing_as(django_app, member).get(print_url(group, assigned_reading))
    ready = form_with(page, "Download PDF").submit().follow()
    assert "Your PDF is ready" in ready  # the task ran at once, as in development
    response = ready.click("Download the PDF")
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{group.slug}-{assigned_reading.slug}.pdf"'
    )
    assert response.body.startswith(b"%PDF-")
    text = " ".join(extract_text(io.BytesIO(response.body)).split())
    assert "Passage number 3 says something worth discussing." in text
    assert "What is worth discussing?" in text
    assert "Download PDF" not in text and "Sign out" not in text  # no site furniture


@pytest.mark.django_db
def test_the_pdf_is_of_the_edition_shown(django_app, group, member, facilitator, assigned_reading):
    question = make_annotation(group, assigned_reading, member, body="Asked aloud")
    post_reply(annotation=question, parent=None, body="Answered aloud", author=facilitator)
    page = browsing_as(django_app, member).get(print_url(group, assigned_reading))
    form = form_with(page, "Show")
    form["kinds"] = ["question"]
    form["paper"] = "letter"
    ready = form_with(form.submit(), "Download PDF").submit().follow()
    assert "on Letter paper" in ready
    response = ready.click("Download the PDF")
    text = " ".join(extract_text(io.BytesIO(response.body)).split())
    assert "Asked aloud" in text and "Answered aloud" not in text
    box = PdfReader(io.BytesIO(response.body)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)


@pytest.mark.django_db
@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_pdf_is_on_the_paper_chosen(client, group, member, assigned_reading, paper, size):
    response = made_pdf(signed_in(client, member), group, assigned_reading, paper=paper)
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == size


@pytest.mark.django_db
def test_published_agenda_questions_come_first(
    client, group, member, facilitator, assigned_reading
):
    add_agenda_item(
        group=group, reading=assigned_reading, text="Who reads at night?", minutes=5, seen_version=0
    )
    publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=1)
    add_agenda_item(
        group=group, reading=assigned_reading, text="A draft for later", minutes=5, seen_version=2
    )
    for who in (member, facilitator):
        page = signed_in(client, who).get(print_url(group, assigned_reading)).content.decode()
        assert page.index("Who reads at night?") < page.index("Passage number 1 says")
        assert "A draft for later" not in page
    text = pdf_text(made_pdf(client, group, assigned_reading))
    assert text.index("Who reads at night?") < text.index("Passage number 1 says")


@pytest.mark.django_db
def test_a_long_thread_continues_as_a_numbered_endnote(
    client, group, member, facilitator, assigned_reading
):
    second = assigned_reading.passages.get(position=2)
    make_annotation(group, assigned_reading, member, body="Short one", passage=second)
    long = make_annotation(
        group, assigned_reading, member, body="Long one. " * 30, passage=second, words="worth"
    )
    for n in range(8):
        post_reply(annotation=long, parent=None, body=f"Reply {n}. " * 20, author=facilitator)
    page = signed_in(client, member).get(print_url(group, assigned_reading)).content.decode()
    beside = notes_beside(page, second)
    assert "Short one" in beside
    assert "Continued in note 1" in beside and "Reply 0." not in beside
    endnote = BeautifulSoup(page, "html.parser").find(id="note-1").get_text(" ", strip=True)
    assert endnote.startswith("Passage 2 : worth Question Maya Member")
    assert "Reply 7." in endnote and "Short one" not in endnote


@pytest.mark.django_db
def test_words_no_longer_in_the_text_are_printed_after_it(client, group, member, assigned_reading):
    lost = make_annotation(group, assigned_reading, member, body="Lost words", words="worth")
    Annotation.objects.filter(pk=lost.pk).update(orphaned=2, start=None, end=None)
    page = signed_in(client, member).get(print_url(group, assigned_reading)).content.decode()
    assert page.index("Passage number 3 says") < page.index("On words no longer in the text")
    assert page.index("On words no longer in the text") < page.index("Lost words")
    assert "data-annotations" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("threads", [3, 30])
def test_queries_are_fixed_as_the_discussion_grows(
    client, group, member, facilitator, assigned_reading, django_assert_num_queries, threads
):
    for n in range(threads):
        thread = make_annotation(group, assigned_reading, member, body=f"Thread {n}")
        post_reply(annotation=thread, parent=None, body="A reply", author=facilitator)
    signed_in(client, member)
    # Session, user, the assignment with its group and role; passages, threads,
    # replies; the agenda; the header's inbox count.
    with django_assert_num_queries(8):
        response = client.get(print_url(group, assigned_reading))
    assert response.content.decode().count('class="printed-reply') == threads


@pytest.mark.django_db
def test_another_groups_reading_is_not_found(client, group, member, outsider, assigned_reading):
    theirs = create_group(name="Day readers", description="", creator=outsider)
    elsewhere = make_reading(title="Theirs alone")
    assign_reading(group=theirs, reading=elsewhere, meeting_date=None, notes="", actor=outsider)
    make_annotation(theirs, elsewhere, outsider, body="Day talk")
    signed_in(client, member)
    assert client.get(print_url(group, elsewhere)).status_code == 404
    assert client.get(print_url(theirs, elsewhere)).status_code == 404
    assert Assignment.objects.filter(group=group, reading=elsewhere).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["?kinds=everything", "?kinds=question&kinds=secret", "?paper=a0"]
)
def test_a_bogus_choice_is_refused(client, group, member, facilitator, assigned_reading, query):
    make_annotation(group, assigned_reading, facilitator, kind="note", body="Femi alone")
    make_annotation(group, assigned_reading, member, body="Asked here")
    response = signed_in(client, member).get(print_url(group, assigned_reading, query))
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be made as asked" in page
    assert "Asked here" not in page and "Femi alone" not in page


@pytest.mark.django_db
def test_a_pdf_too_long_is_refused_with_what_to_do(
    client, group, member, assigned_reading, monkeypatch
):
    monkeypatch.setattr(printing, "PDF_MAX_PAGES", 2)
    monkeypatch.setattr(printing, "PAGE_CHARS", 100)
    # The text: 3 passages of 50 characters, so 2 pages alone; a question makes it 3.
    make_annotation(group, assigned_reading, member, body="Why? " * 20)
    signed_in(client, member)
    url = reverse("discussions:print_pdf", args=[group.slug, assigned_reading.slug])
    response = client.post(url, {"kinds": PrintForm.ALL_KINDS, "paper": "a4"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This edition would run to about 3 pages; a PDF is made of at most 2." in page
    assert "Leave out replies or comments" in page
    assert not PrintJob.objects.exists()
    fewer = made_pdf(client, group, assigned_reading, kinds=["comment"])
    assert fewer["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_making_a_pdf_fetches_nothing_from_elsewhere(
    client, group, member, assigned_reading, monkeypatch
):
    body = "See ![a picture](http://example.com/x.png) and [this](http://example.com/x.png)"
    make_annotation(group, assigned_reading, member, body=body)
    asked = []
    static_file = printing.static_file

    def recorded(url, static_url):
        asked.append(url)
        return static_file(url, static_url)

    def no_network(*args):
        raise AssertionError("the PDF reached for the network")

    monkeypatch.setattr(printing, "static_file", recorded)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    response = made_pdf(signed_in(client, member), group, assigned_reading)
    assert "See and this" in pdf_text(response)  # the sanitizer keeps no images
    assert "http://testserver/static/css/print.css" in asked
    assert not any("example.com" in url for url in asked)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "http://example.com/static/css/site.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "http://testserver/static/../config/settings.py",
        "http://testserver/static/css/nothing-here.css",
    ],
)
def test_the_fetcher_gives_our_static_files_only(url):
    static = "http://testserver/static/"
    body, headers = printing.static_file(static + "css/print.css", static)
    assert body.startswith(b"/*") and headers == {"Content-Type": "text/css"}
    with pytest.raises(ValueError):
        printing.static_file(url, static)
