"""CheckedInput: a Serializer whose every use gets copies of its declared fields' attributes
instead of DRF's rebuild; it checks input as DRF's Serializer does, each use bound on its own."""

import datetime

import pytest
from rest_framework import serializers

from assistant.chat.api.views import MessageFilter, MessageInput
from assistant.core.api import CheckedInput
from assistant.planner.api.views import TodoFilter
from assistant.planner.models import Todo


class DrfTodoFilter(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Todo.Status.choices, required=False)
    due_before = serializers.DateField(required=False)
    due_after = serializers.DateField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"status": "done", "due_before": "2026-12-31"},
        {"due_after": "2026-01-01", "due_before": "2026-12-31"},
        {"status": "lost"},
        {"due_before": "tomorrow", "status": ""},
        {"due_after": ["2026-01-01", "2026-01-02"]},
    ],
)
def test_it_checks_as_drf_does(data):
    ours, drfs = TodoFilter(data=data), DrfTodoFilter(data=data)

    assert ours.is_valid() == drfs.is_valid()
    assert ours.errors == drfs.errors
    assert ours.validated_data == drfs.validated_data


@pytest.mark.parametrize("input_", [TodoFilter, MessageFilter, MessageInput], ids=lambda c: c.__name__)
def test_each_use_binds_copies_of_its_own_and_the_declared_fields_stay_unbound(input_):
    first, second = input_(data={}), input_(data={})

    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert (field.field_name, field.parent) == (name, first)
        assert (second.fields[name].field_name, second.fields[name].parent) == (name, second)
    for declared in input_._declared_fields.values():
        assert (declared.field_name, declared.parent) == (None, None)


def test_uses_interleaved_keep_their_own_data_and_errors():
    good, bad = TodoFilter(data={"due_before": "2026-12-31"}), TodoFilter(data={"due_before": "soon"})
    good.fields, bad.fields  # both bound before either checks  # noqa: B018

    assert bad.is_valid() is False
    assert good.is_valid() is True
    assert good.validated_data == {"due_before": datetime.date(2026, 12, 31)}
    assert list(bad.errors) == ["due_before"]


def test_a_nested_serializer_is_copied_whole():
    class Outer(CheckedInput[None]):
        inner = TodoFilter()
        dates = serializers.ListField(child=serializers.DateField())

    first, second = Outer(), Outer()

    assert first.fields["inner"].fields["status"].parent is first.fields["inner"]
    assert first.fields["inner"] is not second.fields["inner"]
    assert first.fields["dates"].child.parent is first.fields["dates"]
    assert first.fields["dates"].child is not second.fields["dates"].child
