"""The emails: one notification as it happens, or a member's daily digest of a
group. Each links back to the post and carries a one-click unsubscribe link
that works without signing in (RFC 8058)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from groups.models import Group
from readings.models import Reading

SALT = "marginalia.unsubscribe"
# A link older than this is stale: it changes nothing and says so.
MAX_AGE = 60 * 24 * 60 * 60


def unsubscribe_token(user, group: Group, kind: str = "") -> str:
    """Signed: unsubscribe `user` from `kind` of email from `group` ("" for every kind)."""
    return signing.dumps({"u": user.pk, "g": group.pk, "k": kind}, salt=SALT)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # tampered, or stale (SignatureExpired is one)
        return None


def subject(group: Group, reading: Reading | None) -> str:
    # The same subject for every email about one reading, so mail clients thread them.
    return f"[{group.name}] {reading.title}" if reading else f"[{group.name}] Daily digest"


def message(*, user, group: Group, reading, template: str, context: dict, kind: str = ""):
    unsubscribe = settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(user, group, kind)]
    )
    context = {**context, "user": user, "group": group, "site_url": settings.SITE_URL}
    context["unsubscribe_url"] = unsubscribe
    return EmailMultiAlternatives(
        subject=subject(group, reading),
        body=render_to_string(template, context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
