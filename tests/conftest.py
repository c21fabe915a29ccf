"""Project-wide fixtures: the optional scale-out services.

A fresh machine has no Redis or Elasticsearch, so tests needing them skip with the reason. CI sets
RDM_REQUIRE_SERVICES=1 / RDM_REQUIRE_ELASTICSEARCH=1 / RDM_REQUIRE_BROWSER=1, and then a missing service
fails the test instead: a green CI run cannot hide a service that never started.
"""

import os

import pytest


def is_required(*flags: str) -> bool:
    return any(os.environ.get(flag, "").lower() in {"1", "true", "yes"} for flag in flags)


def skip_unless_required(reason: str, *flags: str) -> None:
    """Skip with `reason`, or fail when one of the environment `flags` says the service is required."""
    if is_required(*flags):
        pytest.fail(f"{reason} ({' or '.join(flags)} is set, so this service is required)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    """Transactional tests restore the migrated data (vocabularies, site) before they run.

    Each one empties every table when it ends, so a later one would otherwise find no resource types,
    and pass or fail depending on test order.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and marker.kwargs.get("transaction")
        if transactional and "serialized_rollback" not in marker.kwargs:
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
        elif marker is None and {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def elasticsearch_url() -> str:
    """URL of a reachable Elasticsearch node (RDM_SEARCH_URL); deploy/elasticsearch/start.sh starts one."""
    url = os.environ.get("RDM_SEARCH_URL", "")
    if not url:
        skip_unless_required(
            "no Elasticsearch node: start one with deploy/elasticsearch/start.sh and set RDM_SEARCH_URL",
            "RDM_REQUIRE_ELASTICSEARCH",
        )
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=5)
    try:
        reachable = client.ping()
    finally:
        client.close()
    if not reachable:
        skip_unless_required(
            f"Elasticsearch at RDM_SEARCH_URL={url} is unreachable", "RDM_REQUIRE_ELASTICSEARCH"
        )
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a reachable Redis database for tests (RDM_TEST_REDIS_URL, default db 15 on loopback)."""
    url = os.environ.get("RDM_TEST_REDIS_URL", "")
    if not url and not is_required("RDM_REQUIRE_SERVICES"):
        pytest.skip("no Redis: set RDM_TEST_REDIS_URL=redis://127.0.0.1:6379/15 (or RDM_REQUIRE_SERVICES=1)")
    url = url or "redis://127.0.0.1:6379/15"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        skip_unless_required(f"Redis at {url} is unreachable: {error}", "RDM_REQUIRE_SERVICES")
    finally:
        client.close()
    return url
