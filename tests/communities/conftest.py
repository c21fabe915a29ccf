import io

import pytest
from django.contrib.auth.models import Group
from PIL import Image
from rest_framework.test import APIClient

from accounts.services import create_user
from communities import services
from rdm.records import services as record_services

PERSONAS = ("owner", "manager", "curator", "reader", "outsider", "staff", "anonymous")


def make_user(email, **kwargs):
    return create_user(email=email, password="secret-pass-1", email_verified=True, **kwargs)


def community_data(slug="ocean", visibility="public", **metadata):
    return {
        "slug": slug,
        "metadata": {"title": metadata.pop("title", "Ocean science"), "type": {"id": "topic"}, **metadata},
        "access": {"visibility": visibility},
    }


def image_bytes(fmt="PNG", size=(64, 32), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


class Personas:
    """Named users around one community: every default role, an outsider, staff and anonymous."""

    def __init__(self, visibility: str, slug: str = "ocean"):
        self.owner = make_user(f"owner-{slug}@example.org", full_name="Olivia Owner")
        self.manager = make_user(f"manager-{slug}@example.org", full_name="Manny Manager")
        self.curator = make_user(f"curator-{slug}@example.org", full_name="Cleo Curator")
        self.reader = make_user(f"reader-{slug}@example.org", full_name="Rita Reader")
        self.outsider = make_user(f"outsider-{slug}@example.org")
        self.staff = make_user(f"staff-{slug}@example.org", is_staff=True)
        self.anonymous = None
        self.community = services.create_community(self.owner, community_data(slug, visibility))
        for role in ("manager", "curator", "reader"):
            services.import_member(self.community, getattr(self, role), role)

    def client(self, persona: str) -> APIClient:
        client = APIClient()
        user = getattr(self, persona)
        if user is not None:
            client.force_authenticate(user)
        return client


@pytest.fixture
def committed(db, django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the block's on-commit callbacks (signals, then the search indexer)
    as committing would; tests run in a transaction that is rolled back instead."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def public(committed):
    with committed():
        return Personas("public")


@pytest.fixture
def restricted(committed):
    with committed():
        return Personas("restricted", slug="secret")


@pytest.fixture
def group(db):
    return Group.objects.create(name="ocean-lab")


@pytest.fixture
def make_record():
    def make(user, access="public"):
        data = {
            "metadata": {
                "resource_type": {"id": "dataset"},
                "title": "Ocean temperatures 2020",
                "publication_date": "2020-06-01",
                "creators": [{"person_or_org": {"type": "personal", "family_name": "Curie",
                                                "given_name": "Marie"}}],
            },
            "files": {"enabled": False},
            "access": {"record": access, "files": access},
        }
        draft = record_services.create_draft(user, data)
        return record_services.publish_draft(user, draft.pid)

    return make
