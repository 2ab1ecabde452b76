"""The live poll's ticket: lets a page ask "anything new?" and get its 304
from a single query, without loading the session and the user first."""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import signing
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils import timezone

from groups.models import Assignment, Membership
from readings.models import Reading

SALT = "marginalia.live"
MAX_AGE = 12 * 60 * 60


def _session_digest(session_key: str) -> str:
    # Only a digest goes in the URL: a session key must never reach logs.
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _password_digest(password_hash: str) -> str:
    # Django's session hash of the password: a ticket made before the password
    # changed stops working, as the sessions signed in with the old one do.
    session_hash = get_user_model()(password=password_hash).get_session_auth_hash()
    return hashlib.sha256(session_hash.encode()).hexdigest()[:32]


def ticket(request, assignment: Assignment) -> str:
    return signing.dumps(
        {
            "a": assignment.pk,
            "u": request.user.pk,
            "s": _session_digest(request.session.session_key),
            "p": _password_digest(request.user.password),
        },
        salt=SALT,
        compress=True,
    )


def current(
    request, ticket_value: str, group_slug: str, *, reading_slug: str = "", also=None, stamps=()
) -> Assignment | None:
    """The ticket's assignment, with its group (`viewer_role` set) and reading,
    its user's id as `viewer_id` and as `stamps` the values of `stamps`, if the
    ticket is good for this reading (and its assignment meets `also`, a
    condition such as "this meeting is of it") and, in one query, its session
    is still live (a sign-out ends it), its user is active with the password
    they had, they are still a member of the group, and the reading is still
    published."""
    try:
        claims = signing.loads(ticket_value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not hmac.compare_digest(claims.get("s", ""), _session_digest(session_key)):
        return None
    # No orderings: each finds one row at most, and orderings cost every poll compiling them.
    users = get_user_model().objects.filter(pk=claims["u"], is_active=True).order_by()
    role = Membership.objects.filter(group=OuterRef("group"), user_id=claims["u"]).order_by()
    found = Assignment.objects.filter(
        pk=claims["a"], group__slug=group_slug, reading__status=Reading.Status.PUBLISHED
    ).order_by()
    if reading_slug:
        found = found.filter(reading__slug=reading_slug)
    if also is not None:
        found = found.filter(also)
    found = (
        found.filter(
            Exists(Session.objects.filter(session_key=session_key, expire_date__gt=timezone.now()))
        )
        .select_related("group", "reading")
        .annotate(
            role=Subquery(role.values("role")[:1]), password=Subquery(users.values("password")[:1])
        )
        .annotate(**{f"stamp_{n}": stamp(claims["u"]) for n, stamp in enumerate(stamps)})
    )
    assignment = next(iter(found), None)
    # No role: not a member. No password: the user is gone or inactive.
    if (
        assignment is None
        or assignment.role is None
        or assignment.password is None
        or not hmac.compare_digest(claims.get("p", ""), _password_digest(assignment.password))
    ):
        return None
    assignment.group.viewer_role = Membership.Role(assignment.role)
    assignment.viewer_id = claims["u"]
    assignment.stamps = [getattr(assignment, f"stamp_{n}") for n in range(len(stamps))]
    return assignment


def unchanged(request, group_slug: str, **where) -> tuple[str, Assignment, HttpResponse | None]:
    """The poll's ETag (the version, then the stamps' values, joined by dots),
    the ticket's assignment (see `current`), and the whole answer when nothing
    else is needed: a 304 when the page already has this version. A ticket
    that fails is a 404."""
    assignment = current(request, request.GET.get("t", ""), group_slug, **where)
    if assignment is None:
        raise Http404
    tag = ".".join(str(part) for part in (assignment.discussion_version, *assignment.stamps))
    etag = f'"{tag}"'
    asked = request.headers.get("If-None-Match")
    # A page's first poll asks with the bare version the page was rendered at,
    # its stamps being rendered into the page itself: the version alone is
    # compared, and the 304 gives the page the whole tag to ask with from then
    # on. (A stamp that changed in the seconds before that first poll shows at
    # the next change.)
    if asked in (etag, f'"{assignment.discussion_version}"'):
        return etag, assignment, HttpResponseNotModified(headers={"ETag": etag})
    return etag, assignment, None


def since(request) -> int:
    """The version a poll's page has, from its If-None-Match."""
    version = request.headers.get("If-None-Match", "").strip('"').split(".")[0]
    return int(version) if version.isdigit() else 0


def with_etag(response: HttpResponse, etag: str) -> HttpResponse:
    """A poll's answer with changes: the version it brings, never cached."""
    response["ETag"] = etag
    response["Cache-Control"] = "no-store"
    return response
