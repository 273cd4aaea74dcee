from django.urls import path

from bench.anchor.views import ItemListView

urlpatterns = [path("anchor/items", ItemListView.as_view())]
