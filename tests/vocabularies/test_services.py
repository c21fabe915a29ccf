import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from vocabularies import services
from vocabularies.models import VocabularyEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("vocabulary", "entry_id", "title"),
    [
        ("resourcetypes", "dataset", "Dataset"),
        ("resourcetypes", "software", "Software"),
        ("resourcetypes", "publication-article", "Journal article"),
        ("resourcetypes", "image-photo", "Photo"),
        ("licenses", "cc-by-4.0", "Creative Commons Attribution 4.0 International"),
        ("licenses", "mit", "MIT License"),
        ("languages", "deu", "German"),
        ("creatorsroles", "researcher", "Researcher"),
    ],
)
def test_migration_loads_the_default_vocabularies(vocabulary, entry_id, title):
    assert services.resolve_title(vocabulary, entry_id) == title


def test_resource_types_carry_their_export_mappings():
    photo = services.get_entry("resourcetypes", "image-photo")
    assert photo.props["datacite_general"] == "Image"
    assert photo.props["csl"] == "graphic"
    assert photo.props["type"] == "image"


def test_licenses_carry_their_url():
    assert services.get_entry("licenses", "cc0-1.0").props["url"].startswith("https://creativecommons.org/")


def test_get_entry_returns_none_for_an_unknown_id():
    assert services.get_entry("resourcetypes", "no-such-type") is None
    assert services.resolve_title("resourcetypes", "no-such-type") is None


def test_list_entries_keeps_the_fixture_order():
    ids = list(services.list_entries("resourcetypes").values_list("entry_id", flat=True))
    assert ids[0] == "publication"
    assert ids.index("publication-article") < ids.index("dataset")


def test_resolve_title_falls_back_to_english():
    VocabularyEntry.objects.filter(vocabulary="languages", entry_id="fra").update(
        title={"en": "French", "fr": "Français"}
    )
    assert services.resolve_title("languages", "fra", lang="fr") == "Français"
    assert services.resolve_title("languages", "fra", lang="de") == "French"


def test_resolve_titles_answers_many_ids_and_leaves_unknown_ones_out():
    titles = services.resolve_titles("licenses", ["mit", "apache-2.0", "nope"])
    assert titles == {"mit": "MIT License", "apache-2.0": "Apache License 2.0"}


def test_search_matches_ids_and_english_titles_case_insensitively_exact_id_first():
    assert [e.entry_id for e in services.search_entries("languages", "GERM")] == ["deu"]
    assert [e.entry_id for e in services.search_entries("languages", "eng")] == ["eng", "ben"]


def test_loading_the_defaults_twice_changes_nothing():
    before = VocabularyEntry.objects.count()
    reports = services.load_defaults()
    assert VocabularyEntry.objects.count() == before
    assert all(r.created == 0 and r.updated == 0 for r in reports.values())
    assert reports["resourcetypes"].unchanged == services.list_entries("resourcetypes").count()


def test_loading_restores_a_missing_entry_and_a_changed_title(
    renamed_entries, django_capture_on_commit_callbacks
):
    services.list_entries("licenses").filter(entry_id="mit").delete()
    VocabularyEntry.objects.filter(vocabulary="languages", entry_id="deu").update(title={"en": "Deutsch"})
    with django_capture_on_commit_callbacks(execute=True):
        reports = services.load_defaults(["licenses", "languages"])
    assert reports["licenses"].created == 1
    assert reports["languages"].updated == 1
    assert services.resolve_title("languages", "deu") == "German"
    assert renamed_entries == [("languages", "deu", {"en": "German"})]
    assert "resourcetypes" not in reports


def test_staff_rename_announces_the_new_title_after_commit(
    superuser, renamed_entries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = services.rename_entry(superuser, "resourcetypes", "dataset", {"en": "Data set"})
        assert renamed_entries == []  # nothing is announced before the transaction commits
    for callback in callbacks:
        callback()
    assert entry.title == {"en": "Data set"}
    assert services.resolve_title("resourcetypes", "dataset") == "Data set"
    assert renamed_entries == [("resourcetypes", "dataset", {"en": "Data set"})]


def test_rename_to_the_same_title_announces_nothing(
    superuser, renamed_entries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.rename_entry(superuser, "resourcetypes", "dataset", {"en": "Dataset"})
    assert renamed_entries == []


@pytest.mark.parametrize("actor", ["member", "anonymous", "inactive staff"])
def test_only_vocabulary_managers_may_rename(actor, member):
    if actor == "inactive staff":
        member.is_staff, member.is_active = True, False
        member.save()
    user = AnonymousUser() if actor == "anonymous" else member
    with pytest.raises(PermissionDenied):
        services.rename_entry(user, "resourcetypes", "dataset", {"en": "Hacked"})
    assert services.resolve_title("resourcetypes", "dataset") == "Dataset"


def test_staff_may_rename(member):
    member.is_staff = True
    member.save()
    services.rename_entry(member, "languages", "eng", {"en": "English (any variety)"})
    assert services.resolve_title("languages", "eng") == "English (any variety)"


def test_a_user_given_the_change_permission_may_rename(member):
    from django.contrib.auth.models import Permission

    member.user_permissions.add(Permission.objects.get(codename="change_vocabularyentry"))
    member = type(member).objects.get(pk=member.pk)  # fresh permission cache
    services.rename_entry(member, "languages", "eng", {"en": "English (any variety)"})
    assert services.resolve_title("languages", "eng") == "English (any variety)"


@pytest.mark.parametrize("title", [{}, {"de": "Datensatz"}, {"en": ""}, "Dataset", {"en": 3}])
def test_rename_needs_an_english_title(superuser, title):
    with pytest.raises(ValidationError) as error:
        services.rename_entry(superuser, "resourcetypes", "dataset", title)
    assert list(error.value.message_dict) == ["title"]


def test_rename_of_an_unknown_entry_is_404(superuser):
    with pytest.raises(Http404):
        services.rename_entry(superuser, "resourcetypes", "no-such-type", {"en": "X"})


def test_create_entry_appends_to_the_vocabulary(superuser):
    entry = services.create_entry(
        superuser, "licenses", "wtfpl", {"en": "Do What The F*ck You Want To Public License"},
        props={"url": "http://www.wtfpl.net/about/"}, tags=["software"],
    )
    assert services.list_entries("licenses").last() == entry
    assert services.get_entry("licenses", "wtfpl").props["url"] == "http://www.wtfpl.net/about/"


@pytest.mark.parametrize(
    ("vocabulary", "entry_id", "field"),
    [("licenses", "mit", "id"), ("licenses", "has space", "id"), ("colours", "red", "vocabulary")],
)
def test_create_entry_rejects_taken_or_malformed_ids_and_unknown_vocabularies(
    superuser, vocabulary, entry_id, field
):
    with pytest.raises(ValidationError) as error:
        services.create_entry(superuser, vocabulary, entry_id, {"en": "Something"})
    assert field in error.value.message_dict


def test_create_entry_is_denied_to_members(member):
    with pytest.raises(PermissionDenied):
        services.create_entry(member, "licenses", "wtfpl", {"en": "WTFPL"})
    assert services.get_entry("licenses", "wtfpl") is None


def test_update_entry_changes_only_the_given_fields(
    superuser, renamed_entries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_entry(superuser, "licenses", "mit", tags=["software"])
    entry = services.get_entry("licenses", "mit")
    assert entry.tags == ["software"]
    assert entry.title == {"en": "MIT License"}
    assert entry.props["url"] == "https://opensource.org/licenses/MIT"
    assert renamed_entries == []
