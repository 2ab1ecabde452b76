import json
import re

import pytest
from django.urls import reverse

from discussions.models import Flag, ModerationEvent
from discussions.services import flag_post, moderate, post_reply
from tests.conftest import browsing_as, form_with, make_annotation, signed_in


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.mark.django_db
def test_moderators_see_reports_hidden_posts_and_the_log(
    client, group, member, organizer, facilitator, assigned_reading
):
    question = make_annotation(group, assigned_reading, member, body="Reported question")
    reply = post_reply(annotation=question, parent=None, body="Hidden reply", author=organizer)
    flag_post(post=question, group=group, reporter=organizer, reason="Off topic")
    moderate(post=reply, group=group, actor=facilitator, action="hidden")
    page = (
        signed_in(client, facilitator)
        .get(reverse("discussions:moderation", args=[group.slug]))
        .content.decode()
    )
    text = text_of(page)
    assert (
        "Reported (1)" in text
        and "Olga Organizer reported Maya Member’s question: “Off topic”" in text
    )
    assert "Reported question" in page
    assert "Hidden (1)" in text and "Hidden reply" in page
    assert "Femi Facilitator hid Olga Organizer’s reply" in text


@pytest.mark.django_db
def test_dismissing_a_report_keeps_the_post(
    client, group, member, organizer, facilitator, assigned_reading
):
    question = make_annotation(group, assigned_reading, member, body="Fine really")
    flag_post(post=question, group=group, reporter=organizer, reason="Hmm")
    thread = reverse("discussions:thread", args=[group.slug, assigned_reading.slug, question.pk])
    signed_in(client, facilitator).post(thread + "moderate/", {"action": "dismissed"})
    question.refresh_from_db()
    assert question.hidden is None
    page = client.get(reverse("discussions:moderation", args=[group.slug])).content.decode()
    assert "Reported (0)" in page
    assert "dismissed the reports on Maya Member’s question" in text_of(page)


def thread_url(question) -> str:
    return question.get_absolute_url()


@pytest.mark.django_db
def test_reporting_says_so_in_place_and_again_and_at_the_limit(
    client, settings, group, member, organizer, assigned_reading
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "flag": "1/h/user"}
    question = make_annotation(group, assigned_reading, organizer, body="Rude words")
    signed_in(client, member)
    report = thread_url(question) + "flag/"
    answer = client.post(report, {"reason": "Rude"}, HTTP_HX_REQUEST="true")
    # htmx puts this in place of the Report form (hx-target="this"), focuses it and says it.
    where = f"reported-post-a{question.pk}"
    assert answer.content.decode().strip() == (
        f'<p class="reported" id="{where}">Reported to the moderators.</p>'
    )
    assert json.loads(answer["HX-Trigger-After-Settle"]) == {
        "announce": {"message": "Reported to the moderators.", "focus": f"#{where}"}
    }
    again = client.post(report, {"reason": "Still rude"}, HTTP_HX_REQUEST="true")
    assert "You have reported this already" in again.content.decode()
    assert Flag.objects.get().reason == "Rude"

    # Asking again used none of the rate; a new report is past it.
    other = make_annotation(group, assigned_reading, organizer, body="Also rude")
    at_limit = client.post(thread_url(other) + "flag/", {"reason": "Rude"}, HTTP_HX_REQUEST="true")
    assert at_limit.status_code == 200  # htmx swaps only a 2xx answer in
    assert "You have reported many posts in a short time." in at_limit.content.decode()
    without_js = client.post(thread_url(other) + "flag/", {"reason": "Rude"})
    assert without_js.status_code == 429
    assert Flag.objects.count() == 1


@pytest.mark.django_db
def test_reporting_without_javascript_shows_the_message(
    django_app, group, member, organizer, assigned_reading
):
    question = make_annotation(group, assigned_reading, organizer, body="Rude words")
    page = browsing_as(django_app, member).get(thread_url(question))
    form = form_with(page, "Report to the moderators")
    form["reason"] = "Rude"
    assert "Reported to the moderators." in form.submit().follow().text
    page = django_app.get(thread_url(question))
    form = form_with(page, "Report to the moderators")
    form["reason"] = "Rude again"
    assert "You have reported this already" in form.submit().follow().text


@pytest.mark.django_db
def test_the_group_page_shows_moderators_the_open_reports(
    client, group, member, organizer, facilitator, assigned_reading
):
    question = make_annotation(group, assigned_reading, organizer)
    flag_post(post=question, group=group, reporter=member, reason="Rude")
    flag_post(post=question, group=group, reporter=facilitator, reason="Very rude")
    link = f'<a href="/g/{group.slug}/moderation/">Moderation (2 open reports)</a>'
    assert link in signed_in(client, facilitator).get(group.get_absolute_url()).content.decode()
    assert link in signed_in(client, organizer).get(group.get_absolute_url()).content.decode()
    assert "open report" not in signed_in(client, member).get(group.get_absolute_url()).text
    moderate(post=question, group=group, actor=facilitator, action="dismissed")
    page = signed_in(client, organizer).get(group.get_absolute_url()).content.decode()
    assert f'<a href="/g/{group.slug}/moderation/">Moderation</a>' in page


@pytest.mark.django_db
def test_a_moderator_cannot_handle_reports_on_their_own_post(
    client, django_app, group, member, organizer, facilitator, assigned_reading
):
    own = make_annotation(group, assigned_reading, facilitator, body="My own words")
    flag_post(post=own, group=group, reporter=member, reason="Rude")
    queue = reverse("discussions:moderation", args=[group.slug])
    page = browsing_as(django_app, facilitator).get(queue)
    assert "A report on your own post: another moderator must handle it." in page.text
    assert not any(">Hide</button>" in form.text for form in page.forms.values())
    thread = browsing_as(django_app, facilitator).get(thread_url(own))
    assert not any(">Hide</button>" in form.text for form in thread.forms.values())

    # Posting the buttons' requests anyway changes nothing, and says why.
    signed_in(client, facilitator)
    for action in ("hidden", "dismissed"):
        response = client.post(thread_url(own) + "moderate/", {"action": action}, follow=True)
        assert "This is your own post: another moderator must handle it." in response.text
    own.refresh_from_db()
    assert own.hidden is None and own.flags.get().resolved is None
    assert not ModerationEvent.objects.exists()

    # Hidden by another moderator, it stays hidden until another restores it.
    moderate(post=own, group=group, actor=organizer, action="hidden")
    page = browsing_as(django_app, facilitator).get(queue)
    assert "Your own post: another moderator can restore it." in page.text
    assert "Another moderator can restore it." in django_app.get(thread_url(own)).text
    client.post(thread_url(own) + "moderate/", {"action": "restored"})
    own.refresh_from_db()
    assert own.hidden is not None
    page = browsing_as(django_app, organizer).get(queue)
    form_with(page, "Restore").submit("action", value="restored").follow()
    own.refresh_from_db()
    assert own.hidden is None


@pytest.mark.django_db
def test_hiding_from_the_queue_returns_to_the_queue(
    django_app, group, member, organizer, facilitator, assigned_reading
):
    question = make_annotation(group, assigned_reading, member, body="Rude words")
    flag_post(post=question, group=group, reporter=organizer, reason="Rude")
    queue = reverse("discussions:moderation", args=[group.slug])
    page = browsing_as(django_app, facilitator).get(queue)
    response = form_with(page, "Hide").submit("action", value="hidden")
    assert response.location == queue
    page = response.follow()
    assert "Done: hid." in page.text and "Reported (0)" in page.text and "Hidden (1)" in page.text
    response = form_with(page, "Restore").submit("action", value="restored")
    assert response.location == queue
    question.refresh_from_db()
    assert question.hidden is None


@pytest.mark.django_db
def test_a_hidden_reply_cannot_be_marked_the_answer(
    client, django_app, group, member, organizer, facilitator, assigned_reading
):
    question = make_annotation(group, assigned_reading, member)
    shown = post_reply(annotation=question, parent=None, body="Shown", author=organizer)
    hidden = post_reply(annotation=question, parent=None, body="Hidden", author=organizer)
    moderate(post=hidden, group=group, actor=facilitator, action="hidden")
    page = browsing_as(django_app, facilitator).get(thread_url(question))
    offered = [
        form["answer"].value
        for form in page.forms.values()
        if "This answers the question" in form.text
    ]
    assert offered == [str(shown.pk)]
    response = signed_in(client, member).post(
        thread_url(question) + "answered/", {"answer": hidden.pk}, follow=True
    )
    assert "A hidden or deleted reply cannot be the answer." in response.text
    question.refresh_from_db()
    assert question.answered is None and question.answer is None
