"""Meetings, fetched for a member of their group (through groups.access)."""

from django.shortcuts import get_object_or_404

from groups.access import get_group_for_member
from groups.models import Membership

from .models import Meeting


def get_meeting_for_member(
    request, group_slug: str, meeting_id: int, role: str = Membership.Role.MEMBER
):
    """A meeting of a group the user holds `role` in, with its group set."""
    group = get_group_for_member(request, group_slug, role=role)
    meeting = get_object_or_404(
        Meeting.objects.select_related(
            "reading",
            "current_item__passage",
            "current_item__thread__author",
            "current_item__thread__passage",
        ),
        pk=meeting_id,
        group=group,
    )
    meeting.group = group
    return meeting
