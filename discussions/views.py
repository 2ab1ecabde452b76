from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The landing page; signed-in people will see their groups here."""
    return render(request, "discussions/home.html")
