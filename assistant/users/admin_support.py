"""Support actions on the user admin: bulk actions on the list and buttons on a person's page,
each behind its own permission and calling assistant/users/support.py (which checks, audits and
tells the person). Kept apart from the rest of UserAdmin, which other parts also extend."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from assistant.core.errors import ServiceError
from assistant.core.net import client_ip
from assistant.users import support
from assistant.users.access import request_user
from assistant.users.admin_site import MFA_SESSION_KEY
from assistant.users.models import User
from assistant.users.support import SupportAction

Run = Callable[[HttpRequest, User, User], object]


@dataclass(frozen=True)
class _Spec:
    action: SupportAction
    label: str
    done: str  # the message once done, about "%(user)s"
    run: Run
    # Destructive (the person loses something): the bulk action asks for confirmation first.
    confirm: bool
    # Offered on the person's page only when it applies (deactivate an active account...).
    applies: Callable[[User], bool] = lambda user: True


def _unlock(request: HttpRequest, actor: User, user: User) -> None:
    support.support_account_unlock(actor=actor, user=user, ip=client_ip(request))


def _sign_out(request: HttpRequest, actor: User, user: User) -> int:
    return support.support_sign_out_everywhere(actor=actor, user=user, ip=client_ip(request))


def _mfa_reset(request: HttpRequest, actor: User, user: User) -> None:
    # Set at the admin login from the second factor the staff member gave (admin_site.py).
    verified = bool(request.session.get(MFA_SESSION_KEY))
    support.support_mfa_reset(actor=actor, user=user, actor_mfa_verified=verified, ip=client_ip(request))


def _deactivate(request: HttpRequest, actor: User, user: User) -> None:
    support.support_deactivate(actor=actor, user=user, ip=client_ip(request))


def _reactivate(request: HttpRequest, actor: User, user: User) -> None:
    support.support_reactivate(actor=actor, user=user, ip=client_ip(request))


def _phone_code_resend(request: HttpRequest, actor: User, user: User) -> None:
    support.support_phone_code_resend(actor=actor, user=user, ip=client_ip(request))


# Each "done" message starts with a word, not the e-mail: the admin capitalises a message's
# first letter.
SPECS = {
    spec.action: spec
    for spec in (
        _Spec(
            SupportAction.UNLOCK,
            "Unlock sign-in",
            "Unlocked: %(user)s can sign in again.",
            _unlock,
            confirm=False,
        ),
        _Spec(
            SupportAction.SIGN_OUT,
            "Sign out everywhere",
            "Signed out: every session of %(user)s has ended.",
            _sign_out,
            confirm=True,
        ),
        _Spec(
            SupportAction.MFA_RESET,
            "Reset two-factor (lost device)",
            "Two-factor reset for %(user)s: they enrol again at their next sign-in.",
            _mfa_reset,
            confirm=True,
        ),
        _Spec(
            SupportAction.DEACTIVATE,
            "Deactivate account",
            "Deactivated: %(user)s gets no reminders or texts and cannot sign in.",
            _deactivate,
            confirm=True,
            applies=lambda user: user.is_active,
        ),
        _Spec(
            SupportAction.REACTIVATE,
            "Reactivate account",
            "Reactivated: %(user)s can sign in and gets reminders again.",
            _reactivate,
            confirm=False,
            applies=lambda user: not user.is_active,
        ),
        _Spec(
            SupportAction.PHONE_CODE_RESEND,
            "Resend phone verification code",
            "A new code was texted to %(user)s.",
            _phone_code_resend,
            confirm=False,
            applies=lambda user: bool(user.phone_number) and not user.phone_verified,
        ),
    )
}


def _bulk_action(spec: _Spec) -> Callable[..., HttpResponse | None]:
    def act(
        modeladmin: "SupportAdmin", request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        return modeladmin.support_bulk(request, queryset, spec)

    act.__name__ = spec.action.codename
    return admin.action(description=spec.label, permissions=[spec.action.codename])(act)


class SupportAdmin(admin.ModelAdmin[User]):
    """Mixed into UserAdmin: the support actions, as bulk actions and as buttons."""

    actions = [_bulk_action(spec) for spec in SPECS.values()]

    def _support_permitted(self, request: HttpRequest, action: SupportAction) -> bool:
        return request_user(request).has_perm(action.permission)

    # Django asks has_<permission>_permission for each action's `permissions`.
    def has_support_unlock_permission(self, request: HttpRequest) -> bool:
        return self._support_permitted(request, SupportAction.UNLOCK)

    def has_support_sign_out_permission(self, request: HttpRequest) -> bool:
        return self._support_permitted(request, SupportAction.SIGN_OUT)

    def has_support_mfa_reset_permission(self, request: HttpRequest) -> bool:
        return self._support_permitted(request, SupportAction.MFA_RESET)

    def has_support_deactivate_permission(self, request: HttpRequest) -> bool:
        return self._support_permitted(request, SupportAction.DEACTIVATE)

    def has_support_reactivate_permission(self, request: HttpRequest) -> bool:
        return self._support_permitted(request, SupportAction.REACTIVATE)

    def has_support_phone_code_resend_permission(self, request: HttpRequest) -> bool:
        return self._support_permitted(request, SupportAction.PHONE_CODE_RESEND)

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_support"
        view = self.admin_site.admin_view(self.support_view)
        # Before the change page's catch-all "<path:object_id>/".
        return [path("<path:object_id>/support/<str:action>/", view, name=name), *super().get_urls()]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: User | None = None,
    ) -> HttpResponse:
        # The buttons: what applies to this person and the staff member may do to them.
        actor = request_user(request)
        context["support_actions"] = [
            (spec.action.value, spec.label)
            for spec in SPECS.values()
            if obj is not None
            and spec.applies(obj)
            and not support.support_refusal(actor=actor, user=obj, action=spec.action)
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _support_run(self, request: HttpRequest, spec: _Spec, user: User) -> ServiceError | None:
        """Take the action; returns why it was refused, if it was."""
        try:
            spec.run(request, request_user(request), user)
        except ServiceError as error:
            return error
        return None

    def _confirm_page(
        self, request: HttpRequest, spec: _Spec, users: list[User], *, bulk: bool
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{spec.label}: are you sure?",
            "spec_label": spec.label,
            "action_name": spec.action.codename,
            "users": users,
            "bulk": bulk,
        }
        return TemplateResponse(request, "admin/users/user/support_confirm.html", context)

    def support_bulk(
        self, request: HttpRequest, queryset: QuerySet[User], spec: _Spec
    ) -> HttpResponse | None:
        """The bulk action: confirm first when destructive, then act on each, saying which were
        refused and why (the others are done)."""
        users = list(queryset)
        if spec.confirm and request.POST.get("post") != "yes":
            return self._confirm_page(request, spec, users, bulk=True)
        refusals = [(user, error) for user in users if (error := self._support_run(request, spec, user))]
        done = len(users) - len(refusals)
        if done:
            self.message_user(request, f"{spec.label}: done for {done} account(s).", messages.SUCCESS)
        for user, error in refusals:
            self.message_user(request, f"{user}: {error.message}", messages.ERROR)
        return None

    def support_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponseBase:
        """A button on the person's page: GET asks for confirmation, POST acts."""
        try:
            spec = SPECS[SupportAction(action)]
        except ValueError:
            raise Http404 from None
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        if not self._support_permitted(request, spec.action):
            raise PermissionDenied
        if request.method != "POST":
            # No confirmation page for what the POST would refuse (a superuser's account, one's
            # own); the POST itself refuses and records the attempt.
            if refusal := support.support_refusal(actor=request_user(request), user=user, action=spec.action):
                raise PermissionDenied(refusal)
            return self._confirm_page(request, spec, [user], bulk=False)
        if error := self._support_run(request, spec, user):
            if error.code == "permission_denied":  # not theirs to do (a security event says so)
                raise PermissionDenied(error.message)
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, spec.done % {"user": user}, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[user.pk])
        )
