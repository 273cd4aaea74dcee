"""The HTML pages a password-reset email links to, in the person's language (Django's own
catalogues translate these pages)."""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import SimpleTemplateResponse
from django.utils import translation
from django.views import View

from assistant.core.net import client_ip
from assistant.users import services
from assistant.users.models import User


class _InLanguage(View):
    """Render the page in page_language(), which a language cookie carries to the next page."""

    def page_language(self, request: HttpRequest, **kwargs: str) -> str:
        return translation.get_language_from_request(request)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = self.page_language(request, **kwargs)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
        response["Content-Language"] = language
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=request.is_secure(), httponly=True
        )
        return response


class PasswordResetConfirmView(_InLanguage, auth_views.PasswordResetConfirmView):
    """Django's page, in the person's language, but the password is set by the same service
    as the API's."""

    def page_language(self, request: HttpRequest, **kwargs: str) -> str:
        user = self.get_user(kwargs["uidb64"])
        return user.effective_language if user is not None else super().page_language(request)

    def form_valid(self, form: "SetPasswordForm[User]") -> HttpResponse:
        services.password_reset_complete(
            user=form.user, new_password=form.cleaned_data["new_password1"], ip=client_ip(self.request)
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(_InLanguage, auth_views.PasswordResetCompleteView):
    """ "Your password has been set", in the language of the page before it (its cookie)."""
