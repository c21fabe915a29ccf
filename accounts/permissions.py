"""Who may see whom. Invisible users are answered with 404, as every invisible object here."""

from .models import Visibility
from .services import get_profile


def is_self_or_staff(actor, user) -> bool:
    return bool(actor and actor.is_authenticated and (actor.pk == user.pk or actor.is_staff))


def can_read_user(actor, user) -> bool:
    """Public, active profiles are readable by anyone; others by the user themselves and staff."""
    if is_self_or_staff(actor, user):
        return True
    return user.is_active and get_profile(user).visibility == Visibility.PUBLIC


def can_read_email(actor, user) -> bool:
    if is_self_or_staff(actor, user):
        return True
    return can_read_user(actor, user) and get_profile(user).email_visibility == Visibility.PUBLIC


def can_read_details(actor, user) -> bool:
    """Account details and preferences: only the user (and staff)."""
    return is_self_or_staff(actor, user)


def can_read_group(actor, group) -> bool:
    return bool(actor and actor.is_authenticated)
