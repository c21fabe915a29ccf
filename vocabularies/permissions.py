"""Who may do what with vocabularies. Reading is open to everyone; writing is for vocabulary managers."""


def can_manage_vocabularies(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("vocabularies.change_vocabularyentry"))
    )
