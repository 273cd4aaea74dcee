"""The app's URLs plus a bare DRF endpoint to measure against, on the same server."""

from django.urls import path
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from assistant.planner.models import Todo
from config.urls import urlpatterns as app_urlpatterns


class ReferenceTodoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Todo
        fields = ["id", "title", "status"]


class ReferenceListView(ListAPIView):
    """Token-authenticated, paginated, one query: what any DRF list endpoint costs at least."""

    serializer_class = ReferenceTodoSerializer

    def get_queryset(self):
        return Todo.objects.filter(user=self.request.user)


urlpatterns = [
    path("bench/reference", ReferenceListView.as_view(), name="bench-reference"),
    *app_urlpatterns,
]
