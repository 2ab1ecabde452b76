from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Reading


def require_staff(request) -> None:
    """The library is for site staff; to anyone else it does not exist."""
    if not request.user.is_staff:
        raise Http404


def get_reading_for_staff(request, slug: str) -> Reading:
    require_staff(request)
    return get_object_or_404(Reading, slug=slug)
