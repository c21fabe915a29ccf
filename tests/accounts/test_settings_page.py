import pytest
from django.urls import reverse

from accounts.models import Profile

pytestmark = pytest.mark.django_db

URL = "/account/settings/"


def test_settings_page_lives_at_account_settings():
    assert reverse("accounts:settings") == URL


def test_settings_page_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_settings_page_shows_current_profile(client, ada):
    client.force_login(ada)
    page = client.get(URL).content.decode()
    assert 'value="Ada Lovelace"' in page
    assert "Analytical Society" in page


def test_settings_page_saves_profile_and_preferences(client, ada):
    client.force_login(ada)
    response = client.post(URL, {
        "full_name": "Augusta Ada King",
        "affiliations": "Analytical Society\nRoyal Society",
        "visibility": "public",
        "email_visibility": "restricted",
    })
    assert response.status_code == 302
    profile = Profile.objects.get(user=ada)
    assert profile.full_name == "Augusta Ada King"
    assert profile.affiliations == ["Analytical Society", "Royal Society"]
    assert (profile.visibility, profile.email_visibility) == ("public", "restricted")


def test_settings_page_shows_errors_beside_fields_and_saves_nothing(client, ada):
    client.force_login(ada)
    response = client.post(URL, {
        "full_name": "x" * 300,
        "affiliations": "",
        "visibility": "everyone",
        "email_visibility": "restricted",
    })
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name", "visibility"}
    page = response.content.decode()
    assert 'id="id_full_name_error"' in page and 'id="id_visibility_error"' in page
    assert Profile.objects.get(user=ada).full_name == "Ada Lovelace"
