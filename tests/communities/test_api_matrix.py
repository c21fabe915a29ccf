"""Role x action x visibility over the REST API: who gets 2xx, 403 (sees the community but may not act)
or 404 (may not even see it)."""

import pytest
from django.contrib.auth.models import Group

from communities import services
from communities.models import Community, Membership

from .conftest import PERSONAS, image_bytes

OK, CREATED, NO_CONTENT, FORBIDDEN = 200, 201, 204, 403


def url(personas, suffix=""):
    return f"/api/communities/{personas.community.slug}{suffix}"


def with_group_member(personas, role="reader"):
    group = Group.objects.create(name="lab")
    services.import_member(personas.community, group, role)
    return group


def read(p, client):
    return client.get(url(p))


def update(p, client):
    return client.put(url(p), {"metadata": {"title": "Renamed"}}, format="json")


def delete(p, client):
    return client.delete(url(p))


def rename(p, client):
    return client.post(url(p, "/rename"), {"slug": "new-slug"}, format="json")


def upload_logo(p, client):
    return client.put(url(p, "/logo"), image_bytes(), content_type="application/octet-stream")


def list_members(p, client):
    return client.get(url(p, "/members"))


def list_public_members(p, client):
    return client.get(url(p, "/members/public"))


def add_group_reader(p, client):
    Group.objects.create(name="lab")
    body = {"members": [{"type": "group", "id": "lab"}], "role": "reader"}
    return client.post(url(p, "/members"), body, format="json")


def add_group_owner(p, client):
    Group.objects.create(name="lab")
    body = {"members": [{"type": "group", "id": "lab"}], "role": "owner"}
    return client.post(url(p, "/members"), body, format="json")


def promote_group(p, client):
    with_group_member(p)
    body = {"members": [{"type": "group", "id": "lab"}], "role": "curator"}
    return client.put(url(p, "/members"), body, format="json")


def remove_group(p, client):
    with_group_member(p)
    return client.delete(url(p, "/members"), {"members": [{"type": "group", "id": "lab"}]}, format="json")


def feature(p, client):
    return client.post(url(p, "/featured"), {"start_date": "2024-01-01T00:00:00Z"}, format="json")


def _expect(allowed: set[str], success: int) -> dict:
    return {persona: success if persona in allowed else FORBIDDEN for persona in PERSONAS}


EVERYONE = set(PERSONAS)
MEMBERS = {"owner", "manager", "curator", "reader", "staff"}
OWNERS = {"owner", "staff"}
MANAGERS = {"owner", "manager", "staff"}

# Expected status for a public community; in a restricted one outsiders and anonymous get 404 everywhere.
MATRIX = {
    read: _expect(EVERYONE, OK),
    update: _expect(OWNERS, OK),
    delete: _expect(OWNERS, NO_CONTENT),
    rename: _expect(OWNERS, OK),
    upload_logo: _expect(OWNERS, OK),
    list_members: _expect(MEMBERS, OK),
    list_public_members: _expect(EVERYONE, OK),
    add_group_reader: _expect(MANAGERS, NO_CONTENT),
    add_group_owner: _expect(OWNERS, NO_CONTENT),
    promote_group: _expect(MANAGERS, NO_CONTENT),
    remove_group: _expect(MANAGERS, NO_CONTENT),
    feature: _expect({"staff"}, CREATED),
}
CASES = [(action, persona) for action in MATRIX for persona in PERSONAS]


def case_id(value):
    return value.__name__ if callable(value) else str(value)


@pytest.mark.parametrize(("action", "persona"), CASES, ids=case_id)
def test_public_community_matrix(public, action, persona):
    response = action(public, public.client(persona))
    assert response.status_code == MATRIX[action][persona], response.content


@pytest.mark.parametrize(("action", "persona"), CASES, ids=case_id)
def test_restricted_community_matrix(restricted, action, persona):
    response = action(restricted, restricted.client(persona))
    expected = 404 if persona in ("outsider", "anonymous") else MATRIX[action][persona]
    if action is feature and persona == "staff":
        expected = 400  # only public communities can be featured
    assert response.status_code == expected, response.content


def test_owner_update_is_stored(public):
    response = update(public, public.client("owner"))
    assert response.json()["metadata"]["title"] == "Renamed"
    assert Community.objects.get(pk=public.community.pk).title == "Renamed"


def test_denied_update_changes_nothing(public):
    update(public, public.client("manager"))
    assert Community.objects.get(pk=public.community.pk).title == "Ocean science"


def test_denied_group_add_creates_no_membership(public):
    add_group_reader(public, public.client("curator"))
    assert not Membership.objects.filter(group__name="lab").exists()


def test_manager_promotes_group_and_role_is_stored(public):
    promote_group(public, public.client("manager"))
    assert Membership.objects.get(group__name="lab").role == "curator"


def test_manager_cannot_promote_to_owner(public):
    with_group_member(public)
    body = {"members": [{"type": "group", "id": "lab"}], "role": "owner"}
    response = public.client("manager").put(url(public, "/members"), body, format="json")
    assert response.status_code == 403
    assert Membership.objects.get(group__name="lab").role == "reader"


def test_manager_cannot_demote_owner(public):
    body = {"members": [{"type": "user", "id": public.owner.pk}], "role": "reader"}
    response = public.client("manager").put(url(public, "/members"), body, format="json")
    assert response.status_code == 403
    assert Membership.objects.get(user=public.owner).role == "owner"


def test_delete_hides_community_behind_tombstone(public):
    delete(public, public.client("owner"))
    response = public.client("anonymous").get(url(public))
    assert response.status_code == 410
    assert response.json()["tombstone"]["removal_date"]


def test_restricted_tombstone_stays_hidden_from_outsiders(restricted):
    delete(restricted, restricted.client("owner"))
    assert restricted.client("outsider").get(url(restricted)).status_code == 404
    assert restricted.client("reader").get(url(restricted)).status_code == 410
