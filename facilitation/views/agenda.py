"""A facilitator's agenda for a reading: questions in order with time budgets,
drawn partly from members' questions; and the discussion guide it makes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from discussions.forms import WordsForm
from discussions.models import Annotation
from discussions.views.reading import composer_refused, is_htmx
from groups.access import get_assignment_for_member
from groups.models import Assignment, Group, Membership

from .. import services
from ..forms import AgendaItemForm
from ..models import AgendaItem, Meeting

FACILITATOR = Membership.Role.FACILITATOR


def agenda_items(assignment: Assignment) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(
            group=assignment.group, reading=assignment.reading
        ).select_related("passage", "promoted_from__author")
    )


def _page(request: HttpRequest, assignment: Assignment, add_form=None, failed=None, status=200):
    group, reading, version = assignment.group, assignment.reading, assignment.agenda_version
    passages = list(reading.passages.all())
    items = agenda_items(assignment)
    for item in items:
        bound = failed if failed is not None and failed.prefix == f"item-{item.pk}" else None
        item.form = bound or AgendaItemForm(
            prefix=f"item-{item.pk}",
            reading=reading,
            passages=passages,
            initial={
                "text": item.text,
                "minutes": item.minutes,
                "notes": item.notes,
                "answer_first": item.answer_first,
                "passage": item.passage_id,
                "version": version,
            },
        )
    # Open questions not on the agenda yet (a promoted question is an item's thread).
    questions = list(
        Annotation.objects.filter(
            group=group,
            reading=reading,
            kind=Annotation.Kind.QUESTION,
            answered=None,
            deleted=None,
            hidden=None,
        )
        .exclude(agenda_items__isnull=False)
        .select_related("author")
        .order_by("-vote_count", "created")
    )
    other_groups = (
        Group.objects.filter(
            memberships__user=request.user,
            memberships__role__in=[FACILITATOR, Membership.Role.ORGANIZER],
            agenda_items__reading=reading,
        )
        .exclude(pk=group.pk)
        .distinct()
    )
    context = {
        "group": group,
        "reading": reading,
        "assignment": assignment,
        "items": items,
        "total_minutes": sum(item.minutes for item in items),
        "drafts": sum(1 for item in items if not item.published),
        "add_form": add_form
        or AgendaItemForm(
            prefix="new", reading=reading, passages=passages, initial={"version": version}
        ),
        "questions": questions,
        "other_groups": other_groups,
        "meetings": Meeting.objects.filter(group=group, reading=reading),
    }
    return render(request, "facilitation/agenda.html", context, status=status)


def _conflict(request, assignment, error, **forms):
    messages.error(request, str(error))
    assignment.refresh_from_db(fields=["agenda_version"])
    return _page(request, assignment, status=409, **forms)


@login_required
@require_safe
def agenda(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug, role=FACILITATOR)
    return _page(request, assignment)


def _version(request: HttpRequest, field: str = "version") -> int:
    value = request.POST.get(field, "")
    return int(value) if value.isdigit() else -1


@login_required
@require_POST
def agenda_action(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """Add a question, promote a member's question, copy another group's agenda, or publish."""
    assignment = get_assignment_for_member(request, slug, reading_slug, role=FACILITATOR)
    group, reading = assignment.group, assignment.reading
    action = request.POST.get("action")
    try:
        if action == "add":
            form = AgendaItemForm(request.POST, prefix="new", reading=reading)
            if not form.is_valid():
                return _page(request, assignment, add_form=form, status=400)
            data = form.cleaned_data
            services.add_agenda_item(
                group=group,
                reading=reading,
                text=data["text"],
                minutes=data["minutes"],
                notes=data["notes"],
                answer_first=data["answer_first"],
                passage=data["passage"],
                seen_version=data["version"],
            )
            messages.success(request, "Question added to the agenda, as a draft.")
        elif action == "promote":
            # Only a question members can still read: promoting republishes its text.
            question = get_object_or_404(
                Annotation,
                pk=request.POST.get("question", 0),
                group=group,
                reading=reading,
                kind=Annotation.Kind.QUESTION,
                deleted=None,
                hidden=None,
            )
            services.promote_question(question=question, seen_version=_version(request))
            messages.success(request, f"{question.author}’s question is on the agenda, as a draft.")
        elif action == "copy":
            source = get_object_or_404(
                Group.objects.filter(
                    memberships__user=request.user,
                    memberships__role__in=[FACILITATOR, Membership.Role.ORGANIZER],
                ),
                pk=request.POST.get("source", 0),
            )
            count = services.copy_agenda(
                source_group=source, group=group, reading=reading, seen_version=_version(request)
            )
            messages.success(
                request, f"Copied {count} question{'s' if count != 1 else ''} from {source.name}."
            )
        elif action == "publish":
            count = services.publish_agenda(
                group=group, reading=reading, actor=request.user, seen_version=_version(request)
            )
            messages.success(request, f"Published {count} question{'s' if count != 1 else ''}.")
        else:
            messages.error(request, "Nothing was done: unknown action.")
    except services.AgendaConflict as error:
        add_form = form if action == "add" else None
        return _conflict(request, assignment, error, add_form=add_form)
    return redirect("facilitation:agenda", slug, reading_slug)


@login_required
@require_POST
def item_action(request: HttpRequest, slug: str, reading_slug: str, item_id: int) -> HttpResponse:
    """Save, move up, move down or delete one agenda item."""
    assignment = get_assignment_for_member(request, slug, reading_slug, role=FACILITATOR)
    item = get_object_or_404(
        AgendaItem.objects.select_related("group", "reading"),
        pk=item_id,
        group=assignment.group,
        reading=assignment.reading,
    )
    action = request.POST.get("action")
    form = AgendaItemForm(request.POST, prefix=f"item-{item.pk}", reading=assignment.reading)
    # Every button of the item's form sends the version its fields were rendered with.
    seen_version = _version(request, form.add_prefix("version"))
    try:
        if action in ("up", "down"):
            step = -1 if action == "up" else 1
            services.move_agenda_item(item=item, step=step, seen_version=seen_version)
        elif action == "delete":
            services.delete_agenda_item(item=item, seen_version=seen_version)
            messages.success(request, "Question removed from the agenda.")
        elif action == "save":
            if not form.is_valid():
                return _page(request, assignment, failed=form, status=400)
            data = form.cleaned_data
            services.update_agenda_item(
                item=item,
                text=data["text"],
                minutes=data["minutes"],
                notes=data["notes"],
                answer_first=data["answer_first"],
                passage=data["passage"],
                seen_version=data["version"],
            )
            messages.success(request, "Saved.")
        else:
            messages.error(request, "Nothing was done: unknown action.")
    except services.AgendaConflict as error:
        return _conflict(request, assignment, error, failed=form if action == "save" else None)
    return redirect(reverse("facilitation:agenda", args=[slug, reading_slug]) + f"#item-{item.pk}")


@login_required
@require_POST
def add_from_words(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """ "Add to the agenda" in the reading page's composer: the words chosen (or
    the passage) and the text typed, as a draft question."""
    assignment = get_assignment_for_member(request, slug, reading_slug, role=FACILITATOR)
    form = WordsForm(request.POST, reading=assignment.reading)
    if not form.is_valid():
        return composer_refused(request, assignment, form)
    data = form.cleaned_data
    item = services.add_agenda_item(
        group=assignment.group,
        reading=assignment.reading,
        text=data["body"],
        minutes=10,
        passage=data["passage"],
        selector=data["selector"],
        seen_version=assignment.agenda_version,
    )
    messages.success(request, "Added to the agenda as a draft.")
    url = reverse("facilitation:agenda", args=[slug, reading_slug]) + f"#item-{item.pk}"
    return HttpResponse(headers={"HX-Redirect": url}) if is_htmx(request) else redirect(url)


@login_required
@require_safe
def guide(request: HttpRequest, slug: str, reading_slug: str, fmt: str = "html") -> HttpResponse:
    """The discussion guide: questions in order with their passages and timings."""
    assignment = get_assignment_for_member(request, slug, reading_slug, role=FACILITATOR)
    items = agenda_items(assignment)
    context = {
        "group": assignment.group,
        "reading": assignment.reading,
        "assignment": assignment,
        "items": items,
        "total_minutes": sum(item.minutes for item in items),
    }
    if fmt == "md":
        response = render(
            request, "facilitation/guide.md", context, content_type="text/markdown; charset=utf-8"
        )
        filename = f"{assignment.reading.slug}-discussion-guide.md"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "facilitation/guide.html", context)
