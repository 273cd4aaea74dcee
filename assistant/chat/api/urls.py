from django.urls import path

from assistant.chat.api import views

urlpatterns = [
    path("messages", views.MessagesView.as_view(), name="chat-messages"),
]
