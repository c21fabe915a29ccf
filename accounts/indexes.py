"""Search index declarations of accounts: users ("users") and Django groups ("groups").

InvenioRDM v9 rules: only active users with a confirmed e-mail address are findable; searching needs
authentication, so a public profile is readable by "authenticated" and a restricted one by the user
alone (and staff). The e-mail address is shown in the document only when its owner made it public. A
hidden address is never returned in hits and is matched only by staff, through ``email:`` (as
InvenioRDM's administration search maps ``email`` to ``email_hidden``): it is kept index-only in the
"email_hidden" field, which is not part of free-text search and which only staff may query.
"""

from collections.abc import Iterator

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from rdm.search.index import (
    AUTHENTICATED,
    ID_CHUNK_SIZE,
    INDEX_ONLY,
    STAFF,
    DateField,
    Index,
    KeywordField,
    SortOption,
    TextField,
    id_chunks,
    register,
)

from .models import User, Visibility


def findable_users():
    """Active users with a verified e-mail address: the only ones the users index holds."""
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return User.objects.filter(is_active=True).filter(Exists(verified))


def _int_ids(ids: list[str]) -> list[int]:
    return [int(value) for value in map(str, ids) if value.isdigit()]




class UsersIndex(Index):
    """Findable users: full name, username, affiliations and (only when public) e-mail."""

    name = "users"
    fields = (
        KeywordField("id"),
        TextField("username", boost=2),
        TextField("email", boost=2, also_matches=("email_hidden",)),
        TextField("email_hidden", path=f"{INDEX_ONLY}.email", searchable=False, readers=(STAFF,)),
        TextField("full_name", path="profile.full_name", aliases=("name", "fullname"), boost=3,
                  sortable=True),
        TextField("affiliations", path="profile.affiliations", aliases=("affiliation",)),
        DateField("created", sortable=True),
    )
    sort_options = {
        "bestmatch": SortOption("Best match", (("_score", "desc"), ("full_name", "asc"))),
        "name": SortOption("Name", (("full_name", "asc"),)),
        "newest": SortOption("Newest", (("created", "desc"),)),
    }
    default_sort = "name"
    default_sort_with_query = "bestmatch"

    def to_document(self, obj) -> dict:
        from .services import get_profile

        profile = get_profile(obj)
        document = {
            "id": str(obj.pk),
            "username": obj.username,
            "profile": {"full_name": profile.full_name, "affiliations": list(profile.affiliations or [])},
            "created": obj.date_joined.isoformat(),
        }
        if profile.email_visibility == Visibility.PUBLIC:
            document["email"] = obj.email
        else:
            document[INDEX_ONLY] = {"email": obj.email}
        return document

    def principals(self, obj) -> list[str]:
        from .services import get_profile

        if get_profile(obj).visibility == Visibility.PUBLIC:
            return [AUTHENTICATED]
        return [f"user:{obj.pk}", STAFF]

    def doc_id(self, obj) -> str:
        return str(obj.pk)

    def load(self, ids: list[str]) -> dict[str, object]:
        users = findable_users().filter(pk__in=_int_ids(ids)).select_related("profile")
        return {str(user.pk): user for user in users}

    def iter_ids(self, chunk_size: int = ID_CHUNK_SIZE) -> Iterator[list[str]]:
        return id_chunks(findable_users().order_by("pk").values_list("pk", flat=True), chunk_size)

    def count(self) -> int:
        return findable_users().count()


class GroupsIndex(Index):
    """Django groups, searchable by signed-in users (InvenioRDM v9: groups need authentication)."""

    name = "groups"
    fields = (
        KeywordField("id", searchable=True),
        TextField("name", sortable=True),
    )
    sort_options = {
        "bestmatch": SortOption("Best match", (("_score", "desc"), ("name", "asc"))),
        "name": SortOption("Name", (("name", "asc"),)),
    }
    default_sort = "name"
    default_sort_with_query = "bestmatch"

    def to_document(self, obj) -> dict:
        return {"id": obj.name, "name": obj.name}

    def principals(self, obj) -> list[str]:
        return [AUTHENTICATED]

    def doc_id(self, obj) -> str:
        return str(obj.pk)

    def load(self, ids: list[str]) -> dict[str, object]:
        return {str(group.pk): group for group in Group.objects.filter(pk__in=_int_ids(ids))}

    def iter_ids(self, chunk_size: int = ID_CHUNK_SIZE) -> Iterator[list[str]]:
        return id_chunks(Group.objects.order_by("pk").values_list("pk", flat=True), chunk_size)

    def count(self) -> int:
        return Group.objects.count()


users_index = register(UsersIndex())
groups_index = register(GroupsIndex())
