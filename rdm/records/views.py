"""Record pages: deposit form, landing page, downloads, JSON export and the user's dashboard.

Thin views: every read and change goes through ``services`` (which checks permissions and raises Http404
for what the viewer may not see); ``presenters`` turns records into what the templates show.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import presenters, services
from .forms import DepositForms, PublishConfirmForm
from .metadata import REQUIRED

# --- deposit form ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deposit_new(request):
    if request.method == "GET":
        return _render_deposit(request, DepositForms.build(), draft=None)
    forms = DepositForms.build(post=request.POST, files=request.FILES)
    if not forms.is_valid():
        return _render_deposit(request, forms, draft=None)
    try:
        draft = services.create_draft(request.user, forms.to_data())
    except ValidationError as error:
        forms.add_service_errors(error.message_dict)
        return _render_deposit(request, forms, draft=None)
    return _after_save(request, forms, draft)


@login_required
@require_http_methods(["GET", "POST"])
def deposit_edit(request, pid):
    try:
        draft, files = services.list_draft_files(request.user, pid)
    except Http404:
        return _published_without_draft(request, pid)
    if request.method == "GET":
        forms = DepositForms.build(presenters.draft_data(draft), file_keys=_keys(files))
        return _render_deposit(request, forms, draft=draft)
    forms = DepositForms.build(
        post=request.POST, files=request.FILES, file_keys=_keys(files), current=draft.metadata,
    )
    if not forms.is_valid():
        return _render_deposit(request, forms, draft=draft)
    data = forms.to_data(current=draft.metadata)
    if draft.record_id:
        data.pop("files")  # files of a published record are fixed; the form does not offer them
    try:
        draft = services.update_draft(request.user, pid, data)
    except ValidationError as error:
        forms.add_service_errors(error.message_dict)
        return _render_deposit(request, forms, draft=draft)
    return _after_save(request, forms, draft)


def _published_without_draft(request, pid):
    """An old link to the form of a record published since: its managers are sent to its page."""
    record = services.get_record(request.user, pid)
    if not presenters.can_manage(request.user, record):
        raise Http404("No such draft.")
    messages.info(request, "This record is published. Use Edit to change it, or New version for new files.")
    return redirect("records:landing", pid=record.pid)


def _keys(files) -> list[str]:
    return [entry.key for entry in files]


def _after_save(request, forms, draft):
    """Remove and add files, then publish (if asked and confirmed) or show the saved draft."""
    file_errors = _change_files(request, forms, draft)
    if file_errors:
        return _render_saved_draft(request, draft, file_errors)
    if request.POST.get("action") == "publish":
        if request.POST.get("confirmed") != "1":
            return redirect("records:deposit_publish", pid=draft.pid)
        return _publish(request, draft)
    problems = _invalid_values(services.validate_draft(draft, include_files=False))
    if problems:
        summary = "Draft saved. Some fields need attention before you can publish."
        return _render_saved_draft(request, draft, problems, summary=summary)
    messages.success(request, "Draft saved.")
    return redirect("records:deposit_edit", pid=draft.pid)


def _change_files(request, forms, draft) -> dict[str, list[str]]:
    cleaned = forms.form.cleaned_data
    if draft.record_id or not (cleaned["remove_files"] or cleaned["files"]):
        return {}
    try:
        for key in cleaned["remove_files"]:
            services.delete_draft_file(request.user, draft.pid, key)
        services.add_files(request.user, draft.pid, cleaned["files"])
    except ValidationError as error:
        return {_file_path(path): messages_ for path, messages_ in error.message_dict.items()}
    return {}


def _file_path(path: str) -> str:
    return path if path.startswith("files") else f"files.{path}"


def _invalid_values(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors about what was entered, leaving out fields not filled in yet (a draft may be incomplete)."""
    kept = {path: [m for m in found if m != REQUIRED] for path, found in errors.items()}
    return {path: found for path, found in kept.items() if found}


def _publish(request, draft):
    try:
        record = services.publish_draft(request.user, draft.pid)
    except ValidationError as error:
        summary = "The record could not be published yet. Please check the highlighted fields."
        return _render_saved_draft(request, draft, error.message_dict, summary=summary)
    messages.success(request, "Your record has been published.")
    return redirect("records:landing", pid=record.pid)


def _render_saved_draft(request, draft, errors: dict[str, list[str]], summary: str = ""):
    draft, files = services.list_draft_files(request.user, draft.pid)
    forms = DepositForms.build(presenters.draft_data(draft), file_keys=_keys(files))
    forms.add_service_errors(errors)
    return _render_deposit(request, forms, draft=draft, files=files, summary=summary)


def _render_deposit(request, forms, *, draft, files=None, summary=""):
    if draft is not None and files is None:
        draft, files = services.list_draft_files(request.user, draft.pid)
    context = {
        "forms": forms,
        "error_summary": summary or "Please check the highlighted fields.",
        "draft": draft,
        "draft_files": [presenters.file_row(entry) for entry in files or []],
        "form_action": reverse("records:deposit_edit", args=[draft.pid]) if draft else reverse(
            "records:deposit_new"),
    }
    return render(request, "records/deposit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deposit_publish(request, pid):
    """The confirmation step for publishing without JavaScript."""
    draft = services.get_draft(request.user, pid)
    form = PublishConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _publish(request, draft)
    return render(request, "records/publish_confirm.html", {"draft": draft, "form": form})


@login_required
@require_POST
def deposit_delete(request, pid):
    draft = services.get_draft(request.user, pid)
    services.delete_draft(request.user, pid)
    if draft.record_id:
        messages.success(request, "Your changes were discarded.")
        return redirect("records:landing", pid=pid)
    messages.success(request, "The draft was deleted.")
    return redirect("records:dashboard")


@login_required
@require_POST
def edit(request, pid):
    draft = services.edit_record(request.user, pid)
    return redirect("records:deposit_edit", pid=draft.pid)


@login_required
@require_POST
def new_version(request, pid):
    draft = services.new_version(request.user, pid)
    return redirect("records:deposit_edit", pid=draft.pid)


# --- landing page, downloads, export --------------------------------------------------------------


@require_GET
def landing(request, pid):
    if request.GET.get("preview"):
        draft = services.get_draft(request.user, pid)
        return render(request, "records/landing.html", {"page": presenters.landing(request.user, draft)})
    try:
        record = services.get_record(request.user, pid)
    except Http404:
        return _redirect_to_preview(request, pid)
    return render(request, "records/landing.html", {"page": presenters.landing(request.user, record)})


def _redirect_to_preview(request, pid):
    """An unpublished draft's owner following its link gets the preview; everyone else a 404."""
    draft = services.get_draft(request.user, pid)
    return redirect(f"{reverse('records:landing', args=[draft.pid])}?preview=1")


@require_GET
def latest(request, pid):
    record = services.latest_version(request.user, pid)
    return redirect("records:landing", pid=record.pid)


@require_GET
def file_download(request, pid, key):
    if request.GET.get("preview"):
        entry = services.open_draft_file(request.user, pid, key)
    else:
        entry = services.open_record_file(request.user, pid, key)
    return FileResponse(
        entry.open(), as_attachment=True, filename=entry.key, content_type=entry.blob.mimetype,
    )


@require_GET
def export_json(request, pid):
    record = services.get_record(request.user, pid)
    body = json.dumps(presenters.record_json(record, request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{record.pid}.json"'
    return response


# --- dashboard ------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    uploads = services.list_user_records(request.user)
    return render(request, "records/dashboard.html", {"uploads": presenters.dashboard_items(uploads)})

