from django.urls import path

from integrations.api import views

urlpatterns = [
    path("integrations", views.IntegrationListView.as_view(), name="integration-list"),
    # Notion's database choice first: "notion/databases" is not a provider action.
    path("integrations/notion/databases", views.NotionDatabasesView.as_view(), name="notion-databases"),
    path("integrations/notion/database", views.NotionDatabaseView.as_view(), name="notion-database"),
    path("integrations/<str:provider>", views.IntegrationView.as_view(), name="integration-detail"),
    path("integrations/<str:provider>/connect", views.ConnectView.as_view(), name="integration-connect"),
    path("integrations/<str:provider>/sync", views.SyncView.as_view(), name="integration-sync"),
]
