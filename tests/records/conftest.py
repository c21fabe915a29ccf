import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import draft_factory, record_factory


def valid_metadata(**overrides):
    metadata = {
        "resource_type": {"id": "dataset"},
        "title": "Ocean temperatures 2020",
        "publication_date": "2020-06-01",
        "creators": [{"person_or_org": {"type": "personal", "family_name": "Curie", "given_name": "Marie"}}],
    }
    metadata.update(overrides)
    return metadata


def future(days=30):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user(email="owner@example.org", password="secret-pass-1")


@pytest.fixture
def other(db):
    return get_user_model().objects.create_user(email="other@example.org", password="secret-pass-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        email="staff@example.org",
        password="secret-pass-1",
        is_staff=True,
    )


@pytest.fixture
def make_draft(owner):
    return draft_factory(owner, valid_metadata)


@pytest.fixture
def make_record(make_draft, owner):
    return record_factory(make_draft, owner)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    def client_for(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
