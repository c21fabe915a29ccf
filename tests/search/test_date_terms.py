"""Date queries: on PostgreSQL a date is stored with its prefixes and a range is the few prefixes that tile it
(``date_range_terms``); on every database a date query finds what comparing the dates as strings finds."""

import random

import pytest
from django.db import connection

from rdm.search import search
from rdm.search.backends.database import date_prefixes, date_range_terms
from rdm.search.models import SearchDocument, SearchTerm
from rdm.search.query import QueryError

CALENDAR_DAYS = [f"{year:04d}-{month:02d}-{day:02d}" for year in range(1997, 2005) for month in range(1, 13)
                 for day in range(1, 32)]


def covered(terms: list[str], day: str) -> bool:
    return any(day.startswith(term) for term in terms)


def expected_days(bounds: dict[str, str]) -> set[str]:
    checks = {"gte": lambda day, bound: day >= bound, "gt": lambda day, bound: day > bound,
              "lte": lambda day, bound: day <= bound, "lt": lambda day, bound: day < bound}
    return {day for day in CALENDAR_DAYS if all(checks[op](day, bound) for op, bound in bounds.items())}


def random_bound(rng) -> str:
    if rng.random() < 0.1:  # out of the calendar: month 00 or 13, day 00 or 45
        month, day = rng.choice(["00", "05", "13"]), rng.choice(["00", "15", "45"])
        return f"{rng.randint(1996, 2005):04d}-{month}-{day}"
    return rng.choice(CALENDAR_DAYS[:1] + CALENDAR_DAYS + CALENDAR_DAYS[-1:])


def test_the_terms_of_a_range_tile_exactly_its_days():
    rng = random.Random(20261203)
    for _ in range(300):
        bounds = {}
        for side in ("low", "high"):
            if rng.random() < 0.8:
                operator = rng.choice(["gte", "gt"] if side == "low" else ["lte", "lt"])
                bounds[operator] = random_bound(rng)
        terms = date_range_terms(bounds)
        found = {day for day in CALENDAR_DAYS if covered(terms, day)}
        assert found == expected_days(bounds), bounds
        assert len(terms) == len(set(terms))


@pytest.mark.parametrize("bounds, terms", [
    ({"gte": "2015-01-01", "lte": "2018-12-31"}, ["2015", "2016", "2017", "2018"]),
    ({"gte": "2000-01-01", "lte": "2099-12-31"}, ["20"]),
    ({"gte": "2010-01-01", "lte": "2019-12-31"}, ["201"]),
    ({"gte": "2015-03-01", "lte": "2015-04-30"}, ["2015-03", "2015-04-01", "2015-04-02"] + [
        f"2015-04-{day:02d}" for day in range(3, 31)]),
    ({"gt": "2015-12-31", "lt": "2016-02-01"}, ["2016-01"]),
    ({"gte": "2016-01-01", "lte": "2015-12-31"}, []),
    ({"gt": "9999-12-31"}, []),
])
def test_a_range_takes_the_widest_prefixes(bounds, terms):
    assert date_range_terms(bounds) == terms


def test_an_open_range_needs_at_most_a_few_hundred_terms():
    assert len(date_range_terms({"gte": "2015-03-15"})) < 250
    assert len(date_range_terms({"lt": "1987-11-02"})) < 250
    assert date_range_terms({"gte": "2020-01-01"})[:2] == ["202", "203"]


def test_a_date_is_stored_with_its_prefixes_unless_it_is_no_calendar_date():
    assert date_prefixes("2015-11-27") == ["20", "201", "2015", "2015-11", "2015-11-27"]
    assert date_prefixes("2015-13-01") == [] and date_prefixes("2015-02-32") == [] and date_prefixes("") == []


# Through the search API, on the configured database.


@pytest.fixture
def dated(papers, db):
    for doc_id, date in {"old": "1995-06-15", "y2k": "2000-01-01", "mid": "2010-05-31", "edge": "2015-12-31",
                         "new": "2016-01-01", "later": "2023-07-04"}.items():
        papers.add(doc_id, title=f"Paper {doc_id}", date=date)
    papers.index_all()
    return papers


def found(q: str, **options) -> list[str]:
    return sorted(hit["id"] for hit in search("papers", q, principals=["public"], size=50, **options).hits)


@pytest.mark.parametrize("q, expected", [
    ("date:[2000 TO 2015]", ["edge", "mid", "y2k"]),
    ("date:{2000-01-01 TO 2016-01-01}", ["edge", "mid"]),
    ("date:[2015-12-31 TO 2016-01-01]", ["edge", "new"]),
    ("date:>2015", ["later", "new"]),
    ("date:<2000", ["old"]),
    ("date:[* TO 1999-12-31]", ["old"]),
    ("date:[2010-05 TO *]", ["edge", "later", "mid", "new"]),
    ("date:2010", ["mid"]),
    ("date:2010-05", ["mid"]),
    ("date:2015-12-31", ["edge"]),
    ("date:[2016 TO 2015]", []),
    ("date:*", ["edge", "later", "mid", "new", "old", "y2k"]),
    ("date:20*", ["edge", "later", "mid", "new", "y2k"]),
    ("date:201?-*", ["edge", "mid", "new"]),
    ("date:2??5", []),  # a pattern matches whole dates, never a stored prefix
    ("date:[2000 TO 2015] AND NOT date:2010", ["edge", "y2k"]),
    ("date:1995 OR date:[2023-07-04 TO *]", ["later", "old"]),
])
def test_date_queries_find_what_comparing_dates_finds(dated, q, expected):
    assert found(q) == expected


def test_a_date_range_sorted_newest_first_pages_through_its_matches(dated):
    first = search("papers", "date:[* TO 2016]", principals=["public"], sort="newest", size=2)
    second = search("papers", "date:[* TO 2016]", principals=["public"], sort="newest", size=2, page=2)

    assert first.total == second.total == 5
    assert len({hit["id"] for hit in first.hits + second.hits}) == 4


@pytest.mark.parametrize("q", ["date:[20?5 TO 2018]", "date:[2015 TO 20*]"])
def test_a_date_range_bound_with_a_wildcard_is_refused(dated, q):
    with pytest.raises(QueryError, match="date range bound must be a date"):
        search("papers", q, principals=["public"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="dates are in the row on PostgreSQL only")
def test_on_postgresql_dates_are_keyword_terms_and_no_term_rows_are_written(dated):
    keywords = SearchDocument.objects.get(index="papers", doc_id="mid").keywords

    prefixes = ["20", "201", "2010", "2010-05", "2010-05-31"]
    assert {f"publication_date:{prefix}" for prefix in prefixes} <= set(keywords)
    assert not SearchTerm.objects.exists()
