"""What the apps built on groups add to a group's page and the dashboard. They
register from their AppConfig.ready(), so groups imports none of them.

- GROUP_PAGE: functions of (group) giving HTML, between the syllabus and the
  members (facilitation: its meetings).
- MODERATOR_LINKS: functions of (group) giving HTML among the links the
  group's moderators see at the top of its page (discussions: the moderation
  queue, with its count of open reports).
- BESIDE_READING: functions of (user, assignments) giving {assignment id: HTML}
  shown beside each of those readings, wherever the syllabus is listed
  (discussions: what is new since the user last looked)."""

from django.utils.safestring import mark_safe

GROUP_PAGE = []
MODERATOR_LINKS = []
BESIDE_READING = []


def render_sections(parts: list, *args) -> str:
    return mark_safe("".join(part(*args) for part in parts))


def dress_assignments(user, assignments: list) -> None:
    """Put on each assignment, as `beside`, what the apps above show beside it."""
    found = [part(user, assignments) for part in BESIDE_READING]
    for assignment in assignments:
        assignment.beside = mark_safe("".join(html.get(assignment.pk, "") for html in found))
