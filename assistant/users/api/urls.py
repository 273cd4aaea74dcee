from django.urls import path

from assistant.users.api import views

urlpatterns = [
    path("register", views.RegisterView.as_view(), name="auth-register"),
    path("login", views.LoginView.as_view(), name="auth-login"),
    path("logout", views.LogoutView.as_view(), name="auth-logout"),
    path("me", views.MeView.as_view(), name="auth-me"),
    path("me/export", views.DataExportView.as_view(), name="auth-me-export"),
    path("me/activity", views.ActivityView.as_view(), name="auth-me-activity"),
    path("sessions", views.SessionListView.as_view(), name="auth-sessions"),
    path("sessions/<str:token_id>", views.SessionRevokeView.as_view(), name="auth-session-revoke"),
    path("password/change", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("password/reset", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "password/reset/confirm", views.PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"
    ),
    path("mfa/totp", views.TotpEnrolView.as_view(), name="auth-mfa-enrol"),
    path("mfa/totp/confirm", views.TotpConfirmView.as_view(), name="auth-mfa-confirm"),
    path("mfa/totp/disable", views.TotpDisableView.as_view(), name="auth-mfa-disable"),
    path("mfa/backup-codes", views.BackupCodesView.as_view(), name="auth-mfa-backup-codes"),
]
