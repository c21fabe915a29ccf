"""Search: one query language, pluggable backends, permission-aware results, a durable indexer queue.

Call ``rdm.search.search(index_name, query, *, filters, facets, sort, page, size, user)``; it is
defined in ``rdm.search.services`` and imported lazily here because this package is also the app
module, loaded before the models are ready.
"""


def search(*args, **kwargs):
    from .services import search as _search

    return _search(*args, **kwargs)


search.__doc__ = "See rdm.search.services.search."
