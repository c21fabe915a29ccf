"""The real Elasticsearch 8 node (deploy/elasticsearch) serves the Python client: index, search, aggregate."""

import uuid

import pytest
from elasticsearch import Elasticsearch, helpers

pytestmark = pytest.mark.services


@pytest.fixture
def es(elasticsearch_url):
    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    index = f"rdm-infra-test-{uuid.uuid4().hex[:8]}"
    client.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={"properties": {
            "title": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
            "resource_type": {"type": "keyword"},
            "publication_date": {"type": "date"},
        }},
    )
    yield client, index
    client.indices.delete(index=index)
    client.close()


def test_node_is_elasticsearch_8(es):
    client, _ = es
    assert client.info()["version"]["number"].startswith("8.")


def test_indexed_document_is_found_by_full_text_search(es):
    client, index = es
    client.index(index=index, id="abc12-def34", refresh=True, document={
        "title": "Ocean temperatures in the North Atlantic", "resource_type": "dataset",
        "publication_date": "2020-06-01",
    })

    found = client.search(index=index, query={"match": {"title": "atlantic ocean"}})
    missed = client.search(index=index, query={"match": {"title": "glacier"}})

    assert [hit["_id"] for hit in found["hits"]["hits"]] == ["abc12-def34"]
    assert found["hits"]["hits"][0]["_source"]["resource_type"] == "dataset"
    assert missed["hits"]["total"]["value"] == 0


def test_bulk_indexed_documents_are_counted_by_aggregations(es):
    client, index = es
    types = ["dataset", "dataset", "software", "dataset", "publication-article"]
    actions = [
        {"_index": index, "_id": f"rec-{n}", "title": f"Record {n}", "resource_type": kind,
         "publication_date": f"{2019 + n % 2}-01-15"}
        for n, kind in enumerate(types)
    ]
    indexed, errors = helpers.bulk(client, actions, refresh=True)

    result = client.search(index=index, size=0, aggs={
        "types": {"terms": {"field": "resource_type"}},
        "years": {"date_histogram": {
            "field": "publication_date", "calendar_interval": "year", "format": "yyyy",
        }},
    })

    assert (indexed, errors) == (5, [])
    assert result["hits"]["total"]["value"] == 5
    buckets = {b["key"]: b["doc_count"] for b in result["aggregations"]["types"]["buckets"]}
    assert buckets == {"dataset": 3, "software": 1, "publication-article": 1}
    years = {b["key_as_string"]: b["doc_count"] for b in result["aggregations"]["years"]["buckets"]}
    assert years == {"2019": 3, "2020": 2}
