"""What an in-place (htmx) update did, said to the reader: htmx raises the
header's "announce" event once the swap settles, and static/js/announce.js
writes the message into the page's one status region and moves focus to what
the update made, so focus never falls back to the top of the page."""

import json

from django.http import HttpResponse


def announce(response: HttpResponse, message: str, focus: str) -> HttpResponse:
    """Say `message` and focus the element the CSS selector `focus` finds."""
    event = {"announce": {"message": message, "focus": focus}}
    response["HX-Trigger-After-Settle"] = json.dumps(event)
    return response
