"""Community roles, read from the ``COMMUNITIES_ROLES`` setting on every call (never hard-coded).

Each role is a dict ``{name, title, description, is_owner, can_manage, can_curate, can_view,
can_manage_roles: [names]}``, as InvenioRDM's setting of the same name. Order matters: the first role
is the least privileged (the default for new members).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.checks import Error, register


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    description: str = ""
    is_owner: bool = False
    can_manage: bool = False
    can_curate: bool = False
    can_view: bool = False
    can_manage_roles: tuple[str, ...] = ()

    @classmethod
    def from_setting(cls, data: dict) -> "Role":
        return cls(
            name=data["name"],
            title=data.get("title") or data["name"].title(),
            description=data.get("description", ""),
            is_owner=bool(data.get("is_owner")),
            can_manage=bool(data.get("can_manage")),
            can_curate=bool(data.get("can_curate")),
            can_view=bool(data.get("can_view")),
            can_manage_roles=tuple(data.get("can_manage_roles") or ()),
        )

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description}


def all_roles() -> list[Role]:
    return [Role.from_setting(item) for item in settings.COMMUNITIES_ROLES]


def role_names() -> list[str]:
    return [role.name for role in all_roles()]


def get_role(name: str) -> Role | None:
    return next((role for role in all_roles() if role.name == name), None)


def owner_role() -> Role:
    """The role a community creator receives (the first owner role)."""
    return next(role for role in all_roles() if role.is_owner)


def owner_role_names() -> set[str]:
    return {role.name for role in all_roles() if role.is_owner}


def default_role() -> Role:
    return all_roles()[0]


def role_title(name: str) -> str:
    role = get_role(name)
    return role.title if role else name


def choices() -> list[tuple[str, str]]:
    return [(role.name, role.title) for role in all_roles()]


@register()
def check_roles_setting(app_configs, **kwargs):
    """Refuse a role set without an owner or referring to unknown roles."""
    try:
        roles = all_roles()
    except (KeyError, TypeError) as exc:
        return [Error(f"COMMUNITIES_ROLES is malformed: {exc}", id="communities.E001")]
    names = {role.name for role in roles}
    errors = []
    if not any(role.is_owner for role in roles):
        errors.append(Error("COMMUNITIES_ROLES needs a role with is_owner.", id="communities.E002"))
    for role in roles:
        unknown = set(role.can_manage_roles) - names
        if unknown:
            errors.append(Error(
                f"Role {role.name!r} manages unknown roles {sorted(unknown)}.", id="communities.E003",
            ))
    return errors
