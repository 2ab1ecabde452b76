"""How much of a request body the site will take: a body over REQUEST_MAX_BYTES
is refused by its Content-Length before any of it is read, and an uploaded
file is held in memory only up to READING_MAX_BYTES, never spooled to disk."""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from readings.services import size_label


def _declared_length(request: HttpRequest) -> int:
    # Read as Django reads it for the body's stream, which stops at this length:
    # a request that understates its length gets no further than it says.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def limit_request_body(get_response):
    def middleware(request: HttpRequest) -> HttpResponse:
        if _declared_length(request) <= settings.REQUEST_MAX_BYTES:
            return get_response(request)
        if request.content_type in ("application/json", "application/ld+json"):
            limit = size_label(settings.REQUEST_MAX_BYTES)
            message = f"The request body is larger than {limit}, the most this site accepts."
            return JsonResponse({"error": message}, status=413)
        context = {"limit": size_label(settings.READING_MAX_BYTES)}
        return render(request, "413.html", context, status=413)

    return middleware


class LimitedUploadHandler(MemoryFileUploadHandler):
    """Holds each uploaded file in memory until it passes READING_MAX_BYTES, then
    lets go of it all. Such a file still arrives, with its name and the size it
    reached but none of its bytes, so that the view refuses it by its size with a
    clear message, and the form's fields sent after it (title, author) are kept."""

    def handle_raw_input(self, *args, **kwargs) -> None:
        # Memory is bounded by the cut-off below, whatever the body's length.
        self.activated = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > settings.READING_MAX_BYTES:
            self.file = BytesIO()
        else:
            self.file.write(raw_data)
