from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ..avatars import COLORS, Avatar
from ..permissions import can_read_user

register = template.Library()

# For people the viewer may not see: no letter, so nothing about them leaks through the picture.
_HIDDEN_AVATAR = "data:image/svg+xml," + quote(Avatar(letter=" ", color=COLORS[20]).svg())


@register.simple_tag(takes_context=True)
def avatar(context, user, size=32):
    """``{% avatar user size=32 %}``: the user's letter avatar as an <img>."""
    if user is None or not getattr(user, "pk", None):
        return ""
    viewer = context.get("request").user if context.get("request") else context.get("user")
    visible = can_read_user(viewer, user)
    src = reverse("accounts_api:user_avatar", args=[user.pk]) if visible else _HIDDEN_AVATAR
    return format_html(
        '<img class="avatar" src="{}" width="{}" height="{}" alt="" loading="lazy">', src, size, size
    )

