"""Threads and their posts, fetched for a member of their group (through
groups.access): a thread the viewer may not see does not exist (404)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from groups.access import can, get_assignment_for_member
from groups.models import Membership

from .models import Annotation, PrintJob, Reply


def get_thread_for_member(request, group_slug: str, reading_slug: str, thread_id: int):
    """A thread the user may see, with its group (viewer_role set) and reading."""
    assignment = get_assignment_for_member(request, group_slug, reading_slug)
    annotation = get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("passage", "author"),
        pk=thread_id,
        group=assignment.group,
        reading=assignment.reading,
    )
    annotation.group = assignment.group
    annotation.reading = assignment.reading
    return annotation


def get_post_in_thread(request, annotation: Annotation, reply_id: str | None):
    """The annotation itself, or one reply of its thread named by `reply_id`.
    A reply the user may not read yet (an answer-first question) is not there
    for them to react to, report or answer."""
    if not reply_id:
        return annotation
    if annotation.replies_hidden_for(request.user):
        raise Http404
    reply = get_object_or_404(
        Reply, pk=reply_id if reply_id.isdigit() else 0, annotation=annotation
    )
    reply.annotation = annotation
    return reply


def require_author(request, post) -> None:
    """Only a post's author edits or deletes it."""
    if post.author_id != request.user.pk:
        raise PermissionDenied


def get_thread_by_id(request, thread_id: int) -> Annotation:
    """A thread the user may see, found by its id alone (as the API names it),
    with its group (viewer_role set) and reading."""
    found = (
        Annotation.objects.filter(pk=thread_id).values_list("group__slug", "reading__slug").first()
    )
    if found is None:
        raise Http404
    return get_thread_for_member(request, found[0], found[1], thread_id)


def get_orphan_for_reattaching(request, group_slug: str, reading_slug: str, thread_id: int):
    """An orphan the user may attach to the text again (see `orphans_to_reattach`)."""
    assignment = get_assignment_for_member(request, group_slug, reading_slug)
    annotation = get_object_or_404(orphans_to_reattach(request, assignment), pk=thread_id)
    annotation.group, annotation.reading = assignment.group, assignment.reading
    return assignment, annotation


def orphans_to_reattach(request, assignment):
    """A reading's orphans in a group that the user may attach again: any they
    may see, for a facilitator (so never another's private note); their own,
    for anyone else, since the author knows best where their words went."""
    user = request.user
    orphans = Annotation.objects.filter(
        group=assignment.group, reading=assignment.reading, orphaned__isnull=False
    ).visible_to(user)
    if not can(assignment.group, Membership.Role.FACILITATOR):
        orphans = orphans.filter(author=user)
    return orphans


def get_print_job_for_owner(request, group_slug: str, reading_slug: str, job_id: int):
    """A PDF job of the user's own, while they are still a member of its group:
    anyone else's, even a facilitator's of the group, does not exist for them."""
    assignment = get_assignment_for_member(request, group_slug, reading_slug)
    job = get_object_or_404(
        PrintJob.objects.defer("html", "pdf"),
        pk=job_id,
        user=request.user,
        group=assignment.group,
        reading=assignment.reading,
    )
    job.group, job.reading = assignment.group, assignment.reading
    return job
