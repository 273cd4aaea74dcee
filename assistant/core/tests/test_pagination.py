"""Lists count their rows only when the first page is full: a shorter one is all there is. The
todo list requested with no parameters reads its first page through a compiled read
(Pagination.first_page), and answers as the queryset's page would."""

import pytest
from rest_framework.settings import api_settings

from assistant.planner.models import Todo
from assistant.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODOS = "/api/v1/todos"


def todos(user, count: int) -> list[int]:
    made = Todo.objects.bulk_create(Todo(user=user, title=f"todo {n}", position=n) for n in range(count))
    return [todo.pk for todo in made]


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


PAGE = api_settings.PAGE_SIZE


@pytest.mark.parametrize(
    ("rows", "statements"),
    [(0, 2), (3, 2), (PAGE, 2), (PAGE + 1, 3), (PAGE + 2, 3)],  # the token, the page (, the count)
)
def test_the_list_with_no_parameters_is_the_first_page_as_the_queryset_gives_it(
    auth_client, user, rows, statements, django_assert_num_queries
):
    made = todos(user, rows)
    Todo.objects.filter(pk__in=made[::3]).update(status=Todo.Status.DONE)  # sorted by status first

    with django_assert_num_queries(statements):
        response = auth_client.get(TODOS)

    assert response.status_code == 200
    assert response.json() == auth_client.get(TODOS, {"page": 1}).json()  # through the queryset
    body = response.json()
    assert (body["count"], body["previous"]) == (rows, None)
    assert body["next"] == (None if rows <= PAGE else "http://testserver/api/v1/todos?page=2")
    assert len(body["results"]) == min(rows, PAGE)


def test_the_first_page_is_only_the_users_own(auth_client, user):
    todos(UserFactory(), 2)
    mine = todos(user, 1)

    assert ids(auth_client.get(TODOS)) == mine
