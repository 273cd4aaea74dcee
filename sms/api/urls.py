from django.urls import path

from sms.api import views

urlpatterns = [
    path("phone/verify", views.PhoneVerifyView.as_view(), name="phone-verify"),
    path("phone/confirm", views.PhoneConfirmView.as_view(), name="phone-confirm"),
    path("sms/usage", views.UsageView.as_view(), name="sms-usage"),
]
