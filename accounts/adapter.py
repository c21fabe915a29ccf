from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class SiteIdentity:
    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        """The username is optional: keep what the person typed, never invent one."""
        user.username = (user.username or "").strip() or None

    def render_mail(self, template_prefix, email, context, headers=None):
        # E-mails name the repository as configured, not the sites framework's "example.com".
        site = SiteIdentity(name=settings.RDM_SITE_NAME, domain=urlsplit(settings.RDM_SITE_URL).netloc)
        return super().render_mail(template_prefix, email, {**context, "current_site": site}, headers)
