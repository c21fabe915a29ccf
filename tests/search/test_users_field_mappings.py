"""GET /api/users field mappings of the issue (``name``/``full_name``/``fullname``, ``affiliation(s)``,
``email``, ``username``) and the e-mail rule: ``email:`` never matches a hidden address for anyone but
staff (not for other users, not for the address's owner), and no hit ever shows a hidden address."""

import pytest
from rest_framework.test import APIClient

from accounts.services import create_user
from rdm.search import search
from rdm.search.index import INDEX_ONLY

pytestmark = pytest.mark.django_db

QUIET_EMAIL = "quiet.ada@example.org"


@pytest.fixture
def people(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return {
            "open": create_user(email="open.ada@example.org", password="secret-pass-1", email_verified=True,
                                full_name="Ada Open", affiliations=["CERN", "Ocean Institute"],
                                username="adaopen", profile_visibility="public", email_visibility="public"),
            "quiet": create_user(email=QUIET_EMAIL, password="secret-pass-1", email_verified=True,
                                 full_name="Ada Quiet", affiliations=["Harbour Lab"], username="adaquiet",
                                 profile_visibility="public", email_visibility="restricted"),
            "private": create_user(email="private.ada@example.org", password="secret-pass-1",
                                   email_verified=True, full_name="Ada Private"),
            "viewer": create_user(email="viewer@example.org", password="secret-pass-1", email_verified=True),
            "staff": create_user(email="staff@example.org", password="secret-pass-1", email_verified=True,
                                 is_staff=True),
        }


def api(user, q):
    client = APIClient()
    client.force_authenticate(user)
    return client.get("/api/users", {"q": q})


def api_names(user, q):
    response = api(user, q)
    assert response.status_code == 200, response.content
    return sorted(hit["profile"]["full_name"] for hit in response.json()["hits"]["hits"])


@pytest.mark.parametrize(("query", "expected"), [
    ("name:open", ["Ada Open"]),
    ("full_name:open", ["Ada Open"]),
    ("fullname:open", ["Ada Open"]),
    ("profile.full_name:open", ["Ada Open"]),
    ('name:"ada quiet"', ["Ada Quiet"]),
    ("affiliation:cern", ["Ada Open"]),
    ("affiliations:harbour", ["Ada Quiet"]),
    ('affiliations:"ocean institute"', ["Ada Open"]),
    ("username:adaopen", ["Ada Open"]),
    ("username:adaquiet", ["Ada Quiet"]),
    ('email:"open.ada@example.org"', ["Ada Open"]),
    ("email:open", ["Ada Open"]),
    ("name:ada AND affiliation:cern", ["Ada Open"]),
    ("name:ada NOT affiliation:cern", ["Ada Quiet"]),
])
def test_every_users_field_mapping_works_through_the_api(people, query, expected):
    assert api_names(people["viewer"], query) == expected


def test_a_field_does_not_match_another_fields_words(people):
    assert api_names(people["viewer"], "affiliation:open") == []
    assert api_names(people["viewer"], "username:cern") == []


@pytest.mark.parametrize("query", [
    "email:quiet", f'email:"{QUIET_EMAIL}"', "email:quiet*", "email:qu?et", "name:nobody OR email:quiet",
    f'"{QUIET_EMAIL}"', "quiet.ada",
])
@pytest.mark.parametrize("persona", ("viewer", "quiet", "open"))
def test_a_hidden_email_never_matches_for_non_staff(people, persona, query):
    result = search("users", query, user=people[persona])

    assert "Ada Quiet" not in {hit["profile"]["full_name"] for hit in result.hits}


@pytest.mark.parametrize("query", ["email:quiet", f'email:"{QUIET_EMAIL}"', "email:quiet*"])
def test_staff_match_a_hidden_email_with_the_email_field(people, query):
    assert api_names(people["staff"], query) == ["Ada Quiet"]


def test_staff_match_the_hidden_email_of_a_restricted_profile(people):
    assert api_names(people["staff"], "email:private") == ["Ada Private"]
    assert api_names(people["viewer"], "email:private") == []


def test_staff_free_text_does_not_reach_hidden_emails(people):
    # Only the fielded ``email:`` query maps to the hidden address (as InvenioRDM's admin search).
    assert search("users", f'"{QUIET_EMAIL}"', user=people["staff"]).total == 0


@pytest.mark.parametrize("typed", ["email_hidden", f"{INDEX_ONLY}.email"])
def test_the_hidden_email_field_does_not_exist_for_non_staff(people, typed):
    response = api(people["viewer"], f"{typed}:quiet")

    assert response.status_code == 400
    message = response.json()["errors"][0]["messages"][0]
    assert f'Unknown search field "{typed}"' in message
    assert "email_hidden" not in message.split("Allowed fields:")[1]


def test_staff_may_name_the_hidden_email_field(people):
    assert api_names(people["staff"], "email_hidden:quiet") == ["Ada Quiet"]


@pytest.mark.parametrize("persona", ("viewer", "staff"))
def test_search_hits_never_show_a_hidden_email(people, persona):
    hits = search("users", "email:quiet OR name:quiet", user=people[persona]).hits

    assert [hit["profile"]["full_name"] for hit in hits] == ["Ada Quiet"]
    assert INDEX_ONLY not in hits[0] and "email" not in hits[0]
    assert QUIET_EMAIL not in str(hits)


def test_the_api_shows_no_hidden_email_to_other_users(people):
    # (Staff read addresses through the accounts app's own rule, as on GET /api/users/<id>.)
    response = api(people["viewer"], "name:quiet")

    assert response.status_code == 200
    assert response.json()["hits"]["total"] == 1
    assert QUIET_EMAIL.encode() not in response.content
    assert INDEX_ONLY.encode() not in response.content


def test_a_public_email_is_shown_in_hits(people):
    hits = search("users", "name:open", user=people["viewer"]).hits

    assert [hit["email"] for hit in hits] == ["open.ada@example.org"]
