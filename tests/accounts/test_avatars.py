import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.avatars import COLORS, group_avatar, user_avatar

pytestmark = pytest.mark.django_db


def get_avatar(user, viewer=None, **headers):
    client = APIClient()
    if viewer is not None:
        client.force_authenticate(viewer)
    return client.get(f"/api/users/{user.pk}/avatar.svg", **headers)


def test_palette_has_invenio_27_colours():
    assert len(COLORS) == 27
    assert COLORS[0] == "#e06055" and COLORS[-1] == "#67635a"


def test_letter_comes_from_full_name_then_username_then_email(make_user):
    assert user_avatar(make_user("a@example.org", full_name="zoë z", username="q")).letter == "Z"
    assert user_avatar(make_user("b@example.org", username="quill")).letter == "Q"
    assert user_avatar(make_user("mail@example.org")).letter == "M"


def test_colour_is_derived_from_the_user_id(make_user):
    user = make_user("c@example.org")
    assert user_avatar(user).color == COLORS[user.pk % 27]


def test_public_user_avatar_is_served_as_cacheable_svg(make_user):
    user = make_user("pub@example.org", full_name="Lise Meitner", profile_visibility="public")

    response = get_avatar(user)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=604800" in response["Cache-Control"]
    assert response["ETag"] == f'"L{COLORS[user.pk % 27]}"'
    svg = response.content.decode()
    assert 'width="256"' in svg and f'fill="{COLORS[user.pk % 27]}"' in svg
    assert 'fill="#f9f9f9"' in svg and ">L</text>" in svg


def test_matching_etag_gives_304(make_user):
    user = make_user("pub@example.org", full_name="Lise", profile_visibility="public")
    etag = get_avatar(user)["ETag"]
    assert get_avatar(user, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_letter_is_xml_escaped(make_user):
    user = make_user("esc@example.org", full_name="<script>", profile_visibility="public")
    response = get_avatar(user)
    svg = response.content.decode()
    assert "&lt;</text>" in svg and "<script" not in svg
    assert response["ETag"].startswith('"U003C#')


def test_restricted_user_avatar_is_404_for_others_but_served_to_self(ada, bob):
    assert get_avatar(ada).status_code == 404
    assert get_avatar(ada, viewer=bob).status_code == 404
    own = get_avatar(ada, viewer=ada)
    assert own.status_code == 200
    assert "private" in own["Cache-Control"]


def test_avatar_answers_svg_whatever_the_accept_header(make_user):
    user = make_user("pub@example.org", profile_visibility="public")
    assert get_avatar(user, HTTP_ACCEPT="image/svg+xml").status_code == 200


def test_group_avatar_uses_the_group_name(bob):
    Group.objects.create(name="curators")
    client = APIClient()
    client.force_authenticate(bob)

    response = client.get("/api/groups/curators/avatar.svg")

    assert response.status_code == 200
    assert ">C</text>" in response.content.decode()
    assert group_avatar("curators").color == COLORS[int("c", 36) % 27]


def test_group_avatar_is_404_for_anonymous_and_missing_groups(bob):
    Group.objects.create(name="curators")
    assert APIClient().get("/api/groups/curators/avatar.svg").status_code == 404
    client = APIClient()
    client.force_authenticate(bob)
    assert client.get("/api/groups/nobody/avatar.svg").status_code == 404


def render_avatar_tag(user, viewer):
    request = RequestFactory().get("/")
    request.user = viewer
    template = Template("{% load accounts_tags %}{% avatar person size=32 %}")
    return template.render(Context({"person": user, "request": request}))


def test_avatar_tag_links_to_the_avatar_of_a_visible_user(ada):
    html = render_avatar_tag(ada, ada)
    assert f'src="/api/users/{ada.pk}/avatar.svg"' in html and 'width="32"' in html


def test_avatar_tag_hides_a_restricted_user_from_others(ada, bob):
    html = render_avatar_tag(ada, bob)
    assert f"/api/users/{ada.pk}/" not in html and 'src="data:image/svg+xml,' in html
