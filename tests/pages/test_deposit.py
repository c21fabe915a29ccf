import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rdm.records.models import Draft, Record

from .conftest import RESTRICTED
from .forms import deposit_post, field_block


def new_url():
    return reverse("records:deposit_new")


def edit_url(pid):
    return reverse("records:deposit_edit", args=[pid])


def test_anonymous_is_sent_to_login_from_the_deposit_form(client):
    response = client.get(new_url())

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_new_deposit_form_offers_two_creator_entries_without_javascript(viewer):
    response = viewer("owner").get(new_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="creators-TOTAL_FORMS" value="2"' in html
    assert 'id="id_creators-1-family_name"' in html
    assert '<option value="dataset">' in html


def test_saving_the_form_creates_a_draft_with_all_fields(viewer, owner):
    post = deposit_post(
        creators=[
            {"family_name": "Curie", "given_name": "Marie", "identifier": "0000-0002-1825-0097",
             "affiliations": "Sorbonne\nInstitut du Radium"},
            {"type": "organizational", "name": "CERN", "identifier": "01ggx4157"},
        ],
        related=[{"identifier": "10.1234/abc", "relation_type": "cites"}],
        subjects="glaciers, melt", languages="eng, deu", license="cc-by-4.0", version="v1",
        publisher="Polar Institute", additional_description="Collected with drones.",
    )

    response = viewer("owner").post(new_url(), post)

    draft = Draft.objects.get(parent__owner=owner)
    assert response.status_code == 302
    assert response["Location"] == edit_url(draft.pid)
    metadata = draft.metadata
    assert metadata["title"] == "Glacier melt observations"
    assert [c["person_or_org"]["name"] for c in metadata["creators"]] == ["Curie, Marie", "CERN"]
    assert metadata["creators"][0]["affiliations"] == [{"name": "Sorbonne"}, {"name": "Institut du Radium"}]
    assert metadata["creators"][1]["person_or_org"]["identifiers"][0]["scheme"] == "ror"
    assert metadata["subjects"] == [{"subject": "glaciers"}, {"subject": "melt"}]
    assert metadata["languages"] == [{"id": "eng"}, {"id": "deu"}]
    assert metadata["rights"] == [{"id": "cc-by-4.0"}]
    assert metadata["related_identifiers"][0]["scheme"] == "doi"
    assert metadata["version"] == "v1"
    assert metadata["publisher"] == "Polar Institute"


def test_saved_draft_shows_its_values_in_the_form(viewer, owner):
    client = viewer("owner")
    client.post(new_url(), deposit_post(subjects="glaciers", license="cc-by-4.0"))
    draft = Draft.objects.get(parent__owner=owner)

    response = client.get(edit_url(draft.pid))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Glacier melt observations"' in html
    assert 'value="Curie"' in html
    assert '<option value="cc-by-4.0" selected>' in html


def test_a_draft_keeps_incomplete_data(viewer, owner):
    post = deposit_post(creators=[], resource_type="", publication_date="", title="Unfinished")

    response = viewer("owner").post(new_url(), post)

    draft = Draft.objects.get(parent__owner=owner)
    assert response.status_code == 302
    assert draft.metadata == {"title": "Unfinished", "description": "<p>Daily melt rates.</p>"}


def test_invalid_orcid_is_shown_beside_the_identifier_field(viewer, owner):
    post = deposit_post(creators=[
        {"family_name": "Curie"},
        {"family_name": "Bohr", "identifier": "0000-0000-0000-0000"},
    ])

    response = viewer("owner").post(new_url(), post)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Invalid ORCID identifier." in field_block(html, "id_creators-1-identifier")
    assert "Invalid ORCID identifier." not in field_block(html, "id_creators-0-identifier")
    assert Draft.objects.filter(parent__owner=owner).count() == 1  # the draft is saved anyway


def test_error_goes_to_the_right_creator_when_an_empty_entry_is_skipped(viewer):
    post = deposit_post(creators=[{}, {"given_name": "Niels"}])

    response = viewer("owner").post(new_url(), post, follow=True)
    draft_pid = response.context["draft"].pid
    response = viewer("owner").post(edit_url(draft_pid), post | {"action": "publish", "confirmed": "1"},
                                    files={})

    html = response.content.decode()
    assert "Missing data for required field." in field_block(html, "id_creators-0-family_name")


def test_publish_asks_for_confirmation_without_javascript(viewer, owner):
    client = viewer("owner")
    post = deposit_post(action="publish", files=SimpleUploadedFile("melt.csv", b"day,mm\n1,3\n"))

    response = client.post(new_url(), post)

    draft = Draft.objects.get(parent__owner=owner)
    assert response.status_code == 302
    assert response["Location"] == reverse("records:deposit_publish", args=[draft.pid])
    assert not Record.objects.exists()
    assert client.get(response["Location"]).status_code == 200

    response = client.post(response["Location"], {"confirm": "on"})

    record = Record.objects.get(pid=draft.pid)
    assert response["Location"] == reverse("records:landing", args=[record.pid])
    assert [entry.key for entry in record.file_entries.all()] == ["melt.csv"]


def test_confirmation_page_without_the_checkbox_does_not_publish(viewer, make_draft):
    draft = make_draft()

    response = viewer("owner").post(reverse("records:deposit_publish", args=[draft.pid]), {})

    assert response.status_code == 200
    assert not Record.objects.filter(pid=draft.pid).exists()


def test_confirmed_publish_creates_a_published_record_with_the_file(viewer, owner):
    client = viewer("owner")
    upload = SimpleUploadedFile("melt.csv", b"day,mm\n1,3\n")
    post = deposit_post(action="publish", confirmed="1", files=upload)

    response = client.post(new_url(), post)

    record = Record.objects.get(parent__owner=owner)
    assert response.status_code == 302
    assert response["Location"] == reverse("records:landing", args=[record.pid])
    assert not Draft.objects.filter(pid=record.pid).exists()
    landing = client.get(response["Location"]).content.decode()
    assert "Glacier melt observations" in landing
    assert "Curie, Marie" in landing
    assert "melt.csv" in landing


def test_publish_with_missing_title_shows_the_error_beside_the_title(viewer, owner):
    post = deposit_post(title="", action="publish", confirmed="1",
                        files=SimpleUploadedFile("melt.csv", b"1"))

    response = viewer("owner").post(new_url(), post)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Missing data for required field." in field_block(html, "id_title")
    assert not Record.objects.exists()
    assert Draft.objects.filter(parent__owner=owner).exists()


def test_publish_without_files_asks_for_files_unless_metadata_only(viewer, owner):
    client = viewer("owner")

    response = client.post(new_url(), deposit_post(action="publish", confirmed="1"))

    assert "Missing uploaded files" in field_block(response.content.decode(), "id_files")
    assert not Record.objects.exists()
    draft = Draft.objects.get(parent__owner=owner)

    client.post(edit_url(draft.pid), deposit_post(action="publish", confirmed="1", metadata_only="on"))

    assert Record.objects.get(pid=draft.pid).files_enabled is False


def test_removing_a_creator_entry_drops_it(viewer, make_draft):
    draft = make_draft()
    post = deposit_post(creators=[{"family_name": "Curie"}, {"family_name": "Bohr", "DELETE": True}])

    viewer("owner").post(edit_url(draft.pid), post)

    draft.refresh_from_db()
    assert [c["person_or_org"]["family_name"] for c in draft.metadata["creators"]] == ["Curie"]


def test_files_can_be_removed_from_a_draft_through_the_form(viewer, make_draft):
    draft = make_draft()

    viewer("owner").post(edit_url(draft.pid), deposit_post(remove_files=["data.csv"]))

    assert not draft.file_entries.exists()


@pytest.mark.parametrize("who", [None, "other"])
def test_someone_elses_draft_form_is_not_found(viewer, make_draft, who):
    draft = make_draft()
    client = viewer(who)

    if who is None:
        assert client.get(edit_url(draft.pid)).status_code == 302  # to the login page
        return
    assert client.get(edit_url(draft.pid)).status_code == 404
    assert client.post(edit_url(draft.pid), deposit_post(title="Hijacked")).status_code == 404
    draft.refresh_from_db()
    assert draft.metadata["title"] == "Ocean temperatures 2020"


def test_staff_can_open_a_users_draft(viewer, make_draft):
    draft = make_draft()

    assert viewer("staff").get(edit_url(draft.pid)).status_code == 200


def test_editing_a_published_record_through_the_pages(viewer, make_record):
    record = make_record()
    client = viewer("owner")

    response = client.post(reverse("records:edit", args=[record.pid]))

    assert response["Location"] == edit_url(record.pid)
    form = client.get(edit_url(record.pid)).content.decode()
    assert 'id="id_files"' not in form  # files of a published record are fixed
    client.post(edit_url(record.pid), deposit_post(title="Corrected title", action="publish", confirmed="1"))
    record.refresh_from_db()
    assert record.title == "Corrected title"
    assert [entry.key for entry in record.file_entries.all()] == ["data.csv"]


def test_other_user_cannot_edit_or_version_a_record(viewer, make_record):
    public = make_record()
    restricted = make_record(access=RESTRICTED)
    client = viewer("other")

    assert client.post(reverse("records:edit", args=[public.pid])).status_code == 403
    assert client.post(reverse("records:new_version", args=[public.pid])).status_code == 403
    assert client.post(reverse("records:edit", args=[restricted.pid])).status_code == 404
    assert not Draft.objects.exists()


def test_new_version_through_the_pages(viewer, make_record):
    record = make_record()
    client = viewer("owner")

    response = client.post(reverse("records:new_version", args=[record.pid]))

    draft = Draft.objects.get(parent=record.parent)
    assert draft.pid != record.pid
    assert response["Location"] == edit_url(draft.pid)
    client.post(edit_url(draft.pid), deposit_post(
        version="v2", action="publish", confirmed="1", files=SimpleUploadedFile("v2.csv", b"x"),
    ))
    assert Record.objects.get(pid=draft.pid).is_latest


def test_deleting_a_draft(viewer, make_draft, owner):
    draft = make_draft()

    response = viewer("owner").post(reverse("records:deposit_delete", args=[draft.pid]))

    assert response["Location"] == reverse("records:dashboard")
    assert not Draft.objects.exists()


def test_other_user_cannot_delete_a_draft(viewer, make_draft):
    draft = make_draft()

    assert viewer("other").post(reverse("records:deposit_delete", args=[draft.pid])).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_past_embargo_date_is_shown_beside_the_embargo_field(viewer, owner):
    post = deposit_post(access_files="restricted", embargo_until="2001-01-01", embargo_reason="Paper")

    response = viewer("owner").post(new_url(), post)

    assert response.status_code == 200
    assert "must be in the future" in field_block(response.content.decode(), "id_embargo_until")
    assert not Draft.objects.exists()  # access decides who sees what: nothing is saved until it is valid


def test_form_link_of_a_published_record_leads_its_owner_to_the_record(viewer, make_record):
    record = make_record()

    response = viewer("owner").get(edit_url(record.pid))

    assert response["Location"] == reverse("records:landing", args=[record.pid])
    assert viewer("other").get(edit_url(record.pid)).status_code == 404


def test_saving_the_form_keeps_metadata_the_form_does_not_show(viewer, make_draft):
    draft = make_draft(
        dates=[{"date": "2019", "type": {"id": "collected"}}],
        additional_descriptions=[
            {"description": "First", "type": {"id": "other"}},
            {"description": "Second", "type": {"id": "methods"}},
        ],
    )

    viewer("owner").post(edit_url(draft.pid), deposit_post(additional_description="First, edited"))

    draft.refresh_from_db()
    assert draft.metadata["dates"] == [{"date": "2019", "type": {"id": "collected"}}]
    descriptions = [item["description"] for item in draft.metadata["additional_descriptions"]]
    assert descriptions == ["First, edited", "Second"]
