"""A person's settings: their display name and API tokens (the password is
changed through allauth's page, which also ends other sessions and tokens)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .forms import DisplayNameForm, TokenForm
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
    # Anyone can sign up as any address: a token waits for its confirmation.
    refused = request.method == "POST" and not verified
    status = 403 if refused else 400 if form.errors else 200
    return _render_settings(request, form=form, status=status)


@login_required
@require_POST
def change_display_name(request: HttpRequest) -> HttpResponse:
    form = DisplayNameForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, name_form=form, status=400)
    request.user.display_name = form.cleaned_data["display_name"]
    request.user.save(update_fields=["display_name"])
    messages.success(request, f"Your groups now see you as {request.user.display_name}.")
    return redirect("accounts:settings")


def _render_settings(request, *, form=None, name_form=None, status=200) -> HttpResponse:
    user = request.user
    context = {
        "form": form or TokenForm(),
        "name_form": name_form or DisplayNameForm(initial={"display_name": user.display_name}),
        "verified": user.has_verified_email(),
        "tokens": user.api_tokens.all(),
        "new_token": request.session.pop(NEW_TOKEN, None),
    }
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:settings")
