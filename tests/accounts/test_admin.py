import pytest
from allauth.account.models import EmailAddress

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("root@example.org", is_staff=True, is_superuser=True))
    return client


def test_admin_user_list_searches_by_full_name(admin_client, ada, bob):
    page = admin_client.get("/admin/accounts/user/", {"q": "Lovelace"}).content.decode()
    assert "ada@example.org" in page and "bob@example.org" not in page


def test_admin_user_page_shows_profile_inline_and_tokens(admin_client, ada):
    services.create_token(ada, name="nightly harvest")
    page = admin_client.get(f"/admin/accounts/user/{ada.pk}/change/").content.decode()
    assert "Analytical Society" in page and "nightly harvest" in page


def test_admin_can_add_a_user_with_profile_and_email_address(admin_client):
    response = admin_client.post("/admin/accounts/user/add/", {
        "email": "added@example.org", "username": "", "usable_password": "false",
        "password1": "", "password2": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="added@example.org")
    assert EmailAddress.objects.filter(user=user, primary=True, verified=False).exists()
    assert user.profile.visibility == "restricted" and not user.has_usable_password()
