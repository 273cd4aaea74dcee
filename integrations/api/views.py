"""Integrations over REST: list, connect, sync, disconnect, and Notion's database choice."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assistant.core.api import error_responses, many_data, validated
from assistant.core.errors import ServiceError
from assistant.core.net import client_ip
from assistant.users.access import request_user
from integrations import selectors, services
from integrations.models import Integration, Provider
from integrations.selectors import ProviderStatus
from integrations.services import AuthorizationStart

PROVIDER_PARAMETER = OpenApiParameter(
    "provider",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=Provider.values,
    description="google, microsoft or notion",
)


class IntegrationOutput(serializers.Serializer[ProviderStatus]):
    provider = serializers.CharField(source="provider.name")
    title = serializers.CharField(source="provider.title")
    configured = serializers.SerializerMethodField(help_text="Whether this server can connect to it at all.")
    status = serializers.ChoiceField(choices=["not_connected", *Integration.Status.values])
    account = serializers.CharField(source="integration.account", default=None, allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField(), source="integration.scopes", default=list)
    connected_at = serializers.DateTimeField(source="integration.connected_at", default=None, allow_null=True)
    access_expires_at = serializers.DateTimeField(
        source="integration.token_expires_at", default=None, allow_null=True
    )
    last_synced_at = serializers.DateTimeField(
        source="integration.last_synced_at", default=None, allow_null=True
    )
    last_error = serializers.CharField(source="integration.last_error", default=None, allow_null=True)
    last_error_at = serializers.DateTimeField(
        source="integration.last_error_at", default=None, allow_null=True
    )
    task_database_id = serializers.CharField(
        source="integration.task_source_id", default=None, allow_null=True, help_text="Notion only."
    )

    def get_configured(self, row: ProviderStatus) -> bool:
        return row.provider.is_configured()


def _own_integration(request: Request, provider: str) -> Integration:
    services.provider_get_or_404(provider)
    integration = selectors.integration_for_user(user=request_user(request), provider=provider)
    if integration is None:
        raise ServiceError("not_connected", "This integration is not connected.", status=404)
    return integration


class IntegrationListView(APIView):
    @extend_schema(
        tags=["integrations"],
        summary="Every provider and your connection to it",
        responses={200: IntegrationOutput(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(
            many_data(IntegrationOutput, selectors.integrations_for_user(user=request_user(request)))
        )


class ConnectOutput(serializers.Serializer[AuthorizationStart]):
    authorization_url = serializers.URLField(
        source="url",
        help_text="A one-time link to our consent page: open it in your own browser, confirm with your "
        "password, and it takes you to the provider, which sends you back to us.",
    )
    expires_at = serializers.DateTimeField(help_text="The link works once, until then.")


class ConnectView(APIView):
    @extend_schema(
        tags=["integrations"],
        summary="Start connecting a provider",
        description="Returns a one-time link (it expires, and works once) to our consent page, which shows "
        "the account it connects (e-mail masked) and asks that account's password (and authenticator "
        "code when two-factor is on; a browser signed in as the account only confirms) before sending "
        "the browser to the provider. That browser gets a cookie our callback requires, so the link "
        "or the provider's page opened anywhere else connects nothing.",
        parameters=[PROVIDER_PARAMETER],
        request=None,
        responses={200: ConnectOutput, **error_responses(401, 404, 409)},
    )
    def post(self, request: Request, provider: str) -> Response:
        start = services.integration_connect_start(
            user=request_user(request), provider=services.provider_get_or_404(provider)
        )
        return Response(ConnectOutput(start).data)


class IntegrationView(APIView):
    @extend_schema(
        tags=["integrations"],
        summary="Disconnect a provider",
        description="Revokes our access at the provider where it allows it (Google, Notion), then deletes "
        "the tokens and everything synced from it.",
        parameters=[PROVIDER_PARAMETER],
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request: Request, provider: str) -> Response:
        integration = _own_integration(request, provider)
        services.integration_disconnect(
            integration=integration, actor=request_user(request), ip=client_ip(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SyncView(APIView):
    @extend_schema(
        tags=["integrations"],
        summary="Sync a provider now",
        parameters=[PROVIDER_PARAMETER],
        request=None,
        responses={202: None, **error_responses(401, 404, 409)},
    )
    def post(self, request: Request, provider: str) -> Response:
        services.integration_sync_request(integration=_own_integration(request, provider))
        return Response(status=status.HTTP_202_ACCEPTED)


class DatabaseOutput(serializers.Serializer[dict[str, str]]):
    id = serializers.CharField(help_text="Pass it as database_id to choose this database.")
    title = serializers.CharField()
    database_id = serializers.CharField(help_text="Notion's id of the database this data source belongs to.")


class DatabaseInput(serializers.Serializer[None]):
    database_id = serializers.CharField(max_length=64)


class NotionDatabasesView(APIView):
    @extend_schema(
        tags=["integrations"],
        summary="The Notion databases you shared with the assistant",
        responses={200: DatabaseOutput(many=True), **error_responses(401, 404, 409, 502)},
    )
    def get(self, request: Request) -> Response:
        integration = _own_integration(request, Provider.NOTION)
        return Response(many_data(DatabaseOutput, services.integration_sources_list(integration=integration)))


class NotionDatabaseView(APIView):
    @extend_schema(
        tags=["integrations"],
        summary="Choose the Notion database your tasks come from",
        request=DatabaseInput,
        responses={200: IntegrationOutput, **error_responses(400, 401, 404, 409, 502)},
    )
    def put(self, request: Request) -> Response:
        integration = _own_integration(request, Provider.NOTION)
        source_id = validated(DatabaseInput, request.data)["database_id"]
        integration = services.integration_task_source_select(integration=integration, source_id=source_id)
        return Response(
            IntegrationOutput(ProviderStatus(services.provider_get_or_404(Provider.NOTION), integration)).data
        )
