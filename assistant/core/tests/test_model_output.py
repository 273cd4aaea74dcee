"""ModelOutput: a ModelSerializer whose fields are built from the model once per class, with
the same fields and output as DRF's own, each serializer getting fields of its own."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from assistant.chat.api.views import ExchangeOutput, MessageOutput
from assistant.chat.models import Message
from assistant.chat.services import chat_message_handle
from assistant.planner.api.views import LastDeliveryOutput, ReminderDeliveryOutput, ReminderOutput, TodoOutput
from assistant.planner.models import Todo
from assistant.users.serializers import UserOutput

pytestmark = pytest.mark.django_db

OUTPUTS = [TodoOutput, ReminderOutput, ReminderDeliveryOutput, LastDeliveryOutput, MessageOutput, UserOutput]


def fresh(output: type[serializers.ModelSerializer]) -> serializers.ModelSerializer:
    """A serializer of a new subclass of output, whose fields are built by DRF for it."""
    return type(f"Fresh{output.__name__}", (output,), {})()


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda output: output.__name__)
def test_the_kept_fields_are_those_drf_builds(output):
    output().fields  # built and kept, if not already  # noqa: B018
    assert repr(output().fields) == repr(fresh(output).fields)


class DrfTodoOutput(serializers.ModelSerializer[Todo]):
    Meta = TodoOutput.Meta


class DrfMessageOutput(serializers.ModelSerializer[Message]):
    channel = serializers.CharField(source="conversation.channel")
    in_reply_to = serializers.PrimaryKeyRelatedField[Message](read_only=True, allow_null=True)
    Meta = MessageOutput.Meta


def test_the_output_is_what_drf_gives(user):
    todo = Todo.objects.create(user=user, title="call the dentist", notes="before noon")
    reply = chat_message_handle(user=user, text="what is next?", channel="api")

    for _ in range(2):  # built, then kept
        assert TodoOutput(todo).data == DrfTodoOutput(todo).data
        assert MessageOutput(reply).data == DrfMessageOutput(reply).data
        assert ExchangeOutput({"message": reply.in_reply_to, "reply": reply}).data == {
            "message": DrfMessageOutput(reply.in_reply_to).data,
            "reply": DrfMessageOutput(reply).data,
        }


def test_the_model_is_introspected_once_per_class(user, monkeypatch):
    class Output(TodoOutput):
        pass

    builds: list[type] = []
    drf_get_fields = serializers.ModelSerializer.get_fields

    def counted(self):
        builds.append(type(self))
        return drf_get_fields(self)

    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", counted)
    todos = [Todo.objects.create(user=user, title=f"todo {n}") for n in range(3)]

    for _ in range(5):
        assert [row["title"] for row in Output(todos, many=True).data] == ["todo 0", "todo 1", "todo 2"]

    assert builds == [Output]


def test_each_serializer_has_fields_of_its_own_bound_to_it():
    first, second = TodoOutput(), TodoOutput()
    del first.fields["title"]

    assert "title" in second.fields
    assert second.fields["notes"].parent is second
    assert second.fields["notes"] is not TodoOutput().fields["notes"]


def bindings(serializer: serializers.Serializer) -> dict[str, tuple]:
    """Each field's binding, nested serializers' fields included."""
    found = {}
    for name, field in serializer.fields.items():
        found[name] = (field.field_name, field.parent, field.label, field.source, field.source_attrs)
        if isinstance(field, serializers.Serializer):
            found.update({f"{name}.{key}": value for key, value in bindings(field).items()})
    return found


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda output: output.__name__)
def test_two_serializers_bind_copies_of_their_own_and_the_kept_fields_stay_unbound(output):
    first, second = output(), output()
    first_bindings, second_bindings = bindings(first), bindings(second)

    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert first_bindings[name] == (name, first, *second_bindings[name][2:])
        assert second_bindings[name][:2] == (name, second)
    for kept in output._built_fields.values():
        assert (kept.field_name, kept.parent) == (None, None)
        assert not hasattr(kept, "source_attrs")


def test_a_nested_serializer_is_copied_whole_and_its_fields_bound_to_that_copy():
    first, second = LastDeliveryOutput(), LastDeliveryOutput()
    fallback = first.fields["fallback"]

    assert fallback is not second.fields["fallback"]
    assert fallback.parent is first
    assert {field.parent for field in fallback.fields.values()} == {fallback}
    child = LastDeliveryOutput(many=True).child
    assert child.fields["fallback"].parent is child
    assert child.fields["fallback"].fields["id"].parent is child.fields["fallback"]


def test_a_field_holding_a_field_is_copied_whole_its_child_bound_to_that_copy():
    class Output(TodoOutput):
        words = serializers.ListField(child=serializers.CharField(), read_only=True)
        scores = serializers.DictField(child=serializers.IntegerField(), read_only=True)

        class Meta(TodoOutput.Meta):
            fields = [*TodoOutput.Meta.fields, "words", "scores"]

    first, second = Output(), Output()

    for name in ("words", "scores"):
        assert first.fields[name].child.parent is first.fields[name]
        assert second.fields[name].child.parent is second.fields[name]
        assert first.fields[name].child is not second.fields[name].child


def test_serializers_used_interleaved_give_each_its_own_rows(user):
    todos = [Todo.objects.create(user=user, title=f"todo {n}", notes=f"note {n}") for n in range(4)]
    expected = [DrfTodoOutput(todo).data for todo in todos]

    serializers_ = [TodoOutput(todo) for todo in todos]
    listed = TodoOutput(todos, many=True)
    for serializer in serializers_:
        serializer.fields  # all bound before any renders  # noqa: B018

    assert [serializer.data for serializer in reversed(serializers_)] == expected[::-1]
    assert listed.data == expected
    assert [serializer.data for serializer in serializers_] == expected


def test_serializers_used_from_threads_at_once_give_what_drf_gives(user):
    todos = [Todo.objects.create(user=user, title=f"todo {n}", priority=Todo.Priority.HIGH) for n in range(8)]
    expected = {todo.pk: DrfTodoOutput(todo).data for todo in todos}

    def render(todo: Todo) -> bool:
        return all(TodoOutput(todo).data == expected[todo.pk] for _ in range(50))

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(render, todos * 4))


def test_a_subclass_builds_its_own_fields():
    assert "fallback" in LastDeliveryOutput().fields
    assert "fallback" not in ReminderDeliveryOutput().fields
    assert "last_delivery" in ReminderOutput().fields


def test_the_schema_describes_the_outputs_as_before():
    """drf-spectacular describes a serializer with the first docstring of its classes: the
    base class has none to lend."""
    schema = SchemaGenerator().get_schema(request=None, public=True)

    components = schema["components"]["schemas"]
    assert [
        name for name in ("TodoOutput", "MessageOutput", "UserOutput") if "description" in components[name]
    ] == []
