from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.announce import announce
from discussions.access import get_thread_for_member
from groups.access import get_assignment_for_member
from groups.models import Group

from . import services
from .emails import read_unsubscribe_token
from .forms import EmailPreferencesForm
from .models import EmailPreference, Kind, Notification

PER_PAGE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_inbox(request.user).select_related("group", "reading")
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    messages.success(request, "All marked read.")
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    # Another member's notification does not exist for you (404).
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    if notification.read is None:
        notification.read = timezone.now()
        notification.save(update_fields=["read"])
    return redirect("notifications:inbox")


def _follow_answer(request: HttpRequest, following: bool, url: str, what: str, back: str):
    message = f"You follow this {what} now." if following else f"You no longer follow this {what}."
    if _is_htmx(request):
        context = {"url": url, "following": following, "what": what}
        answer = render(request, "notifications/_follow.html", context)
        return announce(answer, message, f"#follow-{what} button")
    messages.success(request, message)
    return redirect(back)


@login_required
@require_POST
def follow_reading(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    following = services.toggle_follow(
        user=request.user, group=assignment.group, reading=assignment.reading
    )
    return _follow_answer(
        request, following, request.path, "reading", assignment.get_absolute_url()
    )


@login_required
@require_POST
def follow_thread(
    request: HttpRequest, slug: str, reading_slug: str, thread_id: int
) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    following = services.toggle_follow(
        user=request.user,
        group=annotation.group,
        reading=annotation.reading,
        annotation=annotation,
    )
    return _follow_answer(request, following, request.path, "thread", annotation.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    groups = list(Group.objects.filter(memberships__user=request.user).order_by("name"))
    chosen = EmailPreference.objects.filter(user=request.user).values_list(
        "group", "kind", "choice"
    )
    current = {(group_id, kind): choice for group_id, kind, choice in chosen}
    for group in groups:
        for kind in Kind.values:
            current.setdefault((group.pk, kind), EmailPreference.default(kind))
    posted = request.POST if request.method == "POST" else None
    form = EmailPreferencesForm(posted, groups=groups, current=current)
    if posted is not None and form.is_valid():
        with transaction.atomic():
            for group_id, kind, choice in form.chosen():
                EmailPreference.objects.update_or_create(
                    user=request.user, group_id=group_id, kind=kind, defaults={"choice": choice}
                )
        messages.success(request, "Your email settings are saved.")
        return redirect("notifications:email_settings")
    status = 400 if posted is not None else 200
    return render(request, "notifications/email_settings.html", {"form": form}, status=status)


# Mail clients post the one-click unsubscribe (RFC 8058) with no cookie and no
# CSRF token: the signed link is the whole authority, and it can only stop emails.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    claims = read_unsubscribe_token(token)
    user = group = None
    if claims:
        user = get_user_model().objects.filter(pk=claims["u"]).first()
    if user is not None:
        group = Group.objects.filter(pk=claims["g"], memberships__user=user).first()
    if group is None:
        return render(request, "notifications/unsubscribe.html", {"broken": True}, status=400)
    kinds = [claims["k"]] if claims["k"] in Kind.values else Kind.values
    context = {"group": group, "kinds": [Kind(kind).label for kind in kinds], "done": False}
    if request.method == "POST":
        for kind in kinds:
            EmailPreference.objects.update_or_create(
                user=user, group=group, kind=kind, defaults={"choice": EmailPreference.Choice.OFF}
            )
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
