import re

import pytest
from django.urls import reverse

from discussions.services import flag_post, moderate, post_reply
from tests.conftest import make_annotation, signed_in


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
