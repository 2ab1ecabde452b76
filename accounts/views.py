"""A person's settings: their API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .forms import TokenForm
from .models import ApiToken
from .tokens import create_token

NEW_TOKEN = "new_api_token"  # in the session, until the page has shown it once


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    verified = request.user.has_verified_email()
    form = TokenForm(request.POST if request.method == "POST" and verified else None)
    if form.is_valid():
        token = create_token(user=request.user, name=form.cleaned_data["name"])
        request.session[NEW_TOKEN] = token
        return redirect("accounts:settings")
    context = {
        "form": form,
        "verified": verified,
        "tokens": request.user.api_tokens.all(),
        "new_token": request.session.pop(NEW_TOKEN, None),
    }
    # Anyone can sign up as any address: a token waits for its confirmation.
    refused = request.method == "POST" and not verified
    status = 403 if refused else 400 if form.errors else 200
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:settings")
