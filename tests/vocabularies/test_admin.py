import pytest

from vocabularies import services
from vocabularies.models import VocabularyEntry

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/vocabularies/vocabularyentry/"


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def change_url(vocabulary, entry_id):
    entry = VocabularyEntry.objects.get(vocabulary=vocabulary, entry_id=entry_id)
    return f"{CHANGELIST}{entry.pk}/change/"


def test_staff_search_entries_by_english_title(admin_client):
    response = admin_client.get(CHANGELIST, {"q": "Journal article"})
    assert response.status_code == 200
    ids = list(response.context["cl"].result_list.values_list("entry_id", flat=True))
    assert ids == ["publication-article"]


def test_staff_search_entries_by_id_and_filter_by_vocabulary(admin_client):
    response = admin_client.get(CHANGELIST, {"q": "cc-by", "vocabulary": "licenses"})
    ids = set(response.context["cl"].result_list.values_list("entry_id", flat=True))
    assert ids == {"cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nd-4.0", "cc-by-nc-sa-4.0"}


def test_renaming_in_the_admin_goes_through_the_service(
    admin_client, renamed_entries, django_capture_on_commit_callbacks
):
    url = change_url("resourcetypes", "dataset")
    form = {"title": '{"en": "Research data"}', "description": "{}", "props": "{}", "tags": "[]"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, form)
    assert response.status_code == 302
    assert services.resolve_title("resourcetypes", "dataset") == "Research data"
    assert renamed_entries == [("resourcetypes", "dataset", {"en": "Research data"})]


def test_admin_shows_a_title_without_english_as_a_form_error(admin_client):
    form = {"title": '{"de": "Datensatz"}', "description": "{}", "props": "{}", "tags": "[]"}
    response = admin_client.post(change_url("resourcetypes", "dataset"), form)
    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert services.resolve_title("resourcetypes", "dataset") == "Dataset"


def test_admin_adds_an_entry_through_the_service(admin_client):
    form = {
        "vocabulary": "licenses", "entry_id": "wtfpl", "title": '{"en": "WTFPL"}',
        "description": "{}", "props": '{"url": "http://www.wtfpl.net/"}', "tags": "[]",
    }
    response = admin_client.post(f"{CHANGELIST}add/", form)
    assert response.status_code == 302
    entry = services.get_entry("licenses", "wtfpl")
    assert entry.position == services.list_entries("licenses").count() - 1


def test_admin_refuses_a_taken_id(admin_client):
    form = {"vocabulary": "licenses", "entry_id": "mit", "title": '{"en": "Another MIT"}',
            "description": "{}", "props": "{}", "tags": "[]"}
    response = admin_client.post(f"{CHANGELIST}add/", form)
    assert response.status_code == 200
    assert "entry_id" in response.context["adminform"].form.errors
    assert services.resolve_title("licenses", "mit") == "MIT License"


def test_entries_cannot_be_deleted_in_the_admin(admin_client):
    url = change_url("licenses", "mit").replace("/change/", "/delete/")
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert services.get_entry("licenses", "mit") is not None


def test_members_cannot_open_the_vocabulary_admin(client, member):
    client.force_login(member)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
