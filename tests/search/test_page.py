"""The /search page: query box, facets with counts, filters, sort, paging, empty and error messages."""

import html
import re
from urllib.parse import parse_qs

import pytest

pytestmark = pytest.mark.django_db

FACET = re.compile(
    r'<a class="facet-value" href="([^"]*)" role="checkbox" aria-checked="(true|false)">\s*'
    r'<span class="facet-box"[^>]*>[^<]*</span>\s*<span class="facet-label">([^<]*)</span>\s*'
    r'<span class="facet-count">(\d+)</span>'
)


def license_title():
    from vocabularies.services import resolve_title

    return resolve_title("licenses", "cc-by-4.0")


def page(client, **params):
    response = client.get("/search", params)
    return response, response.content.decode()


def facets(text) -> dict[str, tuple[int, bool, str]]:
    """label -> (count, checked, link)"""
    return {
        html.unescape(label): (int(count), checked == "true", html.unescape(href))
        for href, checked, label, count in FACET.findall(text)
    }


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def corpus(publish, other):
    return {
        "ocean": publish(title="Ocean temperatures", publication_date="2020-06-01", languages=[{"id": "eng"}],
                         rights=[{"id": "cc-by-4.0"}]),
        "glacier": publish(title="Glacier ocean melt", resource_type={"id": "software"},
                           publication_date="2019-01-01"),
        "secret": publish(title="Secret ocean cores", access="restricted",
                          resource_type={"id": "image-photo"}),
        "others": publish(other, title="Other ocean notes", access="restricted",
                          resource_type={"id": "publication-article"}),
    }


def test_query_box_is_prefilled_and_results_are_summarised(client, corpus):
    response, text = page(client, q="temperatures")

    assert response.status_code == 200
    assert 'name="q" value="temperatures"' in text
    assert "Ocean temperatures" in text and "Glacier ocean melt" not in text
    assert f'href="/records/{corpus["ocean"].pid}"' in text
    assert "Curie, Marie" in text
    assert "1–1 of 1 record" in text


def test_facets_are_checkbox_links_with_counts(client, corpus):
    _, text = page(client, q="ocean")

    shown = facets(text)
    license = license_title()
    assert shown["Dataset"][:2] == (1, False)
    assert shown["Software"][:2] == (1, False)
    assert shown["2019"][:2] == (1, False) and shown["2020"][:2] == (1, False)
    assert shown["English"][0] == 1
    assert license and shown[license][0] == 1
    assert "resource_type=software" in shown["Software"][2] and "q=ocean" in shown["Software"][2]
    assert '<details class="facets-panel" open>' in text


def test_selecting_a_facet_filters_and_shows_a_removable_chip(client, corpus):
    _, text = page(client, q="ocean", resource_type="software")

    assert "Glacier ocean melt" in text and "Ocean temperatures" not in text
    software = facets(text)["Software"]
    assert software[1] is True
    assert "resource_type" not in software[2]  # unticking removes the filter
    chip = re.search(r'<a class="filter-chip" href="([^"]*)"[^>]*>Resource types: Software', text)
    assert chip is not None
    assert html.unescape(chip.group(1)) == "?q=ocean"


def test_repeated_facet_values_are_ored(client, corpus):
    response = client.get("/search?resource_type=software&resource_type=dataset")
    text = response.content.decode()

    assert "Glacier ocean melt" in text and "Ocean temperatures" in text
    assert "1–2 of 2 records" in text


def test_sort_select_offers_the_page_sorts_and_keeps_the_choice(client, corpus):
    _, text = page(client, sort="title")

    for label in ("Best match", "Newest", "Oldest", "Title", "Most recently updated"):
        assert f">{label}</option>" in text
    assert '<option value="title" selected>' in text
    titles = re.findall(r'<h3><a href="/records/[^"]+">([^<]+)</a></h3>', text)
    assert titles == ["Glacier ocean melt", "Ocean temperatures"]


def test_pagination_links(client, corpus):
    _, text = page(client, sort="title", size=1)

    assert "1–1 of 2 records" in text
    assert 'rel="next"' in text and 'rel="prev"' not in text
    assert 'href="?page=2&amp;size=1&amp;sort=title"' in text

    _, second = page(client, sort="title", size=1, page=2)
    assert "Ocean temperatures" in second and 'rel="prev"' in second and 'rel="next"' not in second


def test_empty_result_shows_the_parsed_query(client, corpus):
    response, text = page(client, q="title:zebra")

    assert response.status_code == 200
    assert "No records match" in text
    assert re.search(r'<code class="parsed-query">[^<]*zebra[^<]*</code>', text)


SUGGESTION = re.compile(
    r'<p class="search-suggestion">[^<]*<a href="([^"]*)"><code>([^<]*)</code></a> finds (\d+) records?'
)


def test_a_query_that_finds_nothing_links_to_its_fuzzy_version(client, corpus):
    _, text = page(client, q="temperaturs", resource_type="dataset", page="1")

    assert "No records match" in text
    href, query, total = SUGGESTION.search(text).groups()
    assert (query, total) == ("temperaturs~2", "1")
    params = parse_qs(html.unescape(href).removeprefix("?"))
    assert params == {"q": ["temperaturs~2"], "resource_type": ["dataset"]}
    _, followed = page(client, **{name: values[0] for name, values in params.items()})
    assert f'/records/{corpus["ocean"].pid}"' in followed


@pytest.mark.parametrize("q", ["temperatures", "qqqqqqq", "title:zebra"])
def test_no_suggestion_when_the_query_finds_records_or_its_fuzzy_version_does_not(client, corpus, q):
    _, text = page(client, q=q)

    assert "search-suggestion" not in text


@pytest.mark.parametrize(("who", "suggested"), [(None, False), ("owner", True), ("other", False),
                                                 ("staff", True)])
def test_a_suggestion_never_hints_at_a_record_the_visitor_may_not_read(client, request, corpus, who,
                                                                       suggested):
    login(client, request.getfixturevalue(who) if who else None)

    _, text = page(client, q="cors")  # "cores" is a word of the owner's restricted record alone

    assert bool(SUGGESTION.search(text)) is suggested


def test_a_bad_query_is_a_friendly_400(client, corpus):
    response, text = page(client, q="colour:blue")

    assert response.status_code == 400
    assert "Your search could not be run." in text
    assert "colour" in text
    assert 'name="q" value="colour:blue"' in text


@pytest.mark.parametrize("params", [{"q": "ocean AND"}, {"size": "1000"}, {"page": "x"}, {"sort": "random"}])
def test_bad_parameters_are_a_400_page_not_a_500(client, corpus, params):
    response, text = page(client, **params)

    assert response.status_code == 400
    assert "Your search could not be run." in text


def test_nothing_published_yet(client, db):
    response, text = page(client)

    assert response.status_code == 200
    assert "Nothing has been published yet." in text


@pytest.mark.parametrize(("who", "visible"), [
    (None, ["ocean", "glacier"]),
    ("owner", ["ocean", "glacier", "secret"]),
    ("other", ["ocean", "glacier", "others"]),
    ("staff", ["ocean", "glacier", "secret", "others"]),
])
def test_restricted_records_never_appear_nor_count(client, request, corpus, who, visible):
    login(client, request.getfixturevalue(who) if who else None)

    _, text = page(client, q="ocean")

    for name, record in corpus.items():
        assert (f'/records/{record.pid}"' in text) is (name in visible)
    count = len(visible)
    assert f"1–{count} of {count} records" in text
    shown = facets(text)
    assert ("Photo" in shown) is ("secret" in visible)
    restricted = len([name for name in visible if name in ("secret", "others")])
    assert shown.get("Restricted", (0,))[0] == restricted
    assert shown["Metadata only"][0] == 2
    assert sum(c for label, (c, _, link) in shown.items() if "resource_type=" in link) == count
