from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.confirm import NOT_CONFIRMED, confirmed
from accounts.limits import too_many

from .. import services
from ..access import get_group_for_invite, get_group_for_member
from ..forms import InviteForm, RoleForm
from ..models import Membership

ORGANIZER = Membership.Role.ORGANIZER
LOG_LENGTH = 100


@login_required
@require_safe
def members(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    return _members_page(request, group, InviteForm())


def _members_page(request: HttpRequest, group, invite_form: InviteForm) -> HttpResponse:
    memberships = group.memberships.select_related("user").order_by("joined")
    events = group.events.select_related("actor", "subject")[:LOG_LENGTH]
    context = {
        "group": group,
        "memberships": memberships,
        "roles": Membership.Role.choices,
        "events": events,
        "invite_form": invite_form,
        "invite_link": request.build_absolute_uri(group.get_invite_path()),
    }
    status = 400 if invite_form.errors else 200
    return render(request, "groups/members.html", context, status=status)


def join(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The invite link: a page saying what you are joining, and a button."""
    group = get_group_for_invite(slug, code)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.path)
        # Someone who signs up from here lands straight in the group.
        request.session[services.PENDING_JOIN] = {"group": slug, "code": code}
        return render(request, "groups/join.html", {"group": group})
    if group.memberships.filter(user=request.user).exists():
        return redirect(group)
    try:
        if request.method == "POST":
            services.join_group(group=group, user=request.user, code=code)
            request.session.pop(services.PENDING_JOIN, None)
            messages.success(request, f"Welcome to {group.name}.")
            return redirect(group)
        services.check_can_join(group=group, user=request.user)
    except services.EmailNotVerified:
        # Kept until the address is confirmed; AccountAdapter.confirm_email joins then.
        request.session[services.PENDING_JOIN] = {"group": slug, "code": code}
        context = {"group": group, "unverified": True}
        status = 403 if request.method == "POST" else 200
        return render(request, "groups/join.html", context, status=status)
    except services.GroupRuleError as error:
        context = {"group": group, "refusal": str(error)}
        return render(request, "groups/join.html", context, status=403)
    return render(request, "groups/join.html", {"group": group})


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug)
    membership = get_object_or_404(Membership, group=group, user=request.user)
    try:
        services.remove_member(group=group, membership=membership, actor=request.user)
    except services.GroupRuleError as error:
        messages.error(request, str(error))
        return redirect(group)
    messages.success(request, f"You have left {group.name}.")
    return redirect("groups:home")


@login_required
@require_POST
def change_role(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), group=group, user_id=user_id
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
    else:
        try:
            services.change_role(
                group=group,
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request.user,
            )
            messages.success(request, f"{membership.user} is now {form.cleaned_data['role']}.")
        except services.GroupRuleError as error:
            messages.error(request, str(error))
    return redirect("groups:members", group.slug)


@login_required
@require_POST
def remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), group=group, user_id=user_id
    )
    if not confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect("groups:members", group.slug)
    try:
        services.remove_member(group=group, membership=membership, actor=request.user)
        messages.success(request, f"{membership.user} was removed from the group.")
    except services.GroupRuleError as error:
        messages.error(request, str(error))
    return redirect("groups:members", group.slug)


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, group, form)
    emails = form.cleaned_data["emails"]
    try:
        services.invite_by_email(request=request, group=group, emails=emails, actor=request.user)
    except services.TooManyInvitations as error:
        return too_many(request, str(error))
    messages.success(request, f"Invitation sent to {', '.join(emails)}.")
    return redirect("groups:members", group.slug)


@login_required
@require_POST
def rotate_link(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    services.rotate_invite_link(group=group, actor=request.user)
    messages.success(request, "The invite link was replaced; the old one no longer works.")
    return redirect("groups:members", group.slug)
