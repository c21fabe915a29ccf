"""Saving through the deposit form edits the draft; it must not lose what the form does not show."""

import copy

import pytest
from django.urls import reverse

from rdm.records import services
from rdm.records.models import Draft
from vocabularies import services as vocabularies

from .conftest import valid_metadata
from .forms import deposit_post
from .html_form import form_fields


def edit_url(pid):
    return reverse("records:deposit_edit", args=[pid])


def shown_form(client, pid) -> dict:
    """The deposit form as a browser without JavaScript would submit it, unchanged."""
    response = client.get(edit_url(pid))
    assert response.status_code == 200
    return {**form_fields(response.content.decode()), "action": "save"}


def save_as_shown(client, pid, **changes) -> Draft:
    response = client.post(edit_url(pid), {**shown_form(client, pid), **changes})
    assert response.status_code == 302, _errors(response)
    return Draft.objects.get(pid=pid)


@pytest.fixture
def cern(staff):
    return vocabularies.create_entry(staff, "affiliations", "01ggx4157", {"en": "CERN"})


RICH_CREATORS = [
    {
        "person_or_org": {
            "type": "personal", "family_name": "Curie", "given_name": "Marie",
            "identifiers": [
                {"scheme": "orcid", "identifier": "0000-0002-1825-0097"},
                {"scheme": "gnd", "identifier": "gnd:118571249"},
            ],
        },
        "role": {"id": "datacollector"},
        "affiliations": [{"id": "01ggx4157"}, {"name": "Sorbonne"}],
    },
    {
        "person_or_org": {
            "type": "organizational", "name": "Polar Institute",
            "identifiers": [{"scheme": "isni", "identifier": "0000000121032683"}],
        },
        "role": {"id": "hostinginstitution"},
    },
]


@pytest.fixture
def rich_draft(owner, cern):
    return services.create_draft(owner, {
        "metadata": valid_metadata(
            creators=copy.deepcopy(RICH_CREATORS),
            related_identifiers=[
                {"identifier": "10.1234/abc", "scheme": "doi", "relation_type": {"id": "cites"},
                 "resource_type": {"id": "publication-article"}},
                {"identifier": "swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2", "scheme": "swh",
                 "relation_type": {"id": "compiles"}},
            ],
            rights=[
                {"id": "cc-by-4.0"},
                {"title": {"en": "Custom terms"}, "description": {"en": "Ask first."},
                 "link": "https://example.org/terms"},
                {"id": "mit"},
            ],
            subjects=[{"subject": "Ocean, Atlantic"}, {"subject": "heat"}],
            additional_descriptions=[
                {"description": "Measured by buoys.", "type": {"id": "methods"}, "lang": {"id": "eng"}},
            ],
            contributors=[{"person_or_org": {"type": "personal", "family_name": "Bohr"},
                           "role": {"id": "editor"}}],
        ),
        "files": {"enabled": False},
    })


def test_saving_only_a_new_title_keeps_everything_else_exactly(viewer, rich_draft):
    before = copy.deepcopy(rich_draft.metadata)
    assert before["creators"][0]["affiliations"][0] == {"id": "01ggx4157", "name": "CERN"}
    assert len(before["creators"][0]["person_or_org"]["identifiers"]) == 2

    draft = save_as_shown(viewer("owner"), rich_draft.pid, title="A corrected title")

    assert draft.metadata["title"] == "A corrected title"
    assert draft.metadata == {**before, "title": "A corrected title"}


def test_the_creator_card_shows_role_and_affiliations(viewer, rich_draft):
    fields = shown_form(viewer("owner"), rich_draft.pid)

    assert fields["creators-0-role"] == "datacollector"
    assert fields["creators-0-identifier"] == "0000-0002-1825-0097"
    assert fields["creators-0-affiliations"] == "CERN\nSorbonne"
    assert fields["creators-1-identifier"] == ""  # an ISNI is not the organisation's ROR
    assert fields["creators-1-role"] == "hostinginstitution"


def test_editing_a_creator_card_keeps_what_the_card_does_not_show(viewer, rich_draft):
    draft = save_as_shown(
        viewer("owner"), rich_draft.pid,
        **{"creators-0-given_name": "Maria", "creators-0-role": "researcher",
           "creators-0-affiliations": "Sorbonne\nCERN\nInstitut du Radium",
           "creators-0-identifier": "0000-0002-9079-593X"},
    )

    curie = draft.metadata["creators"][0]
    assert curie["person_or_org"]["name"] == "Curie, Maria"
    assert curie["role"] == {"id": "researcher"}
    assert curie["person_or_org"]["identifiers"] == [
        {"scheme": "orcid", "identifier": "0000-0002-9079-593X"},
        {"scheme": "gnd", "identifier": "gnd:118571249"},
    ]
    assert curie["affiliations"] == [
        {"name": "Sorbonne"}, {"id": "01ggx4157", "name": "CERN"}, {"name": "Institut du Radium"},
    ]


def test_removing_a_creator_keeps_the_other_creators_details(viewer, rich_draft):
    draft = save_as_shown(viewer("owner"), rich_draft.pid, **{"creators-0-DELETE": "on"})

    assert draft.metadata["creators"] == [rich_draft.metadata["creators"][1]]


def test_cards_are_matched_to_creators_by_their_hidden_index_not_their_position(viewer, rich_draft):
    client = viewer("owner")
    fields = shown_form(client, rich_draft.pid)
    first = {key: value for key, value in fields.items() if key.startswith("creators-0-")}
    second = {key: value for key, value in fields.items() if key.startswith("creators-1-")}
    swapped = {key.replace("creators-0-", "creators-1-"): value for key, value in first.items()}
    swapped |= {key.replace("creators-1-", "creators-0-"): value for key, value in second.items()}

    client.post(edit_url(rich_draft.pid), {**fields, **swapped})

    draft = Draft.objects.get(pid=rich_draft.pid)
    assert draft.metadata["creators"] == list(reversed(rich_draft.metadata["creators"]))


def test_a_role_can_be_removed_and_an_unknown_role_is_not_offered(viewer, rich_draft):
    client = viewer("owner")
    html = client.get(edit_url(rich_draft.pid)).content.decode()
    assert '<option value="datacollector" selected>Data collector</option>' in html

    draft = save_as_shown(client, rich_draft.pid, **{"creators-0-role": ""})

    assert "role" not in draft.metadata["creators"][0]
    response = client.post(edit_url(rich_draft.pid), {**shown_form(client, rich_draft.pid),
                                                      "creators-0-role": "astronaut"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_related_identifiers_keep_resource_type_and_schemes_the_form_lists(viewer, rich_draft):
    before = copy.deepcopy(rich_draft.metadata["related_identifiers"])

    draft = save_as_shown(viewer("owner"), rich_draft.pid, **{"related-0-relation_type": "references"})

    assert draft.metadata["related_identifiers"] == [
        {**before[0], "relation_type": {"id": "references"}}, before[1],
    ]


def test_rights_without_an_id_and_further_licenses_are_kept_when_the_license_changes(viewer, rich_draft):
    before = copy.deepcopy(rich_draft.metadata["rights"])

    draft = save_as_shown(viewer("owner"), rich_draft.pid, license="cc0-1.0")

    assert draft.metadata["rights"] == [{"id": "cc0-1.0"}, before[1], before[2]]


def test_the_first_additional_description_keeps_its_type_and_language_when_edited(viewer, rich_draft):
    draft = save_as_shown(viewer("owner"), rich_draft.pid, additional_description="Measured by floats.")

    assert draft.metadata["additional_descriptions"] == [
        {"description": "Measured by floats.", "type": {"id": "methods"}, "lang": {"id": "eng"}},
    ]


def test_a_changed_keyword_list_is_split_at_commas(viewer, rich_draft):
    draft = save_as_shown(viewer("owner"), rich_draft.pid, subjects="ocean, heat, salt")

    assert draft.metadata["subjects"] == [{"subject": "ocean"}, {"subject": "heat"}, {"subject": "salt"}]


def test_values_missing_from_the_vocabularies_are_still_offered_and_kept(viewer, owner):
    draft = services.create_draft(owner, {"metadata": valid_metadata(
        resource_type={"id": "retired-type"}, rights=[{"id": "retired-license"}],
    )})
    assert draft.metadata["resource_type"] == {"id": "retired-type"}  # drafts keep what publish rejects

    client = viewer("owner")
    fields = shown_form(client, draft.pid)
    assert fields["resource_type"] == "retired-type"
    assert fields["license"] == "retired-license"

    response = client.post(edit_url(draft.pid), {**fields, "title": "Renamed dataset"})

    assert "Draft saved. Some fields need attention" in response.content.decode()
    draft.refresh_from_db()
    assert draft.metadata["title"] == "Renamed dataset"
    assert draft.metadata["resource_type"] == {"id": "retired-type"}
    assert draft.metadata["rights"] == [{"id": "retired-license"}]


# --- without JavaScript: exactly the saved entries plus one empty slot --------------------------------

def test_saving_twice_without_javascript_does_not_grow_the_creator_list(viewer, owner):
    client = viewer("owner")
    new = client.get(reverse("records:deposit_new")).content.decode()
    fields = {**form_fields(new), "action": "save", "title": "Glacier melt",
              "creators-0-family_name": "Curie", "creators-1-family_name": "Bohr"}
    assert fields["creators-TOTAL_FORMS"] == "2"
    response = client.post(reverse("records:deposit_new"), fields)
    pid = Draft.objects.get(parent__owner=owner).pid
    assert response["Location"] == edit_url(pid)

    for _ in range(2):
        shown = shown_form(client, pid)
        assert shown["creators-TOTAL_FORMS"] == "3"  # two saved creators and one empty slot
        assert shown["creators-2-family_name"] == ""
        assert shown["related-TOTAL_FORMS"] == "1"
        draft = save_as_shown(client, pid)

    names = [creator["person_or_org"]["name"] for creator in draft.metadata["creators"]]
    assert names == ["Curie", "Bohr"]
    assert "related_identifiers" not in draft.metadata


def test_the_empty_slot_adds_one_creator_without_javascript(viewer, make_draft):
    draft = make_draft()
    client = viewer("owner")
    assert shown_form(client, draft.pid)["creators-TOTAL_FORMS"] == "2"

    saved = save_as_shown(client, draft.pid, **{"creators-1-family_name": "Bohr"})

    assert [c["person_or_org"]["family_name"] for c in saved.metadata["creators"]] == ["Curie", "Bohr"]
    assert shown_form(client, draft.pid)["creators-TOTAL_FORMS"] == "3"


def test_a_card_with_only_a_role_adds_no_creator(viewer, owner):
    response = viewer("owner").post(reverse("records:deposit_new"), deposit_post(
        creators=[{"family_name": "Curie"}, {"role": "editor"}],
    ))

    assert response.status_code == 302
    assert len(Draft.objects.get(parent__owner=owner).metadata["creators"]) == 1


def _errors(response) -> str:
    forms = response.context["forms"]
    return f"{forms.form.errors} {forms.creators.errors} {forms.related.errors} {forms.non_field_errors}"
