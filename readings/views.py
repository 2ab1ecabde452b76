from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.limits import rate_limited

from . import services
from .access import get_reading_for_staff, require_staff
from .forms import ReadingDetailsForm, UploadForm
from .importers import ImportProblem
from .models import Passage, Reading


@login_required
@rate_limited("import")
def library(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data, filename = form.upload()
            try:
                reading = services.import_reading(
                    data=data,
                    filename=filename,
                    fmt=form.cleaned_data["format"],
                    title=form.cleaned_data["title"],
                    author=form.cleaned_data["author"],
                    source_url=form.cleaned_data["source_url"],
                    uploaded_by=request.user,
                )
            except ImportProblem as problem:
                form.add_error("file" if filename else "pasted", str(problem))
            else:
                messages.success(request, "Imported. Check how it was split, then publish it.")
                return redirect(reading)
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
    passages = list(reading.passages.all())
    kinds = Counter(p.get_kind_display().lower() for p in passages).most_common()
    context = {"reading": reading, "form": form, "passages": passages, "kinds": kinds}
    return render(request, "readings/preview.html", context, status=400 if form.errors else 200)


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
