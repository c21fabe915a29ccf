"""Security audit of communities: gaps the role matrix does not cover (HTML injection, deleted and
renamed communities, ids from another community, CSRF, memberships that end)."""

import pytest
from django.http import Http404
from django.test import Client

from communities import permissions, services
from communities.models import Membership
from rdm.records import services as record_services

from .conftest import Personas

pytestmark = pytest.mark.django_db

EVIL = ('<p>Hello</p><script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">x</a>')


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_community_page_texts_are_sanitised_before_they_are_rendered(public):
    services.update_community(public.owner, public.community, {"metadata": {
        "title": "<b>Ocean</b>", "description": EVIL, "page": EVIL, "curation_policy": EVIL,
    }})

    html = Client().get(f"/communities/{public.community.slug}").content.decode()

    assert html.count("<p>Hello</p>") == 3
    assert "<script>alert(1)" not in html
    assert "onerror" not in html
    assert "javascript:alert(3)" not in html
    assert "<b>Ocean</b>" not in html


def test_old_slug_of_a_restricted_community_is_404_for_outsiders_not_a_redirect(restricted):
    services.rename_community(restricted.owner, restricted.community, "moved-secret")

    assert restricted.client("outsider").get("/api/communities/secret").status_code == 404
    assert Client().get("/communities/secret").status_code == 404
    assert restricted.client("reader").get("/api/communities/secret").status_code == 301


def test_deleted_community_accepts_no_changes(public):
    services.delete_community(public.owner, public.community)
    client = public.client("owner")
    base = f"/api/communities/{public.community.uuid}"

    assert client.put(base, {"metadata": {"title": "Back"}}, format="json").status_code == 410
    assert client.post(f"{base}/rename", {"slug": "back"}, format="json").status_code == 410
    body = {"members": [{"type": "user", "id": public.reader.pk}], "role": "curator"}
    assert client.put(f"{base}/members", body, format="json").status_code == 410
    assert Membership.objects.get(community=public.community, user=public.reader).role == "reader"


def test_deleted_restricted_community_tombstone_is_404_for_outsiders(restricted):
    services.delete_community(restricted.owner, restricted.community)

    path = f"/api/communities/{restricted.community.uuid}"
    assert restricted.client("outsider").get(path).status_code == 404
    assert restricted.client("reader").get(path).status_code == 410


def test_member_id_of_another_community_is_404_on_member_pages(public, restricted):
    foreign = Membership.objects.get(community=restricted.community, user=restricted.reader)

    response = page_client(public.owner).post(
        f"/communities/{public.community.slug}/members/{foreign.uuid}", {"role": "owner"},
    )
    removal = page_client(public.owner).post(
        f"/communities/{public.community.slug}/members/{foreign.uuid}/remove",
    )

    assert response.status_code == 404
    assert removal.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "reader"


def test_manager_cannot_raise_their_own_role(public):
    body = {"members": [{"type": "user", "id": public.manager.pk}], "role": "owner"}

    response = public.client("manager").put(f"/api/communities/{public.community.slug}/members", body,
                                            format="json")

    assert response.status_code == 400
    assert Membership.objects.get(community=public.community, user=public.manager).role == "manager"


def test_manager_cannot_remove_an_owner(public):
    body = {"members": [{"type": "user", "id": public.owner.pk}]}

    response = public.client("manager").delete(f"/api/communities/{public.community.slug}/members", body,
                                               format="json")

    assert response.status_code == 403
    assert Membership.objects.filter(community=public.community, user=public.owner).exists()


def test_settings_post_without_csrf_token_is_refused(public):
    client = Client(enforce_csrf_checks=True)
    client.force_login(public.owner)

    response = client.post(f"/communities/{public.community.slug}/settings",
                           {"action": "delete", "confirm": public.community.slug})

    assert response.status_code == 403
    public.community.refresh_from_db()
    assert public.community.deleted_at is None


def test_api_put_with_session_and_without_csrf_token_is_refused(public):
    client = Client(enforce_csrf_checks=True)
    client.force_login(public.owner)

    response = client.put(f"/api/communities/{public.community.slug}", {"metadata": {"title": "Hijack"}},
                          content_type="application/json")

    assert response.status_code == 403
    public.community.refresh_from_db()
    assert public.community.title == "Ocean science"


def test_update_cannot_set_slug_deletion_or_ids(public):
    community = public.community
    response = public.client("owner").put(f"/api/communities/{community.slug}", {
        "id": "00000000-0000-0000-0000-000000000000", "uuid": "00000000-0000-0000-0000-000000000000",
        "deleted_at": "2020-01-01T00:00:00Z", "revision_id": 99, "created": "2000-01-01T00:00:00Z",
        "metadata": {"title": "Still here"},
    }, format="json")

    assert response.status_code == 200
    stored = type(community).objects.get(pk=community.pk)
    assert stored.uuid == community.uuid
    assert stored.deleted_at is None
    assert stored.created == community.created
    assert stored.revision_id == community.revision_id + 1


def test_deleting_a_community_ends_its_curators_access_to_restricted_records(restricted, make_record):
    record = make_record(restricted.owner, access="restricted")
    services.include_record(restricted.staff, restricted.community, record)
    assert record_services.get_record(restricted.curator, record.pid) == record

    services.delete_community(restricted.owner, restricted.community)

    with pytest.raises(Http404):
        record_services.get_record(restricted.curator, record.pid)
    with pytest.raises(Http404):
        record_services.edit_record(restricted.curator, record.pid)


def test_submission_to_a_community_needs_a_live_visible_community(db):
    open_one = Personas("public", slug="open")
    secret = Personas("restricted", slug="shut")

    assert permissions.can_submit_record(open_one.outsider, open_one.community)
    assert not permissions.can_submit_record(None, open_one.community)
    assert not permissions.can_submit_record(secret.outsider, secret.community)
    assert not permissions.can_submit_record(open_one.outsider, None)
    services.delete_community(open_one.owner, open_one.community)
    assert not permissions.can_submit_record(open_one.outsider, open_one.community)


def test_community_list_and_facets_never_count_what_the_caller_may_not_read(public, restricted):
    def listing(client):
        return client.get("/api/communities").json()

    outsider = listing(restricted.client("outsider"))
    member = listing(restricted.client("reader"))

    assert [hit["slug"] for hit in outsider["hits"]["hits"]] == ["ocean"]
    assert outsider["hits"]["total"] == 1
    counts = {bucket["key"]: bucket["doc_count"]
              for facet in outsider["aggregations"].values() for bucket in facet["buckets"]}
    assert counts.get("restricted", 0) == 0
    assert sum(counts.get(key, 0) for key in ("public", "restricted")) in (0, 1)
    assert member["hits"]["total"] == 2


@pytest.mark.parametrize("bogus_id", ["nobody", None, ""])
def test_a_user_reference_without_a_valid_id_never_resolves_to_a_group_membership(public, group, bogus_id):
    services.import_member(public.community, group, "reader")
    members = {"members": [{"type": "user", "id": bogus_id}]}
    client = public.client("owner")

    removal = client.delete(f"/api/communities/{public.community.slug}/members", members, format="json")
    change = client.put(f"/api/communities/{public.community.slug}/members", {**members, "role": "curator"},
                        format="json")

    assert removal.status_code == 400
    assert change.status_code == 400
    assert Membership.objects.get(community=public.community, group=group).role == "reader"
