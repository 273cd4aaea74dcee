from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assistant.core.api import error_responses, many_data, validated
from assistant.core.net import client_ip
from assistant.core.throttling import ScopedThrottle, UserThrottle
from assistant.users.access import request_user
from assistant.users.serializers import PhoneNumberField, UserOutput
from sms import services
from sms.models import PhoneVerification


class PhoneVerifyInput(serializers.Serializer[None]):
    phone_number = PhoneNumberField(required=True)

    def validate_phone_number(self, value: str | None) -> str:
        if not value:
            raise serializers.ValidationError("Enter the phone number to verify.")
        return value


class PhoneVerifyOutput(serializers.Serializer[PhoneVerification]):
    phone_number = serializers.CharField(help_text="The number the code was sent to (E.164).")
    expires_at = serializers.DateTimeField()


class PhoneConfirmInput(serializers.Serializer[None]):
    code = serializers.RegexField(r"^\s*\d{6}\s*$", error_messages={"invalid": "Enter the 6-digit code."})


class PhoneVerifyView(APIView):
    throttle_classes = [UserThrottle, ScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(
        tags=["phone"],
        summary="Text a 6-digit code to your phone",
        description="The code expires in 10 minutes and allows 5 tries; a new one can be asked for after "
        "a minute (429 with retry_after_seconds before that). Codes are capped per number (across "
        "accounts), per account and by the day's SMS spend: beyond a cap, 429 `sms_cap_reached` with "
        "retry_after_seconds.",
        request=PhoneVerifyInput,
        responses={202: PhoneVerifyOutput, **error_responses(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        phone_number = validated(PhoneVerifyInput, request.data)["phone_number"]
        verification = services.phone_verification_start(
            user=request_user(request), phone_number=phone_number, ip=client_ip(request)
        )
        return Response(PhoneVerifyOutput(verification).data, status=status.HTTP_202_ACCEPTED)


class PhoneConfirmView(APIView):
    throttle_classes = [UserThrottle, ScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(
        tags=["phone"],
        summary="Confirm your phone with the code",
        request=PhoneConfirmInput,
        responses={200: UserOutput, **error_responses(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        code = validated(PhoneConfirmInput, request.data)["code"]
        user = services.phone_verification_confirm(
            user=request_user(request), code=code, ip=client_ip(request)
        )
        return Response(UserOutput(user).data)


class UsageQuery(serializers.Serializer[None]):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False, help_text="Inclusive.")


class UsageRow(serializers.Serializer[services.SmsUsageRow]):
    user_id = serializers.IntegerField(allow_null=True)
    user__email = serializers.EmailField(allow_null=True)
    day = serializers.DateField()
    messages = serializers.IntegerField()
    segments = serializers.IntegerField()
    cost_usd = serializers.DecimalField(max_digits=12, decimal_places=5, allow_null=True)


class UsageView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        tags=["sms"],
        summary="Outbound SMS per user per day (staff)",
        parameters=[UsageQuery],
        responses={200: UsageRow(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = validated(UsageQuery, request.query_params)
        today = timezone.now().date()
        first = query.get("date_from", today - timedelta(days=30))
        last = query.get("date_to", today)
        zone = timezone.get_default_timezone() if settings.USE_TZ else None
        start = datetime.combine(first, time.min, tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
        return Response(many_data(UsageRow, services.sms_usage_by_user_day(start=start, end=end)))
