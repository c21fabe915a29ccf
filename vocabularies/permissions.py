"""Who may do what with vocabularies. Reading is open to everyone; writing is for staff.

Staff is the project's back-office role (as for records); a non-staff user can also be given the
``vocabularies.change_vocabularyentry`` permission.
"""


def can_manage_vocabularies(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or user.has_perm("vocabularies.change_vocabularyentry"))
    )
