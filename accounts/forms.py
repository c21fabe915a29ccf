from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from . import services
from .models import Profile

AFFILIATIONS_HELP = "One per line (or separated by commas)."


class AffiliationsField(forms.CharField):
    """A list of affiliations edited as text, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return services.parse_affiliations(super().to_python(value) or "")


class SignupForm(AllauthSignupForm):
    full_name = forms.CharField(max_length=255, label="Full name")
    affiliations = AffiliationsField(required=False, help_text=AFFILIATIONS_HELP)
    field_order = ["email", "password1", "password2", "full_name", "affiliations", "username"]

    def signup(self, request, user):
        services.update_profile(
            user,
            user,
            full_name=self.cleaned_data["full_name"],
            affiliations=self.cleaned_data["affiliations"],
            visibility=services.Visibility.RESTRICTED,
            email_visibility=services.Visibility.RESTRICTED,
        )


class ProfileForm(forms.ModelForm):
    affiliations = AffiliationsField(required=False, help_text=AFFILIATIONS_HELP)

    class Meta:
        model = Profile
        fields = ["full_name", "affiliations", "visibility", "email_visibility"]
        widgets = {"visibility": forms.RadioSelect, "email_visibility": forms.RadioSelect}
        help_texts = {
            "visibility": "Public: anyone can see your profile. Restricted: only you (and administrators).",
            "email_visibility": "Public: shown with your profile, when the profile is public.",
        }


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'upload script'.")
    expires = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Optional."
    )
