from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("<str:provider>/callback", views.authorization_callback, name="callback"),
]
