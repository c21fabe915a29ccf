"""Account settings pages: profile and preferences, personal access tokens."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .forms import ProfileForm, TokenForm


def add_service_errors(form, error: ValidationError) -> None:
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@login_required
def settings_page(request):
    profile = services.get_profile(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(request.user, request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your profile and preferences were saved.")
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form, "section": "profile"})


@login_required
def tokens_page(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = services.create_token(
                request.user, name=form.cleaned_data["name"], expires=_end_of(form.cleaned_data["expires"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": services.list_tokens(request.user),
        "section": "tokens",
    }
    # The secret is rendered once, in this response; it is not stored anywhere to show it again.
    response = render(request, "accounts/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _end_of(day):
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=timezone.get_current_timezone())


@login_required
@require_POST
def revoke_token(request, token_id):
    token = services.revoke_token(request.user, token_id)
    messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect("accounts:tokens")
