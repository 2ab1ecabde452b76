"""Joining by invite link or email, leaving, roles, removal, and the log."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from groups.models import Membership, MembershipEvent
from tests.conftest import browsing_as, form_with, make_user, signed_in

Action = MembershipEvent.Action


def join_url(group):
    return reverse("groups:join", args=[group.slug, group.invite_code])


@pytest.mark.django_db
def test_join_by_invite_link(client, group, outsider):
    signed_in(client, outsider)
    page = client.get(join_url(group)).content.decode()
    assert "Join Night readers" in page
    assert not Membership.objects.filter(user=outsider).exists()  # GET changes nothing
    response = client.post(join_url(group))
    assert response.status_code == 302 and response.url == f"/g/{group.slug}/"
    assert Membership.objects.get(user=outsider).role == Membership.Role.MEMBER
    event = group.events.first()
    assert (event.action, event.actor, event.subject) == (Action.JOINED, outsider, outsider)


@pytest.mark.django_db
def test_joining_twice_changes_nothing(client, group, member):
    signed_in(client, member)
    assert client.get(join_url(group)).url == f"/g/{group.slug}/"
    client.post(join_url(group))
    assert Membership.objects.filter(user=member).count() == 1


@pytest.mark.django_db
def test_a_wrong_or_rotated_code_finds_nothing(client, group, organizer, outsider):
    old = join_url(group)
    signed_in(client, organizer).post(reverse("groups:rotate_link", args=[group.slug]))
    group.refresh_from_db()
    assert join_url(group) != old
    signed_in(client, outsider)
    assert client.get(old).status_code == 404
    assert client.post(old).status_code == 404
    assert client.get(f"/g/{group.slug}/join/guess/").status_code == 404
    assert not Membership.objects.filter(user=outsider).exists()
    assert group.events.first().action == Action.LINK_ROTATED


def follow_confirmation_link(django_app, message):
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)
    return form_with(django_app.get(link), "Confirm").submit().maybe_follow()


@pytest.mark.django_db
def test_sign_up_through_the_invite_link_lands_in_the_group_once_confirmed(
    django_app, group, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = django_app.get(join_url(group)).click("Sign up and join")
    form = form_with(page, "Sign up")
    form["email"] = "newcomer@example.org"
    form["display_name"] = "Nell Newcomer"
    form["password1"] = form["password2"] = "correct-horse-battery"
    page = form.submit().maybe_follow()
    assert "We have sent an email to you for verification" in page.text
    assert not Membership.objects.filter(user__email="newcomer@example.org").exists()

    page = follow_confirmation_link(django_app, mail.outbox[-1])
    assert page.request.path == f"/g/{group.slug}/"
    assert "Welcome to Night readers." in page.text
    assert Membership.objects.get(user__email="newcomer@example.org").group == group


@pytest.mark.django_db
def test_an_unconfirmed_account_joins_once_it_confirms_its_address(django_app, group, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unconfirmed = make_user("unconfirmed@example.org", verified=False)
    browsing_as(django_app, unconfirmed)
    page = django_app.get(join_url(group))
    assert "Confirm your email address first" in page.text
    assert "Join Night readers</button>" not in page.text
    refused = django_app.post(
        join_url(group),
        {"csrfmiddlewaretoken": page.forms[0]["csrfmiddlewaretoken"].value},
        status=403,
    )
    assert "Confirm your email address first" in refused.text
    assert not Membership.objects.filter(user=unconfirmed).exists()

    form_with(refused, "Send the link again").submit("action_send")
    assert mail.outbox[-1].to == [unconfirmed.email]
    page = follow_confirmation_link(django_app, mail.outbox[-1])
    assert Membership.objects.get(user=unconfirmed).group == group
    assert "Welcome to Night readers." in page.text


@pytest.mark.django_db
def test_anonymous_post_to_join_is_sent_to_sign_in(client, group):
    response = client.post(join_url(group))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    assert Membership.objects.count() == 3


@pytest.mark.django_db
def test_email_invitation(client, group, organizer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    signed_in(client, organizer)
    response = client.post(
        reverse("groups:invite", args=[group.slug]),
        {"emails": "Ana@Example.org, ben@example.org\nana@example.org"},
    )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]
    message = mail.outbox[0]
    assert "Olga Organizer invites you to read with Night readers" in message.subject
    assert f"http://testserver{join_url(group)}" in message.body
    invited = group.events.filter(action=Action.INVITED)
    assert sorted(invited.values_list("email", flat=True)) == ["ana@example.org", "ben@example.org"]


@pytest.mark.django_db
def test_bad_email_invitation_keeps_what_was_typed(client, group, organizer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = signed_in(client, organizer).post(
        reverse("groups:invite", args=[group.slug]), {"emails": "ok@example.org, not-an-email"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not an email address: not-an-email" in page
    assert "ok@example.org, not-an-email</textarea>" in page
    assert mail.outbox == []


@pytest.mark.django_db
def test_leave_a_group(client, group, member):
    response = signed_in(client, member).post(reverse("groups:leave", args=[group.slug]))
    assert response.url == "/"
    assert not Membership.objects.filter(user=member).exists()
    assert group.events.first().action == Action.LEFT
    assert client.get(f"/g/{group.slug}/").status_code == 404


@pytest.mark.django_db
def test_the_last_organizer_cannot_leave_or_step_down(client, group, organizer):
    signed_in(client, organizer)
    response = client.post(reverse("groups:leave", args=[group.slug]), follow=True)
    assert "A group needs at least one organizer." in response.content.decode()
    client.post(reverse("groups:change_role", args=[group.slug, organizer.pk]), {"role": "member"})
    client.post(
        reverse("groups:remove_member", args=[group.slug, organizer.pk]), {"confirm": "yes"}
    )
    assert Membership.objects.get(user=organizer).role == Membership.Role.ORGANIZER


@pytest.mark.django_db
def test_organizer_changes_roles_then_may_step_down(client, group, organizer, member):
    signed_in(client, organizer)
    url = reverse("groups:change_role", args=[group.slug, member.pk])
    client.post(url, {"role": "organizer"})
    assert Membership.objects.get(user=member).role == Membership.Role.ORGANIZER
    event = group.events.first()
    assert (event.action, event.subject, event.detail) == (
        Action.ROLE_CHANGED,
        member,
        "Member → Organizer",
    )
    client.post(reverse("groups:leave", args=[group.slug]))
    assert not Membership.objects.filter(user=organizer).exists()


@pytest.mark.django_db
def test_unknown_role_is_refused(client, group, organizer, member):
    signed_in(client, organizer)
    response = client.post(
        reverse("groups:change_role", args=[group.slug, member.pk]),
        {"role": "admin"},
        follow=True,
    )
    assert "Choose one of the roles." in response.content.decode()
    assert Membership.objects.get(user=member).role == Membership.Role.MEMBER


@pytest.mark.django_db
def test_organizer_removes_a_member(client, group, organizer, member):
    signed_in(client, organizer)
    client.post(reverse("groups:remove_member", args=[group.slug, member.pk]), {"confirm": "yes"})
    assert not Membership.objects.filter(user=member).exists()
    event = group.events.first()
    assert (event.action, event.actor, event.subject) == (Action.REMOVED, organizer, member)


@pytest.mark.django_db
def test_facilitators_cannot_manage_members(client, group, facilitator, member):
    signed_in(client, facilitator)
    assert client.get(reverse("groups:members", args=[group.slug])).status_code == 403
    response = client.post(reverse("groups:remove_member", args=[group.slug, member.pk]))
    assert response.status_code == 403
    assert Membership.objects.filter(user=member).exists()


@pytest.mark.django_db
def test_organizers_see_the_membership_log(client, group, organizer, member):
    signed_in(client, organizer)
    client.post(
        reverse("groups:change_role", args=[group.slug, member.pk]), {"role": "facilitator"}
    )
    page = client.get(reverse("groups:members", args=[group.slug])).content.decode()
    log = page[page.index("Membership log") :]
    assert "Olga Organizer changed the role of Maya Member (Member → Facilitator)" in " ".join(
        log.split()
    )
    assert "Olga Organizer created the group" in " ".join(log.split())
    assert group.invite_code in page


@pytest.mark.django_db
def test_a_removed_member_cannot_rejoin_with_the_link_until_invited_again(
    django_app, group, organizer, member, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    members_url = reverse("groups:members", args=[group.slug])
    browsing_as(django_app, organizer)
    form = form_with(django_app.get(members_url), "Remove Maya Member")
    form["confirm"].checked = True
    form.submit()

    browsing_as(django_app, member)
    page = django_app.get(join_url(group), status=403)
    assert "An organizer removed you from Night readers" in page.text
    assert "Join Night readers</button>" not in page.text
    refused = django_app.post(
        join_url(group),
        {"csrfmiddlewaretoken": page.forms[0]["csrfmiddlewaretoken"].value},
        status=403,
    )
    assert "An organizer removed you" in refused.text
    assert not Membership.objects.filter(user=member).exists()

    browsing_as(django_app, organizer)
    form = form_with(django_app.get(members_url), "Send invitations")
    form["emails"] = "Member@example.org"
    form.submit()

    browsing_as(django_app, member)
    form_with(django_app.get(join_url(group)), "Join Night readers").submit()
    assert Membership.objects.get(user=member).role == Membership.Role.MEMBER
