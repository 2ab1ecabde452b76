"""What happened in a discussion or around it (a post, an answer, an agenda
published, a meeting started), for the apps built on it to act on. They
subscribe from their AppConfig.ready(), so the apps that announce import none
of them."""

from functools import partial

from django.db import transaction

# Functions of (event: str, **ids); each event names its objects by id.
LISTENERS = []


def announce(event: str, **ids: int) -> None:
    """Call every listener once the current transaction commits: a write that is
    rolled back is never announced, and a listener reads the committed rows."""
    for listener in LISTENERS:
        transaction.on_commit(partial(listener, event, **ids))
