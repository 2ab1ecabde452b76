"""Personal API tokens: made, checked and revoked here."""

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken

PREFIX = "mrg_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, user, name: str) -> str:
    """A new token for `user`; the only time it is seen whole."""
    token = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=_digest(token))
    return token


def user_for_token(header: str):
    """The active user an `Authorization: Bearer <token>` header names, or None."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token.strip()), user__is_active=True)
        .first()
    )
    if found is None:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
    return found.user
