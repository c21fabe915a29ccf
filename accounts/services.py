"""All state changes of accounts: users, profiles and preferences, personal access tokens."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .models import PersonalAccessToken, Profile, User, Visibility

TOKEN_PREFIX = "rdm_"
MAX_AFFILIATIONS = 20
MAX_AFFILIATION_LENGTH = 255


def display_name(user) -> str:
    """Full name, else username, else e-mail."""
    return get_profile(user).full_name or user.username or user.email


def get_profile(user) -> Profile:
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        return profile


def parse_affiliations(text: str) -> list[str]:
    """Form input (one affiliation per line, or comma separated on one line) to a list."""
    parts = text.splitlines() if "\n" in text.strip() else text.split(",")
    return [part.strip() for part in parts if part.strip()]


# --- Users ---------------------------------------------------------------------------------------


def create_user(
    *,
    email: str,
    password: str | None = None,
    full_name: str = "",
    affiliations: Iterable[str] = (),
    username: str | None = None,
    email_verified: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
    profile_visibility: str = Visibility.RESTRICTED,
    email_visibility: str = Visibility.RESTRICTED,
) -> User:
    """Create a user with profile, preferences and allauth e-mail address, all or nothing."""
    email = (email or "").strip().lower()
    username = (username or "").strip() or None
    user = User(email=email, username=username, is_staff=is_staff, is_superuser=is_superuser)
    _check_new_user(user, password)
    profile_fields = _clean_profile(full_name, list(affiliations), profile_visibility, email_visibility)
    with transaction.atomic():
        _set_password(user, password)
        user.save()
        _save_profile(get_profile(user), profile_fields)
        EmailAddress.objects.create(user=user, email=email, verified=email_verified, primary=True)
    return user


def _check_new_user(user: User, password: str | None) -> None:
    errors = {}
    try:
        validate_email(user.email)
    except ValidationError as error:
        errors["email"] = error.messages
    if "email" not in errors and _email_taken(user.email):
        errors["email"] = ["A user with this e-mail address already exists."]
    if user.username:
        try:
            user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name != "username"])
        except ValidationError as error:
            errors.update(error.message_dict)
        if "username" not in errors and User.objects.filter(username__iexact=user.username).exists():
            errors["username"] = ["This username is already taken."]
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)


def _email_taken(email: str) -> bool:
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def _set_password(user: User, password: str | None) -> None:
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)


def ensure_primary_email(user: User) -> EmailAddress:
    """Keep allauth's address book in step when the back-office sets a user's e-mail."""
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": False}
    )
    if not address.primary:
        address.set_as_primary()
    return address


def make_staff(email: str) -> User:
    """Operator action: give an existing user staff rights (for the back-office)."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError({"email": [f"No user with the e-mail address {email}."]})
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def search_users(actor, query: str = "", limit: int = 10) -> list[User]:
    """Findable users, as InvenioRDM v9: active, confirmed and public (or the actor); at most ``limit``.

    Runs on the "users" search index (``accounts.indexes``), which holds an e-mail address only when its
    owner shows it: a hidden address finds nobody but its owner (staff use the admin). Raises QueryError
    (a ValidationError keyed "q") for a malformed query.
    """
    from rdm.search import search

    if not actor.is_authenticated:
        raise PermissionDenied("Log in to search users.")
    result = search("users", query, facets=False, page=1, size=limit, user=actor)
    ids = [int(hit["id"]) for hit in result.hits]
    if query.strip().lower() == actor.email and actor.pk not in ids and _is_findable(actor):
        # One's own hidden address is no secret to oneself; the index only holds public ones.
        ids = [actor.pk, *ids][:limit]
    found = {user.pk: user for user in User.objects.filter(pk__in=ids).select_related("profile")}
    return [found[pk] for pk in ids if pk in found]


def _is_findable(user) -> bool:
    return user.is_active and EmailAddress.objects.filter(user=user, verified=True).exists()


# --- Profile and preferences ---------------------------------------------------------------------


def update_profile(
    actor,
    user,
    *,
    full_name: str,
    affiliations: Iterable[str],
    visibility: str,
    email_visibility: str,
) -> Profile:
    """Change a user's profile and preferences; the user themselves or staff only."""
    if not (actor.is_authenticated and (actor.pk == user.pk or actor.is_staff)):
        raise PermissionDenied("You may only change your own profile.")
    fields = _clean_profile(full_name, list(affiliations), visibility, email_visibility)
    return _save_profile(get_profile(user), fields)


def _save_profile(profile: Profile, fields: dict) -> Profile:
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def _clean_profile(full_name: str, affiliations: list, visibility: str, email_visibility: str) -> dict:
    full_name = (full_name or "").strip()
    affiliations = [str(item).strip() for item in affiliations if str(item).strip()]
    errors = {}
    if len(full_name) > 255:
        errors["full_name"] = ["The full name may have at most 255 characters."]
    if len(affiliations) > MAX_AFFILIATIONS:
        errors["affiliations"] = [f"At most {MAX_AFFILIATIONS} affiliations are allowed."]
    elif any(len(item) > MAX_AFFILIATION_LENGTH for item in affiliations):
        errors["affiliations"] = [f"An affiliation may have at most {MAX_AFFILIATION_LENGTH} characters."]
    for name, value in (("visibility", visibility), ("email_visibility", email_visibility)):
        if value not in Visibility.values:
            errors[name] = [f"Choose one of: {', '.join(Visibility.values)}."]
    if errors:
        raise ValidationError(errors)
    return {
        "full_name": full_name,
        "affiliations": affiliations,
        "visibility": visibility,
        "email_visibility": email_visibility,
    }


# --- Personal access tokens ----------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    actor, *, name: str, expires: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """Create a token for the actor. Returns the row and the secret, which is never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied("Log in to create a token.")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": ["Give the token a name of at most 100 characters."]})
    if expires is not None and expires <= timezone.now():
        raise ValidationError({"expires": ["The expiry date must be in the future."]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        user=actor, name=name, token_hash=hash_token(raw), prefix=raw[:10], expires=expires
    )
    return token, raw


def list_tokens(actor):
    return PersonalAccessToken.objects.filter(user=actor)


def revoke_token(actor, token_id: int) -> PersonalAccessToken:
    """Revoke one of the actor's tokens; someone else's token is treated as missing."""
    token = PersonalAccessToken.objects.filter(pk=token_id, user_id=actor.pk).first()
    if token is None:
        raise Http404("No such token.")
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
    return token


def user_for_token(raw: str):
    """The active user owning a usable token, or None. Records when the token was used."""
    token = (
        PersonalAccessToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    _touch(token, now)
    return token.user


def _touch(token: PersonalAccessToken, now: datetime) -> None:
    precision = timedelta(seconds=getattr(settings, "RDM_TOKEN_LAST_USED_PRECISION", 60))
    if token.last_used is None or now - token.last_used > precision:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used=now)
