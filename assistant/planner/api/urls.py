from django.urls import path
from rest_framework.routers import SimpleRouter

from assistant.planner.api import views

router = SimpleRouter(trailing_slash=False)
router.register("todos", views.TodoViewSet, basename="todo")
router.register("reminders", views.ReminderViewSet, basename="reminder")

urlpatterns = [
    *router.urls,
    path("agenda", views.AgendaView.as_view(), name="agenda"),
]
