"""Security and caching headers on every response from the site's own views
(whitenoise has already answered for static files)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Every script and style is a file under /static/, and htmx is told not to add
# its inline indicator style (templates/base.html): nothing inline need run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# None of these is used here, so no page (nor anything injected into one) gets them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    ]
)


def security_headers(get_response):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        # Django's own error pages under DEBUG style and script themselves inline.
        if not (settings.DEBUG and response.status_code in (404, 500)):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A signed-in reader's pages and exports are kept by no cache, shared or
        # the browser's. Judged by the session cookie, not request.user, so that
        # the live poll's 304 still costs one query and no session lookup.
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        if (has_session or "Authorization" in request.headers) and (
            "Cache-Control" not in response.headers
        ):
            response.headers["Cache-Control"] = "private, no-store"
        return response

    return middleware
