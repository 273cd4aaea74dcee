from django.urls import path

from sms import views

urlpatterns = [
    path("twilio/inbound", views.inbound, name="sms-twilio-inbound"),
    path("twilio/status", views.status_callback, name="sms-twilio-status"),
]
