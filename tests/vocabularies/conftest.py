import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_user(
        email="root@example.org", password="pw-root-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def member(db):
    return get_user_model().objects.create_user(email="member@example.org", password="pw-member-123")


@pytest.fixture
def renamed_entries():
    """Collects the entries announced by ``entry_renamed``."""
    from vocabularies.signals import entry_renamed

    received = []

    def receiver(sender, entry, **kwargs):
        received.append((entry.vocabulary, entry.entry_id, entry.title))

    entry_renamed.connect(receiver)
    yield received
    entry_renamed.disconnect(receiver)
