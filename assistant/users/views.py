"""The HTML page a password-reset email links to."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect

from assistant.core.net import client_ip
from assistant.users import services


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page, but the password is set by the same service as the API's."""

    def form_valid(self, form) -> HttpResponse:
        services.password_reset_complete(
            user=form.user, new_password=form.cleaned_data["new_password1"], ip=client_ip(self.request)
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())
