from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from bench.anchor.models import Item


# Unsubscripted: the generics need django_stubs_ext at run time, which a bare app has not.
class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "title", "position"]


class ItemListView(ListAPIView):
    """The signed-in user's items, unpaginated: one query after the token's."""

    serializer_class = ItemSerializer

    def get_queryset(self) -> QuerySet[Item]:
        return Item.objects.filter(owner=self.request.user)
