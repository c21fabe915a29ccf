import pytest
from django.core.cache import cache

from accounts import services

PASSWORD = "correct-horse-battery-42"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps login rate limits in the cache; tests must not trip over each other's attempts.
    cache.clear()


@pytest.fixture
def make_user(db, django_capture_on_commit_callbacks):
    def make(email="ada@example.org", **kwargs):
        kwargs.setdefault("password", PASSWORD)
        kwargs.setdefault("email_verified", True)
        with django_capture_on_commit_callbacks(execute=True):  # indexes the user, as a commit would
            return services.create_user(email=email, **kwargs)

    return make


@pytest.fixture
def ada(make_user):
    return make_user("ada@example.org", full_name="Ada Lovelace", affiliations=["Analytical Society"])


@pytest.fixture
def bob(make_user):
    return make_user("bob@example.org", full_name="Bob Babbage")
