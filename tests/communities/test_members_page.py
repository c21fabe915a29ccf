"""The members page lists members through the "members" search index, as the members API does: members
see everyone (hidden included) and may filter by role; others see publicly listed members only, and
never a hidden one, whatever they search for. Search box and pagination."""

import re

import pytest
from django.test import Client

from communities import services
from communities.models import Membership

from .conftest import make_user

pytestmark = pytest.mark.django_db


def page(personas, persona, slug="ocean", **params):
    client = Client()
    user = getattr(personas, persona)
    if user is not None:
        client.force_login(user)
    return client.get(f"/communities/{slug}/members", params)


def listed_names(response) -> list[str]:
    """Member names in table order (the first cell of each body row)."""
    body = response.content.decode()
    table = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in body else ""
    cells = re.findall(r"<tr>\s*<td>(.*?)</td>", table, flags=re.S)
    return [re.sub(r"<[^>]+>|\(you\)|\(group\)", "", cell).strip() for cell in cells]


@pytest.fixture
def hidden_reader(public, committed):
    """Rita Reader hides herself from the public list (through the indexer)."""
    with committed():
        services.change_visibility(public.reader, Membership.objects.get(user=public.reader), False)
    return public


EVERYONE = ["Cleo Curator", "Manny Manager", "Olivia Owner", "Rita Reader"]
LISTED = ["Cleo Curator", "Manny Manager", "Olivia Owner"]


@pytest.mark.parametrize("persona", ("owner", "manager", "curator", "reader", "staff"))
def test_members_and_staff_see_hidden_members(hidden_reader, persona):
    response = page(hidden_reader, persona)

    assert response.status_code == 200
    assert listed_names(response) == EVERYONE
    assert b"4 members" in response.content


@pytest.mark.parametrize("persona", ("outsider", "anonymous"))
def test_others_see_only_publicly_listed_members(hidden_reader, persona):
    response = page(hidden_reader, persona)

    assert response.status_code == 200
    assert listed_names(response) == LISTED
    assert b"3 members" in response.content
    assert b"Rita Reader" not in response.content


@pytest.mark.parametrize("persona", ("outsider", "anonymous"))
@pytest.mark.parametrize("params", ({"q": "Rita"}, {"q": "name:rita"}, {"role": "reader"}, {"q": "reader"}))
def test_searching_never_reveals_a_hidden_member_to_others(hidden_reader, persona, params):
    response = page(hidden_reader, persona, **params)

    assert response.status_code == 200
    assert b"Rita Reader" not in response.content
    assert "Rita Reader" not in listed_names(response)


def test_a_member_finds_a_hidden_member_by_name(hidden_reader):
    response = page(hidden_reader, "curator", q="rita")

    assert listed_names(response) == ["Rita Reader"]
    assert b"1 member<" in response.content


def test_the_search_box_keeps_the_query(public):
    response = page(public, "outsider", q="olivia")

    assert listed_names(response) == ["Olivia Owner"]
    assert b'name="q" value="olivia"' in response.content


def test_no_match_says_so(public):
    response = page(public, "outsider", q="nobody")

    assert listed_names(response) == []
    assert "No members match “nobody”".encode() in response.content


def test_members_filter_by_role(hidden_reader):
    response = page(hidden_reader, "reader", role="curator")

    assert listed_names(response) == ["Cleo Curator"]
    assert b'aria-current="true">Curator</a>' in response.content


def test_role_filter_is_ignored_on_the_public_list(hidden_reader):
    assert listed_names(page(hidden_reader, "outsider", role="reader")) == LISTED


@pytest.mark.parametrize("persona", ("outsider", "anonymous"))
def test_restricted_community_members_page_is_404_for_non_members(restricted, persona):
    assert page(restricted, persona, slug="secret").status_code == 404


def test_restricted_community_members_see_hidden_members(restricted):
    # Members of a restricted community are hidden by default; members still see all of them.
    response = page(restricted, "reader", slug="secret")

    assert response.status_code == 200
    assert listed_names(response) == EVERYONE


def test_invalid_query_is_400_with_the_message(public):
    response = page(public, "reader", q="name:(unclosed")

    assert response.status_code == 400
    assert b"could not be parsed" in response.content
    assert listed_names(response) == []


def test_invalid_page_is_400(public):
    assert page(public, "reader", page="zero").status_code == 400


def test_pages_of_25_with_links(public, committed):
    with committed():
        for number in range(26):
            person = make_user(f"crew{number:02d}@example.org", full_name=f"Crew {number:02d}")
            services.import_member(public.community, person, "reader", visible=True)

    first = page(public, "outsider")
    second = page(public, "outsider", page=2)

    assert len(listed_names(first)) == 25
    assert b"30 members" in first.content
    assert b"page=2" in first.content and b">Previous<" not in first.content
    assert listed_names(second) == ["Crew 24", "Crew 25", "Manny Manager", "Olivia Owner", "Rita Reader"]
    assert set(listed_names(first)).isdisjoint(listed_names(second))
    assert b"page=1" in second.content and b">Next<" not in second.content


def test_the_page_reads_the_index(public):
    # Added without running the on-commit indexer: the membership exists, its document does not yet.
    newcomer = make_user("newcomer@example.org", full_name="Nina Newcomer")
    services.import_member(public.community, newcomer, "reader", visible=True)

    assert "Nina Newcomer" not in listed_names(page(public, "owner"))


def test_a_member_who_hides_is_left_out_even_before_the_drain(public):
    services.change_visibility(public.reader, Membership.objects.get(user=public.reader), False)

    assert "Rita Reader" not in listed_names(page(public, "outsider"))
