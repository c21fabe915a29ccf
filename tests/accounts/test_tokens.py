import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import PersonalAccessToken

pytestmark = pytest.mark.django_db

TOKENS_URL = "/account/settings/tokens/"


def api_get(token, path="/api/me"):
    return APIClient().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_page_shows_a_new_token_once_and_stores_only_its_hash(client, ada):
    client.force_login(ada)

    response = client.post(TOKENS_URL, {"name": "upload script"})

    raw = response.context["new_token"]
    assert raw in response.content.decode()
    stored = PersonalAccessToken.objects.get(user=ada)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.token_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)
    assert raw not in client.get(TOKENS_URL).content.decode()


def test_token_page_requires_login(client):
    assert client.get(TOKENS_URL).status_code == 302


def test_token_page_shows_an_error_for_a_missing_name(client, ada):
    client.force_login(ada)
    response = client.post(TOKENS_URL, {"name": ""})
    assert "name" in response.context["form"].errors
    assert not PersonalAccessToken.objects.exists()


def test_bearer_token_authenticates_api_requests(ada):
    _, raw = services.create_token(ada, name="cli")

    response = api_get(raw)

    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.org"
    assert PersonalAccessToken.objects.get().last_used is not None


def test_unknown_token_gets_401_with_json_body(ada):
    response = api_get("rdm_not-a-real-token")
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_gets_401(client, ada):
    token, raw = services.create_token(ada, name="cli")
    client.force_login(ada)

    client.post(reverse("accounts:revoke_token", args=[token.pk]))

    assert PersonalAccessToken.objects.get().revoked is not None
    assert api_get(raw).status_code == 401


def test_expired_token_gets_401(ada):
    token, raw = services.create_token(ada, name="cli", expires=timezone.now() + timedelta(days=1))
    PersonalAccessToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert api_get(raw).status_code == 401


def test_token_of_a_deactivated_user_gets_401(ada):
    _, raw = services.create_token(ada, name="cli")
    ada.is_active = False
    ada.save()
    assert api_get(raw).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, ada, bob):
    token, raw = services.create_token(ada, name="cli")
    client.force_login(bob)

    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))

    assert response.status_code == 404
    assert api_get(raw).status_code == 200


def test_anonymous_request_without_token_is_not_authenticated():
    assert APIClient().get("/api/me").status_code == 401
