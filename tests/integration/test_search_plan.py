"""Which index partitions a search reads (the DynamoDB search index's own scheme)."""
from chalicelib.adapters.search_index import next_month, plan_of
from chalicelib.domain.search import SearchQuery, parse_search


def test_plans_read_the_narrowest_index():
    assert plan_of(parse_search({"q": "a", "location": "0,0"})).every
    assert plan_of(parse_search({"category": "music"})).keys == ("CAT#music",)
    assert plan_of(SearchQuery(limit=20)).keys == ("ALL",)


def test_months_roll_over_at_the_year_end():
    assert next_month("2026-12") == "2027-01" and next_month("2027-01") == "2027-02"
