"""Page forms. They collect input only; the services validate and decide."""

from django import forms
from django.core.exceptions import ValidationError

from . import roles
from .models import POLICY_CHOICES, TYPE_CHOICES, VISIBILITY_CHOICES

# Service error paths -> form fields.
FIELD_FOR_PATH = {
    "slug": "slug", "metadata.title": "title", "metadata.description": "description",
    "metadata.type": "type", "metadata.website": "website", "metadata.organizations": "organizations",
    "metadata.curation_policy": "curation_policy", "metadata.page": "page",
    "access.visibility": "visibility", "access.member_policy": "member_policy",
    "access.record_policy": "record_policy", "logo": "logo", "role": "role",
}


def add_service_errors(form, error: ValidationError) -> None:
    for path, messages in error.message_dict.items():
        field = FIELD_FOR_PATH.get(path.split(".")[0] if path.startswith("metadata.organizations") else path)
        form.add_error(field if field in form.fields else None, messages)


class ProfileForm(forms.Form):
    title = forms.CharField(max_length=250)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  help_text="Basic HTML (paragraphs, links, lists) is kept.")
    type = forms.ChoiceField(choices=[("", "—")] + TYPE_CHOICES, required=False)
    website = forms.CharField(max_length=500, required=False)
    organizations = forms.CharField(required=False, help_text="Comma-separated names.")
    curation_policy = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    page = forms.CharField(label="About page", widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def metadata(self) -> dict:
        data = dict(self.cleaned_data)
        names = [name.strip() for name in data.get("organizations", "").split(",") if name.strip()]
        return {
            "title": data["title"], "description": data.get("description", ""), "type": data.get("type", ""),
            "website": data.get("website", ""), "organizations": [{"name": name} for name in names],
            "curation_policy": data.get("curation_policy", ""), "page": data.get("page", ""),
        }

    @staticmethod
    def initial_for(community) -> dict:
        return {
            "title": community.title, "description": community.description, "type": community.type,
            "website": community.website, "curation_policy": community.curation_policy,
            "page": community.page,
            "organizations": ", ".join(o.get("name") or o.get("id", "") for o in community.organizations),
        }


class AccessForm(forms.Form):
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, widget=forms.RadioSelect,
                                   help_text="Restricted communities are seen by their members only.")
    member_policy = forms.ChoiceField(choices=POLICY_CHOICES, widget=forms.RadioSelect)
    record_policy = forms.ChoiceField(choices=POLICY_CHOICES, widget=forms.RadioSelect,
                                      help_text="Open: anyone may submit records; closed: members only.")


class CreateForm(ProfileForm):
    slug = forms.CharField(max_length=100, label="Identifier (URL)",
                           help_text="Letters, digits, hyphens and underscores.")
    visibility = AccessForm.base_fields["visibility"]

    field_order = ["title", "slug", "visibility", "type", "description", "website", "organizations"]


class RenameForm(forms.Form):
    slug = forms.CharField(max_length=100, label="Identifier (URL)",
                           help_text="The old address keeps redirecting here.")


class LogoForm(forms.Form):
    logo = forms.FileField(help_text="PNG, JPEG or WebP, at most 1 MB.")


class DeleteForm(forms.Form):
    confirm = forms.CharField(label="Type the identifier to confirm")
    note = forms.CharField(required=False, label="Reason (shown on the tombstone page)")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=roles.choices)
