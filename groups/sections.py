"""What the apps built on groups add to a group's page (facilitation: its
meetings), between the syllabus and the members. They register functions of
(group) giving HTML from their AppConfig.ready(), so groups imports none of them."""

from django.utils.safestring import mark_safe

GROUP_PAGE = []


def render_sections(parts: list, *args) -> str:
    return mark_safe("".join(part(*args) for part in parts))
