"""No N+1: a page of 1, 20 or 100 articles costs the same number of SQL statements."""

import pytest

from contract_tests.support import Api


@pytest.fixture
def hundred_articles(api: Api) -> tuple[Api, object]:
    author = api.register()
    reader = api.register()
    api.follow(reader, author.username)
    for number in range(100):
        article = api.create_article(author, title=f"Article {number}", tags=["a", f"t{number}"])
        if number % 3 == 0:
            api.favorite(reader, article["slug"])
    return api, reader


@pytest.mark.parametrize("path", ["/api/articles", "/api/articles/feed"])
def test_listing_1_20_or_100_articles_issues_the_same_statements(
    hundred_articles: tuple[Api, object], path: str
) -> None:
    api, reader = hundred_articles
    counts = {}
    for limit in (1, 20, 100):
        with api.count_statements() as counter:
            response = api.get(f"{path}?limit={limit}", user=reader)  # type: ignore[arg-type]
        assert response.status_code == 200
        assert len(response.json()["articles"]) == limit
        counts[limit] = counter.count
    print(f"\n{api.name} {path}: statements per request by page size: {counts}")
    assert counts[1] == counts[20] == counts[100], counts
    # the user the token names, then one statement for the page, its tags and the total
    assert counts[100] <= 2, counts


def test_anonymous_listing_needs_no_user_lookup(hundred_articles: tuple[Api, object]) -> None:
    api, _reader = hundred_articles
    with api.count_statements() as counter:
        response = api.get("/api/articles?limit=100")
    assert response.status_code == 200
    assert counter.count <= 1
