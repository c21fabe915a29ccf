from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    label = "communities"
    verbose_name = "Communities"

    def ready(self):
        from rdm.search.services import register_principal_provider

        from . import roles  # noqa: F401 - registers the COMMUNITIES_ROLES system check
        from .permissions import search_principals

        register_principal_provider(search_principals)
