"""The print edition of a reading: the text with its marks, the threads in the
margin beside their passage and the agenda first, as the viewer may see them;
a page to print from the browser, or the same page as a PDF, which the task
worker makes while its page waits."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from groups.access import get_assignment_for_member
from groups.sections import render_sections
from readings.jobs import poll_answer

from .. import printing, sections, tasks
from ..access import get_print_job_for_owner
from ..forms import PrintForm
from ..models import PrintJob

PAGE = "discussions/print.html"


def with_edition(request: HttpRequest, assignment, form: PrintForm, context: dict) -> dict:
    """The context for the edition `form` (valid) chose, as the viewer may see it."""
    data = form.cleaned_data
    found = printing.edition(assignment, request.user, data["kinds"])
    labels = dict(form.fields["kinds"].choices)
    return context | {
        "edition": found,
        "kinds": data["kinds"],
        "paper": data["paper"],
        "included": [labels[kind] for kind in data["kinds"]],
        "first": render_sections(sections.PRINT_FIRST, request, assignment, found.passages),
    }


@login_required
@require_safe
def print_edition(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    form = PrintForm.from_query(request.GET)
    context = {"group": assignment.group, "reading": assignment.reading, "form": form}
    if not form.is_valid():
        return render(request, PAGE, context, status=400)
    return render(request, PAGE, with_edition(request, assignment, form, context))


@login_required
@require_POST
def print_pdf(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """Store the edition as the member sees it now, and hand it to the task
    worker to lay out; the member waits on the job's page."""
    assignment = get_assignment_for_member(request, slug, reading_slug)
    group, reading = assignment.group, assignment.reading
    jobs = PrintJob.objects.filter(user=request.user, group=group, reading=reading)
    # While one is being made, asking again shows it: no member fills the queue.
    making = jobs.running().only("pk").first()
    if making:
        making.group, making.reading = group, reading
        return redirect(making)
    form = PrintForm(request.POST)
    context = {"group": group, "reading": reading, "form": form}
    if not form.is_valid():
        return render(request, PAGE, context, status=400)
    context = with_edition(request, assignment, form, context)
    if context["edition"].pages > printing.PDF_MAX_PAGES:
        context["too_long"] = printing.PDF_MAX_PAGES
        return render(request, PAGE, context, status=400)
    html = render_to_string(PAGE, context | {"for_pdf": True}, request=request)
    # One job per member and reading: a new one replaces their earlier ones, and
    # the PDFs they made, so nothing piles up in the database.
    jobs.delete()
    # With no transaction open, the job is saved before the task is queued: the
    # worker always finds it.
    job = PrintJob.objects.create(
        user=request.user, group=group, reading=reading, paper=form.cleaned_data["paper"], html=html
    )
    page_url = request.build_absolute_uri(reverse("discussions:print", args=[slug, reading_slug]))
    tasks.make_pdf.enqueue(job.pk, page_url)
    return redirect(job)


@login_required
@require_safe
def print_job(request: HttpRequest, slug: str, reading_slug: str, job_id: int) -> HttpResponse:
    """A PDF's progress: the page asks again every 2 s until the worker is done,
    then offers the file, or says why there is none."""
    job = get_print_job_for_owner(request, slug, reading_slug, job_id)
    if request.headers.get("HX-Request") == "true":
        return poll_answer(job)
    form = PrintForm(initial={"paper": job.paper, "kinds": PrintForm.ALL_KINDS})
    context = {"group": job.group, "reading": job.reading, "job": job, "form": form}
    return render(request, "discussions/print_job.html", context)


@login_required
@require_safe
def print_file(request: HttpRequest, slug: str, reading_slug: str, job_id: int) -> HttpResponse:
    job = get_print_job_for_owner(request, slug, reading_slug, job_id)
    if job.finished is None or job.problem:
        return redirect(job)
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
