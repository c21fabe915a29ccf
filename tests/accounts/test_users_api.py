import pytest
from rest_framework.test import APIClient

from accounts import services

pytestmark = pytest.mark.django_db


def get_user(user, viewer=None):
    client = APIClient()
    if viewer is not None:
        client.force_authenticate(viewer)
    return client.get(f"/api/users/{user.pk}")


@pytest.fixture
def public_ada(make_user):
    return make_user("pub@example.org", full_name="Ada Public", affiliations=["CERN"],
                     profile_visibility="public")


def test_public_user_is_readable_by_anyone_without_email(public_ada):
    response = get_user(public_ada)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(public_ada.pk)
    assert body["profile"] == {"full_name": "Ada Public", "affiliations": ["CERN"]}
    assert body["links"]["avatar"].endswith(f"/api/users/{public_ada.pk}/avatar.svg")
    assert body["is_current_user"] is False
    assert "email" not in body
    assert "preferences" not in body


def test_public_email_is_shown_when_the_user_allows_it(make_user):
    user = make_user("open@example.org", profile_visibility="public", email_visibility="public")
    assert get_user(user).json()["email"] == "open@example.org"


def test_restricted_user_is_404_for_others(ada, bob):
    assert get_user(ada).status_code == 404
    response = get_user(ada, viewer=bob)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_public_email_of_a_restricted_profile_stays_hidden(make_user, bob):
    user = make_user("half@example.org", email_visibility="public")
    assert get_user(user, viewer=bob).status_code == 404


def test_missing_user_is_404():
    assert APIClient().get("/api/users/999999").status_code == 404


def test_user_sees_own_email_and_preferences(ada):
    body = get_user(ada, viewer=ada).json()
    assert body["email"] == "ada@example.org"
    assert body["is_current_user"] is True
    assert body["preferences"] == {"visibility": "restricted", "email_visibility": "restricted"}
    assert body["confirmed"] is True


def test_deactivated_public_user_is_404(public_ada):
    public_ada.is_active = False
    public_ada.save()
    assert get_user(public_ada).status_code == 404


def test_staff_may_read_restricted_users(ada, make_user):
    staff = make_user("staff@example.org", is_staff=True)
    assert get_user(ada, viewer=staff).json()["email"] == "ada@example.org"


def test_profile_changes_show_in_the_api(public_ada):
    services.update_profile(public_ada, public_ada, full_name="Renamed", affiliations=[],
                            visibility="restricted", email_visibility="restricted")
    assert get_user(public_ada).status_code == 404


def search(viewer, q=""):
    client = APIClient()
    if viewer is not None:
        client.force_authenticate(viewer)
    return client.get("/api/users", {"q": q})


def test_user_search_needs_authentication(public_ada):
    assert search(None).status_code == 401


def test_user_search_finds_public_confirmed_users_and_self_only(public_ada, ada, bob, make_user):
    make_user("unconfirmed@example.org", full_name="Ada Hidden", profile_visibility="public",
              email_verified=False)

    ids = {hit["id"] for hit in search(bob, "ada").json()["hits"]["hits"]}
    assert ids == {str(public_ada.pk)}
    own = search(ada, "lovelace").json()["hits"]["hits"]
    assert [hit["id"] for hit in own] == [str(ada.pk)]


def test_user_search_matches_affiliations(public_ada, bob):
    assert search(bob, "CERN").json()["hits"]["total"] == 1
    assert search(bob, "nowhere").json()["hits"]["total"] == 0
