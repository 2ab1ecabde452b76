from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.confirm import NOT_CONFIRMED, confirmed

from .. import services
from ..access import get_group_for_member
from ..forms import AssignmentEditForm, AssignmentForm
from ..models import Membership

ORGANIZER = Membership.Role.ORGANIZER


@login_required
@require_POST
def assign(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    form = AssignmentForm(request.POST, group=group)
    if not form.is_valid():
        errors = "; ".join(e for field in form.errors.values() for e in field)
        messages.error(request, f"The reading was not added: {errors}")
        return redirect(group)
    reading = form.cleaned_data["reading"]
    services.assign_reading(
        group=group,
        reading=reading,
        meeting_date=form.cleaned_data["meeting_date"],
        notes=form.cleaned_data["notes"],
        actor=request.user,
    )
    messages.success(request, f"“{reading.title}” is on the syllabus.")
    return redirect(group)


@login_required
@require_POST
def unassign(request: HttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    assignment = get_object_or_404(group.assignments.select_related("reading"), pk=assignment_id)
    if not confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect(group)
    assignment.delete()
    messages.success(request, f"“{assignment.reading.title}” was taken off the syllabus.")
    return redirect(group)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    group = get_group_for_member(request, slug, role=ORGANIZER)
    assignment = get_object_or_404(group.assignments.select_related("reading"), pk=assignment_id)
    form = AssignmentEditForm(
        request.POST if request.method == "POST" else None, instance=assignment
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"The date and notes for “{assignment.reading.title}” are saved.")
        return redirect(group)
    context = {"group": group, "assignment": assignment, "form": form}
    return render(
        request, "groups/assignment_edit.html", context, status=400 if form.errors else 200
    )
