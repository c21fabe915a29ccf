"""The "users" and "groups" indexes: InvenioRDM v9 findability (active, confirmed, public or oneself),
hidden e-mail addresses that no query can confirm, and re-indexing when profiles and groups change."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from accounts.services import create_user, search_users, update_profile
from rdm.search import search
from rdm.search.backends import get_search_backend
from rdm.search.index import get_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def people(committed):
    with committed():
        return {
            "open": create_user(email="open.ada@example.org", password="secret-pass-1", email_verified=True,
                                full_name="Ada Open", affiliations=["CERN"], username="adaopen",
                                profile_visibility="public", email_visibility="public"),
            "quiet": create_user(email="quiet.ada@example.org", password="secret-pass-1", email_verified=True,
                                 full_name="Ada Quiet", profile_visibility="public",
                                 email_visibility="restricted"),
            "private": create_user(email="private.ada@example.org", password="secret-pass-1",
                                   email_verified=True, full_name="Ada Private"),
            "unconfirmed": create_user(email="new.ada@example.org", password="secret-pass-1",
                                       full_name="Ada Unconfirmed", profile_visibility="public"),
            "viewer": create_user(email="viewer@example.org", password="secret-pass-1", email_verified=True),
            "staff": create_user(email="staff@example.org", password="secret-pass-1", email_verified=True,
                                 is_staff=True),
        }


def names(result):
    return {hit["profile"]["full_name"] for hit in result.hits}


def test_anonymous_finds_nobody(people):
    assert search("users", "ada", user=None).total == 0


def test_signed_in_users_find_public_confirmed_profiles_only(people):
    assert names(search("users", "ada", user=people["viewer"])) == {"Ada Open", "Ada Quiet"}


def test_a_restricted_profile_is_found_by_its_owner_and_staff(people):
    assert names(search("users", "private", user=people["private"])) == {"Ada Private"}
    assert names(search("users", "private", user=people["staff"])) == {"Ada Private"}
    assert search("users", "private", user=people["viewer"]).total == 0


def test_a_hidden_email_address_is_matched_by_staff_only_and_never_in_hits(people):
    viewer = people["viewer"]
    assert search("users", "quiet.ada@example.org", user=viewer).total == 0
    assert search("users", "email:quiet", user=viewer).total == 0
    assert names(search("users", "email:quiet", user=people["staff"])) == {"Ada Quiet"}
    for user in (viewer, people["staff"]):
        quiet = next(hit for hit in search("users", "quiet", user=user).hits)
        assert "email" not in quiet
        assert "quiet.ada@example.org" not in str(quiet)


def test_a_public_email_address_is_searchable(people):
    result = search("users", "email:\"open.ada@example.org\"", user=people["viewer"])
    assert names(result) == {"Ada Open"}


def test_field_aliases_of_invenio(people):
    viewer = people["viewer"]
    for query in ("name:open", "fullname:open", "full_name:open", "affiliation:cern", "affiliations:cern",
                  "username:adaopen"):
        assert names(search("users", query, user=viewer)) == {"Ada Open"}, query


def test_api_keeps_the_ten_result_cap_and_hides_hidden_emails(people, committed):
    with committed():
        for number in range(12):
            create_user(email=f"many{number}@example.org", password="secret-pass-1", email_verified=True,
                        full_name=f"Many Person {number}", profile_visibility="public")
    client = APIClient()
    client.force_authenticate(people["viewer"])
    body = client.get("/api/users", {"q": "many"}).json()
    assert len(body["hits"]["hits"]) == 10
    assert client.get("/api/users", {"q": "quiet.ada@example.org"}).json()["hits"]["total"] == 0
    assert client.get("/api/users", {"q": "title:x"}).status_code == 400
    assert len(search_users(people["viewer"], "many", limit=3)) == 3


def test_profile_changes_reach_the_index(people, committed):
    quiet = people["quiet"]
    with committed():
        update_profile(quiet, quiet, full_name="Ada Quiet", affiliations=[], visibility="restricted",
                       email_visibility="restricted")
    assert search("users", "quiet", user=people["viewer"]).total == 0
    with committed():
        update_profile(quiet, quiet, full_name="Ada Loud", affiliations=[], visibility="public",
                       email_visibility="public")
    assert names(search("users", "quiet.ada@example.org", user=people["viewer"])) == {"Ada Loud"}


def test_confirming_an_email_makes_a_user_findable(people, committed):
    assert search("users", "unconfirmed", user=people["viewer"]).total == 0
    with committed():
        EmailAddress.objects.filter(user=people["unconfirmed"]).update(verified=True)
        EmailAddress.objects.get(user=people["unconfirmed"]).save()  # what allauth's confirmation does
    assert names(search("users", "unconfirmed", user=people["viewer"])) == {"Ada Unconfirmed"}


def test_deactivated_and_deleted_users_leave_the_index(people, committed):
    user = people["open"]
    with committed():
        user.is_active = False
        user.save()
    assert search("users", "open", user=people["staff"]).total == 0
    pk = str(people["quiet"].pk)
    with committed():
        people["quiet"].delete()
    assert get_search_backend().get_documents(get_index("users"), [pk]) == {}


def test_groups_are_for_signed_in_users_and_follow_renames(people, committed):
    with committed():
        group = Group.objects.create(name="ocean-lab")
    assert search("groups", "ocean", user=None).total == 0
    assert [hit["name"] for hit in search("groups", "ocean", user=people["viewer"]).hits] == ["ocean-lab"]
    with committed():
        group.name = "sea-lab"
        group.save()
    assert search("groups", "ocean", user=people["viewer"]).total == 0
    assert search("groups", "sea", user=people["viewer"]).total == 1
