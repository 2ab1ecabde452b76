from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.limits import rate_limited
from readings.models import Reading

from .. import services
from ..access import can, get_group_for_member
from ..forms import AssignmentForm, DeleteGroupForm, GroupEditForm, GroupForm
from ..models import ROLE_RANK, Membership
from ..sections import GROUP_PAGE, MODERATOR_LINKS, dress_assignments, render_sections


@login_required
@rate_limited("create_group")
def create(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = services.create_group(
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            creator=request.user,
        )
        messages.success(request, "Your group is ready. Invite people with its invite link.")
        return redirect(group)
    return render(request, "groups/group_form.html", {"form": form})


@login_required
@require_safe
def group_home(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug)
    assignments = list(
        group.assignments.filter(reading__status=Reading.Status.PUBLISHED).select_related("reading")
    )
    dress_assignments(request.user, assignments)
    today = timezone.localdate()
    upcoming, undated, past = [], [], []
    for assignment in assignments:
        if assignment.meeting_date is None:
            undated.append(assignment)
        elif assignment.meeting_date >= today:
            upcoming.append(assignment)
        else:
            past.append(assignment)
    members = sorted(
        group.memberships.select_related("user"),
        key=lambda m: (-ROLE_RANK[m.role], str(m.user).lower()),
    )
    is_organizer = can(group, Membership.Role.ORGANIZER)
    is_moderator = can(group, Membership.Role.FACILITATOR)
    context = {
        "group": group,
        "sections": render_sections(GROUP_PAGE, group),
        "syllabus": upcoming + undated,
        "past": past[::-1],
        "members": members,
        "is_member": any(m.user_id == request.user.pk for m in members),
        "is_organizer": is_organizer,
        "is_moderator": is_moderator,
        "moderator_links": render_sections(MODERATOR_LINKS, group) if is_moderator else "",
        "assignment_form": AssignmentForm(group=group) if is_organizer else None,
    }
    return render(request, "groups/group.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Rename or describe the group, or turn its participation figures off. Its
    address keeps its slug, so links and invitations already sent still work, and
    two groups may share a name."""
    group = get_group_for_member(request, slug, role=Membership.Role.ORGANIZER)
    form = GroupEditForm(request.POST if request.method == "POST" else None, instance=group)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The group's settings are saved.")
        return redirect(group)
    status = 400 if form.errors else 200
    return render(request, "groups/group_edit.html", {"group": group, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Shows what deleting the group takes with it; deletes once its name is typed."""
    group = get_group_for_member(request, slug, role=Membership.Role.ORGANIZER)
    form = DeleteGroupForm(request.POST if request.method == "POST" else None, group=group)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, f"Nothing was deleted: {form.errors['name'][0]}")
            return redirect("groups:delete", group.slug)
        group.delete()
        messages.success(request, f"The group {group.name} is deleted, with all its discussions.")
        return redirect("groups:home")
    counts = {
        "members": group.memberships.count(),
        "readings": group.assignments.count(),
        "posts": group.annotations.count(),
    }
    return render(
        request, "groups/group_delete.html", {"group": group, "form": form, "counts": counts}
    )
