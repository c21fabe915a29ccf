import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, email="grace@example.org", **extra):
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Grace Hopper",
        "affiliations": "US Navy\nHarvard University",
        "username": "",
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def log_in(client, email="grace@example.org", password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_logged_in(client):
    return "_auth_user_id" in client.session


def verification_link(message):
    return re.search(r"https?://[^/\s]+(/account/confirm-email/\S+/)", message.body).group(1)


def test_sign_up_asks_for_full_name_and_affiliations(client):
    page = client.get(reverse("account_signup")).content.decode()
    for name in ("email", "password1", "full_name", "affiliations", "username"):
        assert f'name="{name}"' in page


def test_sign_up_stores_profile_and_sends_a_verification_link(client):
    response = sign_up(client)

    assert response.status_code == 302
    user = User.objects.get(email="grace@example.org")
    assert user.profile.full_name == "Grace Hopper"
    assert user.profile.affiliations == ["US Navy", "Harvard University"]
    assert user.username is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["grace@example.org"]
    assert verification_link(mail.outbox[0])


def test_unverified_user_cannot_log_in_until_following_the_link(client):
    sign_up(client)
    link = verification_link(mail.outbox[0])

    response = log_in(client)
    assert not is_logged_in(client)
    assert response.url == reverse("account_email_verification_sent")

    client.get(link)
    assert EmailAddress.objects.get(email="grace@example.org").verified

    log_in(client)
    assert is_logged_in(client)


def test_wrong_password_is_refused_even_when_verified(client, ada):
    log_in(client, "ada@example.org", "not-the-password")
    assert not is_logged_in(client)


@override_settings(ACCOUNT_EMAIL_VERIFICATION="optional")
def test_relaxed_verification_lets_an_unverified_user_log_in(client, make_user):
    make_user("newbie@example.org", email_verified=False)
    log_in(client, "newbie@example.org")
    assert is_logged_in(client)


def test_verification_is_mandatory_by_default():
    assert settings.RDM_REQUIRE_EMAIL_VERIFICATION is True
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    assert settings.ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED is False


@pytest.mark.parametrize(("value", "expected"), [("0", "optional"), ("1", "mandatory")])
def test_one_setting_relaxes_verification(value, expected):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "rdm.settings",
           "RDM_REQUIRE_EMAIL_VERIFICATION": value}
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.ACCOUNT_EMAIL_VERIFICATION)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            cwd=settings.BASE_DIR)
    assert result.stdout.strip() == expected, result.stderr


def test_username_is_optional_but_kept_when_given(client):
    sign_up(client, username="amazing_grace")
    assert User.objects.get(email="grace@example.org").username == "amazing_grace"


def test_username_must_be_unique(client, make_user):
    make_user("other@example.org", username="grace")

    response = sign_up(client, username="Grace")

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not User.objects.filter(email="grace@example.org").exists()


def test_sign_up_with_a_taken_email_creates_no_second_account(client, ada):
    sign_up(client, email="ada@example.org")
    assert User.objects.filter(email="ada@example.org").count() == 1


def test_password_reset_sends_a_link(client, ada):
    client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    assert len(mail.outbox) == 1
    assert "/account/password/reset/key/" in mail.outbox[0].body


def test_allauth_pages_use_the_site_layout(client):
    page = client.get(reverse("account_login")).content.decode()
    assert 'class="site-header"' in page
    assert settings.RDM_SITE_NAME in page


def test_email_change_takes_effect_after_verification(client, ada):
    client.force_login(ada)

    client.post(reverse("account_email"), {"email": "ada.new@example.org", "action_add": ""})
    assert User.objects.get(pk=ada.pk).email == "ada@example.org"

    client.get(verification_link(mail.outbox[-1]))
    assert User.objects.get(pk=ada.pk).email == "ada.new@example.org"


def test_emails_name_the_repository(client):
    sign_up(client)
    assert mail.outbox[0].subject.startswith(f"[{settings.RDM_SITE_NAME}]")
    assert f"Hello from {settings.RDM_SITE_NAME}!" in mail.outbox[0].body
