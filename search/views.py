from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .engine import LIMIT, search, syllabus
from .forms import SearchForm


@login_required
@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Passages and posts across the searcher's groups. Every answer is a 200:
    a query that finds nothing to search for says so on the page."""
    assignments = syllabus(request.user)
    form = SearchForm(request.GET, assignments=assignments, user=request.user)
    searched = "q" in request.GET
    results, problem = [], ""
    if not form.is_valid():
        problem = " ".join(error for errors in form.errors.values() for error in errors)
    elif searched and not form.cleaned_data["q"]:
        problem = "Type a word to search for: punctuation alone finds nothing."
    elif searched:
        results = search(request.user, form.cleaned_data["q"], assignments, **form.filters())
    context = {
        "form": form,
        "searched": searched and not problem,
        "problem": problem,
        "results": results,
        "capped": len(results) == LIMIT,
    }
    return render(request, "search/search.html", context)
