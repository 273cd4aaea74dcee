"""Auth API: each view validates input, calls one service, and shapes the output."""

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assistant.core.api import error_responses, validated
from assistant.core.net import client_ip
from assistant.core.throttling import AnonThrottle, ScopedThrottle
from assistant.core.unset import UNSET
from assistant.users import data_rights, selectors, services
from assistant.users.access import request_token, request_user
from assistant.users.api import serializers as s
from assistant.users.models import AuditEvent, AuthToken
from assistant.users.profile import profile_extension_fields
from assistant.users.serializers import UserOutput

TAG = ["auth"]


class PublicAuthView(APIView):
    """Unauthenticated endpoints that guess at credentials share a tight throttle."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, ScopedThrottle]
    throttle_scope = "auth"


def _user_payload(request: Request) -> dict[str, Any]:
    return UserOutput(request_user(request)).data


# Said to every sign-up: whether the address already had an account shows only in its inbox.
REGISTER_ACCEPTED = "Check your inbox: we sent this address an e-mail saying what happens next."


class RegisterView(PublicAuthView):
    @extend_schema(
        tags=TAG,
        summary="Create an account",
        description="Always 202 with the same body, whether or not the address already has an account "
        "(so nobody can learn who has one): a new address gets its account and a welcome e-mail, one "
        "that has an account gets an e-mail telling its owner, and nothing changes. Then sign in with "
        "`POST auth/login`. A phone number is saved unverified even if another account claims it; it "
        "is yours once you confirm the code texted to it.",
        request=s.RegisterInput,
        responses={202: s.DetailOutput, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.RegisterInput, request.data)
        services.user_register(
            email=data["email"],
            password=data["password"],
            display_name=data["display_name"],
            phone_number=data["phone_number"],
            timezone_name=data["timezone"],
            preferred_channel=data["preferred_channel"],
            language=data["language"],
            accept_language=request.headers.get("Accept-Language", ""),
            ip=client_ip(request),
        )
        return Response({"detail": REGISTER_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


class LoginView(PublicAuthView):
    @extend_schema(
        tags=TAG,
        summary="Sign in and get a bearer token",
        description="With two-factor authentication on, `otp_code` is required "
        "(a 401 with code `mfa_required` asks for it). Repeated failures lock the account: "
        "429 `account_locked` with `retry_after_seconds`.",
        request=s.LoginInput,
        responses={200: s.TokenOutput, **error_responses(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.LoginInput, request.data)
        instance, token = services.user_login(
            email=data["email"], password=data["password"], otp_code=data["otp_code"], ip=client_ip(request)
        )
        return Response(
            s.TokenOutput({"token": token, "expiry": instance.expiry, "user": instance.user}).data
        )


class LogoutView(APIView):
    open_before_mfa_enrolment = ("POST",)

    @extend_schema(
        tags=TAG,
        summary="Revoke the token used for this request",
        request=None,
        responses={204: None, **error_responses(401)},
    )
    def post(self, request: Request) -> Response:
        services.user_logout(user=request_user(request), token=request_token(request), ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    open_before_mfa_enrolment = ("GET",)

    @extend_schema(tags=TAG, summary="Your profile", responses={200: UserOutput, **error_responses(401)})
    def get(self, request: Request) -> Response:
        return Response(_user_payload(request))

    @extend_schema(
        tags=TAG,
        summary="Update your profile",
        description="Changing `phone_number` marks it unverified again (whoever else claims the "
        "number: it becomes yours once you confirm the code texted to it). `language` (en, fr, es, pt) "
        "is the language of everything we send you.",
        request=s.MeUpdateInput,
        responses={200: UserOutput, **error_responses(400, 401)},
    )
    def patch(self, request: Request) -> Response:
        changes = validated(s.MeUpdateInput, request.data, partial=True)
        services.user_update(
            user=request_user(request),
            ip=client_ip(request),
            display_name=changes.get("display_name", UNSET),
            phone_number=changes.get("phone_number", UNSET),
            timezone_name=changes.get("timezone", UNSET),
            preferred_channel=changes.get("preferred_channel", UNSET),
            language=changes.get("language", UNSET),
            extension_changes={name: changes[name] for name in profile_extension_fields() if name in changes},
        )
        return Response(_user_payload(request))

    @extend_schema(
        tags=TAG,
        summary="Erase your account and everything we hold about you",
        description="Needs your password, and a current or backup code when two-factor is on. Todos, "
        "reminders, chat, SMS texts, integrations (their grants revoked at the provider) and sessions "
        "are erased; audit and security records stay without anything that names you. Wrong "
        "passwords and codes count towards the sign-in lockout (429 `account_locked` once locked).",
        request=s.AccountEraseInput,
        responses={204: None, **error_responses(400, 401, 429)},
    )
    def delete(self, request: Request) -> Response:
        data = validated(s.AccountEraseInput, request.data)
        data_rights.user_erase(
            user=request_user(request), password=data["password"], code=data["code"], ip=client_ip(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DataExportView(APIView):
    @extend_schema(
        tags=TAG,
        summary="Download everything we hold about you",
        description="Every app adds its section (planner, chat, sms, integrations); the layout is "
        "named by `format` and documented in docs/data-export.md.",
        responses={200: s.DataExportOutput, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(data_rights.user_data_export(user=request_user(request), ip=client_ip(request)))


class ActivityView(ListAPIView[AuditEvent]):
    serializer_class = s.ActivityOutput

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return selectors.user_audit_events(user=request_user(self.request))

    @extend_schema(
        tags=TAG,
        summary="Your recent account activity",
        responses={200: s.ActivityOutput(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class SessionListView(ListAPIView[AuthToken]):
    serializer_class = s.SessionOutput

    def get_queryset(self) -> QuerySet[AuthToken]:
        return selectors.user_tokens(user=request_user(self.request))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "current_token": request_token(self.request)}

    @extend_schema(
        tags=TAG,
        summary="Your signed-in sessions",
        responses={200: s.SessionOutput(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class SessionRevokeView(APIView):
    @extend_schema(
        tags=TAG, summary="Sign one of your sessions out", responses={204: None, **error_responses(401, 404)}
    )
    def delete(self, request: Request, token_id: str) -> Response:
        services.auth_token_revoke(user=request_user(request), token_id=token_id, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    @extend_schema(
        tags=TAG,
        summary="Change your password",
        description="Every other session is signed out; this one stays. A wrong `current_password` "
        "counts towards the sign-in lockout (429 `account_locked`).",
        request=s.PasswordChangeInput,
        responses={204: None, **error_responses(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.PasswordChangeInput, request.data)
        services.user_password_change(
            user=request_user(request),
            current_password=data["current_password"],
            new_password=data["new_password"],
            current_token=request_token(request),
            ip=client_ip(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicAuthView):
    @extend_schema(
        tags=TAG,
        summary="Email a password-reset link",
        description="Always 202, whether or not the address has an account (an account that asked too "
        "often gets no more e-mails for a while, silently). Too many requests from one address: 429.",
        request=s.PasswordResetInput,
        responses={202: s.DetailOutput, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        services.password_reset_request(
            email=validated(s.PasswordResetInput, request.data)["email"], ip=client_ip(request)
        )
        return Response(
            {"detail": "If this address has an account, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PublicAuthView):
    @extend_schema(
        tags=TAG,
        summary="Set a new password with the uid and token from the reset link",
        request=s.PasswordResetConfirmInput,
        responses={204: None, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.PasswordResetConfirmInput, request.data)
        services.password_reset_confirm(
            uid=data["uid"], token=data["token"], new_password=data["new_password"], ip=client_ip(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpEnrolView(APIView):
    open_before_mfa_enrolment = ("POST",)

    @extend_schema(
        tags=["mfa"],
        summary="Start TOTP enrolment (needs your password)",
        description="Returns a new secret; confirm it with a code to turn two-factor on. A wrong "
        "password is a 400 on `password` and counts towards the sign-in lockout (429 `account_locked`).",
        request=s.PasswordInput,
        responses={201: s.TotpEnrolOutput, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        password = validated(s.PasswordInput, request.data)["password"]
        secret, uri = services.mfa_totp_enrol(
            user=request_user(request), password=password, ip=client_ip(request)
        )
        return Response({"secret": secret, "otpauth_uri": uri}, status=status.HTTP_201_CREATED)


class TotpConfirmView(APIView):
    open_before_mfa_enrolment = ("POST",)

    @extend_schema(
        tags=["mfa"],
        summary="Confirm enrolment with a code",
        description="Turns two-factor on, signs every other session out (this one stays) and returns "
        "ten one-time backup codes, shown only in this answer. Wrong codes count towards the "
        "sign-in lockout (429 `account_locked`).",
        request=s.TotpCodeInput,
        responses={200: s.TotpConfirmOutput, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        code = validated(s.TotpCodeInput, request.data)["code"]
        user = request_user(request)
        token = request_token(request)
        codes = services.mfa_totp_confirm(user=user, code=code, current_token=token, ip=client_ip(request))
        if token is None:  # confirmed from a browser session: that one stays signed in
            update_session_auth_hash(request, user)
        return Response({**_user_payload(request), "backup_codes": codes})


class BackupCodesView(APIView):
    @extend_schema(
        tags=["mfa"],
        summary="Replace your backup codes (needs your password)",
        description="The old codes stop working. A wrong password is a 400 on `password` and counts "
        "towards the sign-in lockout.",
        request=s.PasswordInput,
        responses={201: s.BackupCodesOutput, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        password = validated(s.PasswordInput, request.data)["password"]
        codes = services.mfa_backup_codes_regenerate(
            user=request_user(request), password=password, ip=client_ip(request)
        )
        return Response({"backup_codes": codes}, status=status.HTTP_201_CREATED)


class TotpDisableView(APIView):
    @extend_schema(
        tags=["mfa"],
        summary="Turn two-factor off (needs your password and a current or backup code)",
        description="Wrong passwords and codes count towards the sign-in lockout: once locked, even "
        "the right ones are refused (429 `account_locked`) until it ends.",
        request=s.TotpDisableInput,
        responses={200: UserOutput, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.TotpDisableInput, request.data)
        services.mfa_totp_disable(
            user=request_user(request), password=data["password"], code=data["code"], ip=client_ip(request)
        )
        return Response(_user_payload(request))
