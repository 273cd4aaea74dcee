from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from assistant.core.views import api_root
from assistant.users.views import PasswordResetCompleteView, PasswordResetConfirmView
from monitoring.views import metrics_export

api_v1: list[URLPattern | URLResolver] = [
    path("", api_root, name="api-root"),
    path("auth/", include("assistant.users.api.urls")),
    path("chat/", include("assistant.chat.api.urls")),
    path("", include("assistant.planner.api.urls")),
    path("", include("sms.api.urls")),
    path("", include("integrations.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("metrics", metrics_export, name="metrics"),
    path("health/", include("monitoring.health_urls")),
    path("monitoring/", include("monitoring.urls")),
    path("sms/", include("sms.urls")),
    path("integrations/", include("integrations.urls")),
    path(
        "account/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

handler404 = "assistant.core.api.page_not_found"
handler500 = "assistant.core.api.server_error"
