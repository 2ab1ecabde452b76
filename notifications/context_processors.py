from functools import partial

from .models import Notification


def unread_count(user) -> int:
    return Notification.objects.for_inbox(user).filter(read=None).count()


def inbox(request) -> dict:
    """The header's unread count: one query, made only when a page shows it
    (a template calls the callable), and none for the anonymous."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": partial(unread_count, user)}
