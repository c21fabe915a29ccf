import datetime

import pytest

from rdm.records.metadata import clean_access, clean_files, clean_metadata, is_edtf_level0

from .conftest import valid_metadata

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 1, 15)


def errors_for(**overrides) -> dict:
    _, errors = clean_metadata(valid_metadata(**overrides), complete=True)
    return errors


def cleaned(**overrides) -> dict:
    data, errors = clean_metadata(valid_metadata(**overrides), complete=True)
    assert errors == {}
    return data


def person(**fields):
    return {"person_or_org": {"type": "personal", **fields}}


def test_complete_valid_metadata_has_no_errors():
    assert errors_for() == {}


@pytest.mark.parametrize("field", ["resource_type", "creators", "title", "publication_date"])
def test_required_fields_are_reported_when_missing(field):
    metadata = valid_metadata()
    del metadata[field]
    _, errors = clean_metadata(metadata, complete=True)
    assert errors == {f"metadata.{field}": ["Missing data for required field."]}


def test_missing_fields_are_fine_for_a_draft():
    assert clean_metadata({"title": "Draft"}, complete=False) == ({"title": "Draft"}, {})


def test_unknown_fields_are_reported():
    assert errors_for(colour="blue") == {"metadata.colour": ["Unknown field."]}


def test_title_needs_three_characters():
    assert errors_for(title="ab") == {"metadata.title": ["Shorter than minimum length 3."]}


def test_title_must_be_a_string_and_wrong_types_are_dropped():
    data, errors = clean_metadata({"title": 42}, complete=False)
    assert errors == {"metadata.title": ["Not a valid string."]}
    assert "title" not in data


def test_unknown_resource_type_is_reported():
    assert errors_for(resource_type={"id": "spaceship"}) == {
        "metadata.resource_type.id": ["Unknown value 'spaceship'."]
    }


def test_person_needs_a_family_name_and_gets_a_display_name():
    assert errors_for(creators=[person(given_name="Marie")]) == {
        "metadata.creators.0.person_or_org.family_name": ["Missing data for required field."],
    }
    creator = cleaned(creators=[person(family_name="Curie", given_name="Marie")])["creators"][0]
    assert creator["person_or_org"]["name"] == "Curie, Marie"


def test_organisation_needs_a_name():
    errors = errors_for(creators=[{"person_or_org": {"type": "organizational"}}])
    assert errors == {"metadata.creators.0.person_or_org.name": ["Missing data for required field."]}


def test_creator_type_must_be_personal_or_organizational():
    errors = errors_for(creators=[{"person_or_org": {"type": "robot", "name": "R2"}}])
    assert list(errors) == ["metadata.creators.0.person_or_org.type"]


def test_error_paths_point_at_the_right_creator():
    errors = errors_for(creators=[person(family_name="Ok"), person(given_name="No family")])
    assert list(errors) == ["metadata.creators.1.person_or_org.family_name"]


def test_valid_orcid_is_accepted_and_normalised():
    creators = [
        person(
            family_name="Carberry",
            identifiers=[
                {"scheme": "orcid", "identifier": "https://orcid.org/0000-0002-1825-0097"},
            ],
        )
    ]
    identifier = cleaned(creators=creators)["creators"][0]["person_or_org"]["identifiers"][0]
    assert identifier == {"scheme": "orcid", "identifier": "0000-0002-1825-0097"}


def test_orcid_with_a_bad_checksum_is_refused():
    creators = [
        person(family_name="Carberry", identifiers=[{"scheme": "orcid", "identifier": "0000-0002-1825-0098"}])
    ]
    assert errors_for(creators=creators) == {
        "metadata.creators.0.person_or_org.identifiers.0.identifier": ["Invalid ORCID identifier."],
    }


def test_ror_is_validated_for_organisations():
    good = [
        {
            "person_or_org": {
                "type": "organizational",
                "name": "CERN",
                "identifiers": [{"scheme": "ror", "identifier": "01ggx4157"}],
            }
        }
    ]
    bad = [
        {
            "person_or_org": {
                "type": "organizational",
                "name": "CERN",
                "identifiers": [{"scheme": "ror", "identifier": "not-a-ror"}],
            }
        }
    ]
    assert errors_for(creators=good) == {}
    assert list(errors_for(creators=bad)) == ["metadata.creators.0.person_or_org.identifiers.0.identifier"]


def test_people_cannot_have_a_ror():
    creators = [person(family_name="Doe", identifiers=[{"scheme": "ror", "identifier": "01ggx4157"}])]
    assert list(errors_for(creators=creators)) == ["metadata.creators.0.person_or_org.identifiers.0.scheme"]


def test_affiliations_need_a_name_or_a_known_id():
    creators = [{**person(family_name="Doe"), "affiliations": [{"name": "CERN"}, {}, {"id": "nowhere"}]}]
    errors = errors_for(creators=creators)
    assert errors == {
        "metadata.creators.0.affiliations.1.name": ["Missing data for required field."],
        "metadata.creators.0.affiliations.2.id": ["Unknown affiliation 'nowhere'."],
    }


def test_creator_role_must_exist_in_the_vocabulary():
    creators = [{**person(family_name="Doe"), "role": {"id": "astronaut"}}]
    assert list(errors_for(creators=creators)) == ["metadata.creators.0.role.id"]


def test_contributors_need_a_role():
    errors = errors_for(contributors=[person(family_name="Helper")])
    assert errors == {"metadata.contributors.0.role": ["Missing data for required field."]}


@pytest.mark.parametrize("value", ["2020", "2020-02", "2020-02-29", "2019/2020", "2020-01/2020-03-05"])
def test_edtf_level0_dates_are_accepted(value):
    assert is_edtf_level0(value)
    assert errors_for(publication_date=value) == {}


@pytest.mark.parametrize(
    "value",
    [
        "2020?",
        "2020-21",
        "2021-02-29",
        "2020-13",
        "2021/2020",
        "../2020",
        "2020-01-01T10:00:00",
        "yesterday",
        "20/10/2020",
    ],
)
def test_other_dates_are_refused(value):
    assert not is_edtf_level0(value)
    assert list(errors_for(publication_date=value)) == ["metadata.publication_date"]


def test_description_html_is_sanitised():
    description = '<p onclick="steal()">Hello <script>alert(1)</script><strong>world</strong></p>'
    assert cleaned(description=description)["description"] == "<p>Hello <strong>world</strong></p>"


def test_description_needs_three_characters_of_text():
    assert errors_for(description="<p>ab</p>") == {"metadata.description": ["Shorter than minimum length 3."]}


def test_additional_descriptions_need_text_and_a_known_type():
    errors = errors_for(
        additional_descriptions=[
            {"description": "<p>Methods used</p>", "type": {"id": "methods"}},
            {"description": "", "type": {"id": "poem"}},
        ]
    )
    assert set(errors) == {
        "metadata.additional_descriptions.1.description",
        "metadata.additional_descriptions.1.type.id",
    }


def test_subjects_need_a_subject():
    assert errors_for(subjects=[{"subject": "Oceans"}, {"subject": ""}]) == {
        "metadata.subjects.1.subject": ["Missing data for required field."],
    }


def test_languages_come_from_the_vocabulary():
    assert errors_for(languages=[{"id": "eng"}]) == {}
    assert list(errors_for(languages=[{"id": "klingon"}])) == ["metadata.languages.0.id"]


def test_rights_are_a_known_license_or_a_titled_custom_license():
    assert (
        errors_for(rights=[{"id": "cc-by-4.0"}, {"title": "My terms", "link": "https://example.org/terms"}])
        == {}
    )
    errors = errors_for(rights=[{"id": "wtfpl-99"}, {"link": "not a url"}])
    assert set(errors) == {"metadata.rights.0.id", "metadata.rights.1.title", "metadata.rights.1.link"}


def test_related_identifier_scheme_is_detected():
    related = [{"identifier": "10.1234/foo.bar", "relation_type": {"id": "cites"}}]
    assert cleaned(related_identifiers=related)["related_identifiers"][0]["scheme"] == "doi"


def test_related_identifier_must_match_its_scheme():
    related = [{"identifier": "not a doi", "scheme": "doi", "relation_type": {"id": "cites"}}]
    assert errors_for(related_identifiers=related) == {
        "metadata.related_identifiers.0.identifier": ["Invalid DOI identifier."],
    }


def test_related_identifier_needs_a_relation_type_and_a_detectable_scheme():
    errors = errors_for(
        related_identifiers=[
            {"identifier": "https://example.org/paper"},
            {"identifier": "???", "relation_type": {"id": "cites"}},
            {"identifier": "arXiv:1310.2590", "relation_type": {"id": "likes"}},
        ]
    )
    assert set(errors) == {
        "metadata.related_identifiers.0.relation_type",
        "metadata.related_identifiers.1.scheme",
        "metadata.related_identifiers.2.relation_type.id",
    }


def test_version_and_publisher_are_strings():
    assert cleaned(version="v1.2", publisher="Zenodo")["publisher"] == "Zenodo"
    assert set(errors_for(version=1.2, publisher=["x"])) == {"metadata.version", "metadata.publisher"}


def test_lists_must_be_lists():
    assert errors_for(creators={"person_or_org": {}}) == {"metadata.creators": ["Not a valid list."]}


def test_access_defaults_to_public():
    fields, errors = clean_access(None, today=TODAY)
    assert errors == {}
    assert fields["access_record"] == "public" and fields["access_files"] == "public"
    assert fields["embargo_active"] is False


def test_access_values_are_checked():
    _, errors = clean_access({"record": "secret", "files": "public"}, today=TODAY)
    assert list(errors) == ["access.record"]


def test_an_active_embargo_needs_a_future_date_and_restricts_files():
    _, errors = clean_access({"embargo": {"active": True, "until": "2026-01-15"}}, today=TODAY)
    assert errors == {"access.embargo.until": ["The embargo end date must be in the future."]}
    _, errors = clean_access({"embargo": {"active": True}}, today=TODAY)
    assert errors == {"access.embargo.until": ["Missing data for required field."]}
    _, errors = clean_access({"embargo": {"active": True, "until": "next week"}}, today=TODAY)
    assert list(errors) == ["access.embargo.until"]
    fields, errors = clean_access(
        {"embargo": {"active": True, "until": "2026-03-01", "reason": "Patent"}}, today=TODAY
    )
    assert errors == {}
    assert fields["access_files"] == "restricted"
    assert fields["embargo_until"] == datetime.date(2026, 3, 1)


def test_files_enabled_must_be_boolean():
    assert clean_files({"enabled": False}) == ({"files_enabled": False}, {})
    assert clean_files({"enabled": "no"})[1] == {"files.enabled": ["Not a valid boolean."]}


def test_javascript_links_are_removed_from_descriptions():
    description = (
        '<p>See <a href="javascript:alert(1)">this</a> and <a href="https://example.org">that</a></p>'
    )
    html = cleaned(description=description)["description"]
    assert "javascript" not in html
    assert 'href="https://example.org"' in html
