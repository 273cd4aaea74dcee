"""Erasing an account from the admin, on the person's written request.

Staff with `users.erase_user` open it from the user's change page; the reason they give (the
request's reference) is kept in the erasure's audit event, which outlives the account, so it
may not name the person. The erasure itself is the one the person can ask for through the API
(data_rights.account_erase), acting for them.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from assistant.core.net import client_ip
from assistant.users.access import request_user
from assistant.users.data_rights import account_erase
from assistant.users.models import User

ERASE_PERMISSION = "users.erase_user"


class AccountEraseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=500,
        help_text="The written request this answers (a ticket or letter reference, its date). "
        "It is kept after the erasure: no e-mail address, phone number or name.",
    )
    email = forms.EmailField(label="The account's e-mail address, to confirm")

    def __init__(self, *args: Any, account: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if email != self.account.email.lower():
            raise forms.ValidationError("This is not the account's e-mail address.")
        return email

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        lowered = reason.lower()
        personal = [self.account.email, self.account.phone_number or "", self.account.display_name]
        if any(value and value.lower() in lowered for value in personal):
            raise forms.ValidationError(
                "Refer to the request without the person's e-mail address, number or name: "
                "the reason outlives the account."
            )
        return reason


class AccountEraseAdminMixin(admin.ModelAdmin[User]):
    """Adds the erase page to the User admin, and a link to it on the change page for those
    allowed to use it."""

    def has_erase_permission(self, request: HttpRequest, account: User) -> bool:
        actor = request_user(request)
        if not actor.has_perm(ERASE_PERMISSION) or account.pk == actor.pk:
            return False
        # Support acts on people, not on the administrators above them.
        return actor.is_superuser or not account.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # A plain delete would leave the person's SMS texts and their audit trail's links to them
        # behind: an account goes only through the erasure.
        return False

    def get_urls(self) -> list[URLPattern]:
        erase = path(
            "<path:object_id>/erase/",
            self.admin_site.admin_view(self.erase_view),
            name="users_user_erase",
        )
        return [erase, *super().get_urls()]

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and self.has_erase_permission(request, obj):
            fieldsets.append(("Data rights", {"fields": ["erase_link"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        return (*super().get_readonly_fields(request, obj), "erase_link")

    @admin.display(description="Erase the account")
    def erase_link(self, account: User) -> str:
        url = reverse("admin:users_user_erase", args=[account.pk])
        return format_html('<a class="deletelink" href="{}">Erase on the person\'s written request</a>', url)

    def erase_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        account = self.get_object(request, unquote(object_id))
        if account is None:
            raise Http404("No such account.")
        if not self.has_erase_permission(request, account):
            raise PermissionDenied
        form = AccountEraseForm(request.POST or None, account=account)
        if request.method == "POST" and form.is_valid():
            summary = account_erase(
                user=account,
                actor=request_user(request),
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
            revocations = summary.get("integrations", {}).get("revocations", {})
            failed = sorted(name for name, outcome in revocations.items() if outcome == "revocation_failed")
            self.message_user(request, "The account and everything it held are erased.", messages.SUCCESS)
            if failed:
                self.message_user(
                    request,
                    f"Revoking our access at {', '.join(failed)} failed: the tokens are forgotten here; "
                    "the person may remove the app in their account there.",
                    messages.WARNING,
                )
            return HttpResponseRedirect(reverse("admin:users_user_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase an account",
            "opts": self.opts,
            "account": account,
            "form": form,
        }
        return TemplateResponse(request, "users/admin/account_erase.html", context)
