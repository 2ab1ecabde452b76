"""The print edition of a reading: the text with its marks, the threads in the
margin beside their passage and the agenda first, as the viewer may see them;
a page to print from the browser, or the same page as a PDF."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from groups.access import get_assignment_for_member
from groups.sections import render_sections

from .. import printing, sections
from ..forms import PrintForm


@login_required
@require_safe
def print_edition(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    form = PrintForm.from_query(request.GET)
    context = {"group": assignment.group, "reading": assignment.reading, "form": form}
    if not form.is_valid():
        return render(request, "discussions/print.html", context, status=400)
    data = form.cleaned_data
    found = printing.edition(assignment, request.user, data["kinds"])
    labels = dict(form.fields["kinds"].choices)
    context |= {
        "edition": found,
        "paper": data["paper"],
        "included": [labels[kind] for kind in data["kinds"]],
        "first": render_sections(sections.PRINT_FIRST, request, assignment, found.passages),
    }
    if data["format"] != "pdf":
        return render(request, "discussions/print.html", context)
    if found.pages > printing.PDF_MAX_PAGES:
        context["too_long"] = printing.PDF_MAX_PAGES
        return render(request, "discussions/print.html", context, status=400)
    html = render_to_string("discussions/print.html", context, request=request)
    static_url = request.build_absolute_uri(settings.STATIC_URL)
    response = HttpResponse(
        printing.pdf(html, request.build_absolute_uri(), static_url),
        content_type="application/pdf",
    )
    filename = f"{assignment.group.slug}-{assignment.reading.slug}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
