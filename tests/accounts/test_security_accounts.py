"""Security audit of accounts: users API, tokens, avatars and settings pages deny as carefully as
they allow."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from accounts.models import PersonalAccessToken

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def search(viewer, query):
    client = APIClient()
    client.force_authenticate(viewer)
    return client.get("/api/users", {"q": query}).json()


@pytest.fixture
def hidden_email_user(make_user):
    return make_user("secret.person@example.org", full_name="Public Person", profile_visibility="public",
                     email_visibility="restricted")


def test_user_search_does_not_confirm_a_hidden_email_address(hidden_email_user, bob):
    body = search(bob, "secret.person@example.org")

    assert body["hits"]["total"] == 0


def test_user_search_finds_a_user_by_an_email_they_made_public(make_user, bob):
    user = make_user("open.person@example.org", full_name="Open Person", profile_visibility="public",
                     email_visibility="public")

    body = search(bob, "open.person@example.org")

    assert [hit["id"] for hit in body["hits"]["hits"]] == [str(user.pk)]


def test_user_search_finds_oneself_by_email(hidden_email_user):
    body = search(hidden_email_user, "secret.person@example.org")

    assert [hit["id"] for hit in body["hits"]["hits"]] == [str(hidden_email_user.pk)]


def test_user_search_by_name_still_finds_a_public_profile_with_hidden_email(hidden_email_user, bob):
    body = search(bob, "Public Person")

    assert [hit["id"] for hit in body["hits"]["hits"]] == [str(hidden_email_user.pk)]
    assert "email" not in body["hits"]["hits"][0]


def test_avatar_of_a_restricted_or_missing_user_is_404(ada, bob):
    client = APIClient()
    client.force_authenticate(bob)

    assert client.get(f"/api/users/{ada.pk}/avatar.svg").status_code == 404
    assert client.get("/api/users/999999/avatar.svg").status_code == 404
    assert client.get(f"/api/users/{bob.pk}/avatar.svg").status_code == 200


def test_revoking_someone_elses_token_is_404_and_leaves_it_usable(ada, bob):
    token, raw = services.create_token(ada, name="cli")
    client = Client()
    client.force_login(bob)

    response = client.post(f"/account/settings/tokens/{token.pk}/revoke")

    assert response.status_code == 404
    assert PersonalAccessToken.objects.get(pk=token.pk).revoked is None
    assert APIClient().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_token_revocation_without_csrf_token_is_refused(ada):
    token, _ = services.create_token(ada, name="cli")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)

    response = client.post(f"/account/settings/tokens/{token.pk}/revoke")

    assert response.status_code == 403
    assert PersonalAccessToken.objects.get(pk=token.pk).revoked is None


def test_login_never_redirects_to_another_site(ada):
    client = Client()

    response = client.post("/account/login/?next=https://evil.example.com/",
                           {"login": "ada@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]


def test_login_follows_a_local_next(ada):
    response = Client().post("/account/login/?next=/me/uploads",
                             {"login": "ada@example.org", "password": PASSWORD})

    assert response["Location"] == "/me/uploads"


def test_deactivated_user_cannot_log_in(ada):
    ada.is_active = False
    ada.save()
    client = Client()

    client.post("/account/login/", {"login": "ada@example.org", "password": PASSWORD})

    assert client.get("/api/me").status_code in (401, 403)


def test_session_of_a_deactivated_user_no_longer_authenticates_the_api(ada):
    client = Client()
    client.force_login(ada)
    ada.is_active = False
    ada.save()

    assert client.get("/api/me").status_code in (401, 403)


@pytest.mark.parametrize("full_name", ["ŉ Nobody", "ﬀ Ligature", "ß Street"])
def test_avatar_renders_for_names_whose_capital_is_two_letters(make_user, full_name):
    user = make_user("letters@example.org", full_name=full_name, profile_visibility="public")

    response = APIClient().get(f"/api/users/{user.pk}/avatar.svg")

    assert response.status_code == 200
    assert response["ETag"].isascii()
