"""What a group's page shows its moderators about their moderation queue."""

from django.template.loader import render_to_string

from groups.models import Group


def queue_link(group: Group) -> str:
    """The link to the moderation queue, with how many reports wait there."""
    open_reports = group.flags.filter(resolved=None).count()
    return render_to_string(
        "discussions/_queue_link.html", {"group": group, "open_reports": open_reports}
    )
