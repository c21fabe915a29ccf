import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Profile, User

pytestmark = pytest.mark.django_db


def test_every_user_gets_a_profile_with_restricted_preferences():
    user = User.objects.create_user("plain@example.org", "x")
    assert user.profile.visibility == "restricted"
    assert user.profile.email_visibility == "restricted"
    assert user.profile.affiliations == []


def test_create_user_sets_profile_preferences_and_email_address(make_user):
    user = make_user(
        "carl@example.org", full_name="Carl Gauss", affiliations=["Göttingen", " "], username="cfg",
        profile_visibility="public", email_visibility="public", is_staff=True,
    )
    assert (user.profile.full_name, user.profile.affiliations) == ("Carl Gauss", ["Göttingen"])
    assert (user.profile.visibility, user.profile.email_visibility) == ("public", "public")
    assert user.is_staff and not user.is_superuser and user.username == "cfg"
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary and address.email == "carl@example.org"


def test_create_user_without_password_cannot_log_in_with_one():
    user = services.create_user(email="sso@example.org")
    assert not user.has_usable_password()
    assert not EmailAddress.objects.get(user=user).verified


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "ADA@example.org"}, "email"),
        ({"email": "new@example.org", "username": "ada"}, "username"),
        ({"email": "new@example.org", "username": "has space"}, "username"),
        ({"email": "new@example.org", "password": "123"}, "password"),
        ({"email": "new@example.org", "profile_visibility": "everyone"}, "visibility"),
        ({"email": "new@example.org", "affiliations": ["x" * 300]}, "affiliations"),
    ],
)
def test_create_user_rejects_bad_input_and_writes_nothing(make_user, kwargs, field):
    make_user("ada@example.org", username="ada")
    before = (User.objects.count(), Profile.objects.count(), EmailAddress.objects.count())

    with pytest.raises(ValidationError) as error:
        services.create_user(**kwargs)

    assert field in error.value.message_dict
    assert (User.objects.count(), Profile.objects.count(), EmailAddress.objects.count()) == before


def test_display_name_falls_back_to_username_then_email(make_user):
    named = make_user("a@example.org", full_name="Ann Author", username="ann")
    assert services.display_name(named) == "Ann Author"
    assert services.display_name(make_user("b@example.org", username="bee")) == "bee"
    assert services.display_name(make_user("c@example.org")) == "c@example.org"


def test_only_the_user_or_staff_may_update_a_profile(ada, bob, make_user):
    values = {"full_name": "X", "affiliations": [], "visibility": "public", "email_visibility": "public"}
    with pytest.raises(PermissionDenied):
        services.update_profile(bob, ada, **values)
    assert User.objects.get(pk=ada.pk).profile.full_name == "Ada Lovelace"

    staff = make_user("staff@example.org", is_staff=True)
    services.update_profile(staff, ada, **values)
    assert Profile.objects.get(user=ada).visibility == "public"


def test_make_staff_promotes_an_existing_user(ada):
    services.make_staff("ADA@example.org")
    ada.refresh_from_db()
    assert ada.is_staff
