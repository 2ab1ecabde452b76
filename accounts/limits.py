"""Limits on how often one person may do a costly or noisy thing, counted by
allauth's rate limiter in Django's cache (the rates: ACCOUNT_RATE_LIMITS)."""

from functools import wraps

from allauth.core import ratelimit
from django.shortcuts import render

TOO_OFTEN = {
    "create_group": "You have started many groups in a short time.",
    "flag": "You have reported many posts in a short time.",
    "import": "You have imported many files in a short time.",
}


def allowed(request, action: str) -> bool:
    """Count one `action` (a write: reads are not counted) by the signed-in
    person; False once their rate is used up."""
    return ratelimit.consume(request, action=action, user=request.user)


def too_many(request, reason: str):
    return render(request, "429.html", {"reason": reason}, status=429)


def rate_limited(action: str):
    """For a signed-in person's writes: past the rate, a 429 saying so, and the
    view does nothing."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request, action):
                return too_many(request, TOO_OFTEN[action])
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
