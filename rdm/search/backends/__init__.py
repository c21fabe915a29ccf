"""Backend loading, modelled on Django's cache framework (and django-modelsearch).

``RDM_SEARCH_BACKENDS`` maps a name to ``{"BACKEND": "<dotted module>", ...options}``; the module
exports ``SearchBackend``. ``RDM_SEARCH_BACKEND`` names the one in use.
"""

from functools import cache
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_BACKENDS = {"database": {"BACKEND": "rdm.search.backends.database"}}


def get_search_backend(name: str | None = None):
    """The configured backend instance called ``name`` (default: ``settings.RDM_SEARCH_BACKEND``)."""
    return _load(name or getattr(settings, "RDM_SEARCH_BACKEND", "database"))


@cache
def _load(name: str):
    backends = getattr(settings, "RDM_SEARCH_BACKENDS", DEFAULT_BACKENDS)
    if name not in backends:
        raise ImproperlyConfigured(f'Unknown search backend "{name}" (configured: {", ".join(backends)}).')
    params = dict(backends[name])
    module = import_module(params.pop("BACKEND"))
    return module.SearchBackend(params)


def reset_backends() -> None:
    """Forget loaded backends (tests that change the settings call this)."""
    _load.cache_clear()
