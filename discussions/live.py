"""The live poll's ticket: lets a page ask "anything new?" and get its 304
from a single query, without loading the session and the user first."""

import functools
import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connections
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Now
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.functional import SimpleLazyObject

from groups.models import Assignment, Group, Membership
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


# The ticket's query is the app's most run: every open page asks it every few
# seconds. Building and compiling it through the ORM cost several times what
# running it does, so each process compiles each shape of it once, with these
# stand-ins for the values, and each poll runs that SQL with its own values.
_STAND_INS = {
    "assignment": -947_301,
    "user": -947_302,
    "also": -947_303,
    "group_slug": "\x00group_slug",
    "reading_slug": "\x00reading_slug",
    "session_key": "\x00session_key",
}
_LOADED = {model: model._meta.concrete_fields for model in (Assignment, Group, Reading)}


@functools.cache
def _compiled(alias: str, reading: bool, also, stamps: tuple):
    """The ticket query's SQL for one shape (whether it names the reading, the
    `also` condition's function, the stamps); its parameters in order, as
    pairs of the stand-in's name (None for a constant) and the value compiled;
    and its compiler, whose converters turn the row's columns into Python
    values."""
    slot = _STAND_INS
    users = get_user_model().objects.filter(pk=slot["user"], is_active=True).order_by()
    role = Membership.objects.filter(group=OuterRef("group"), user_id=slot["user"]).order_by()
    session = Session.objects.filter(session_key=slot["session_key"], expire_date__gt=Now())
    found = Assignment.objects.filter(
        Exists(session),
        pk=slot["assignment"],
        group__slug=slot["group_slug"],
        reading__status=Reading.Status.PUBLISHED,
    ).order_by()
    if reading:
        found = found.filter(reading__slug=slot["reading_slug"])
    if also is not None:
        found = found.filter(also(slot["also"]))
    found = found.annotate(
        role=Subquery(role.values("role")[:1]),
        password=Subquery(users.values("password")[:1]),
        **{f"stamp_{n}": stamp(slot["user"]) for n, stamp in enumerate(stamps)},
    )
    prefixes = {Assignment: "", Group: "group__", Reading: "reading__"}
    columns = [prefixes[model] + field.name for model in _LOADED for field in _LOADED[model]]
    columns += ["role", "password", *(f"stamp_{n}" for n in range(len(stamps)))]
    compiler = found.values_list(*columns).query.get_compiler(alias)
    sql, params = compiler.as_sql()
    names = {value: name for name, value in slot.items()}
    slots = [(names.get(param), param) for param in params]
    needed = {"assignment", "user", "group_slug", "session_key"}
    needed |= {"reading_slug"} if reading else set()
    needed |= {"also"} if also else set()
    missing = needed - {name for name, _ in slots}
    if missing:
        # A value compiled into the SQL itself would be kept for every poll.
        raise RuntimeError(f"the ticket's query compiled without parameters for {missing}")
    return sql, slots, compiler


def current(
    request, ticket_value: str, group_slug: str, *, reading_slug: str = "", also=None, stamps=()
) -> Assignment | None:
    """The ticket's assignment, with its group (`viewer_role` set) and reading,
    its user's id as `viewer_id` and as `stamps` the values of `stamps`, if the
    ticket is good for this reading (and its assignment meets `also`, a pair
    of a function of an id giving a condition and that id, such as "this
    meeting is of it") and, in one query, its session is still live (a
    sign-out ends it), its user is active with the password they had, they
    are still a member of the group, and the reading is still published.
    Sets `request.user` to that user, loaded only if asked for."""
    try:
        claims = signing.loads(ticket_value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not hmac.compare_digest(claims.get("s", ""), _session_digest(session_key)):
        return None
    condition, also_id = also or (None, None)
    values = {
        "assignment": claims["a"],
        "user": claims["u"],
        "also": also_id,
        "group_slug": group_slug,
        "reading_slug": reading_slug,
        "session_key": session_key,
    }
    connection = connections[Assignment.objects.db]
    shape = (connection.alias, bool(reading_slug), condition, tuple(stamps))
    sql, params, compiler = _compiled(*shape)
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[name] if name else param for name, param in params])
        rows = cursor.fetchall()
    row = next(iter(compiler.results_iter(results=[rows])), None)
    # No row: no such live assignment. No role: not a member. No password:
    # the user is gone or inactive.
    if row is None:
        return None
    *loaded, role, password = row[: len(row) - len(stamps)]
    if (
        role is None
        or password is None
        or not hmac.compare_digest(claims.get("p", ""), _password_digest(password))
    ):
        return None
    objects = {}
    for model, fields in _LOADED.items():
        objects[model] = model.from_db(
            connection.alias, [field.attname for field in fields], loaded[: len(fields)]
        )
        loaded = loaded[len(fields) :]
    assignment = objects[Assignment]
    assignment.group, assignment.reading = objects[Group], objects[Reading]
    assignment.group.viewer_role = Membership.Role(role)
    assignment.viewer_id = claims["u"]
    assignment.stamps = list(row[len(row) - len(stamps) :])

    def user():
        # A user deleted since the ticket's query: a 404, as their next poll
        # is, its page drawn for nobody.
        found = get_user_model().objects.filter(pk=claims["u"]).first()
        if found is None:
            request.user = AnonymousUser()
            raise Http404
        return found

    # The ticket has stood for the session's sign-in: an answer that needs
    # the user (a draw of the changes) loads them alone, not the session first.
    request.user = SimpleLazyObject(user)
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
