from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("<str:provider>/connect/<str:token>", views.consent_page, name="consent"),
    path("<str:provider>/callback", views.authorization_callback, name="callback"),
]
