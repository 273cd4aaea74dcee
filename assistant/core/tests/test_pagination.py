"""Lists count their rows only when the first page is full: a shorter one is all there is."""

import pytest

from assistant.planner.models import Todo

pytestmark = pytest.mark.django_db

TODOS = "/api/v1/todos"


def todos(user, count: int) -> list[int]:
    return [Todo.objects.create(user=user, title=f"todo {n}", position=n).pk for n in range(count)]


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("rows", [0, 1, 2, 3])
def test_a_first_page_that_is_not_over_full_is_answered_without_a_count(
    auth_client, user, rows, django_assert_num_queries
):
    made = todos(user, rows)

    with django_assert_num_queries(2) as queries:  # the token and the page
        response = auth_client.get(TODOS, {"page_size": 3})

    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (rows, None, None)
    assert ids(response) == made


def test_a_full_first_page_with_more_behind_it_counts_them_and_links_the_next(
    auth_client, user, django_assert_num_queries
):
    made = todos(user, 5)

    with django_assert_num_queries(3):  # the token, the page and the count
        first = auth_client.get(TODOS, {"page_size": 2})

    body = first.json()
    assert (body["count"], body["previous"]) == (5, None)
    assert body["next"].endswith("/api/v1/todos?page=2&page_size=2")
    assert ids(first) == made[:2]
    last = auth_client.get(TODOS, {"page_size": 2, "page": "last"}).json()
    assert (last["count"], last["next"], [row["id"] for row in last["results"]]) == (5, None, made[4:])
    assert last["previous"].endswith("/api/v1/todos?page=2&page_size=2")


def test_pages_past_the_end_are_still_a_404(auth_client, user):
    todos(user, 2)

    assert auth_client.get(TODOS, {"page": 2}).status_code == 404
    assert auth_client.get(TODOS, {"page": "first"}).status_code == 404
