"""Featured management over the API, and the principals communities give the search layer."""

from communities import services
from communities.models import FeaturedCommunity
from rdm.search.services import principals_for


def featured_url(personas, suffix=""):
    return f"/api/communities/{personas.community.slug}/featured{suffix}"


def test_staff_manages_featured_entries(public):
    staff = public.client("staff")
    created = staff.post(featured_url(public), {"start_date": "2024-05-01T00:00:00Z"}, format="json").json()
    assert staff.get(featured_url(public)).json()["hits"]["total"] == 1
    entry_url = featured_url(public, f"/{created['id']}")
    response = staff.put(entry_url, {"start_date": "2025-01-01"}, format="json")
    assert response.status_code == 200
    assert FeaturedCommunity.objects.get().start_date.year == 2025
    assert staff.delete(featured_url(public, f"/{created['id']}")).status_code == 204
    assert not FeaturedCommunity.objects.exists()


def test_owner_cannot_list_or_change_featured_entries(public):
    entry = services.set_featured(public.staff, public.community, "2024-05-01")
    owner = public.client("owner")
    assert owner.get(featured_url(public)).status_code == 403
    assert owner.delete(featured_url(public, f"/{entry.uuid}")).status_code == 403
    assert FeaturedCommunity.objects.exists()


def test_invalid_start_date_is_400(public):
    response = public.client("staff").post(featured_url(public), {"start_date": "soon"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "start_date"


def test_community_made_restricted_leaves_featured_list(public, client):
    services.set_featured(public.staff, public.community, "2020-01-01")
    assert client.get("/api/communities/featured").json()["hits"]["total"] == 1
    services.update_community(public.owner, public.community, {"access": {"visibility": "restricted"}})
    assert client.get("/api/communities/featured").json()["hits"]["total"] == 0


def test_featured_sorted_by_latest_start(public, client):
    other = services.create_community(public.outsider, {"slug": "other", "metadata": {"title": "Other"}})
    services.set_featured(public.staff, public.community, "2020-01-01")
    services.set_featured(public.staff, other, "2021-01-01")
    hits = client.get("/api/communities/featured").json()["hits"]["hits"]
    assert [hit["slug"] for hit in hits] == ["other", "ocean"]


def test_search_principals_registered_with_search_layer(restricted):
    uid = restricted.community.uuid
    assert f"community:{uid}:view" in principals_for(restricted.reader)
    assert f"community:{uid}:member" in principals_for(restricted.reader)
    assert not any(p.startswith("community:") for p in principals_for(restricted.outsider))


def test_member_list_filters_by_role_and_query(public):
    client = public.client("reader")
    by_role = client.get(f"/api/communities/{public.community.slug}/members", {"role": "curator"}).json()
    assert [hit["member"]["name"] for hit in by_role["hits"]["hits"]] == ["Cleo Curator"]
    by_name = client.get(f"/api/communities/{public.community.slug}/members", {"q": "manny"}).json()
    assert by_name["hits"]["total"] == 1


def test_member_names_never_fall_back_to_email(public, committed):
    with committed():
        services.import_member(public.community, public.outsider, "reader")  # no full name, no username
    response = public.client("owner").get(f"/api/communities/{public.community.slug}/members")
    hits = response.json()["hits"]["hits"]
    assert all("@" not in hit["member"]["name"] for hit in hits)
    assert "Untitled" in {hit["member"]["name"] for hit in hits}
