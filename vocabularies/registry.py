"""The vocabularies this repository knows, and where their default entries come from.

Every vocabulary stores its entries as ``VocabularyEntry`` rows; a vocabulary only has to be declared
here. Funders and awards (InvenioRDM's ``/funders`` and ``/awards``) plug in the same way: declare
``VocabularyType("funders", ...)`` and keep ``name``, ``country`` and ``identifiers`` in ``props``
(awards: ``number``, ``acronym``, ``funder: {"id": ...}``) - their ids (ROR ids, ``<funder>::<number>``)
fit ``entry_id`` as they are.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class VocabularyType:
    name: str
    label: str
    fixture: str | None = None  # file in vocabularies/fixtures/ holding the default entries


VOCABULARY_TYPES = {
    vocabulary_type.name: vocabulary_type
    for vocabulary_type in [
        VocabularyType("resourcetypes", "Resource types", "resourcetypes.yaml"),
        VocabularyType("licenses", "Licenses", "licenses.yaml"),
        VocabularyType("languages", "Languages", "languages.yaml"),
        VocabularyType("creatorsroles", "Creator and contributor roles", "creatorsroles.yaml"),
        # Organisations (InvenioRDM loads ROR here); empty until an operator adds entries.
        VocabularyType("affiliations", "Affiliations"),
    ]
}


def get_vocabulary_type(name: str) -> VocabularyType | None:
    return VOCABULARY_TYPES.get(name)


def vocabulary_choices() -> list[tuple[str, str]]:
    return [(vocabulary_type.name, vocabulary_type.label) for vocabulary_type in VOCABULARY_TYPES.values()]
