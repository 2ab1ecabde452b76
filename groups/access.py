"""Every view of a group fetches it through here: no view checks membership by
hand. To anyone who is not a member a group does not exist (404); a member
without the role a page needs is refused (403)."""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from readings.models import Reading

from .models import ROLE_RANK, Assignment, Group, Membership


def _role_of(user, group: str) -> Subquery:
    """The user's role in the group the field `group` of the outer query names."""
    return Subquery(Membership.objects.filter(group=OuterRef(group), user=user).values("role")[:1])


def get_group_for_member(request, slug: str, role: str = Membership.Role.MEMBER) -> Group:
    """The group, with `viewer_role` set, for a user holding at least `role`.
    Being site staff counts for nothing here: staff see a group only as the
    members its organizers made them."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    group = get_object_or_404(Group.objects.annotate(my_role=_role_of(user, "pk")), slug=slug)
    if not group.my_role:
        raise Http404
    group.viewer_role = Membership.Role(group.my_role)
    if ROLE_RANK[group.viewer_role] < ROLE_RANK[role]:
        raise PermissionDenied
    return group


def get_assignment_for_member(
    request, group_slug: str, reading_slug: str, role: str = Membership.Role.MEMBER
) -> Assignment:
    """A published reading on the syllabus of a group the user holds `role` in:
    found with the group and the user's role in one query."""
    user = request.user
    if user.is_authenticated:
        assignment = (
            Assignment.objects.select_related("group", "reading")
            .annotate(my_role=_role_of(user, "group"))
            .filter(
                group__slug=group_slug,
                reading__slug=reading_slug,
                reading__status=Reading.Status.PUBLISHED,
            )
            .first()
        )
        if assignment and assignment.my_role:
            assignment.group.viewer_role = Membership.Role(assignment.my_role)
            if can(assignment.group, role):
                return assignment
    # Refused or missing: the group alone says which, as for any page of it
    # (404 to outsiders, 403 to a member short of `role`); else no such reading.
    get_group_for_member(request, group_slug, role=role)
    raise Http404


def can(group: Group, role: str) -> bool:
    """Whether the viewer of `group` (fetched above) holds at least `role`."""
    return ROLE_RANK[group.viewer_role] >= ROLE_RANK[role]


def get_group_for_invite(slug: str, code: str) -> Group:
    """The invite link is the key: a wrong or retired code finds nothing (404)."""
    return get_object_or_404(Group, slug=slug, invite_code=code)
