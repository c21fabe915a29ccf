import pytest
from django.contrib.auth import get_user_model

from tests.factories import draft_factory, record_factory


def valid_metadata(**overrides):
    metadata = {
        "resource_type": {"id": "dataset"},
        "title": "Ocean temperatures 2020",
        "publication_date": "2020-06-01",
        "creators": [{
            "person_or_org": {
                "type": "personal", "family_name": "Curie", "given_name": "Marie",
                "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
            },
            "affiliations": [{"name": "Sorbonne"}],
        }],
    }
    metadata.update(overrides)
    return metadata


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user(email="owner@example.org", password="secret-pass-1")


@pytest.fixture
def other(db):
    return get_user_model().objects.create_user(email="other@example.org", password="secret-pass-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        email="staff@example.org", password="secret-pass-1", is_staff=True,
    )


@pytest.fixture
def viewer(client, owner, other, staff):
    """A test client logged in as "owner", "other" or "staff", or anonymous for None."""
    users = {"owner": owner, "other": other, "staff": staff}

    def login(name):
        client.logout()
        if name is not None:
            client.force_login(users[name])
        return client

    return login


@pytest.fixture
def make_draft(owner):
    return draft_factory(owner, valid_metadata)


@pytest.fixture
def make_record(make_draft, owner):
    return record_factory(make_draft, owner)


RESTRICTED = {"record": "restricted", "files": "restricted"}
RESTRICTED_FILES = {"record": "public", "files": "restricted"}
