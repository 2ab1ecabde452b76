"""Every button of every form the site renders, clicked as a browser would.

Each page below is opened by the person it is for (django-webtest, with a real
session); every form on it is filled where it is empty and submitted once per
button, from the HTML the page rendered, inside a savepoint that is rolled back
after. Each submission must work: no 4xx or 5xx, and no error message on the
page it leads to, unless the table of refusals says why. A form whose field
names do not fit its view fails here. And every URL that takes a POST must be
reached by some rendered form, so a form nobody submits fails the suite too.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone
from webtest import Upload

from accounts.tokens import create_token
from discussions.models import Annotation, ModerationEvent, PrintJob
from discussions.services import ask_answer_first, flag_post, moderate, post_reply, set_reaction
from facilitation.services import add_agenda_item, end_meeting, publish_agenda, start_meeting
from groups.services import assign_reading, create_group
from notifications.emails import unsubscribe_token
from notifications.models import Notification
from readings.models import Reading
from readings.models import Upload as ImportUpload
from readings.services import upload_revision
from tests.conftest import (
    PASSWORD,
    browsing_as,
    empty_caches,
    make_annotation,
    make_reading,
    make_user,
)
from tests.test_access import EXPECTED

# Posts that are not made by a form of a page: the JSON API and the live polls.
NOT_FORMS = {
    "interop:api_annotations",
    "interop:api_annotation",
    "interop:api_reply",
    "discussions:live",
    "facilitation:meeting_live",
}
# Buttons that are right to refuse here, by who presses them, and what they say:
# the organizer is the group's only one, so cannot leave or remove themself.
LAST_ORGANIZER = "A group needs at least one organizer"
REFUSALS = {
    ("organizer", "Leave this group"): LAST_ORGANIZER,
    ("organizer", "Remove Olga Organizer"): LAST_ORGANIZER,
    # The form is filled with words that are not the group's name.
    ("organizer", "Delete this group"): "Type the name of the group",
}
SAMPLE_TEXT = b"A sample reading\n\nIts only paragraph says enough to be a reading."


@pytest.fixture
def site(group, organizer, facilitator, member, outsider, staff, assigned_reading):
    """A group in full swing: a question with a reply, a reaction and a report,
    one to answer first, a private note, a hidden comment, an orphaned comment,
    a published agenda with a draft after it (and another group's to copy), a
    meeting that ended and one that runs, an API token, a reading to add to the
    syllabus, a draft in the library, and a notification in the member's inbox;
    and a revised text of the syllabus's reading waiting for review; a PDF of
    the print edition that was not made."""
    question = make_annotation(group, assigned_reading, member, body="Why here?")
    post_reply(annotation=question, parent=None, body="Because.", author=facilitator)
    # The member's own reaction, for their thread page to offer taking it back.
    set_reaction(annotation=question, reply=None, user=member, kind="lost", on=True)
    # A question members answer first: a member's form to answer, a facilitator's to reveal.
    puzzle = make_annotation(group, assigned_reading, organizer, body="What next?")
    ask_answer_first(annotation=puzzle)
    make_annotation(group, assigned_reading, member, kind="note", body="Mine alone")
    rude = make_annotation(group, assigned_reading, member, kind="comment", body="Rude")
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    # A comment whose words a revision of the text took out: an orphan to attach again.
    lost = make_annotation(group, assigned_reading, member, kind="comment", words="worth")
    Annotation.objects.filter(pk=lost.pk).update(orphaned=2, start=None, end=None)
    # The facilitator runs another group on the same reading, whose agenda can be copied.
    other = create_group(name="Day readers", description="", creator=facilitator)
    assign_reading(group=other, reading=assigned_reading, meeting_date=None, notes="", actor=None)
    add_agenda_item(
        group=other, reading=assigned_reading, text="Who is it for?", minutes=5, seen_version=0
    )
    # A passage some are lost on with no question there: the overview offers to ask one.
    second = assigned_reading.passages.get(position=2)
    hard = make_annotation(group, assigned_reading, facilitator, kind="comment", passage=second)
    set_reaction(annotation=hard, reply=None, user=member, kind="lost", on=True)
    flag_post(post=question, group=group, reporter=organizer, reason="Off topic")
    add_agenda_item(
        group=group, reading=assigned_reading, text="What is it for?", minutes=5, seen_version=0
    )
    publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=1)
    add_agenda_item(
        group=group, reading=assigned_reading, text="And then?", minutes=5, seen_version=2
    )
    ended = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    end_meeting(meeting=ended)
    running = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    create_token(user=member, name="A script")
    make_reading(title="Not on the syllabus yet")
    draft = Reading.objects.create(title="A draft", slug="a-draft", uploaded_by=staff)
    draft.passages.create(position=1, anchor="p-000001", text="Draft text.", html="Draft text.")
    Notification.objects.create(
        user=member, group=group, reading=assigned_reading, event="e", url="/", text="News"
    )
    revised = assigned_reading.passages.first().text.encode() + b"\n\nAn added paragraph."
    revision = upload_revision(reading=assigned_reading, data=revised, filename="revised.txt")
    # Uploads that failed: each page offers its form again.
    failed = [
        ImportUpload.objects.create(filename="bad.pdf", finished=timezone.now(), problem="Bad."),
        ImportUpload.objects.create(
            revises=assigned_reading, finished=timezone.now(), problem="Bad."
        ),
    ]
    # A PDF the worker could not make: its page offers the form again.
    unmade = PrintJob.objects.create(
        user=member,
        group=group,
        reading=assigned_reading,
        paper="a4",
        finished=timezone.now(),
        problem="It broke.",
    )
    reading = f"/g/{group.slug}/r/{assigned_reading.slug}/"
    anchor = assigned_reading.passages.first().anchor
    join = group.get_invite_path()
    return {
        "people": {
            "anonymous": None,
            "outsider": outsider,
            "member": member,
            "facilitator": facilitator,
            "organizer": organizer,
            "staff": staff,
            # Signed up, not yet confirmed: asked to confirm before anything else.
            "newcomer": make_user("newcomer@example.org", "Nell Newcomer", verified=False),
        },
        "pages": [
            ("anonymous", "/accounts/login/"),
            ("anonymous", "/accounts/signup/"),
            ("anonymous", "/accounts/password/reset/"),
            ("anonymous", join),
            ("outsider", join),
            ("outsider", "/g/new/"),
            ("member", "/"),
            ("member", group.get_absolute_url()),
            ("member", reading),
            ("member", f"{reading}?discuss={anchor}"),
            ("member", question.get_absolute_url()),
            ("member", running.get_absolute_url()),
            ("member", "/search/?q=why"),
            ("member", "/settings/"),
            ("member", "/accounts/password/change/"),
            ("member", "/inbox/"),
            ("member", "/inbox/email/"),
            ("anonymous", f"/inbox/unsubscribe/{unsubscribe_token(member, group)}/"),
            ("facilitator", question.get_absolute_url()),
            ("facilitator", puzzle.get_absolute_url()),
            ("member", puzzle.get_absolute_url()),
            ("facilitator", f"{reading}?discuss={anchor}"),
            ("facilitator", f"{reading}agenda/"),
            ("facilitator", f"{reading}overview/"),
            ("facilitator", running.get_absolute_url()),
            ("facilitator", ended.get_absolute_url()),
            ("facilitator", f"/g/{group.slug}/moderation/"),
            ("facilitator", f"{reading}orphans/"),
            ("member", f"{reading}orphans/"),
            ("member", f"{reading}print/"),
            ("member", unmade.get_absolute_url()),
            ("organizer", group.get_absolute_url()),
            ("organizer", f"/g/{group.slug}/members/"),
            ("organizer", f"/g/{group.slug}/edit/"),
            ("organizer", f"/g/{group.slug}/delete/"),
            ("organizer", f"/g/{group.slug}/syllabus/{group.assignments.get().pk}/edit/"),
            ("organizer", f"/g/{group.slug}/import/"),
            ("newcomer", "/settings/"),
            ("staff", "/library/"),
            ("staff", "/library/a-draft/"),
            ("staff", assigned_reading.get_absolute_url()),
            ("staff", revision.get_absolute_url()),
            *(("staff", upload.get_absolute_url()) for upload in failed),
        ],
        "export": f"/g/{group.slug}/export.jsonld",
    }


def posted_to_by_our_apps() -> set[str]:
    """The names of our apps' URLs that take a POST (from the access table)."""
    names = set()
    for route, name in named_routes():
        refused = EXPECTED[route][1].split()[2:]  # the signed-in roles' answers to a POST
        if ":" in name and not name.startswith("admin:") and "405" not in refused:
            names.add(name)
    return names


def named_routes(patterns=None, prefix="", namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            yield prefix + str(pattern.pattern), namespace + pattern.name


def buttons(form) -> list[tuple]:
    """The form's submit buttons, as (name, value, formaction, label)."""
    found = []
    for node in form.html.find_all(["button", "input"]):
        kind = node.get("type", "submit" if node.name == "button" else "text").lower()
        if kind == "submit":
            label = node.get_text(" ", strip=True) or node.get("value", "")
            found.append((node.get("name"), node.get("value"), node.get("formaction"), label))
    return found or [(None, None, None, "(Enter)")]


def fill(form, upload) -> None:
    """Type what a person would where the page left a required field empty, and
    tick a required box."""
    for name, fields in form.fields.items():
        for field in fields:
            kind = field.attrs.get("type", "text" if field.tag != "select" else "select")
            if kind == "file":
                field.value = upload
            elif kind == "checkbox" and "required" in field.attrs:
                field.checked = True  # "Yes, …": the confirmation a destructive action asks for
            elif field.value or kind in ("hidden", "submit", "checkbox", "radio", "date"):
                continue
            elif field.tag == "select":
                choices = [value for value, *_ in field.options if value]
                if choices:
                    field.value = choices[0]
            elif "password" in name:
                field.value = "A-new-pass-phrase-42"
            elif kind == "email" or "email" in name:
                field.value = "new.person@example.org"
            elif "required" in field.attrs:
                field.value = "Some words about it"


def click(app, person, url: str, index: int, button, uploads: dict):
    """Open `url` as `person`, fill its form number `index`, and press `button`."""
    app.reset()
    if person is not None:
        browsing_as(app, person)
    form = app.get(url).forms[index]
    name, value, formaction, _ = button
    if formaction:
        form.action = formaction  # as a browser does for the button pressed
    view = resolve(urlsplit(form.action or url).path).view_name
    fill(form, uploads.get(view))
    if url == "/accounts/login/":
        form["login"], form["password"] = "member@example.org", PASSWORD
    press = {"value": value} if name else {}
    response = form.submit(name, expect_errors=True, **press)
    return view, tuple(sorted(name for name in form.fields if name)), response


def errors_after(response) -> list[str]:
    page = response.follow() if response.status_int in (301, 302, 303) else response
    # A message, or the page of work the task worker could not do (a PDF, an import).
    return re.findall(r'class="message message--error">([^<]*)<', page.text) + re.findall(
        r'class="form-errors" role="alert"><p>([^<]*)<', page.text
    )


@pytest.mark.django_db
def test_every_rendered_form_works_and_every_post_url_has_one(django_app, site):
    browsing_as(django_app, site["people"]["organizer"])
    uploads = {
        "readings:library": Upload("sample.txt", SAMPLE_TEXT, "text/plain"),
        "readings:revise": Upload("revised.txt", SAMPLE_TEXT, "text/plain"),
        "interop:import_group": Upload("export.jsonld", django_app.get(site["export"]).body),
    }
    failures, reached, forms, presses = [], set(), set(), set()
    for role, url in site["pages"]:
        person = site["people"][role]
        django_app.reset()
        if person is not None:
            browsing_as(django_app, person)
        page = django_app.get(url)
        # A form inside a <template> is a script's stamp, not a form on the page.
        shown = [
            index
            for index, form in enumerate(page.html.find_all("form"))
            if not form.find_parent("template")
        ]
        for index in shown:
            for button in buttons(page.forms[index]):
                savepoint = transaction.savepoint()
                try:
                    view, fields, response = click(django_app, person, url, index, button, uploads)
                    errors = errors_after(response)
                finally:
                    transaction.savepoint_rollback(savepoint)
                    empty_caches()
                reached.add(view)
                forms.add((view, fields))
                presses.add((view, fields, button[1]))
                refusal = REFUSALS.get((role, button[3]))
                if refusal and any(refusal in error for error in errors):
                    continue
                if response.status_int >= 400 or errors:
                    failures.append(
                        f"{role} at {url}: {button[3]!r} -> {view} {response.status} {errors}"
                    )
    assert failures == [], "\n".join(failures)
    assert posted_to_by_our_apps() - NOT_FORMS - reached == set()
    print(f"\n{len(forms)} forms, {len(presses)} buttons, from {len(site['pages'])} pages:")
    print("\n".join(sorted(f"{view} {button or ''} {fields}" for view, fields, button in presses)))
