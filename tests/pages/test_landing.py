import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rdm.records import services

from .conftest import RESTRICTED, RESTRICTED_FILES


def landing_url(pid):
    return reverse("records:landing", args=[pid])


def test_landing_page_shows_the_record_to_anyone(client, make_record):
    record = make_record(
        description="<p>Hello <strong>ocean</strong></p><script>alert(1)</script>",
        subjects=[{"subject": "oceanography"}], rights=[{"id": "cc-by-4.0"}], version="v1",
        publisher="Polar Institute",
        related_identifiers=[
            {"identifier": "10.1234/abc", "scheme": "doi", "relation_type": {"id": "cites"}},
        ],
    )

    response = client.get(landing_url(record.pid))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ocean temperatures 2020" in html
    assert "Curie, Marie" in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert "Sorbonne" in html
    assert "2020-06-01" in html
    assert "Dataset" in html
    assert "<p>Hello <strong>ocean</strong></p>" in html
    assert "alert(1)" not in html
    assert "oceanography" in html
    assert "Creative Commons Attribution 4.0 International" in html
    assert 'href="https://doi.org/10.1234/abc"' in html
    assert "Polar Institute" in html
    assert "data.csv" in html and "8\xa0bytes" in html
    assert reverse("records:file_download", args=[record.pid, "data.csv"]) in html
    assert reverse("records:export_json", args=[record.pid]) in html
    assert "badge-open" in html


def test_landing_page_shows_a_citation(client, make_record):
    record = make_record(
        creators=[
            {"person_or_org": {"type": "personal", "family_name": "Curie", "given_name": "Marie"}},
            {"person_or_org": {"type": "personal", "family_name": "Bohr", "given_name": "Niels Henrik"}},
        ],
        version="v1", publisher="Polar Institute",
    )

    page = client.get(landing_url(record.pid)).context["page"]

    assert page["citation"] == (
        "Curie, M., & Bohr, N. H. (2020). Ocean temperatures 2020 (Version v1) [Dataset]. Polar Institute. "
        f"{settings.RDM_SITE_URL}{landing_url(record.pid)}"
    )


@pytest.mark.parametrize(("who", "status"), [(None, 404), ("other", 404), ("owner", 200), ("staff", 200)])
def test_restricted_record_is_hidden_from_everyone_but_owner_and_staff(viewer, make_record, who, status):
    record = make_record(access=RESTRICTED)

    assert viewer(who).get(landing_url(record.pid)).status_code == status


@pytest.mark.parametrize("who", [None, "other"])
def test_unpublished_draft_is_not_found_for_others(viewer, make_draft, who):
    draft = make_draft()

    assert viewer(who).get(landing_url(draft.pid)).status_code == 404
    assert viewer(who).get(landing_url(draft.pid) + "?preview=1").status_code == 404


def test_owner_following_a_draft_link_gets_the_preview(viewer, make_draft):
    draft = make_draft()
    client = viewer("owner")

    response = client.get(landing_url(draft.pid))

    assert response["Location"] == landing_url(draft.pid) + "?preview=1"
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "Preview." in preview.content.decode()


def test_owner_actions_are_shown_to_managers_only(viewer, make_record):
    record = make_record()
    edit_action = reverse("records:edit", args=[record.pid])

    assert edit_action in viewer("owner").get(landing_url(record.pid)).content.decode()
    assert edit_action in viewer("staff").get(landing_url(record.pid)).content.decode()
    assert edit_action not in viewer("other").get(landing_url(record.pid)).content.decode()
    assert edit_action not in viewer(None).get(landing_url(record.pid)).content.decode()


def test_restricted_files_are_listed_without_download_links_for_others(viewer, make_record):
    record = make_record(access=RESTRICTED_FILES)
    download = reverse("records:file_download", args=[record.pid, "data.csv"])

    anonymous = viewer(None).get(landing_url(record.pid)).content.decode()
    assert download not in anonymous
    assert "restricted" in anonymous
    assert download in viewer("owner").get(landing_url(record.pid)).content.decode()


def test_versions_are_listed_with_the_latest_marked(viewer, make_record, owner):
    first = make_record()
    draft = services.new_version(owner, first.pid)
    services.update_draft(owner, draft.pid, {"metadata": {**draft.metadata, "publication_date": "2021",
                                                          "version": "v2"}})
    services.add_files(owner, draft.pid, [SimpleUploadedFile("v2.csv", b"x")])
    second = services.publish_draft(owner, draft.pid)
    client = viewer(None)

    page = client.get(landing_url(first.pid)).context["page"]

    assert [(v["pid"], v["is_latest"]) for v in page["versions"]] == [(second.pid, True), (first.pid, False)]
    assert page["latest_pid"] == second.pid
    assert "There is a newer version" in client.get(landing_url(first.pid)).content.decode()
    response = client.get(reverse("records:latest", args=[first.pid]))
    assert response["Location"] == landing_url(second.pid)


def test_latest_of_a_restricted_record_is_not_found_for_others(viewer, make_record):
    record = make_record(access=RESTRICTED)

    assert viewer("other").get(reverse("records:latest", args=[record.pid])).status_code == 404
