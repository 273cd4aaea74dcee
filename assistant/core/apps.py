from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "assistant.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from assistant.core import checks, schema  # noqa: F401 - register the checks and the OpenAPI extension
