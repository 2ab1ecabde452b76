from collections import Counter, defaultdict
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from accounts.confirm import NOT_CONFIRMED, confirmed
from accounts.limits import rate_limited

from . import reanchor, services, tasks
from .access import get_reading_for_staff, require_staff
from .forms import ReadingDetailsForm, RevisionForm, UploadForm
from .jobs import poll_answer
from .models import Passage, Reading, Revision, Upload

SUCCESS = {
    Reading: "Imported. Check how it was split, then publish it.",
    Revision: "Uploaded. Check what it changes, then publish it.",
}


@login_required
@rate_limited("import")
def library(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data, filename = form.upload()
            details = {key: form.cleaned_data[key] for key in UPLOAD_DETAILS}
            return start_import(request, data=data, filename=filename, details=details)
    readings = Reading.objects.annotate(passage_count=Count("passages")).select_related(
        "uploaded_by"
    )
    status = 400 if form.errors else 200
    return render(
        request, "readings/library.html", {"form": form, "readings": readings}, status=status
    )


@login_required
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    reading = get_reading_for_staff(request, slug)
    form = ReadingDetailsForm(instance=reading)
    if request.method == "POST":
        form = ReadingDetailsForm(request.POST, instance=reading)
        if form.is_valid():
            form.save()
            messages.success(request, "Details saved.")
            return redirect(reading)
    return render_preview(request, reading, form=form, revision_form=RevisionForm())


UPLOAD_DETAILS = ("format", "title", "author", "source_url")


def start_import(request: HttpRequest, *, data: bytes, filename: str, **fields) -> HttpResponse:
    """Hand an upload to the task worker and send its uploader to watch it.
    With no transaction open, the upload is saved before the task is queued:
    the worker always finds it."""
    upload = Upload.objects.create(
        data=data, filename=filename[:255], uploaded_by=request.user, **fields
    )
    tasks.import_upload.enqueue(upload.pk)
    return redirect(upload)


@login_required
@require_safe
def upload_status(request: HttpRequest, upload_id: int) -> HttpResponse:
    """An upload's progress: the page asks again every 2 s until the import is
    done, then sends on to what it made. Any member of staff may follow any
    upload, as the library is theirs together."""
    require_staff(request)
    uploads = Upload.objects.select_related("revises", "reading", "revision__reading")
    # The bytes are read only to offer a failed paste's text again.
    upload = get_object_or_404(uploads.defer("data"), pk=upload_id)
    if request.headers.get("HX-Request") == "true":
        return poll_answer(upload)
    if upload.made:
        messages.success(request, SUCCESS[type(upload.made)])
        return redirect(upload.made)
    if upload.revises:
        form = RevisionForm()
    else:
        initial = {key: upload.details.get(key, "") for key in UPLOAD_DETAILS}
        if not upload.filename:
            initial["pasted"] = bytes(upload.data).decode("utf-8", "replace")
        form = UploadForm(initial=initial)
    return render(request, "readings/upload.html", {"upload": upload, "form": form})


def render_preview(request, reading: Reading, *, form, revision_form) -> HttpResponse:
    passages = list(reading.passages.all())
    kinds = Counter(p.get_kind_display().lower() for p in passages).most_common()
    context = {
        "reading": reading,
        "form": form,
        "revision_form": revision_form,
        "drafts": reading.revisions.filter(published__isnull=True),
        "passages": passages,
        "kinds": kinds,
    }
    status = 400 if form.errors or revision_form.errors else 200
    return render(request, "readings/preview.html", context, status=status)


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    reading = get_reading_for_staff(request, slug)
    services.publish(reading)
    messages.success(request, f"“{reading.title}” is published.")
    return redirect(reading)


@login_required
@require_POST
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    reading = get_reading_for_staff(request, slug)
    if reading.is_published:
        messages.error(request, "A published reading cannot be deleted.")
        return redirect(reading)
    if not confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect(reading)
    reading.delete()
    messages.success(request, f"The draft “{reading.title}” was deleted.")
    return redirect("readings:library")


@login_required
@require_safe
def read(request: HttpRequest, slug: str) -> HttpResponse:
    reading = get_reading_for_staff(request, slug)
    passages = list(reading.passages.all())
    headings = [p for p in passages if p.kind == Passage.Kind.HEADING]
    return render(
        request,
        "readings/reading.html",
        {"reading": reading, "passages": passages, "headings": headings},
    )


@login_required
@require_POST
@rate_limited("import")
def revise(request: HttpRequest, slug: str) -> HttpResponse:
    reading = get_reading_for_staff(request, slug)
    if not reading.is_published:
        messages.error(request, services.DRAFT_NOT_REVISED)
        return redirect(reading)
    form = RevisionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        return start_import(request, data=upload.read(), filename=upload.name, revises=reading)
    return render_preview(
        request, reading, form=ReadingDetailsForm(instance=reading), revision_form=form
    )


def change_rows(plan, old: list[str], new: list[str]) -> list[dict]:
    """The passages a revision adds, removes or edits, in the new text's order,
    with an edited passage's words marked."""
    rows = []
    for change in plan.changes:
        if change.kind == "edited":
            html = reanchor.marked(old[change.old], new[change.new])
        elif change.kind == "added":
            html = escape(new[change.new])
        elif change.kind == "removed":
            html = escape(old[change.old])
        else:
            continue
        number = change.new if change.new is not None else change.old
        rows.append({"kind": change.kind, "number": number + 1, "html": mark_safe(html)})
    return rows


def attached_by_group(reading: Reading, plan) -> list[dict]:
    """Every group's attached things and where the revision would put each: the
    moved and orphaned ones one by one, the kept ones (the same words in the
    same place: thousands, on a long reading) only counted."""
    ids = list(reading.passages.order_by("position").values_list("pk", flat=True))
    groups = defaultdict(lambda: {"rows": [], "counts": Counter()})
    for _, placed in services.placements(reading, plan, ids):
        for attached, where in placed:
            group = groups[attached.group]
            group["counts"][where.outcome] += 1
            if where.outcome != "kept":
                group["rows"].append({"attached": attached, "where": where})
    return [{"name": name, **group} for name, group in sorted(groups.items())]


@login_required
@require_safe
def revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    reading = get_reading_for_staff(request, slug)
    revision = get_object_or_404(
        Revision.objects.select_related("uploaded_by"), reading=reading, number=number
    )
    new = [p["text"] for p in revision.passages]
    if revision.is_draft:
        old = list(reading.passages.order_by("position").values_list("text", flat=True))
        previous = None
    else:
        previous = (
            reading.revisions.filter(number__lt=number, published__isnull=False)
            .order_by("-number")
            .first()
        )
        old = [p["text"] for p in previous.passages] if previous else new
    plan = reanchor.plan(old, new)
    context = {
        "reading": reading,
        "revision": revision,
        "previous": previous,
        "stale": revision.is_draft and revision.base != reading.revision,
        "counts": services.passage_changes(plan),
        "changes": change_rows(plan, old, new),
        "groups": attached_by_group(reading, plan) if revision.is_draft else [],
        "text": [] if revision.is_draft else with_labels(revision.passages),
    }
    return render(request, "readings/revision.html", context)


def with_labels(passages: list[dict]) -> list[dict]:
    labels = dict(Passage.Kind.choices)
    return [{**passage, "label": labels.get(passage["kind"], "")} for passage in passages]


def get_draft(request: HttpRequest, slug: str, number: int) -> Revision:
    reading = get_reading_for_staff(request, slug)
    return get_object_or_404(Revision, reading=reading, number=number)


@login_required
@require_POST
def publish_revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    revision = get_draft(request, slug, number)
    try:
        moved = services.publish_revision(revision=revision)
    except services.RevisionRefused as refused:
        messages.error(request, str(refused))
        return redirect(revision)
    outcomes = Counter(placed.outcome for placed in moved.values())
    messages.success(
        request,
        f"Version {number} is published. Of what groups had attached: {outcomes['kept']} "
        f"kept, {outcomes['moved']} moved, {outcomes['orphaned']} orphaned.",
    )
    return redirect(revision)


@login_required
@require_POST
def discard_revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    revision = get_draft(request, slug, number)
    if not revision.is_draft:
        messages.error(request, "A published version stays in the reading's history.")
        return redirect(revision)
    revision.delete()
    messages.success(request, f"The draft of version {number} was discarded.")
    return redirect(revision.reading)


@login_required
@require_safe
def revisions(request: HttpRequest, slug: str) -> HttpResponse:
    reading = get_reading_for_staff(request, slug)
    versions = list(reading.revisions.select_related("uploaded_by"))
    context = {
        "reading": reading,
        "published": [v for v in reversed(versions) if not v.is_draft],
        "drafts": [v for v in versions if v.is_draft],
        "passage_count": reading.passages.count(),
    }
    return render(request, "readings/revisions.html", context)
