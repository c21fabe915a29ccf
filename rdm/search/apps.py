from django.apps import AppConfig, apps
from django.core import checks
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "rdm.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from importlib import import_module
        from importlib.util import find_spec

        from . import receivers

        # Every app may declare its indexes in `<app>/indexes.py`; importing it registers them.
        for config in apps.get_app_configs():
            if find_spec(f"{config.name}.indexes") is not None:
                import_module(f"{config.name}.indexes")
        receivers.connect()
        from .checks import check_indexes

        checks.register(check_indexes, "search")
        post_migrate.connect(_ensure_sort_indexes, sender=self)
        post_migrate.connect(_ensure_counted_scopes, sender=self)


def _ensure_sort_indexes(using="default", **kwargs):
    from .backends.database import ensure_sort_indexes

    ensure_sort_indexes(using)


def _ensure_counted_scopes(using="default", **kwargs):
    from .backends.public_counts import ensure_counted_scopes

    ensure_counted_scopes(using)
