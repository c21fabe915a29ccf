"""The vocabularies API names the parameter a refused query came from: ``suggest`` is turned into a query,
so its problems (too long, too many words) must not be reported as problems of ``q``."""

import pytest

pytestmark = pytest.mark.django_db


def error(response):
    assert response.status_code == 400, response.content
    (found,) = response.json()["errors"]
    return found["field"], found["messages"][0]


@pytest.mark.parametrize("suggest", ["ger " * 300, " ".join(f"w{number}" for number in range(80))])
def test_an_oversized_suggestion_is_a_400_naming_suggest(client, suggest):
    field, message = error(client.get("/api/vocabularies/languages", {"suggest": suggest}))

    assert field == "suggest"
    assert "too" in message


def test_a_bad_q_is_still_a_400_naming_q(client):
    assert error(client.get("/api/vocabularies/languages", {"q": "colour:blue", "suggest": "ger"}))[0] == "q"


def test_a_normal_suggestion_still_works(client):
    response = client.get("/api/vocabularies/languages", {"suggest": "germ"})

    assert response.status_code == 200
    assert "deu" in [hit["id"] for hit in response.json()["hits"]["hits"]]
