import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_create_user_command_creates_a_verified_user_with_profile():
    out = io.StringIO()
    call_command(
        "rdm_create_user", "Kim@Example.org", "--password", PASSWORD, "--full-name", "Kim Lee",
        "--affiliation", "ETH", "--affiliation", "EPFL", "--username", "kim", "--verified",
        "--profile-visibility", "public", stdout=out,
    )
    user = User.objects.get(email="kim@example.org")
    assert user.check_password(PASSWORD) and user.username == "kim"
    assert user.profile.affiliations == ["ETH", "EPFL"] and user.profile.visibility == "public"
    assert user.profile.email_visibility == "restricted"
    assert EmailAddress.objects.get(user=user).verified
    assert not user.is_staff
    assert "Created user" in out.getvalue()


def test_create_user_command_reads_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command("rdm_create_user", "kim@example.org", "--password-stdin", "--superuser",
                 stdout=io.StringIO())
    user = User.objects.get()
    assert user.check_password(PASSWORD) and user.is_superuser and user.is_staff


@pytest.mark.parametrize(
    "args",
    [["not-an-email"], ["kim@example.org", "--password", "123"], ["kim@example.org", "--username", "a b"]],
)
def test_create_user_command_fails_cleanly_on_bad_input(args):
    with pytest.raises(CommandError) as error:
        call_command("rdm_create_user", *args, stdout=io.StringIO())
    assert "\n" not in str(error.value)
    assert not User.objects.exists() and not EmailAddress.objects.exists()


def test_create_user_command_refuses_an_existing_email(ada):
    with pytest.raises(CommandError, match="already exists"):
        call_command("rdm_create_user", "ada@example.org", stdout=io.StringIO())
    assert User.objects.count() == 1


def test_create_user_command_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "rdm_create_user", "not-an-email"],
        env=env, capture_output=True, text=True, cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert result.stderr.strip().startswith("CommandError: email:")


def test_make_staff_command(ada):
    call_command("rdm_make_staff", "ada@example.org", stdout=io.StringIO())
    ada.refresh_from_db()
    assert ada.is_staff


def test_make_staff_command_fails_for_unknown_user():
    with pytest.raises(CommandError, match="No user"):
        call_command("rdm_make_staff", "ghost@example.org", stdout=io.StringIO())
