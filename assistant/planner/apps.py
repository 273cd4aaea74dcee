from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "assistant.planner"
    label = "planner"
    verbose_name = "Todos and reminders"
