"""POST /monitoring/alerts/webhook: Alertmanager's webhook receiver (payload version 4)."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from assistant.core.api import validated
from assistant.core.errors import ServiceError
from assistant.core.net import client_ip
from assistant.users.models import SecurityEvent
from assistant.users.services import security_event_record
from monitoring.alerts import alert_notifications_record
from monitoring.auth import bearer_matches


class AlertInput(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=["firing", "resolved"])
    labels = serializers.DictField(child=serializers.CharField(allow_blank=True))
    annotations = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    startsAt = serializers.DateTimeField()
    endsAt = serializers.DateTimeField(required=False, allow_null=True)
    generatorURL = serializers.CharField(required=False, allow_blank=True)
    fingerprint = serializers.RegexField(r"^[0-9a-f]{1,64}$")

    def validate_labels(self, labels: dict[str, str]) -> dict[str, str]:
        if not labels.get("alertname"):
            raise serializers.ValidationError("An alert needs an alertname label.")
        return labels


class NotificationInput(serializers.Serializer[None]):
    version = serializers.CharField()
    status = serializers.ChoiceField(choices=["firing", "resolved"])
    alerts = AlertInput(many=True, allow_empty=False)

    def validate_version(self, version: str) -> str:
        if version != "4":
            raise serializers.ValidationError("Only Alertmanager's webhook payload version 4 is understood.")
        return version


class RecordedOutput(serializers.Serializer[dict[str, Any]]):
    recorded = serializers.IntegerField(help_text="New firing or resolved states kept.")
    repeated = serializers.IntegerField(help_text="States already known (Alertmanager repeats itself).")
    paged = serializers.BooleanField(help_text="Whether the on-call staff member was texted.")


class AlertmanagerWebhookView(APIView):
    """Authenticated by ALERTMANAGER_WEBHOOK_TOKEN (Alertmanager's http_config.authorization)."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type[BaseThrottle]] = []

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        expected = settings.ALERTMANAGER_WEBHOOK_TOKEN
        if not expected:
            raise ServiceError("not_configured", "ALERTMANAGER_WEBHOOK_TOKEN is not set.", status=503)
        if not bearer_matches(request, expected):
            security_event_record(
                kind=SecurityEvent.Kind.FORGED_REQUEST,
                severity=SecurityEvent.Severity.WARNING,
                ip=client_ip(request),
                details={"reason": "alertmanager_webhook_token"},
            )
            raise ServiceError("forbidden", "Wrong or missing bearer token.", status=403)
        notification = validated(NotificationInput, request.data)
        recorded = alert_notifications_record(alerts=notification["alerts"])
        body = {"recorded": len(recorded.created), "repeated": recorded.repeated, "paged": recorded.paged}
        return Response(RecordedOutput(body).data, status=status.HTTP_200_OK)
