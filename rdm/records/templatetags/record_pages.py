from django import template

register = template.Library()


@register.filter
def display_name(user) -> str:
    """The name shown for a user in the page header (accounts decides: full name, username or e-mail)."""
    from accounts.services import display_name as account_display_name

    return account_display_name(user)
