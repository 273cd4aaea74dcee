"""An admin site that, when ADMIN_REQUIRE_MFA is on, lets staff in only with a TOTP code (or one
of their one-time backup codes)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest

from assistant.core.errors import ServiceError
from assistant.core.net import client_ip
from assistant.users import services

MFA_SESSION_KEY = "mfa_verified"


class AdminLoginForm(AdminAuthenticationForm):
    otp_code = forms.CharField(
        label="Authenticator or backup code",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self) -> dict[str, Any]:
        assert self.request is not None  # the admin's login view always passes it
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        try:
            result = services.user_authenticate(
                email=email,
                password=password,
                otp_code=self.cleaned_data.get("otp_code") or "",
                ip=client_ip(self.request),
                require_mfa=settings.ADMIN_REQUIRE_MFA,
            )
        except ServiceError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        self.user_cache = result.user
        self.confirm_login_allowed(result.user)
        # Read by the user_logged_in receiver, after login() has rotated the session.
        # HttpRequest declares no such attribute: it is ours, set here and read there.
        self.request.mfa_verified = result.mfa_verified  # type: ignore[attr-defined]
        return self.cleaned_data


class AssistantAdminSite(admin.AdminSite):
    site_header = "TDAH Assistant administration"
    site_title = "TDAH Assistant admin"
    login_form = AdminLoginForm
    login_template = "admin/mfa_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not settings.ADMIN_REQUIRE_MFA or bool(request.session.get(MFA_SESSION_KEY))
