import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse

from communities import queries as community_queries
from communities.models import Community
from rdm.management.commands.rdm_demo import ADMIN_EMAIL, DEFAULT_PASSWORD, USERS
from rdm.records import permissions, services
from rdm.records.models import Draft, Record, RecordFile, RecordParent
from rdm.search import search

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [demo.email for demo in USERS]


def run_demo() -> str:
    out = io.StringIO()
    call_command("rdm_demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        "users": get_user_model().objects.count(),
        "parents": RecordParent.objects.count(),
        "records": Record.objects.count(),
        "drafts": Draft.objects.count(),
        "files": RecordFile.objects.count(),
        "communities": Community.objects.count(),
    }


def owner(email):
    return get_user_model().objects.get(email=email)


def test_demo_creates_users_and_records():
    run_demo()
    assert counts() == {"users": 4, "parents": 9, "records": 9, "drafts": 1, "files": 12, "communities": 1}


def test_running_the_demo_twice_changes_nothing():
    run_demo()
    before = counts()
    output = run_demo()
    assert counts() == before
    assert "0 records, 0 communities created now" in output


def test_the_demo_prints_the_logins():
    output = run_demo()
    for email in DEMO_EMAILS:
        assert email in output
    assert DEFAULT_PASSWORD in output


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_every_demo_login_works(client, email):
    run_demo()
    response = client.post(reverse("account_login"), {"login": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == owner(email).pk


def test_a_wrong_password_does_not_log_in(client):
    run_demo()
    client.post(reverse("account_login"), {"login": "alice@example.org", "password": "not-the-password"})
    assert "_auth_user_id" not in client.session


def test_the_admin_is_a_superuser_and_the_others_are_not():
    run_demo()
    admin = owner(ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser
    assert not owner("alice@example.org").is_staff
    assert owner("alice@example.org").profile.visibility == "public"
    assert owner("carol@example.org").profile.visibility == "restricted"


def test_anonymous_visitors_see_the_public_records_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # indexes after commit, as in production
        run_demo()
    visible = search("records", filters={"is_latest": ["true"]}, size=50, user=AnonymousUser())
    titles = [hit["metadata"]["title"] for hit in visible.hits]
    assert visible.total == 7
    assert "Preliminary results: sediment cores from Lake Constance" not in titles
    assert "Glacier melt observations, Svalbard (work in progress)" not in titles


def test_the_embargoed_record_hides_its_files():
    run_demo()
    record = Record.objects.get(embargo_active=True)
    assert record.title == "Interviews on data sharing practices in three disciplines"
    assert not permissions.can_read_files(AnonymousUser(), record)
    assert permissions.can_read_files(record.parent.owner, record)


def test_the_dataset_has_two_versions_and_the_latest_is_2_0():
    run_demo()
    alice = owner("alice@example.org")
    dataset = next(r for r in services.list_user_records(alice)["records"] if r.version_index == 2)
    assert [r.metadata["version"] for r in services.list_versions(alice, dataset.pid)] == ["2.0", "1.0"]
    assert services.latest_version(AnonymousUser(), dataset.pid).pid == dataset.pid


def test_the_demo_community_is_featured_and_holds_alices_records(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_demo()
    featured = community_queries.featured_communities()
    assert [community.slug for community in featured] == ["ocean-climate"]
    alice_records = services.list_user_records(owner("alice@example.org"))["records"]
    in_community = search(
        "records", "", filters={"community": str(featured[0].uuid), "is_latest": ["true"]},
        user=AnonymousUser(),
    )
    anonymous = AnonymousUser()
    readable = {record.pid for record in alice_records if permissions.can_read_record(anonymous, record)}
    assert {hit["id"] for hit in in_community.hits} == readable
    assert len(readable) >= 2


def test_the_demo_indexes_the_default_vocabularies():
    run_demo()
    result = search("vocabularies", "dataset", filters={"vocabulary": "resourcetypes"}, user=AnonymousUser())
    assert result.total >= 1
